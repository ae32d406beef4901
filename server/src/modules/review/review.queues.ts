// The review queues' read model: one Redis sorted set per queue of its open tasks' ids (score: the
// task's creation time), so counts (ZCARD) and the next task (ZRANGE) cost no database scan.
// Derived from the review_tasks documents; verify rebuilds a queue that drifted.
import type { Redis } from 'ioredis';
import { REVIEW_QUEUES, type ReviewQueue } from './review.rules.js';

export interface QueueDeps {
  redis: Redis;
  config: { redisPrefix: string };
}

const keyOf = (deps: QueueDeps, queue: ReviewQueue | string) => `${deps.config.redisPrefix}review:queue:${queue}`;

export async function enqueueTask(deps: QueueDeps, queue: ReviewQueue | string, taskId: string, createdAt: Date): Promise<void> {
  await deps.redis.zadd(keyOf(deps, queue), createdAt.getTime(), taskId);
}

export async function dequeueTask(deps: QueueDeps, queue: ReviewQueue | string, taskId: string): Promise<void> {
  await deps.redis.zrem(keyOf(deps, queue), taskId);
}

/** Open tasks per queue. */
export async function queueCounts(deps: QueueDeps): Promise<Record<ReviewQueue, number>> {
  const pipeline = deps.redis.pipeline();
  for (const q of REVIEW_QUEUES) pipeline.zcard(keyOf(deps, q));
  const results = (await pipeline.exec()) ?? [];
  return Object.fromEntries(REVIEW_QUEUES.map((q, i) => [q, Number(results[i]?.[1] ?? 0)])) as Record<ReviewQueue, number>;
}

/** Task ids of a queue, oldest first, `count` from `offset`. */
export async function queuePage(deps: QueueDeps, queue: ReviewQueue, offset: number, count: number): Promise<string[]> {
  return deps.redis.zrange(keyOf(deps, queue), offset, offset + count - 1);
}

/** Every member of a queue (verify). */
export async function queueMembers(deps: QueueDeps, queue: ReviewQueue): Promise<Map<string, number>> {
  const flat = await deps.redis.zrange(keyOf(deps, queue), 0, -1, 'WITHSCORES');
  const out = new Map<string, number>();
  for (let i = 0; i < flat.length; i += 2) out.set(flat[i]!, Number(flat[i + 1]));
  return out;
}

/** Replaces a queue's members (verify's repair). */
export async function replaceQueue(
  deps: QueueDeps,
  queue: ReviewQueue,
  tasks: ReadonlyArray<{ _id: string; createdAt: Date }>,
): Promise<void> {
  const key = keyOf(deps, queue);
  const multi = deps.redis.multi().del(key);
  if (tasks.length) multi.zadd(key, ...tasks.flatMap((t) => [new Date(t.createdAt).getTime(), t._id]));
  await multi.exec();
}
