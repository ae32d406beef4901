// The users collection: the only code that touches it.
import { Types } from 'mongoose';
import { keyset, type PageWindow } from '../../lib/connection.js';
import { op } from '../../lib/mongo-ops.js';
import type { EntityCache } from '../../infra/entity-cache.js';
import { Repository } from '../../infra/repository.js';
import type { Guard } from '../../infra/storage.js';
import type { Storage } from '../../infra/storage.js';
import { UserModel, type UserDoc } from './user.model.js';

/** The reputation fields the ledger keeps in step with its last event. */
export interface ReputationState {
  reputation: number;
  repSeq: number;
  repDay: string;
  repDayEarned: number;
}

/** never in the entity cache, nor in what by-id batches return (sign-in reads it by handle/email) */
const SECRET_FIELDS = ['passwordHash'] as const;

export class UserRepository extends Repository<UserDoc> {
  private cache: EntityCache | null = null;

  constructor(storage: Storage) {
    super(storage, UserModel, { versionKeys: (id) => [`users:${String(id)}`, 'list:users'] });
  }

  /** Serves by-id batches (author lines, chips, profiles) through the entity cache (deps.ts). */
  useEntityCache(cache: EntityCache | null): void {
    this.cache = cache;
  }

  /** Members by `_id`, whole but for their password hash (`select` only narrows the database path); see infra/entity-cache.ts. */
  override findManyByIds<R extends { _id: unknown } = UserDoc>(ids: readonly unknown[], select?: string): Promise<R[]> {
    if (!this.cache || select?.includes('passwordHash')) return super.findManyByIds<R>(ids, select);
    return this.cache.read<R>('users', ids, (missing) => super.findManyByIds<R>(missing), SECRET_FIELDS);
  }

  /** Creates a member (the unique handle and email keys refuse duplicates with E11000). */
  async create(doc: Partial<UserDoc> & Record<string, unknown>): Promise<UserDoc> {
    const user = await UserModel.create(doc);
    await this.touched(user._id);
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
    return (await UserModel.find({ handleKey: keys.length === 1 ? keys[0] : op.in(keys) })
      .select('_id handleKey')
      .lean()) as Array<{ _id: Types.ObjectId; handleKey: string }>;
  }

  /** Members by reputation, highest first (keyset page, limit + 1 rows). */
  async listByReputation(window: PageWindow): Promise<UserDoc[]> {
    const page = keyset('reputation', -1, window);
    return (await UserModel.find(page.filter)
      .sort(page.sort)
      .limit(window.limit + 1)
      .lean()) as UserDoc[];
  }

  async adjustPostCounts(userId: Types.ObjectId, inc: { questionCount?: number; answerCount?: number }): Promise<void> {
    await this.update(userId, { $inc: inc });
  }

  /** Moves the member's cached reputation to `next` when the guard (their previous state) holds. */
  async setReputationIf(userId: Types.ObjectId, guard: Guard, next: ReputationState): Promise<void> {
    await this.updateIf(userId, guard, { $set: next });
  }

  /** Reputation fields, for the ledger. */
  reputationOf(userId: Types.ObjectId): Promise<Pick<UserDoc, '_id' | 'reputation' | 'repSeq' | 'repDay' | 'repDayEarned'> | null> {
    return this.findById(userId, 'reputation repSeq repDay repDayEarned');
  }
}
