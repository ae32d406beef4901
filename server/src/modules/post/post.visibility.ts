// Who may see a post, taking its question into account: an answer, and a comment on a post, are
// visible only while the post they hang off is visible to the viewer. (A deleted question takes
// its answers and their comments with it for everyone but its author and moderators, as on Stack
// Overflow.) Every load path — `node(id)`, `answer(id)`, votes, comments, edits — uses these.
import type { Types } from 'mongoose';
import type { Viewer } from '../../context.js';
import type { PostDoc } from './post.model.js';
import { canSeePost } from './post.policy.js';
import type { PostRepository } from './post.repository.js';

/** What a comment's visibility needs to know. */
export interface CommentFacts {
  authorId: { toString(): string };
  deletedAt?: Date | null;
}

/** Pure rule: a post is visible when it is and, for an answer, its question is too. */
export function canSeeInContext(viewer: Viewer | null, post: PostDoc, question: PostDoc | null | undefined): boolean {
  if (!canSeePost(viewer, post)) return false;
  if (post.type !== 'answer') return true;
  return question !== null && question !== undefined && canSeePost(viewer, question);
}

/** The same list with every post the viewer may not see replaced by null (one extra batch at most). */
export async function visiblePosts(
  repo: PostRepository,
  viewer: Viewer | null,
  posts: ReadonlyArray<PostDoc | null>,
): Promise<Array<PostDoc | null>> {
  const known = new Map(posts.filter((p): p is PostDoc => p !== null).map((p) => [p._id.toHexString(), p]));
  const missing = [
    ...new Set(
      posts
        .filter((p): p is PostDoc => p !== null && p.type === 'answer' && !!p.questionId)
        .map((p) => p.questionId!.toHexString())
        .filter((id) => !known.has(id)),
    ),
  ];
  for (const q of missing.length ? await repo.findPostsByIds(missing) : []) if (q) known.set(q._id.toHexString(), q);
  return posts.map((p) => (p && canSeeInContext(viewer, p, p.questionId ? known.get(p.questionId.toHexString()) : null) ? p : null));
}

/** One post, or null when the viewer may not see it. */
export async function visiblePost(repo: PostRepository, viewer: Viewer | null, post: PostDoc | null): Promise<PostDoc | null> {
  return (await visiblePosts(repo, viewer, [post]))[0] ?? null;
}

/**
 * The comments the viewer may see: each one itself (`canSee`, the comment policy), and the post
 * it is on.
 */
export async function visibleComments<C extends CommentFacts & { postId: Types.ObjectId }>(
  repo: PostRepository,
  canSee: (viewer: Viewer | null, comment: C) => boolean,
  viewer: Viewer | null,
  comments: ReadonlyArray<C | null>,
): Promise<Array<C | null>> {
  const postIds = [...new Set(comments.filter((c): c is C => c !== null).map((c) => c.postId.toHexString()))];
  const posts = postIds.length ? await visiblePosts(repo, viewer, await repo.findPostsByIds(postIds)) : [];
  const seen = new Set(posts.filter((p): p is PostDoc => p !== null).map((p) => p._id.toHexString()));
  return comments.map((c) => (c && canSee(viewer, c) && seen.has(c.postId.toHexString()) ? c : null));
}
