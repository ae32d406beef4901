// The per-space daily analytics rollups and the Redis set of days waiting to be recomputed: the
// only code that touches them.
import type { Redis } from 'ioredis';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { AnalyticsDayModel, type AnalyticsDayDoc } from './analytics.model.js';

export class AnalyticsRepository extends Repository<AnalyticsDayDoc> {
  constructor(storage: Storage) {
    super(storage, AnalyticsDayModel);
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
}
