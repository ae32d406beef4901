// The delivery worker (`startWebhookWorker`): runs the `webhook-delivery` jobs. Each attempt is
// recorded in the delivery log; failures are retried with the custom backoff (base × 3^n, about a
// day with the defaults); at most MAX_IN_FLIGHT requests per webhook at once (a Redis semaphore:
// a job that finds it full is put back, delayed); a webhook whose deliveries keep failing is
// disabled. Expired deliveries are purged every hour.
import { DelayedError, Worker, type Job } from 'bullmq';
import type { AppDeps } from '../../context.js';
import { createRedis } from '../../infra/redis.js';
import type { ActivityEvent } from '../activity/activity.js';
import { reposOf, servicesOf } from '../services.js';
import type { WebhookDeliveryDoc, WebhookDoc } from './webhook.model.js';
import { buildPayload } from './webhook.payload.js';
import { WEBHOOK_BACKOFF, WEBHOOK_QUEUE, webhookBackoff, type DeliveryJob } from './webhook.queue.js';
import { send, signedHeaders, type SendResult } from './webhook.send.js';
import { parseTargetUrl } from './webhook.ssrf.js';

/** concurrent requests to one webhook */
export const MAX_IN_FLIGHT = 2;
/** a slot held longer than this is presumed lost (a crashed worker) */
const SLOT_TTL_MS = 60_000;
const PURGE_EVERY_MS = 3600_000;

// ZSET of holders scored by when they took the slot: stale ones are dropped first
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[3]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0`;

const slotKey = (deps: AppDeps, webhookId: string) => `${deps.config.redisPrefix}webhook:inflight:${webhookId}`;

async function acquireSlot(deps: AppDeps, webhookId: string, holder: string): Promise<boolean> {
  const got = await deps.redis.eval(ACQUIRE, 1, slotKey(deps, webhookId), Date.now(), MAX_IN_FLIGHT, SLOT_TTL_MS, holder);
  return got === 1;
}

async function releaseSlot(deps: AppDeps, webhookId: string, holder: string): Promise<void> {
  await deps.redis.zrem(slotKey(deps, webhookId), holder).catch(() => undefined);
}

export interface AttemptOutcome {
  status: 'succeeded' | 'failed' | 'pending' | 'skipped';
  result?: SendResult;
}

/**
 * Makes one attempt of a delivery and records it. `final`: no retry follows a failure (the last
 * allowed attempt, or a manual one).
 */
export async function attemptDelivery(
  deps: AppDeps,
  delivery: WebhookDeliveryDoc,
  webhook: WebhookDoc,
  options: { final: boolean; manual: boolean },
): Promise<AttemptOutcome> {
  const repo = reposOf(deps).webhooks;
  const now = () => servicesOf({ deps }).clock.now();
  let body = delivery.requestBody;
  if (body === null || body === undefined) {
    // an aggregated vote: built now, with the post's current score
    body = JSON.stringify(await buildPayload(deps, delivery.source as ActivityEvent));
    await repo.deliveries.update(delivery._id, { $set: { requestBody: body } });
  }
  const headers = signedHeaders(webhook.secret, delivery._id, body);
  let result: SendResult;
  try {
    result = await send(parseTargetUrl(webhook.url), headers, body, { allowPrivate: deps.config.webhooks.allowPrivateTargets });
  } catch (error) {
    result = { ok: false, status: null, bodyExcerpt: null, durationMs: 0, error: error instanceof Error ? error.message : String(error) };
  }
  const status = result.ok ? 'succeeded' : options.final ? 'failed' : 'pending';
  await repo.deliveries.addAttempt(
    delivery._id,
    {
      n: (delivery.attempts?.length ?? 0) + 1,
      at: now(),
      manual: options.manual,
      requestHeaders: headers,
      responseStatus: result.status,
      responseBodyExcerpt: result.bodyExcerpt,
      durationMs: result.durationMs,
      error: result.error,
    },
    status,
  );
  if (result.ok) {
    await repo.update(webhook._id, { $set: { consecutiveFailures: 0, lastDeliveryAt: now(), lastDeliveryStatus: 'succeeded' } });
  } else if (options.final && !options.manual) {
    // a delivery that failed for good: the webhook's failures in a row grow, and past the limit it is disabled
    const updated = await repo.updateReturning(webhook._id, {
      $inc: { consecutiveFailures: 1 },
      $set: { lastDeliveryAt: now(), lastDeliveryStatus: 'failed' },
    });
    const max = deps.config.webhooks.maxFailures;
    if (updated && updated.active && (updated.consecutiveFailures ?? 0) >= max) {
      const reason = `Disabled after ${max} deliveries in a row failed (last: ${result.error ?? `HTTP ${result.status}`}).`;
      await repo.update(webhook._id, { $set: { active: false, disabledAt: now(), disabledReason: reason } });
      deps.log.warn({ webhookId: webhook._id.toHexString(), url: webhook.url, reason }, 'webhook disabled');
    }
  } else {
    await repo.update(webhook._id, { $set: { lastDeliveryAt: now(), lastDeliveryStatus: status } });
  }
  return { status, result };
}

/** Marks a delivery that will not be attempted (its webhook was deleted or disabled). */
async function abandon(deps: AppDeps, delivery: WebhookDeliveryDoc, why: string): Promise<void> {
  if (delivery.status !== 'pending') return;
  await reposOf(deps).webhooks.deliveries.update(delivery._id, { $set: { status: 'failed', note: why } });
}

/** The job processor (exported for tests that run one job by hand). */
export async function processDeliveryJob(deps: AppDeps, job: Job<DeliveryJob>, token?: string): Promise<AttemptOutcome> {
  const repo = reposOf(deps).webhooks;
  const delivery = await repo.deliveries.findById(job.data.deliveryId);
  if (!delivery) return { status: 'skipped' };
  const webhook = await repo.findById(delivery.webhookId);
  const manual = !!job.data.manual;
  if (!webhook) {
    await abandon(deps, delivery, 'the webhook was deleted');
    return { status: 'skipped' };
  }
  if (!webhook.active && !manual) {
    await abandon(deps, delivery, 'the webhook is disabled');
    return { status: 'skipped' };
  }
  const hookId = webhook._id.toHexString();
  const holder = `${job.id}:${job.attemptsMade}`;
  if (!(await acquireSlot(deps, hookId, holder))) {
    // the endpoint has MAX_IN_FLIGHT requests open: try again shortly (not counted as an attempt)
    await job.moveToDelayed(Date.now() + 250 + Math.floor(Math.random() * 250), token);
    throw new DelayedError();
  }
  let outcome: AttemptOutcome;
  try {
    const final = manual || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    outcome = await attemptDelivery(deps, delivery, webhook, { final, manual });
  } finally {
    await releaseSlot(deps, hookId, holder);
  }
  if (outcome.status === 'pending') throw new Error(outcome.result?.error ?? 'delivery failed');
  return outcome;
}

export interface WebhookWorker {
  worker: Worker<DeliveryJob>;
  close(): Promise<void>;
}

/** Starts the delivery worker on `deps` (the worker process; integration tests in-process). */
export function startWebhookWorker(deps: AppDeps, options: { concurrency?: number } = {}): WebhookWorker {
  const { config, log } = deps;
  const connection = createRedis(config.redisUrl, log, { forQueues: true });
  const worker = new Worker<DeliveryJob>(WEBHOOK_QUEUE, (job, token) => processDeliveryJob(deps, job, token), {
    connection,
    prefix: `${config.redisPrefix}bull`,
    concurrency: options.concurrency ?? 8,
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string) =>
        type === WEBHOOK_BACKOFF ? webhookBackoff(config.webhooks.backoffBaseMs, attemptsMade) : 1000,
    },
  });
  worker.on('failed', (job, error) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      log.warn({ jobId: job.id, err: error.message }, 'webhook delivery failed for good');
  });
  worker.on('error', (error) => log.warn({ err: error.message }, 'webhook worker error'));
  const purge = async () => {
    try {
      const purged = await reposOf(deps).webhooks.deliveries.purgeExpired(servicesOf({ deps }).clock.now());
      if (purged) log.info({ purged }, 'expired webhook deliveries removed');
    } catch (error) {
      log.warn({ err: error }, 'webhook delivery purge failed');
    }
  };
  const timer = setInterval(() => void purge(), PURGE_EVERY_MS);
  timer.unref();
  return {
    worker,
    async close() {
      clearInterval(timer);
      await worker.close();
      connection.disconnect();
    },
  };
}
