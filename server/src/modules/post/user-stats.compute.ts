// A member's statistics as the posts say they are now (the user_stats rollup's compute step): the
// live posts of many members read at once (one query: FerretDB scans the posts once whatever the
// number of members), the answered questions' tags by id, then ranked per member by post.stats.ts
// `rankTags` (what the profile's `topTags` showed when it read a member's posts per request).
import { Types } from 'mongoose';
import { op } from '../../lib/mongo-ops.js';
import type { PostRepository } from './post.repository.js';
import { groupBy, rankTags } from './post.stats.js';
import type { UserStatsDoc } from './user-stats.model.js';

/** top tags kept per member: the largest `first` `User.topTags` accepts */
export const MAX_TOP_TAGS = 50;

interface PostRow {
  authorId: Types.ObjectId;
  type: string;
  tags?: string[] | null;
  questionId?: Types.ObjectId | null;
  score: number;
}

/**
 * The statistics of these members from their facts now (all their live posts); `mark` is the
 * rollup sequence read before (post.rollups.ts). A member without posts gets no tags.
 */
export async function computeUserStats(posts: PostRepository, userIds: readonly Types.ObjectId[], mark: number): Promise<UserStatsDoc[]> {
  const ids = [...new Map(userIds.map((id) => [id.toHexString(), id])).values()];
  if (ids.length === 0) return [];
  const rows = await posts.findWhere<PostRow>(
    { authorId: ids.length === 1 ? ids[0] : op.in(ids), deletedAt: null },
    'authorId type tags questionId score',
  );
  const parentIds = [...new Set(rows.filter((p) => p.type === 'answer' && p.questionId).map((p) => p.questionId!.toHexString()))];
  const parents = await posts.findManyByIds<{ _id: Types.ObjectId; tags?: string[] | null }>(
    parentIds.map((id) => new Types.ObjectId(id)),
    'tags',
  );
  const tagsOf = new Map(parents.map((q) => [q._id.toHexString(), q.tags ?? []]));
  const byAuthor = groupBy(rows, (p) => p.authorId.toHexString());
  const builtAt = new Date();
  return ids.map((id) => ({
    _id: id,
    topTags: rankTags(byAuthor.get(id.toHexString()) ?? [], (questionId) => tagsOf.get(questionId) ?? [], MAX_TOP_TAGS),
    mark,
    builtAt,
  }));
}
