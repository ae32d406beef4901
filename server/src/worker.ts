// worker process: BullMQ jobs (search indexing), periodic maintenance (search sweep, expired
// sessions, read models missing from Redis or the database) and the rollup job (a tag's and a
// member's statistics, recomputed every few seconds for what writes marked: post/post.rollups.ts).
import type { Server } from 'node:http';
import { Queue, Worker, type Job } from 'bullmq';
import mongoose from 'mongoose';
import { ConfigError, loadConfig } from './config.js';
import { createDeps } from './deps.js';
import { createRedis } from './infra/redis.js';
import { requestScope } from './infra/logger.js';
import { createWorkerMetrics, observeDbCommands, serveMetrics } from './infra/metrics.js';
import { indexPosts, SEARCH_QUEUE, sweep } from './modules/search/search.sync.js';
import { flushViews } from './modules/post/post.views.js';
import { rebuildRollups, rollupsMissing, runRollups } from './modules/post/post.rollups.js';
import { purgeExpiredSessions } from './modules/session/session.service.js';
import { ACTIVITY_QUEUE, runActivityHandlers, type ActivityEvent } from './modules/activity/activity.js';
import { activityHandlers } from './modules/activity/activity.handlers.js';
import { supportTick } from './modules/support/support.tick.js';
import { ensureListeningIndex } from './modules/listening/listening.service.js';
import { runAnalyticsRollups } from './modules/analytics/analytics.rollup.js';
import { runBadgeJob } from './modules/badge/badge.awards.js';
import { runBountyExpiry } from './modules/bounty/bounty.jobs.js';
import { startWebhookWorker } from './modules/webhook/webhook.worker.js';
import { closeWebhookQueue } from './modules/webhook/webhook.queue.js';
import { startMailWorker } from './modules/mail/mail.worker.js';

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
  // metrics: job outcomes and durations, queue depth (read at each scrape), database commands
  const queueConnection = createRedis(config.redisUrl, log, { forQueues: true });
  const depthQueues = new Map(
    [SEARCH_QUEUE, ACTIVITY_QUEUE].map((name) => [
      name,
      new Queue(name, { connection: queueConnection, prefix: `${config.redisPrefix}bull` }),
    ]),
  );
  const jobMetrics = createWorkerMetrics(deps.metrics.registry, [...depthQueues.keys()], (name) =>
    depthQueues.get(name)!.getJobCounts('waiting', 'active', 'delayed', 'failed'),
  );
  observeDbCommands(deps.metrics, mongoose.connection.getClient());
  let metricsServer: Server | undefined;
  if (config.metricsPort) {
    metricsServer = await serveMetrics(deps.metrics.registry, config.metricsPort, config.host);
    log.info({ url: `http://${config.host}:${config.metricsPort}/metrics` }, 'worker metrics listening');
  }
  /** a job's work, measured, and logged under the request id that caused it (when it carries one) */
  const measured =
    <T, R>(queue: string, run: (job: Job<T>) => Promise<R>) =>
    async (job: Job<T>): Promise<R> => {
      const stop = jobMetrics.jobDuration.startTimer({ queue });
      const requestId = (job.data as { requestId?: unknown }).requestId;
      try {
        const result = await requestScope.run({ requestId: typeof requestId === 'string' ? requestId : `job:${job.id}` }, async () => {
          const done = await run(job);
          // carries the request id (reqId) of the request that queued the job
          log.debug({ queue, jobId: job.id, job: job.name }, 'job completed');
          return done;
        });
        jobMetrics.jobs.inc({ queue, outcome: 'completed' });
        return result;
      } catch (error) {
        jobMetrics.jobs.inc({ queue, outcome: 'failed' });
        throw error;
      } finally {
        stop();
      }
    };
  const worker = new Worker<{ ids: string[] }>(
    SEARCH_QUEUE,
    measured(SEARCH_QUEUE, async (job: Job<{ ids: string[] }>) => {
      const n = await indexPosts(deps.repos, search, job.data.ids);
      return { indexed: n };
    }),
    { connection: createRedis(config.redisUrl, log, { forQueues: true }), prefix: `${config.redisPrefix}bull`, concurrency: 4 },
  );
  worker.on('failed', (job, error) => log.warn({ jobId: job?.id, err: error.message }, 'search index job failed'));
  // the activity stream (modules/activity): every handler per event, retried by BullMQ on failure
  const handlers = activityHandlers();
  const activityWorker = new Worker<ActivityEvent>(
    ACTIVITY_QUEUE,
    measured(ACTIVITY_QUEUE, (job: Job<ActivityEvent>) => runActivityHandlers(deps, handlers, job.data, { throwOnFailure: true })),
    { connection: createRedis(config.redisUrl, log, { forQueues: true }), prefix: `${config.redisPrefix}bull`, concurrency: 4 },
  );
  activityWorker.on('failed', (job, error) => log.warn({ jobId: job?.id, err: error.message }, 'activity job failed'));
  // webhook deliveries (modules/webhook): signed POSTs, retried over a day, per-endpoint cap
  const webhookWorker = startWebhookWorker(deps);
  // notification e-mails and digests (modules/mail)
  const mailWorker = startMailWorker(deps);

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
    if (await ensureListeningIndex(deps)) log.info('listening watches and matches rebuilt in Redis');
  };
  // time-based badges (views, Yearling, Tumbleweed): an idempotent pass, hourly
  const BADGE_JOB_EVERY_MS = 3_600_000;
  let lastBadgeJob = 0;
  const maintenance = async () => {
    const started = performance.now();
    try {
      await ensureReadModels();
      await sweep(deps.repos, search, log, 500, deps.services.listings);
      await flushViews(deps, log);
      if (Date.now() - lastBadgeJob >= BADGE_JOB_EVERY_MS) {
        lastBadgeJob = Date.now();
        const awarded = await runBadgeJob(deps);
        if (awarded) log.info({ awarded }, 'time-based badges awarded');
      }
      // bounties past their grace period: half to the best new answer, else nobody (modules/bounty)
      const bounties = await runBountyExpiry(deps).catch((error: unknown) => {
        log.warn({ err: error }, 'bounty expiry failed (retried next round)');
        return { awarded: 0, expired: 0 };
      });
      if (bounties.awarded || bounties.expired) log.info(bounties, 'bounties settled');
      const purged = await purgeExpiredSessions(deps.repos.sessions, new Date());
      if (purged) log.info({ purged }, 'expired sessions removed');
    } catch (error) {
      log.error({ err: error }, 'maintenance failed');
    }
    const took = performance.now() - started;
    const rest = Math.max(SWEEP_EVERY_MS, took * SWEEP_REST_FACTOR);
    if (took > 5_000) log.info({ tookMs: Math.round(took), nextInMs: Math.round(rest) }, 'search sweep done');
    if (!stopping) timer = setTimeout(() => (maintenanceRound = maintenance()), rest);
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
    try {
      // vendor support's breach warnings and the analytics days writes marked (modules/support, analytics)
      await supportTick(deps);
      await runAnalyticsRollups(deps);
    } catch (error) {
      log.warn({ err: error }, 'support tick or analytics rollups failed (retried next round)');
    }
    const took = performance.now() - started;
    const rest = Math.max(more ? 0 : ROLLUPS_EVERY_MS, took * ROLLUPS_REST_FACTOR);
    if (!stopping) rollupTimer = setTimeout(() => (rollupRound = rollups()), rest);
  };
  rollupRound = rollups();
  log.info({ instance: config.instanceId }, 'worker started: first search sweep (converges the index with MongoDB)');
  let maintenanceRound: Promise<void> | undefined = maintenance();

  // SIGTERM: no new jobs are taken; the ones running finish (worker.close() waits for them; a job
  // cut short by a kill is re-queued by BullMQ once its lock expires), timers stop
  const shutdown = async (signal: string) => {
    if (stopping) return;
    log.info({ signal }, 'worker stopping: finishing the jobs it holds');
    stopping = true;
    clearTimeout(timer);
    clearTimeout(rollupTimer);
    await rollupRound;
    await maintenanceRound;
    await Promise.all([worker.close(), activityWorker.close(), webhookWorker.close(), mailWorker.close()]);
    await closeWebhookQueue(deps);
    await Promise.all([...depthQueues.values()].map((q) => q.close()));
    queueConnection.disconnect();
    metricsServer?.close();
    await deps.close();
    log.info('worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await maintenanceRound;
}

main().catch((error) => {
  console.error(`worker failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
