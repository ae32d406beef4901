// The reputation ledger (reputation_events): the only code that touches it. Append-only.
//
// A member's most recent events (their profile's reputation history) are also kept in a Redis
// list, newest first (`<prefix>rep:<userId>`): FerretDB would scan the whole ledger for a query by
// member. The list checks itself against the member's `repSeq` (the sequence number of their last
// event): it is used only when it holds exactly the events repSeq, repSeq − 1, … — anything else
// (a push lost to an outage, two appends pushed out of order, an evicted list) reads the ledger
// once and writes the list anew.
import mongoose, { type Types } from 'mongoose';
import { op } from '../../lib/mongo-ops.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { ReputationEventModel, type ReputationEventDoc } from './reputation.model.js';

const { EJSON } = mongoose.mongo.BSON;
/** events kept per member (a profile shows 100) */
const RECENT = 200;
const RECENT_TTL_SECONDS = 7 * 24 * 3600;

export class ReputationRepository extends Repository<ReputationEventDoc> {
  constructor(storage: Storage) {
    super(storage, ReputationEventModel);
  }

  /** Appends an event; a duplicate key (cause or sequence number) throws E11000. */
  async append(doc: Record<string, unknown>): Promise<void> {
    const event = await ReputationEventModel.create(doc);
    const cache = this.storage.cache;
    if (!cache) return;
    const key = `${cache.prefix}rep:${String(doc.userId)}`;
    await cache.redis
      .multi()
      .lpush(key, EJSON.stringify(event.toObject(), { relaxed: false }))
      .ltrim(key, 0, RECENT - 1)
      .expire(key, RECENT_TTL_SECONDS)
      .exec()
      .catch(() => undefined); // checked on read: a lost push only costs one read of the ledger
  }

  /**
   * A member's `limit` most recent events, newest first (`repSeq`: the sequence number of their
   * last event, from their user document): from the Redis list when it is exact, else from the
   * ledger (and the list is written anew).
   */
  async recentOf(userId: Types.ObjectId, repSeq: number, limit: number): Promise<ReputationEventDoc[]> {
    const cache = this.storage.cache;
    if (!cache || limit > RECENT) return this.pageOf(userId, null, false, limit);
    const key = `${cache.prefix}rep:${userId.toHexString()}`;
    const want = Math.min(limit, repSeq);
    try {
      const raw = await cache.redis.lrange(key, 0, want - 1);
      const events = raw.map((r) => EJSON.parse(r) as ReputationEventDoc);
      if (events.length === want && events.every((e, i) => e.seq === repSeq - i)) return events;
    } catch {
      return this.pageOf(userId, null, false, limit); // Redis unreachable: the ledger answers
    }
    const events = await this.pageOf(userId, null, false, RECENT);
    if (events[0]?.seq === repSeq) {
      await cache.redis
        .multi()
        .del(key)
        .rpush(key, ...events.map((e) => EJSON.stringify(e, { relaxed: false })))
        .expire(key, RECENT_TTL_SECONDS)
        .exec()
        .catch(() => undefined);
    }
    return events.slice(0, limit);
  }

  async lastOf(userId: Types.ObjectId): Promise<ReputationEventDoc | null> {
    return (await ReputationEventModel.findOne({ userId }).sort({ seq: -1 }).lean()) as ReputationEventDoc | null;
  }

  /** A member's events, newest first, from a sequence number (keyset; `backward` reads up). */
  async pageOf(userId: Types.ObjectId, seq: number | null, backward: boolean, limit: number): Promise<ReputationEventDoc[]> {
    const filter: Record<string, unknown> = { userId };
    if (seq !== null) filter.seq = backward ? op.gt(seq) : op.lt(seq);
    return (await ReputationEventModel.find(filter)
      .sort({ seq: backward ? 1 : -1 })
      .limit(limit)
      .lean()) as ReputationEventDoc[];
  }
}
