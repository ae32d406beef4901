// The per-space daily analytics rollups, the spaces' experts, the Redis set of days and spaces
// waiting to be recomputed, and the people finder's Redis index: the only code that touches them.
import type { Redis } from 'ioredis';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { AnalyticsDayModel, SpaceExpertsModel, type AnalyticsDayDoc, type SpaceExpertsDoc } from './analytics.model.js';

/** the read-model version key of a space's experts (page caches) */
export const spaceExpertsKey = (spaceId: string) => `space_experts:${spaceId}`;
/** the read-model version key of the people finder's index */
export const PEOPLE_INDEX_KEY = 'people:index';

export class SpaceExpertsRepository extends Repository<SpaceExpertsDoc> {
  constructor(storage: Storage) {
    super(storage, SpaceExpertsModel, { versionKeys: (id) => [spaceExpertsKey(String(id))] });
  }

  async put(doc: SpaceExpertsDoc): Promise<void> {
    const { _id, ...rest } = doc;
    await this.update(_id, { $set: rest }, { upsert: true });
  }
}

export class AnalyticsRepository extends Repository<AnalyticsDayDoc> {
  readonly experts: SpaceExpertsRepository;

  constructor(storage: Storage) {
    super(storage, AnalyticsDayModel);
    this.experts = new SpaceExpertsRepository(storage);
  }

  async put(doc: AnalyticsDayDoc): Promise<void> {
    const { _id, ...rest } = doc;
    await this.update(_id, { $set: rest }, { upsert: true });
  }

  /** Days (`${spaceId}:${day}`) marked for recomputation. */
  async mark(redis: Redis, prefix: string, keys: readonly string[]): Promise<void> {
    if (keys.length) await redis.sadd(`${prefix}analytics:dirty`, ...keys);
  }

  async takeMarked(redis: Redis, prefix: string, n: number): Promise<string[]> {
    return (await redis.spop(`${prefix}analytics:dirty`, n)) ?? [];
  }

  /** Spaces whose experts need recomputing. */
  async markExperts(redis: Redis, prefix: string, spaceIds: readonly string[]): Promise<void> {
    if (spaceIds.length) await redis.sadd(`${prefix}analytics:experts:dirty`, ...spaceIds);
  }

  async takeMarkedExperts(redis: Redis, prefix: string, n: number): Promise<string[]> {
    return (await redis.spop(`${prefix}analytics:experts:dirty`, n)) ?? [];
  }

  // -------------------------------------------------------------------------------------------
  // the people finder's index: `people:t:<term>` (members with that term: `s:<skill>` from their
  // profile's expertise tags, `w:<word>` from their about text) and `people:u:<userId>` (a
  // member's terms, to take them out again)

  /** Members (ids) with one term, at most `limit`. */
  async peopleWith(redis: Redis, prefix: string, term: string, limit = 5000): Promise<string[]> {
    const key = `${prefix}people:t:${term}`;
    if ((await redis.scard(key)) <= limit) return redis.smembers(key);
    return (await redis.srandmember(key, limit)) ?? [];
  }

  /** Replaces a member's terms (idempotent). */
  async setPersonTerms(redis: Redis, prefix: string, userId: string, terms: readonly string[], touch = true): Promise<void> {
    const own = `${prefix}people:u:${userId}`;
    const before = new Set(await redis.smembers(own));
    const after = new Set(terms);
    const tx = redis.multi();
    for (const t of before) if (!after.has(t)) tx.srem(`${prefix}people:t:${t}`, userId);
    for (const t of after) if (!before.has(t)) tx.sadd(`${prefix}people:t:${t}`, userId);
    tx.del(own);
    if (after.size) tx.sadd(own, ...after);
    await tx.exec();
    if (touch) await this.storage.changed([PEOPLE_INDEX_KEY]);
  }

  async peopleIndexBuilt(redis: Redis, prefix: string): Promise<boolean> {
    return (await redis.exists(`${prefix}people:built`)) === 1;
  }

  async markPeopleIndexBuilt(redis: Redis, prefix: string): Promise<void> {
    await redis.set(`${prefix}people:built`, new Date().toISOString());
    await this.storage.changed([PEOPLE_INDEX_KEY]);
  }

  /** One worker rebuilds the index at a time (a short lock). */
  async lockPeopleRebuild(redis: Redis, prefix: string): Promise<boolean> {
    return (await redis.set(`${prefix}people:rebuilding`, '1', 'EX', 600, 'NX')) === 'OK';
  }

  async unlockPeopleRebuild(redis: Redis, prefix: string): Promise<void> {
    await redis.del(`${prefix}people:rebuilding`);
  }
}
