// The votes collection (one document per member and post, `_id` = "<userId>:<postId>"): the only
// code that touches it.
import type { Types } from 'mongoose';
import { op } from '../../lib/mongo-ops.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { VoteModel, type VoteDoc } from './vote.model.js';

export class VoteRepository extends Repository<VoteDoc> {
  constructor(storage: Storage) {
    super(storage, VoteModel);
  }

  async onPost(postId: Types.ObjectId): Promise<VoteDoc[]> {
    return (await VoteModel.find({ postId }).lean()) as VoteDoc[];
  }

  /** Votes on the given posts (batch tools). */
  async onPosts<R = VoteDoc>(postIds: readonly Types.ObjectId[], select?: string): Promise<R[]> {
    const query = VoteModel.find({ postId: op.in(postIds) });
    if (select) query.select(select);
    return (await query.lean()) as R[];
  }

  /** The values of the given vote keys (0 where no vote). */
  async valuesOf(keys: readonly string[]): Promise<number[]> {
    const votes = await this.findManyByIds<{ _id: string; value: number }>(keys, 'value');
    const byKey = new Map(votes.map((v) => [v._id, v.value]));
    return keys.map((k) => byKey.get(k) ?? 0);
  }
}
