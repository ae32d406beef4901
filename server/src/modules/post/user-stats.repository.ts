// The user_stats collection (user-stats.model.ts): the only code that touches it.
import type { Types } from 'mongoose';
import type { Storage } from '../../infra/storage.js';
import { RollupRepository } from './tag-stats.repository.js';
import { UserStatsModel, type UserStatsDoc } from './user-stats.model.js';

export class UserStatsRepository extends RollupRepository<UserStatsDoc> {
  constructor(storage: Storage) {
    // the profile's top tags note this key (post.rollups.ts)
    super(storage, UserStatsModel, { versionKeys: (id) => [userStatsKey(String(id))] });
  }

  protected contentOf(doc: UserStatsDoc): unknown {
    return doc.topTags.map((t) => [t.name, t.posts, t.score]);
  }

  /** A member's statistics (by `_id`), or null when not computed yet. */
  ofUser(userId: Types.ObjectId): Promise<UserStatsDoc | null> {
    return this.findById(userId);
  }
}

/** The read-model version key of a member's statistics. */
export const userStatsKey = (userId: string) => `user_stats:${userId}`;
