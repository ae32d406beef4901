// npm run start:cluster [-- --instances N]: the "cluster" profile — N api, N web and N worker
// processes (2 by default) behind nginx, over one FerretDB and one Redis (its own ports and data
// under .colloquy/cluster/). Builds first when the sources changed, seeds an empty database.
// Ctrl-C (or SIGTERM) stops everything this command started.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clusterRunDir, startClusterProfile, type ClusterProfile } from './lib/cluster-profile.js';
import { ServiceError } from './lib/services.js';

const log = (line: string) => console.log(`[cluster] ${line}`);

async function main() {
  const { values } = parseArgs({ options: { instances: { type: 'string', default: '2' } }, strict: true });
  const instances = Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > 8) throw new Error('--instances must be 1 to 8');
  let profile: ClusterProfile | undefined;
  let starting = true;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // a signal while starting: stop once what is starting is up (or has failed)
    if (starting) return log('stopping once started …');
    log('stopping …');
    await profile?.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  try {
    profile = await startClusterProfile({ instances, log });
    starting = false;
    if (stopping) {
      await profile.stop();
      log('stopped');
      process.exit(0);
    }
    const { cluster, ports, publicUrl } = profile;
    log('');
    log(`Colloquy (${instances} api, ${instances} web, ${instances} worker behind nginx) is running at ${publicUrl}`);
    log(`instances: ${cluster.instances.map((i) => `${i.name} :${i.port}`).join(' · ')}`);
    log(
      `metrics: api http://127.0.0.1:${ports.api[0]}/metrics · web http://127.0.0.1:${ports.web[0]}/metrics · worker http://127.0.0.1:${ports.workerMetrics[0]}/metrics`,
    );
    log(`logs: ${join(clusterRunDir(), 'logs')}  ·  Ctrl-C stops.`);
    for (const instance of cluster.instances) {
      instance.child.on('exit', (code) => {
        if (!stopping) log(`${instance.name} exited (code ${code}); the others keep serving`);
      });
    }
  } catch (error) {
    if (error instanceof ServiceError) console.error(`✗ ${error.message}${error.hint ? `\n  → ${error.hint}` : ''}`);
    else console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    // startClusterProfile stopped what it had started
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
