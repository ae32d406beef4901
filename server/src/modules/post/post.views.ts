// View counts, buffered in Redis. Counting a view is a write, and FerretDB 1.x scans the whole
// posts collection for every update (even by _id: measured by `npm run bench`'s probe), so a
// question page must not write to the database. A view adds 1 to the question's field of a Redis
// hash; pages show the stored count plus what is pending; the worker applies the pending counts
// with one `$inc` per question every few minutes. Flushing renames the hash first (new views go
// to a fresh one) and removes each field only after its `$inc`: a crash in between re-applies that
// one question's count at the next flush (at least once), never loses it.
//
// Redis unreachable: a view is not counted (the page is served all the same; view counts are an
// estimate) and pages show the stored counts without what is pending.
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import type { Logger } from '../../infra/logger.js';
import type { PostRepository } from './post.repository.js';

export interface ViewDeps {
  redis: Redis;
  config: { redisPrefix: string };
}

/** The flush also writes the counts to the posts. */
export interface FlushDeps extends ViewDeps {
  repos: { posts: PostRepository };
}

const pendingKey = (deps: ViewDeps) => `${deps.config.redisPrefix}views:pending`;
const flushingKey = (deps: ViewDeps) => `${deps.config.redisPrefix}views:flushing`;

/** Counts one view of a question unless this viewer was counted within the hour; true when counted. */
export async function countView(deps: ViewDeps, questionId: string, who: string): Promise<boolean> {
  const dedupe = `${deps.config.redisPrefix}view:${questionId}:${who}`;
  try {
    if (!(await deps.redis.set(dedupe, '1', 'EX', 3600, 'NX'))) return false;
    await deps.redis.hincrby(pendingKey(deps), questionId, 1);
    return true;
  } catch {
    return false; // Redis unreachable: this view goes uncounted
  }
}

/** Views counted but not yet in the database, per question id (0 where none). */
export async function pendingViews(deps: ViewDeps, questionIds: readonly string[]): Promise<number[]> {
  if (questionIds.length === 0) return [];
  const none = () => questionIds.map(() => null);
  const [pending, flushing] = await Promise.all([
    deps.redis.hmget(pendingKey(deps), ...questionIds).catch(none),
    deps.redis.hmget(flushingKey(deps), ...questionIds).catch(none),
  ]);
  return questionIds.map((_, i) => Number(pending[i] ?? 0) + Number(flushing[i] ?? 0));
}

/** Applies the pending counts to the database (the worker calls it). Returns the questions updated. */
export async function flushViews(deps: FlushDeps, log?: Logger): Promise<number> {
  const flushing = flushingKey(deps);
  // a flush that stopped half-way left its hash: finish it first
  if (!(await deps.redis.exists(flushing))) {
    try {
      await deps.redis.rename(pendingKey(deps), flushing);
    } catch {
      return 0; // nothing pending
    }
  }
  const counts = await deps.redis.hgetall(flushing);
  let updated = 0;
  for (const [id, raw] of Object.entries(counts)) {
    const n = Number(raw);
    if (Types.ObjectId.isValid(id) && n > 0) {
      await deps.repos.posts.addViews(new Types.ObjectId(id), n);
      updated++;
    }
    await deps.redis.hdel(flushing, id);
  }
  if (updated) log?.info({ questions: updated }, 'view counts flushed');
  return updated;
}
