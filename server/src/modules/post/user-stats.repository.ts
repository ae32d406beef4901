// The user_stats collection (user-stats.model.ts): the only code that touches it.
import type { Types } from 'mongoose';
import type { Storage } from '../../infra/storage.js';
import { RollupRepository } from './tag-stats.repository.js';
import { UserStatsModel, type UserStatsDoc } from './user-stats.model.js';

export class UserStatsRepository extends RollupRepository<UserStatsDoc> {
  constructor(storage: Storage) {
    // the profile's top tags note this key (post.rollups.ts)
    // read by profiles and member lists: not computed yet is remembered too (a store bumps the key)
    super(storage, UserStatsModel, { versionKeys: (id) => [userStatsKey(String(id))], cache: { name: 'user_stats', absent: true } });
  }

  protected contentOf(doc: UserStatsDoc): unknown {
    return doc.topTags.map((t) => [t.name, t.posts, t.score]);
  }

  /** A member's statistics (by `_id`), or null when not computed yet. */
  ofUser(userId: Types.ObjectId): Promise<UserStatsDoc | null> {
    return this.findCachedById(userId);
  }
}

/** The read-model version key of a member's statistics. */
export const userStatsKey = (userId: string) => `user_stats:${userId}`;
