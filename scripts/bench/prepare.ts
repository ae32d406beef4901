// Phases 1 and 2 of the benchmark: the bench profile's services, fresh data (wipe, build, seed at
// the chosen scale, timed), then the api + worker + web from their production builds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { indexProfileFerretdbIds } from '../lib/ferretdb-ids.js';
import { ensureServices, profileDir, profilePorts, stopServices, type ProfilePorts, type ServiceUrls } from '../lib/services.js';
import { buildAll, startStack, type RunningStack } from '../lib/stack.js';
import { SCALES } from './options.js';
import { ensureListings, seedBench, wipeBench, type SeedPlan } from './seeding.js';
import { fmt, log, PREFLIGHT_TIMEOUT_SEC, type BenchSession } from './session.js';

/** The bench profile's services and the environment of the processes under test. */
export interface BenchData {
  services: ServiceUrls;
  ports: ProfilePorts;
  benchDir: string;
  redisPrefix: string;
  env: NodeJS.ProcessEnv;
}

/** The measured api + worker + web; `stop` is idempotent (the capture phase stops it early). */
export interface BenchStack {
  apiUrl: string;
  webUrl: string;
  stop(): Promise<void>;
}

function pidFromFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function childName(child: ChildProcess): string {
  const args = child.spawnargs.join(' ');
  if (args.includes('server/dist/main.js')) return 'api';
  if (args.includes('server/dist/worker.js')) return 'worker';
  if (args.includes('web/build/index.js')) return 'web';
  return `pid ${child.pid}`;
}

/** 1. services, fresh data, build, seed (or, with --reuse-data, only the listings rebuilt). */
export async function prepareData(session: BenchSession): Promise<BenchData> {
  const { options, sampler, cleanup, notes } = session;
  const ports = profilePorts('bench');
  const benchDir = profileDir('bench');
  const searchDir = join(benchDir, 'search');
  const redisPrefix = 'colloquy-bench:';
  log(
    `scale ${options.scale}; ${options.durationSec} s per run; closed loop ${options.connections} connections (${session.closedTool}); fixed rate ${options.rate} req/s (writes ${options.writeRate} req/s, ${options.rateTool})`,
  );
  const services = await ensureServices('bench', log);
  if (services.started.length) cleanup.add('stop bench services', () => stopServices('bench', services.started, log));
  sampler.watch('ferretdb', pidFromFile(join(benchDir, 'run', 'ferretdb.pid')));
  sampler.watch('redis', pidFromFile(join(benchDir, 'run', 'redis.pid')));
  sampler.start();
  cleanup.add('stop RSS sampler', () => sampler.stop());
  session.checkAborted();

  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000000',
    MONGODB_URL: services.mongodbUrl,
    REDIS_URL: services.redisUrl,
    REDIS_PREFIX: redisPrefix,
    SEARCH_DATA_DIR: searchDir,
    PUBLIC_URL: `http://127.0.0.1:${ports.web}`,
    // the web gives up on the api after 10 s by default: the bench measures slow pages instead
    API_TIMEOUT_MS: String(PREFLIGHT_TIMEOUT_SEC * 1000),
    ORIGIN: `http://127.0.0.1:${ports.web}`,
    TYPESENSE_URL: '',
  };
  const restartFerretdb = async () => {
    // only the bench profile's own FerretDB (tracked by its pid file) is ever restarted; it is
    // stopped at the end only when this run started it in the first place (as before)
    await stopServices('bench', ['ferretdb'], log);
    await ensureServices('bench', log);
    sampler.watch('ferretdb', pidFromFile(join(benchDir, 'run', 'ferretdb.pid')));
  };
  if (!options.reuseData) {
    await wipeBench(services.mongodbUrl, services.redisUrl, redisPrefix, searchDir, log, restartFerretdb);
  } else {
    notes.push('--reuse-data: the bench database was not wiped nor seeded');
  }
  session.checkAborted();
  log('building (skipped when nothing changed) …');
  buildAll(log);
  session.checkAborted();
  const hooks = { databasePid: () => sampler.pid('ferretdb'), restartDatabase: restartFerretdb };
  if (!options.reuseData) {
    const scale = SCALES[options.scale];
    const plan: SeedPlan = {
      dump: scale.dump,
      demo: options.demo,
      synthetic: { members: options.members, questions: options.questions, seed: options.seed },
    };
    session.seeding = await seedBench(plan, { ...process.env, ...env }, services.mongodbUrl, hooks, log, session.abort.signal);
  } else {
    const rebuilt = await ensureListings({ ...process.env, ...env }, hooks, session.abort.signal);
    if (rebuilt.questions) {
      log(`rebuilt the question listings in Redis: ${fmt(rebuilt.questions)} questions in ${fmt(rebuilt.seconds, 1)} s`);
      notes.push(`--reuse-data: the question listings were rebuilt (${fmt(rebuilt.questions)} questions, ${fmt(rebuilt.seconds, 1)} s)`);
    }
  }
  session.checkAborted();
  const idIndexes = indexProfileFerretdbIds('bench');
  if (idIndexes) log(`FerretDB: added ${idIndexes} _id lookup index(es) (see scripts/lib/ferretdb-ids.ts)`);
  return { services, ports, benchDir, redisPrefix, env };
}

/** 2. the stack: api + worker + web, watched by the sampler; one exiting on its own aborts the run. */
export async function startBenchStack(session: BenchSession, data: BenchData): Promise<BenchStack> {
  const { benchDir, env, ports } = data;
  const stack: RunningStack = await startStack(
    { env, apiPort: ports.api, webPort: ports.web, logDir: join(benchDir, 'logs'), worker: true },
    log,
  );
  let stackStopped = false;
  const stopStack = async () => {
    if (stackStopped) return;
    stackStopped = true;
    await stack.stop();
  };
  session.cleanup.add('stop api, worker and web', stopStack);
  for (const child of stack.children) {
    session.sampler.watch(childName(child), child.pid);
    child.on('exit', (code, signal) => {
      if (!stackStopped && !session.abort.signal.aborted) {
        log(`✗ ${childName(child)} exited unexpectedly (${signal ?? `code ${code}`}); see ${join(benchDir, 'logs')}`);
        session.abort.abort();
      }
    });
  }
  session.checkAborted();
  return { apiUrl: stack.apiUrl, webUrl: stack.webUrl, stop: stopStack };
}
