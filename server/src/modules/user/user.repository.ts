// The users collection: the only code that touches it.
import { Types } from 'mongoose';
import { keyset, type PageWindow } from '../../lib/connection.js';
import { op } from '../../lib/mongo-ops.js';
import { Repository } from '../../infra/repository.js';
import type { Guard, GuardedResult } from '../../infra/storage.js';
import type { Storage } from '../../infra/storage.js';
import { UserModel, type UserDoc } from './user.model.js';
import type { UserRanking } from './user.ranking.js';

/** The reputation fields the ledger keeps in step with its last event. */
export interface ReputationState {
  reputation: number;
  repSeq: number;
  repDay: string;
  repDayEarned: number;
}

/** never in the entity cache nor in the whole documents it serves (sign-in reads it by handle/email) */
const SECRET_FIELDS = ['passwordHash'] as const;

export class UserRepository extends Repository<UserDoc> {
  /** whole members by id (author lines, chips, profiles) come through the entity cache, without the password hash */
  constructor(storage: Storage) {
    super(storage, UserModel, {
      versionKeys: (id) => [`users:${String(id)}`, 'list:users'],
      cache: { name: 'users', omit: SECRET_FIELDS },
    });
  }

  private ranking: UserRanking | null = null;

  /** Members by reputation and by handle from Redis where the database would scan (deps.ts; user.ranking.ts). */
  useRanking(ranking: UserRanking | null): void {
    this.ranking = ranking;
  }

  /** The ranking in use (null: the database answers); verify and rebuilds reach it here. */
  get rankings(): UserRanking | null {
    return this.ranking?.enabled ? this.ranking : null;
  }

  /** Rebuilds the ranking and the handle directory from every member (seeding, imports, the worker); the members seen. */
  async rebuildRanking(): Promise<number> {
    return this.rankings ? this.rankings.rebuild(this.scan({}, 'reputation repSeq handleKey')) : 0;
  }

  /** Creates a member (the unique handle and email keys refuse duplicates with E11000). */
  async create(doc: Partial<UserDoc> & Record<string, unknown>): Promise<UserDoc> {
    const user = await UserModel.create(doc);
    await this.touched(user._id);
    await this.ranking?.sync([{ _id: user._id, reputation: user.reputation, repSeq: user.repSeq, handleKey: user.handleKey }]);
    return (await this.findById(user._id))!;
  }

  async handleTaken(handleKey: string): Promise<boolean> {
    return (await UserModel.exists({ handleKey })) !== null;
  }

  async findByEmailKey(emailKey: string): Promise<UserDoc | null> {
    return (await UserModel.findOne({ emailKey }).lean()) as UserDoc | null;
  }

  async findByHandleKey(handleKey: string): Promise<UserDoc | null> {
    return (await UserModel.findOne({ handleKey }).lean()) as UserDoc | null;
  }

  /** `_id` and `handleKey` of the members with these handle keys. */
  async idsByHandleKeys(keys: readonly string[]): Promise<Array<{ _id: Types.ObjectId; handleKey: string }>> {
    // the handle directory, when built, knows every handle: an unknown one costs no query
    const known = await this.ranking?.idsOfHandles(keys);
    if (known) return [...known].map(([handleKey, id]) => ({ _id: new Types.ObjectId(id), handleKey }));
    return (await UserModel.find({ handleKey: keys.length === 1 ? keys[0] : op.in(keys) })
      .select('_id handleKey')
      .lean()) as Array<{ _id: Types.ObjectId; handleKey: string }>;
  }

  /** `_id` and `handleKey` of the first `limit` members whose handle starts with `prefix` (lowercase), by handle. */
  async idsByHandlePrefix(prefix: string, limit: number): Promise<Array<{ _id: Types.ObjectId; handleKey: string }>> {
    const known = await this.ranking?.idsByHandlePrefix(prefix, limit);
    if (known) return known.map(([handleKey, id]) => ({ _id: new Types.ObjectId(id), handleKey }));
    // MongoDB: a range on the unique handleKey index
    return (await UserModel.find({ handleKey: op.range(prefix, `${prefix}\uffff`) })
      .sort({ handleKey: 1 })
      .limit(limit)
      .select('_id handleKey')
      .lean()) as Array<{ _id: Types.ObjectId; handleKey: string }>;
  }

  /** Members by reputation, highest first (keyset page, limit + 1 rows). */
  async listByReputation(window: PageWindow): Promise<UserDoc[]> {
    const ids = await this.ranking?.page(window);
    if (ids) return (await this.findByIdsOrdered(ids.map((id) => new Types.ObjectId(id)))).filter((u): u is UserDoc => u !== null);
    const page = keyset('reputation', -1, window);
    return (await UserModel.find(page.filter)
      .sort(page.sort)
      .limit(window.limit + 1)
      .lean()) as UserDoc[];
  }

  /** Members newest first (keyset page over `_id`, limit + 1 rows): the members directory. */
  async listNewest(window: PageWindow): Promise<UserDoc[]> {
    const page = keyset('_id', -1, window);
    return (await UserModel.find(page.filter)
      .sort(page.sort)
      .limit(window.limit + 1)
      .lean()) as UserDoc[];
  }

  /** Members by handle (keyset page over the unique `handleKey`, limit + 1 rows): the members directory. */
  async listByHandle(window: PageWindow): Promise<UserDoc[]> {
    const page = keyset('handleKey', 1, window);
    return (await UserModel.find(page.filter)
      .sort(page.sort)
      .limit(window.limit + 1)
      .lean()) as UserDoc[];
  }

  async adjustPostCounts(userId: Types.ObjectId, inc: { questionCount?: number; answerCount?: number }): Promise<void> {
    await this.update(userId, { $inc: inc });
  }

  /** One more badge of a tier on the member's counters (the badge module, after a new award). */
  async addBadgeCount(userId: Types.ObjectId, tier: 'GOLD' | 'SILVER' | 'BRONZE'): Promise<void> {
    await this.update(userId, { $inc: { [`badgeCounts.${tier.toLowerCase()}`]: 1 } });
  }

  /** Sets the member's badge counters from the awards (imports, verify). */
  async setBadgeCounts(userId: Types.ObjectId, counts: { gold: number; silver: number; bronze: number }): Promise<void> {
    await this.updateWithoutTimestamps(userId, { $set: { badgeCounts: counts } });
  }

  /** Moves the member's cached reputation to `next` when the guard (their previous state) holds. */
  async setReputationIf(userId: Types.ObjectId, guard: Guard, next: ReputationState): Promise<GuardedResult> {
    const result = await this.updateIf(userId, guard, { $set: next });
    if (result.matchedCount > 0) await this.ranking?.sync([{ _id: userId, reputation: next.reputation, repSeq: next.repSeq }]);
    return result;
  }

  /** Reputation fields, for the ledger. */
  reputationOf(userId: Types.ObjectId): Promise<Pick<UserDoc, '_id' | 'reputation' | 'repSeq' | 'repDay' | 'repDayEarned'> | null> {
    return this.findById(userId, 'reputation repSeq repDay repDayEarned');
  }
}
