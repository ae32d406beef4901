// Handle → member id, cached in Redis. Handles never change once taken, so an entry never goes
// stale; the cache spares the database a query on a non-_id field (FerretDB scans the users
// collection for it) on every profile page, author filter and `user:` search.
//
// A handle nobody has is cached too (`none`, for NEGATIVE_TTL_SECONDS): a profile URL that 404s
// costs a query once, not on every visit. A sign-up overwrites it at once (`rememberHandle`), and
// the lookup that found nothing writes `none` only where no entry exists — a member who signs up
// while that lookup runs is never hidden. Where the handle directory is built (user.ranking.ts,
// on FerretDB) the first lookup of an unknown handle needs no query either.
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import type { UserRepository } from './user.repository.js';

const TTL_SECONDS = 7 * 24 * 3600;
/** how long "no such member" is remembered (members imported in bulk appear after it at the latest) */
export const NEGATIVE_TTL_SECONDS = 10 * 60;
const NONE = 'none';

export interface HandleDeps {
  redis: Redis;
  config: { redisPrefix: string };
  repos: { users: UserRepository };
}

/** The member ids of these handles (case-insensitive); unknown handles are left out. */
export async function userIdsByHandles(deps: HandleDeps, handles: readonly string[]): Promise<Map<string, Types.ObjectId>> {
  const keys = [...new Set(handles.map((h) => h.toLowerCase()))];
  const out = new Map<string, Types.ObjectId>();
  if (keys.length === 0) return out;
  const cacheKey = (handleKey: string) => `${deps.config.redisPrefix}uh:${handleKey}`;
  const cached = await deps.redis.mget(...keys.map(cacheKey)).catch(() => keys.map(() => null));
  const missing: string[] = [];
  keys.forEach((k, i) => {
    const id = cached[i];
    if (id === NONE) return;
    if (id && Types.ObjectId.isValid(id)) out.set(k, new Types.ObjectId(id));
    else missing.push(k);
  });
  if (missing.length) {
    const found = await deps.repos.users.idsByHandleKeys(missing);
    const pipeline = deps.redis.pipeline();
    for (const u of found) {
      out.set(u.handleKey, u._id);
      pipeline.set(cacheKey(u.handleKey), u._id.toHexString(), 'EX', TTL_SECONDS);
    }
    // NX: a sign-up that wrote its id meanwhile wins
    for (const k of missing) if (!out.has(k)) pipeline.set(cacheKey(k), NONE, 'EX', NEGATIVE_TTL_SECONDS, 'NX');
    await pipeline.exec().catch(() => undefined);
  }
  return out;
}

export async function userIdByHandle(deps: HandleDeps, handle: string): Promise<Types.ObjectId | null> {
  return (await userIdsByHandles(deps, [handle])).get(handle.toLowerCase()) ?? null;
}

/** Caches a handle taken just now (sign-up), so its first lookups need no query (and a cached `none` goes). */
export async function rememberHandle(deps: HandleDeps, handleKey: string, id: Types.ObjectId): Promise<void> {
  await deps.redis.set(`${deps.config.redisPrefix}uh:${handleKey}`, id.toHexString(), 'EX', TTL_SECONDS).catch(() => undefined);
}
