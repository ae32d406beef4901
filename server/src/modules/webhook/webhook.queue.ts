// The `webhook-delivery` BullMQ queue: one job per delivery (job id = delivery id, so a replayed
// event never queues a second one), retried with an exponential backoff over about a day.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppDeps } from '../../context.js';

export const WEBHOOK_QUEUE = 'webhook-delivery';
/** the custom backoff's name (the worker implements it: `webhookBackoff`) */
export const WEBHOOK_BACKOFF = 'webhook';
/** votes on one post are sent at most once per window per webhook, with the score at the window's end */
export const VOTE_WINDOW_MS = 60_000;
/** how long a delivery stays in the log */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface DeliveryJob {
  deliveryId: string;
  /** a redelivery asked for by an admin (or a ping): one attempt, allowed on a disabled webhook */
  manual?: boolean;
}

/** Delay before retry `attemptsMade` (1 = after the first failure): base × 3^(n−1). */
export function webhookBackoff(baseMs: number, attemptsMade: number): number {
  return Math.round(baseMs * 3 ** Math.max(0, attemptsMade - 1));
}

/** Total time the retries of one delivery span (for the docs and the UI). */
export function retrySpanMs(baseMs: number, attempts: number): number {
  let total = 0;
  for (let n = 1; n < attempts; n++) total += webhookBackoff(baseMs, n);
  return total;
}

// one queue per Redis client of a process (the api's and the worker's deps share nothing else)
const queues = new WeakMap<Redis, Queue<DeliveryJob>>();

export function webhookQueue(deps: AppDeps): Queue<DeliveryJob> {
  let queue = queues.get(deps.redis);
  if (!queue) {
    queue = new Queue<DeliveryJob>(WEBHOOK_QUEUE, { connection: deps.redis, prefix: `${deps.config.redisPrefix}bull` });
    queue.on('error', () => undefined);
    queues.set(deps.redis, queue);
  }
  return queue;
}

/** Closes this process's queue handle (the Redis client itself belongs to the deps). */
export async function closeWebhookQueue(deps: AppDeps): Promise<void> {
  const queue = queues.get(deps.redis);
  queues.delete(deps.redis);
  await queue?.close();
}

/** Queues a delivery: retried `maxAttempts` times unless manual; `delayMs` for aggregated votes. */
export async function enqueueDelivery(deps: AppDeps, job: DeliveryJob, options: { jobId: string; delayMs?: number }): Promise<void> {
  const { maxAttempts } = deps.config.webhooks;
  await webhookQueue(deps).add(job.manual ? 'redeliver' : 'deliver', job, {
    jobId: options.jobId,
    delay: options.delayMs ?? 0,
    attempts: job.manual ? 1 : maxAttempts,
    backoff: { type: WEBHOOK_BACKOFF },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 24 * 3600, count: 5000 },
  });
}
