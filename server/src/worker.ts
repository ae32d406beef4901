// worker process: BullMQ jobs (search indexing), periodic maintenance (search sweep, expired
// sessions, read models missing from Redis or the database) and the rollup job (a tag's and a
// member's statistics, recomputed every few seconds for what writes marked: post/post.rollups.ts).
import { Worker } from 'bullmq';
import { ConfigError, loadConfig } from './config.js';
import { createDeps } from './deps.js';
import { createRedis } from './infra/redis.js';
import { indexPosts, SEARCH_QUEUE, sweep } from './modules/search/search.sync.js';
import { flushViews } from './modules/post/post.views.js';
import { rebuildRollups, rollupsMissing, runRollups } from './modules/post/post.rollups.js';
import { purgeExpiredSessions } from './modules/session/session.service.js';
import { ACTIVITY_QUEUE, runActivityHandlers, type ActivityEvent } from './modules/activity/activity.js';
import { activityHandlers } from './modules/activity/activity.handlers.js';

/** the sweep runs at most this often… */
const SWEEP_EVERY_MS = 60_000;
/** …and rests at least this many times as long as it last took (a large database on FerretDB
 * is read by scanning: the sweep must not keep the database busy) */
const SWEEP_REST_FACTOR = 5;
/** the rollup job looks for marks this often… */
const ROLLUPS_EVERY_MS = 3_000;
/** …and rests at least as long as its last round took (a round reads the posts: FerretDB scans them) */
const ROLLUPS_REST_FACTOR = 1;

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const deps = await createDeps(config, 'worker');
  const { log } = deps;
  const search = deps.services.search;
  const worker = new Worker<{ ids: string[] }>(
    SEARCH_QUEUE,
    async (job) => {
      const n = await indexPosts(deps.repos, search, job.data.ids);
      return { indexed: n };
    },
    { connection: createRedis(config.redisUrl, log, { forQueues: true }), prefix: `${config.redisPrefix}bull`, concurrency: 4 },
  );
  worker.on('failed', (job, error) => log.warn({ jobId: job?.id, err: error.message }, 'search index job failed'));
  // the activity stream (modules/activity): every handler per event, retried by BullMQ on failure
  const handlers = activityHandlers();
  const activityWorker = new Worker<ActivityEvent>(
    ACTIVITY_QUEUE,
    async (job) => runActivityHandlers(deps, handlers, job.data, { throwOnFailure: true }),
    { connection: createRedis(config.redisUrl, log, { forQueues: true }), prefix: `${config.redisPrefix}bull`, concurrency: 4 },
  );
  activityWorker.on('failed', (job, error) => log.warn({ jobId: job?.id, err: error.message }, 'activity job failed'));

  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  // read models the sweep does not converge, built when missing (a flushed Redis, a database
  // from before them): members by reputation and handle, members' answers, the rollups
  const ensureReadModels = async () => {
    const ranking = deps.repos.users.rankings;
    if (ranking && !(await ranking.isReady())) log.info({ members: await deps.repos.users.rebuildRanking() }, 'members ranking rebuilt');
    const listings = deps.services.listings;
    if (listings.enabled && !(await listings.answersReady()))
      log.info({ answers: await listings.rebuildAnswers() }, 'answer listings rebuilt');
    if (await rollupsMissing(deps)) log.info(await rebuildRollups(deps), 'rollups built');
  };
  const maintenance = async () => {
    const started = performance.now();
    try {
      await ensureReadModels();
      await sweep(deps.repos, search, log, 500, deps.services.listings);
      await flushViews(deps, log);
      const purged = await purgeExpiredSessions(deps.repos.sessions, new Date());
      if (purged) log.info({ purged }, 'expired sessions removed');
    } catch (error) {
      log.error({ err: error }, 'maintenance failed');
    }
    const took = performance.now() - started;
    const rest = Math.max(SWEEP_EVERY_MS, took * SWEEP_REST_FACTOR);
    if (took > 5_000) log.info({ tookMs: Math.round(took), nextInMs: Math.round(rest) }, 'search sweep done');
    if (!stopping) timer = setTimeout(() => void maintenance(), rest);
  };
  let rollupTimer: NodeJS.Timeout | undefined;
  let rollupRound: Promise<void> | undefined;
  const rollups = async () => {
    const started = performance.now();
    let more = false;
    try {
      more = (await runRollups(deps)).more;
    } catch (error) {
      log.warn({ err: error }, 'rollup round failed (its marks stay for the next one)');
    }
    const took = performance.now() - started;
    const rest = Math.max(more ? 0 : ROLLUPS_EVERY_MS, took * ROLLUPS_REST_FACTOR);
    if (!stopping) rollupTimer = setTimeout(() => (rollupRound = rollups()), rest);
  };
  rollupRound = rollups();
  log.info('worker started: first search sweep (converges the index with MongoDB)');
  await maintenance();

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'worker stopping');
    stopping = true;
    clearTimeout(timer);
    clearTimeout(rollupTimer);
    await rollupRound;
    await worker.close();
    await activityWorker.close();
    await deps.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(`worker failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
