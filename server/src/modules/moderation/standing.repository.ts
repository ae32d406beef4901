// Members' standing (`member_standing`) and moderator messages (`moderator_messages`): the only
// code that touches them. Suspended members are listed in a Redis sorted set (score: the end of
// the suspension) for the dashboard; the collection stays the truth.
import type { Types } from 'mongoose';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { ModeratorMessageModel, StandingModel, type ModeratorMessageDoc, type StandingDoc } from './standing.model.js';

export class StandingRepository extends Repository<StandingDoc> {
  constructor(storage: Storage) {
    super(storage, StandingModel, { versionKeys: (id) => [`users:${String(id)}`] });
  }

  private get suspendedKey(): string | null {
    const cache = this.storage.cache;
    return cache ? `${cache.prefix}mod:suspended` : null;
  }

  /** Sets fields of a member's standing (creating it). */
  async set(userId: Types.ObjectId, fields: Partial<StandingDoc>, extra: Record<string, unknown> = {}): Promise<StandingDoc | null> {
    await this.update(userId, { $set: fields, ...extra }, { upsert: true });
    const doc = await this.findById(userId);
    if (doc && 'suspendedUntil' in fields) await this.listSuspension(doc);
    return doc;
  }

  /** Keeps the suspended list in step with one standing. */
  async listSuspension(doc: Pick<StandingDoc, '_id' | 'suspendedUntil'>): Promise<void> {
    const key = this.suspendedKey;
    if (!key) return;
    const cache = this.storage.cache!;
    if (doc.suspendedUntil) await cache.redis.zadd(key, doc.suspendedUntil.getTime(), doc._id.toHexString());
    else await cache.redis.zrem(key, doc._id.toHexString());
  }

  /** Members suspended at `now` (ids with their end), soonest end first. */
  async suspendedAt(now: Date, limit: number): Promise<Array<{ userId: string; until: Date }>> {
    const key = this.suspendedKey;
    if (!key) {
      const rows = (await StandingModel.find({ suspendedUntil: { $gt: now } })
        .sort({ suspendedUntil: 1 })
        .limit(limit)
        .select('_id suspendedUntil')
        .lean()) as StandingDoc[];
      return rows.map((r) => ({ userId: r._id.toHexString(), until: r.suspendedUntil! }));
    }
    const redis = this.storage.cache!.redis;
    await redis.zremrangebyscore(key, '-inf', now.getTime());
    const flat = await redis.zrangebyscore(key, `(${now.getTime()}`, '+inf', 'WITHSCORES', 'LIMIT', 0, limit);
    const out: Array<{ userId: string; until: Date }> = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ userId: flat[i]!, until: new Date(Number(flat[i + 1])) });
    return out;
  }

  /** Rebuilds the suspended list from the collection (verify --repair; batch tools only). */
  async rebuildSuspended(now: Date): Promise<number> {
    const key = this.suspendedKey;
    if (!key) return 0;
    const redis = this.storage.cache!.redis;
    await redis.del(key);
    let n = 0;
    for await (const s of this.scan<StandingDoc>({ suspendedUntil: { $gt: now } }, '_id suspendedUntil')) {
      await redis.zadd(key, s.suspendedUntil!.getTime(), s._id.toHexString());
      n++;
    }
    return n;
  }

  // moderator messages ----------------------------------------------------------------------

  async createMessage(doc: Omit<ModeratorMessageDoc, 'acknowledgedAt'>): Promise<ModeratorMessageDoc> {
    await ModeratorMessageModel.create({ ...doc, acknowledgedAt: null });
    await this.update(doc.userId, { $addToSet: { pendingMessageIds: doc._id } }, { upsert: true });
    return (await ModeratorMessageModel.findById(doc._id).lean()) as ModeratorMessageDoc;
  }

  async findMessage(id: Types.ObjectId): Promise<ModeratorMessageDoc | null> {
    return (await ModeratorMessageModel.findById(id).lean()) as ModeratorMessageDoc | null;
  }

  async findMessages(ids: readonly Types.ObjectId[]): Promise<ModeratorMessageDoc[]> {
    return this.storage.findByIds<ModeratorMessageDoc>(ModeratorMessageModel, ids);
  }

  async acknowledgeMessage(message: ModeratorMessageDoc, at: Date): Promise<ModeratorMessageDoc | null> {
    if (!message.acknowledgedAt) await this.storage.updateById(ModeratorMessageModel, message._id, { $set: { acknowledgedAt: at } });
    await this.update(message.userId, { $pull: { pendingMessageIds: message._id } });
    return this.findMessage(message._id);
  }
}
