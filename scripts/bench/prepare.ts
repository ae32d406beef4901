// Phases 1 and 2 of the benchmark: the bench profile's services, fresh data (wipe, build, seed at
// the chosen scale, timed; then the question threads of 10, 20 and 30 answers), then two stacks
// from their production builds on the same database and Redis: the "cached" one (api + worker +
// web with their caches on, as deployed) on the bench profile's ports, and the "uncached" one
// (api + web, page cache and GraphQL response cache off) on the next ports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { indexProfileFerretdbIds } from '../lib/ferretdb-ids.js';
import { repoRoot } from '../lib/paths.js';
import { ensureServices, profileDir, profilePorts, stopServices, type ProfilePorts, type ServiceUrls } from '../lib/services.js';
import { buildAll, startStack, type RunningStack } from '../lib/stack.js';
import { SCALES } from './options.js';
import { waitIdle } from './proc.js';
import {
  countDocuments,
  createThreadFixtures,
  ensureListings,
  seedBench,
  wipeBench,
  type SeedPlan,
  type ThreadFixture,
} from './seeding.js';
import { fmt, log, PREFLIGHT_TIMEOUT_SEC, UNCACHED_SUFFIX, type BenchSession } from './session.js';

/** The bench profile's services and the environment of the processes under test. */
export interface BenchData {
  services: ServiceUrls;
  ports: ProfilePorts;
  benchDir: string;
  redisPrefix: string;
  env: NodeJS.ProcessEnv;
  /** the questions of 10, 20 and 30 answers × 2 comments (empty when their creation failed) */
  threads: ThreadFixture[];
}

/** Answers of the bench's question threads: 20 is the measured page (the budget fixture). */
export const THREAD_ANSWERS = [10, 20, 30] as const;

/** What the uncached stack turns off: the web's page cache and the api's GraphQL response cache. */
export const UNCACHED_ENV = { PAGE_CACHE: 'off', RESPONSE_CACHE_TTL_SECONDS: '0' } as const;

/** One measured api + web pair. */
export interface BenchStack {
  apiUrl: string;
  webUrl: string;
}

/** Both stacks; `stop` is idempotent (the capture phase stops them early). */
export interface BenchStacks {
  /** caches on (the defaults), with the worker; the bench profile's ports */
  cached: BenchStack;
  /** PAGE_CACHE=off, RESPONSE_CACHE_TTL_SECONDS=0; the bench profile's ports + 1 */
  uncached: BenchStack;
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

/**
 * The bench's load all comes from one address: every rate-limit budget is set out of reach — the
 * ones named here (requests, writes incl. the page's recordQuestionView, sign-in, sign-up, query
 * points) and any other RATE_LIMIT_* variable of `.env.example` (which lists every variable), so a
 * new budget never turns a measured row into 429s.
 */
export function unlimitedRateLimits(envExample: string): Record<string, string> {
  const names = new Set([
    'RATE_LIMIT_PER_MINUTE',
    'RATE_LIMIT_WRITES_PER_MINUTE',
    'RATE_LIMIT_SIGN_IN_PER_15_MINUTES',
    'RATE_LIMIT_SIGN_UP_PER_HOUR',
    'RATE_LIMIT_POINTS_PER_HOUR',
    ...(envExample.match(/\bRATE_LIMIT_[A-Z0-9_]+/g) ?? []),
  ]);
  return Object.fromEntries([...names].sort().map((name) => [name, '1000000000']));
}

function readEnvExample(): string {
  try {
    return readFileSync(join(repoRoot, '.env.example'), 'utf8');
  } catch {
    return '';
  }
}

/** The sampler's name of a stack's process: api, worker, web (cached stack) or api/web + `suffix`. */
function childName(child: ChildProcess, suffix = ''): string {
  const args = child.spawnargs.join(' ');
  if (args.includes('server/dist/main.js')) return `api${suffix}`;
  if (args.includes('server/dist/worker.js')) return `worker${suffix}`;
  if (args.includes('web/build/front.js')) return `web${suffix}`;
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
    // every rate-limit budget out of reach (all requests come from 127.0.0.1: one client)
    ...unlimitedRateLimits(readEnvExample()),
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
  const threads = await threadFixtures(session, { ...process.env, ...env }, hooks);
  // the collections the fixtures created (e.g. threads) get their lookup index too
  indexProfileFerretdbIds('bench');
  session.collections = await countDocuments(services.mongodbUrl).catch(() => null);
  return { services, ports, benchDir, redisPrefix, env, threads };
}

/** The questions of THREAD_ANSWERS answers (a failure is a note: their rows then say n/a). */
async function threadFixtures(
  session: BenchSession,
  env: NodeJS.ProcessEnv,
  hooks: Parameters<typeof createThreadFixtures>[1],
): Promise<ThreadFixture[]> {
  log(`creating the question threads of ${THREAD_ANSWERS.join(', ')} answers × 2 comments (scripts/budget-fixture.ts) …`);
  try {
    const created = await createThreadFixtures(env, hooks, THREAD_ANSWERS, session.abort.signal);
    log(`  created ${created.threads.length} question threads in ${fmt(created.seconds, 1)} s`);
    return created.threads;
  } catch (error) {
    session.checkAborted();
    const why = error instanceof Error ? error.message : String(error);
    session.notes.push(`the question threads of ${THREAD_ANSWERS.join(', ')} answers could not be created (${why}): their rows say n/a`);
    log(`  ✗ ${why}`);
    return [];
  }
}

/** Starts one stack, watched by the sampler; one of its processes exiting on its own aborts the run. */
async function startWatched(
  session: BenchSession,
  data: BenchData,
  which: { env: NodeJS.ProcessEnv; apiPort: number; webPort: number; worker: boolean; suffix: string; logs: string },
  stopped: () => boolean,
): Promise<RunningStack> {
  const logDir = join(data.benchDir, 'logs', which.logs);
  const stack = await startStack({ env: which.env, apiPort: which.apiPort, webPort: which.webPort, logDir, worker: which.worker }, log);
  for (const child of stack.children) {
    const name = childName(child, which.suffix);
    session.sampler.watch(name, child.pid);
    child.on('exit', (code, signal) => {
      if (!stopped() && !session.abort.signal.aborted) {
        log(`✗ ${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${logDir}`);
        session.abort.abort();
      }
    });
  }
  return stack;
}

/**
 * 2. the stacks on the same database and Redis (same key prefix, like two deployments of one
 * site): the cached one (api + worker + web, the defaults) on the bench ports, the uncached one
 * (api + web, UNCACHED_ENV) on the bench ports + 1. Both webs believe they are at the cached one's
 * origin (ORIGIN, PUBLIC_URL), so their pages carry the same links.
 */
export async function startBenchStacks(session: BenchSession, data: BenchData): Promise<BenchStacks> {
  const { env, ports } = data;
  const running: RunningStack[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const stack of running) await stack.stop();
  };
  session.cleanup.add('stop both stacks (api, worker and web)', stop);
  const cached = await startWatched(
    session,
    data,
    { env, apiPort: ports.api, webPort: ports.web, worker: true, suffix: '', logs: 'cached' },
    () => stopped,
  );
  running.push(cached);
  session.checkAborted();
  const uncached = await startWatched(
    session,
    data,
    {
      env: { ...env, ...UNCACHED_ENV },
      apiPort: ports.api + 1,
      webPort: ports.web + 1,
      worker: false,
      suffix: UNCACHED_SUFFIX,
      logs: 'uncached',
    },
    () => stopped,
  );
  running.push(uncached);
  session.checkAborted();
  return {
    cached: { apiUrl: cached.apiUrl, webUrl: cached.webUrl },
    uncached: { apiUrl: uncached.apiUrl, webUrl: uncached.webUrl },
    stop,
  };
}

/** the worker's start-up work is waited out for at most this long */
const STARTUP_SETTLE_MS = 15 * 60_000;

/**
 * Waits for the work the worker does once when it starts on a database: the Redis read models
 * it rebuilds when missing (the bench's Redis does not persist across runs), its first search
 * sweep and the hourly badge pass with the events they publish. Measuring during that catch-up
 * would measure the catch-up; the time it took is printed and noted.
 */
export async function settleStartup(session: BenchSession): Promise<void> {
  const pids = [session.sampler.pid('ferretdb'), session.sampler.pid('worker')].filter((p): p is number => p !== undefined);
  log("waiting for the worker's start-up work (read models, first sweep, badge pass) to finish …");
  const started = Date.now();
  // idle for 5 s in a row, not one quiet half-second between two rounds
  let quietSince = 0;
  for (;;) {
    const { cores } = await waitIdle(pids, { timeoutMs: 1_000, signal: session.abort.signal });
    session.checkAborted();
    if (cores < 0.15) quietSince ||= Date.now();
    else quietSince = 0;
    if (quietSince && Date.now() - quietSince >= 5_000) break;
    if (Date.now() - started > STARTUP_SETTLE_MS) {
      session.notes.push(`the worker was still busy ${STARTUP_SETTLE_MS / 60_000} min after start: figures include its work`);
      break;
    }
  }
  const seconds = (Date.now() - started) / 1000;
  log(`  the worker's start-up work took ${fmt(seconds, 1)} s`);
  if (seconds > 10)
    session.notes.push(`the worker's start-up work (read models, first sweep, badge pass) took ${fmt(seconds, 0)} s before measuring`);
}
