// The "cluster" profile, started: its own FerretDB, Redis and Mailpit (scripts/lib/services.ts),
// the builds, a seeded database, then N api, N web and N worker processes behind nginx
// (scripts/lib/cluster.ts). Used by `npm run start:cluster` and by `npm run soak` when no cluster
// answers yet. `stop()` stops every process and service this call started, and only those.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterPorts, startCluster, type ClusterPorts, type RunningCluster } from './cluster.js';
import { indexProfileFerretdbIds } from './ferretdb-ids.js';
import { seedIfEmpty } from './seed.js';
import { ensureServices, profileDir, profilePorts, stopServices, type ServiceUrls } from './services.js';
import { buildAll } from './stack.js';

type Log = (line: string) => void;

export interface ClusterProfile {
  cluster: RunningCluster;
  services: ServiceUrls;
  ports: ClusterPorts;
  publicUrl: string;
  /** the file listing every process's pid (`npm run soak` samples their memory) */
  pidsFile: string;
  stop(): Promise<void>;
}

/** The folder of the profile's processes: nginx's configuration and pid, logs, pids.json. */
export const clusterRunDir = () => join(profileDir('cluster'), 'run-cluster');
export const clusterPidsFile = () => join(clusterRunDir(), 'pids.json');

export async function startClusterProfile(options: { instances?: number; log: Log }): Promise<ClusterProfile> {
  const { log } = options;
  const ports = clusterPorts(profilePorts('cluster').api, options.instances ?? 2);
  const services = await ensureServices('cluster', log);
  const stopStarted = async () => {
    if (services.started.length) await stopServices('cluster', services.started, log);
  };
  try {
    buildAll(log);
    const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${ports.proxy}`;
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: process.env.NODE_ENV ?? 'production',
      MONGODB_URL: services.mongodbUrl,
      REDIS_URL: services.redisUrl,
      SMTP_URL: services.smtpUrl,
      // one embedded search index shared by every process on this machine (the workers write it)
      SEARCH_DATA_DIR: process.env.SEARCH_DATA_DIR ?? join(profileDir('cluster'), 'search'),
      PUBLIC_URL: publicUrl,
      ORIGIN: publicUrl,
    };
    await seedIfEmpty({ ...process.env, ...env }, log);
    if (!process.env.MONGODB_URL) indexProfileFerretdbIds('cluster');
    const runDir = clusterRunDir();
    mkdirSync(runDir, { recursive: true });
    const cluster = await startCluster({ env, ports, runDir, log });
    const pidsFile = clusterPidsFile();
    writeFileSync(pidsFile, `${JSON.stringify(cluster.pids(), null, 2)}\n`);
    let stopped = false;
    return {
      cluster,
      services,
      ports,
      publicUrl,
      pidsFile,
      async stop() {
        if (stopped) return;
        stopped = true;
        await cluster.stop();
        rmSync(pidsFile, { force: true });
        await stopStarted();
      },
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}
