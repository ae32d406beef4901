// npm run start:cluster [-- --instances N]: the "cluster" profile — N api, N web and N worker
// processes (2 by default) behind nginx, over one FerretDB and one Redis (its own ports and data
// under .colloquy/cluster/). Builds first when the sources changed, seeds an empty database.
// Ctrl-C stops everything this command started.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clusterPorts, startCluster, type RunningCluster } from './lib/cluster.js';
import { indexProfileFerretdbIds } from './lib/ferretdb-ids.js';
import { seedIfEmpty } from './lib/seed.js';
import { ensureServices, profileDir, profilePorts, ServiceError, stopServices } from './lib/services.js';
import { buildAll } from './lib/stack.js';

const log = (line: string) => console.log(`[cluster] ${line}`);

async function main() {
  const { values } = parseArgs({ options: { instances: { type: 'string', default: '2' } }, strict: true });
  const instances = Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > 8) throw new Error('--instances must be 1 to 8');
  const ports = clusterPorts(profilePorts('cluster').api, instances);
  const services = await ensureServices('cluster', log);
  let cluster: RunningCluster | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping …');
    await cluster?.stop();
    if (services.started.length) await stopServices('cluster', services.started, log);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  try {
    buildAll(log);
    const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${ports.proxy}`;
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: process.env.NODE_ENV ?? 'production',
      MONGODB_URL: services.mongodbUrl,
      REDIS_URL: services.redisUrl,
      // one embedded search index shared by every process on this machine (the workers write it)
      SEARCH_DATA_DIR: process.env.SEARCH_DATA_DIR ?? join(profileDir('cluster'), 'search'),
      PUBLIC_URL: publicUrl,
      ORIGIN: publicUrl,
    };
    await seedIfEmpty({ ...process.env, ...env }, log);
    if (!process.env.MONGODB_URL) indexProfileFerretdbIds('cluster');
    const runDir = join(profileDir('cluster'), 'run-cluster');
    cluster = await startCluster({ env, ports, runDir, log });
    // for `npm run soak` (RSS per process)
    writeFileSync(join(runDir, 'pids.json'), `${JSON.stringify(cluster.pids(), null, 2)}\n`);
    log('');
    log(`Colloquy (${instances} api, ${instances} web, ${instances} worker behind nginx) is running at ${publicUrl}`);
    log(`instances: ${cluster.instances.map((i) => `${i.name} :${i.port}`).join(' · ')}`);
    log(`metrics: api http://127.0.0.1:${ports.api[0]}/metrics · worker http://127.0.0.1:${ports.workerMetrics[0]}/metrics`);
    log(`logs: ${join(profileDir('cluster'), 'run-cluster', 'logs')}  ·  Ctrl-C stops.`);
    for (const instance of cluster.instances) {
      instance.child.on('exit', (code) => {
        if (!stopping) log(`${instance.name} exited (code ${code}); the others keep serving`);
      });
    }
  } catch (error) {
    if (error instanceof ServiceError) console.error(`✗ ${error.message}${error.hint ? `\n  → ${error.hint}` : ''}`);
    else console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
