// Bounties (`bounties`), each question's bounty state (`question_bounties`, by the question's
// `_id`) and the featured list (Redis): the only code that touches them.
//
//   bounty:v1:featured        sorted set of question ids with an active bounty, by the bounty's
//                             end (ms): the "Featured" tab, read without a query
//   bounty:v1:active          hash question id → its active bounty's id: the "+N" badge of list
//                             rows without a database read for the questions that have none
//   bounty:v1:featured:built  set once the set was rebuilt from the bounties (after a flush the
//                             first reader rebuilds it; `npm run verify` checks it)
import type { Types } from 'mongoose';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { op } from '../../lib/mongo-ops.js';
import { BountyModel, QuestionBountiesModel, type BountyDoc, type QuestionBountiesDoc } from './bounty.model.js';

const BASE = 'bounty:v1:';

export class BountyDocs extends Repository<BountyDoc> {
  constructor(storage: Storage) {
    super(storage, BountyModel, { versionKeys: (id) => [`bounty:${String(id)}`, 'list:bounties'] });
  }

  /** Active bounties whose grace period ended by `now` (the expiry job; index status+graceEndsAt). */
  dueBy(now: Date, limit: number): Promise<BountyDoc[]> {
    return this.model
      .find({ status: 'ACTIVE', graceEndsAt: op.lte(now) })
      .sort({ graceEndsAt: 1 })
      .limit(limit)
      .lean() as unknown as Promise<BountyDoc[]>;
  }

  /** Every active bounty (rebuilding the featured set: batch path only). */
  active(): Promise<BountyDoc[]> {
    return this.findWhere<BountyDoc>({ status: 'ACTIVE' });
  }
}

export class QuestionBountyDocs extends Repository<QuestionBountiesDoc> {
  constructor(storage: Storage) {
    // read on every question page, and most questions never had a bounty: absent ones are cached too
    super(storage, QuestionBountiesModel, {
      versionKeys: (id) => [`bounties:${String(id)}`, 'list:bounties'],
      cache: { name: 'question_bounties', absent: true },
    });
  }

  /** Creates the question's (empty) state unless it exists. */
  async ensure(questionId: Types.ObjectId): Promise<void> {
    await this.update(questionId, { $setOnInsert: { activeId: null, latestId: null, offers: [] } }, { upsert: true });
  }
}

/** The featured questions (Redis): question id → the active bounty's end. */
export class FeaturedIndex {
  constructor(private readonly storage: Storage) {}

  private get redis() {
    return this.storage.cache;
  }
  private key(name = 'featured') {
    return `${this.redis!.prefix}${BASE}${name}`;
  }

  get enabled(): boolean {
    return this.redis !== null;
  }

  async add(questionId: string, endsAt: Date, bountyId: string): Promise<void> {
    if (!this.redis) return;
    await this.redis.redis
      .multi()
      .zadd(this.key(), new Date(endsAt).getTime(), questionId)
      .hset(this.key('active'), questionId, bountyId)
      .exec();
    await this.storage.changed(['list:bounties']);
  }

  async remove(questionId: string): Promise<void> {
    if (!this.redis) return;
    await this.redis.redis.multi().zrem(this.key(), questionId).hdel(this.key('active'), questionId).exec();
    await this.storage.changed(['list:bounties']);
  }

  /** The active bounty id of each question (null: none), or null when the set is not built. */
  async activeOf(questionIds: readonly string[]): Promise<Array<string | null> | null> {
    if (!this.redis || questionIds.length === 0) return this.redis ? [] : null;
    const [built, ids] = await Promise.all([this.isBuilt(), this.redis.redis.hmget(this.key('active'), ...questionIds)]);
    return built ? ids : null;
  }

  async isBuilt(): Promise<boolean> {
    if (!this.redis) return false;
    return (await this.redis.redis.exists(this.key('featured:built'))) === 1;
  }

  /** Replaces the set with these entries and marks it built. */
  async replace(entries: ReadonlyArray<{ questionId: string; endsAt: Date; bountyId: string }>): Promise<void> {
    if (!this.redis) return;
    const tx = this.redis.redis.multi().del(this.key()).del(this.key('active'));
    for (const e of entries)
      tx.zadd(this.key(), new Date(e.endsAt).getTime(), e.questionId).hset(this.key('active'), e.questionId, e.bountyId);
    tx.set(this.key('featured:built'), '1');
    await tx.exec();
    await this.storage.changed(['list:bounties']);
  }

  /** Every entry: [questionId, endsAt ms] (the set holds only active bounties: a few hundred). */
  async all(): Promise<Array<{ questionId: string; endsAt: number }>> {
    if (!this.redis) return [];
    const rows = await this.redis.redis.zrange(this.key(), 0, -1, 'WITHSCORES');
    const out: Array<{ questionId: string; endsAt: number }> = [];
    for (let i = 0; i < rows.length; i += 2) out.push({ questionId: rows[i]!, endsAt: Number(rows[i + 1]) });
    return out;
  }
}

/** The bounty module's repositories (`reposOf(ctx).bounties`). */
export class BountyRepository {
  readonly bounties: BountyDocs;
  readonly questions: QuestionBountyDocs;
  readonly featured: FeaturedIndex;
  constructor(storage: Storage) {
    this.bounties = new BountyDocs(storage);
    this.questions = new QuestionBountyDocs(storage);
    this.featured = new FeaturedIndex(storage);
  }
}
