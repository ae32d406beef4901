// A fresh bench database at the chosen scale: drop it (and the bench search index and Redis
// keys), then seed — the Stack Exchange dump and/or the synthetic generator, each in a child
// process — timing each step and counting the documents it wrote (rows/s).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { countFerretdbDocuments } from '../lib/ferretdb-ids.js';
import { repoRoot } from '../lib/paths.js';
import { profileDir } from '../lib/services.js';
import { processTree, watchStall } from './proc.js';

export interface SeedStep {
  name: string;
  seconds: number;
  /** documents added to the database by this step (all collections) */
  rows: number;
  rowsPerSecond: number;
  detail?: string;
  /** the step failed (after writing `rows`) */
  failed?: string;
}

export interface SeedResult {
  steps: SeedStep[];
  seconds: number;
  rows: number;
  rowsPerSecond: number;
  notes: string[];
  /** documents per collection after seeding */
  collections: Record<string, number>;
}

export class DatabaseHung extends Error {}

/** Drops the bench database; DatabaseHung when FerretDB does not answer within `timeoutMs`. */
export async function dropBenchDatabase(mongoUrl: string, log: (line: string) => void, timeoutMs = 60_000): Promise<void> {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000, socketTimeoutMS: timeoutMs });
  await client.connect();
  try {
    const db = client.db();
    if (!/bench/.test(db.databaseName)) throw new Error(`refusing to drop "${db.databaseName}": not a bench database`);
    try {
      await db.dropDatabase();
    } catch (error) {
      const text = `${(error as Error).name} ${(error as Error).message}`;
      if (/time ?out|timed out/i.test(text))
        throw new DatabaseHung(`dropping ${db.databaseName} did not finish within ${timeoutMs / 1000} s`);
      throw error;
    }
    log(`dropped database ${db.databaseName}`);
  } finally {
    await client.close(true).catch(() => undefined);
  }
}

export async function wipeBench(
  mongoUrl: string,
  redisUrl: string,
  redisPrefix: string,
  searchDir: string,
  log: (line: string) => void,
  restartDatabase: () => Promise<void>,
): Promise<void> {
  try {
    await dropBenchDatabase(mongoUrl, log);
  } catch (error) {
    if (!(error instanceof DatabaseHung)) throw error;
    log(`${error.message}: the bench FerretDB is stuck (left deadlocked by an earlier run?); restarting it`);
    await restartDatabase();
    await dropBenchDatabase(mongoUrl, log);
  }
  rmSync(searchDir, { recursive: true, force: true });
  log(`removed the search index ${searchDir}`);
  const removed = await deleteRedisPrefix(redisUrl, redisPrefix);
  log(`deleted ${removed} Redis key(s) under ${redisPrefix}*`);
}

/** Calls `each` with every batch of keys matching `prefix` + `suffix` (a SCAN pass on its own connection). */
async function forEachKeyBatch(
  redisUrl: string,
  prefix: string,
  suffix: string,
  each: (redis: Redis, keys: string[]) => Promise<void>,
): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}${suffix}`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await each(redis, keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to delete Redis keys without a prefix');
  let removed = 0;
  await forEachKeyBatch(redisUrl, prefix, '*', async (redis, keys) => {
    removed += await redis.unlink(...keys);
  });
  return removed;
}

/**
 * Copies the question listings (Redis sorted sets, see post.listings.ts) from one key prefix to
 * another, leaving out the per-author ones (one per member: a million at the large scale), so a
 * second api on its own prefix serves listings the way the measured one did.
 */
export async function copyListings(redisUrl: string, from: string, to: string): Promise<number> {
  if (!from || !to || from === to) throw new Error('copyListings needs two different prefixes');
  let copied = 0;
  await forEachKeyBatch(redisUrl, from, 'lst:*', async (redis, keys) => {
    const wanted = keys.filter((k) => !/:u:[0-9a-f]{24}:/.test(k));
    if (!wanted.length) return;
    const pipeline = redis.pipeline();
    for (const key of wanted) pipeline.copy(key, to + key.slice(from.length), 'REPLACE');
    for (const [error, result] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      if (result === 1) copied++;
    }
  });
  return copied;
}

export async function countDocuments(mongoUrl: string): Promise<Record<string, number>> {
  // the bench's own FerretDB: counted in its SQLite file (FerretDB's count decodes every document)
  const local = countFerretdbDocuments(join(profileDir('bench'), 'ferretdb', 'data'), new URL(mongoUrl).pathname.slice(1));
  if (local) return local;
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  try {
    const db = client.db();
    const out: Record<string, number> = {};
    for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
      out[c.name] = await db.collection(c.name).estimatedDocumentCount();
    }
    return out;
  } finally {
    await client.close();
  }
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** A seeding step that used no CPU (nor did the database) for this long is deadlocked. */
const STALL_MS = 60_000;

function runChild(args: string[], env: NodeJS.ProcessEnv, databasePid: number | undefined, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    let stalled = false;
    const stopWatching = watchStall(
      () => [...processTree(child.pid!), ...(databasePid ? [databasePid] : [])],
      STALL_MS,
      () => {
        stalled = true;
        for (const pid of processTree(child.pid!).reverse()) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // already gone
          }
        }
      },
    );
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      stopWatching();
      signal?.removeEventListener('abort', onAbort);
      if (code === 0) resolve();
      else if (stalled)
        reject(
          new Error(
            `\`tsx ${args.join(' ')}\` stalled: neither it nor FerretDB used any CPU for ${STALL_MS / 1000} s (a deadlock); stopped it`,
          ),
        );
      else reject(new Error(`\`tsx ${args.join(' ')}\` failed (${sig ?? `exit ${code}`})`));
    });
  });
}

export function findDumpDir(): string | null {
  const candidates = [process.env.STACKEXCHANGE_DUMP_DIR, join(repoRoot, '..', 'shared', 'data', 'stackexchange', 'ai.stackexchange.com')];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'Posts.xml'))) return dir;
  return null;
}

export const SYNTHETIC = join(repoRoot, 'server/src/modules/seed/synthetic.ts');
export const IMPORTER = join(repoRoot, 'server/src/modules/import/se-import.service.ts');

export interface SeedPlan {
  /** import the Stack Exchange dump (default scale) */
  dump: boolean;
  /** only the small demo community (a quick smoke run) */
  demo?: boolean;
  synthetic: { members: number; questions: number; seed: number } | null;
}

/** Whether FerretDB answers a trivial read of the bench database within `timeoutMs`. */
export async function databaseAnswers(mongoUrl: string, timeoutMs = 15_000): Promise<boolean> {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000, socketTimeoutMS: timeoutMs });
  try {
    await client.connect();
    await client.db().listCollections({}, { nameOnly: true }).toArray();
    return true;
  } catch {
    return false;
  } finally {
    await client.close(true).catch(() => undefined);
  }
}

export interface SeedHooks {
  /** FerretDB's pid (for the stall detector) */
  databasePid: () => number | undefined;
  /** restarts the bench FerretDB (after a deadlock) */
  restartDatabase: () => Promise<void>;
}

/**
 * With --reuse-data: the bench Redis does not persist, so the question listings of a database
 * seeded by an earlier run are gone; rebuilds them (a pass over the questions) unless ready.
 */
export async function ensureListings(
  env: NodeJS.ProcessEnv,
  hooks: SeedHooks,
  signal?: AbortSignal,
): Promise<{ seconds: number; questions: number }> {
  const work = mkdtempSync(join(tmpdir(), 'colloquy-bench-listings-'));
  try {
    const out = join(work, 'listings.json');
    await runChild(['scripts/bench/seed-child.ts', 'listings', out], env, hooks.databasePid(), signal);
    return JSON.parse(readFileSync(out, 'utf8')) as { seconds: number; questions: number };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A question created for the bench with a known number of answers (see budget-fixture.ts). */
export interface ThreadFixture {
  answers: number;
  /** comments on each answer */
  comments: number;
  /** the question's id (hex) */
  id: string;
}

/**
 * Creates one question per answer count, each answer with two comments (the budget fixture's
 * shape), through the services in a child process; a new set each run.
 */
export async function createThreadFixtures(
  env: NodeJS.ProcessEnv,
  hooks: SeedHooks,
  answerCounts: readonly number[],
  signal?: AbortSignal,
): Promise<{ seconds: number; threads: ThreadFixture[] }> {
  const work = mkdtempSync(join(tmpdir(), 'colloquy-bench-threads-'));
  try {
    const out = join(work, 'threads.json');
    await runChild(['scripts/bench/seed-child.ts', 'threads', answerCounts.join(','), out], env, hooks.databasePid(), signal);
    return JSON.parse(readFileSync(out, 'utf8')) as { seconds: number; threads: ThreadFixture[] };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function seedBench(
  plan: SeedPlan,
  env: NodeJS.ProcessEnv,
  mongoUrl: string,
  hooks: SeedHooks,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<SeedResult> {
  const steps: SeedStep[] = [];
  const notes: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'colloquy-bench-seed-'));
  let counts = await countDocuments(mongoUrl);
  const note = (text: string) => {
    notes.push(text);
    log(`note: ${text}`);
  };
  /** Runs one seeding step; a failed step is recorded with the rows it wrote, and seeding goes on. */
  const measure = async (name: string, run: () => Promise<number | undefined>, detail?: string): Promise<boolean> => {
    const before = total(counts);
    const t0 = performance.now();
    let reported: number | undefined;
    let failed: string | undefined;
    try {
      reported = await run();
    } catch (error) {
      if (signal?.aborted) throw error;
      failed = error instanceof Error ? error.message : String(error);
      if (!(await databaseAnswers(mongoUrl))) {
        log('FerretDB does not answer after the failed step; restarting the bench FerretDB (committed rows are kept)');
        await hooks.restartDatabase();
      }
    }
    const wall = (performance.now() - t0) / 1000;
    counts = await countDocuments(mongoUrl);
    const rows = total(counts) - before;
    const seconds = reported ?? wall;
    steps.push({
      name,
      seconds,
      rows,
      rowsPerSecond: rows / Math.max(seconds, 1e-3),
      ...(detail ? { detail } : {}),
      ...(failed ? { failed } : {}),
    });
    log(
      `${name}: ${rows.toLocaleString('en-US')} documents in ${seconds.toFixed(1)} s (${Math.round(rows / Math.max(seconds, 1e-3)).toLocaleString('en-US')} rows/s)${failed ? ` — FAILED: ${failed}` : ''}`,
    );
    if (failed) note(`${name} failed (${failed}); the benchmark goes on with the ${rows.toLocaleString('en-US')} rows it wrote`);
    return !failed;
  };
  const demo = async () => {
    const out = join(work, 'demo.json');
    await measure('demo community', async () => {
      await runChild(['scripts/bench/seed-child.ts', 'demo', out], env, hooks.databasePid(), signal);
      return (JSON.parse(readFileSync(out, 'utf8')) as { seconds: number }).seconds;
    });
  };
  try {
    if (plan.demo) {
      notes.push('--demo: only the demo community was seeded');
      await demo();
    } else {
      if (plan.dump) {
        const dir = findDumpDir();
        if (!dir)
          note('Stack Exchange dump not found (../shared/data/stackexchange/ai.stackexchange.com or STACKEXCHANGE_DUMP_DIR): skipped');
        else if (!existsSync(IMPORTER)) note('the Stack Exchange importer does not exist yet: dump skipped');
        else {
          log(`importing the Stack Exchange dump ${dir} …`);
          const out = join(work, 'import.json');
          await measure(
            'import ai.stackexchange.com',
            async () => {
              await runChild(['scripts/bench/seed-child.ts', 'import', dir, out], env, hooks.databasePid(), signal);
              return (JSON.parse(readFileSync(out, 'utf8')) as { seconds: number }).seconds;
            },
            dir,
          );
        }
      }
      if (plan.synthetic) {
        const s = plan.synthetic;
        if (!existsSync(SYNTHETIC)) {
          note('the synthetic generator (server/src/modules/seed/synthetic.ts) does not exist yet: no synthetic data');
        } else {
          log(`synthetic data: generateSynthetic({ members: ${s.members}, questions: ${s.questions}, seed: ${s.seed} }) …`);
          const out = join(work, 'synthetic.json');
          let detail = '';
          await measure(
            `synthetic ${s.members.toLocaleString('en-US')} members, ${s.questions.toLocaleString('en-US')} questions`,
            async () => {
              await runChild(
                ['scripts/bench/seed-child.ts', 'synthetic', String(s.members), String(s.questions), String(s.seed), out],
                env,
                hooks.databasePid(),
                signal,
              );
              const r = JSON.parse(readFileSync(out, 'utf8')) as {
                seconds: number;
                summary: { documentsPerSecond: number; searchSeconds: number; answers: number; comments: number; votes: number };
              };
              detail = `${Math.round(r.summary.documentsPerSecond).toLocaleString('en-US')} documents/s writing (generator's figure), search indexing ${r.summary.searchSeconds.toFixed(1)} s; ${r.summary.answers.toLocaleString('en-US')} answers, ${r.summary.comments.toLocaleString('en-US')} comments, ${r.summary.votes.toLocaleString('en-US')} votes`;
              return r.seconds;
            },
          );
          if (detail) steps.at(-1)!.detail = detail;
        }
      }
      if (total(counts) === 0) {
        note('nothing was seeded: the demo community (scripts/seed.ts → seedDemo) was seeded instead');
        await demo();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const seconds = steps.reduce((a, s) => a + s.seconds, 0);
  const rows = steps.reduce((a, s) => a + s.rows, 0);
  return { steps, seconds, rows, rowsPerSecond: rows / Math.max(seconds, 1e-3), notes, collections: counts };
}
