// Per-request DataLoaders for relations that are not plain by-id loads (those go through the
// loadable refs). Created on first use within a request; never global.
import DataLoader from 'dataloader';
import { requestScoped, type Context } from '../context.js';
import { findCommentsOfPosts } from './comment/comment.service.js';
import type { CommentDoc } from './comment/comment.model.js';
import type { PostDoc } from './post/post.model.js';
import { findAnswersOfQuestions, findPostsByIds } from './post/post.repository.js';
import { visiblePosts } from './post/post.visibility.js';
import { findViewerVotes } from './vote/vote.service.js';

/** keyed by the parent document (its child list is read, not reloaded), cached by its id */
const byDocId = { cacheKeyFn: (p: PostDoc) => p._id.toHexString() };

export function answersLoader(ctx: Context): DataLoader<PostDoc, PostDoc[], string> {
  return requestScoped(ctx, 'answersOfQuestion', () => new DataLoader((qs: readonly PostDoc[]) => findAnswersOfQuestions(qs), byDocId));
}

export function commentsLoader(ctx: Context): DataLoader<PostDoc, CommentDoc[], string> {
  return requestScoped(ctx, 'commentsOfPost', () => new DataLoader((ps: readonly PostDoc[]) => findCommentsOfPosts(ps), byDocId));
}

export function viewerVoteLoader(ctx: Context): DataLoader<string, number> | null {
  const viewer = ctx.viewer;
  if (!viewer) return null;
  return requestScoped(ctx, 'viewerVote', () => new DataLoader((ids: readonly string[]) => findViewerVotes(viewer.id, ids)));
}

/** Posts by id as the viewer may see them (null where hidden, e.g. an answer of a deleted question). */
export function visiblePostLoader(ctx: Context): DataLoader<string, PostDoc | null> {
  return requestScoped(
    ctx,
    'visiblePost',
    () => new DataLoader(async (ids: readonly string[]) => visiblePosts(ctx.viewer, await findPostsByIds(ids))),
  );
}
