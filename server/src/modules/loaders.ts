// Per-request DataLoaders for relations that are not plain by-id loads (those go through the
// loadable refs). Created on first use within a request; never global.
import DataLoader from 'dataloader';
import { requestScoped, type Context } from '../context.js';
import { findCommentsOfPosts } from './comment/comment.service.js';
import type { CommentDoc } from './comment/comment.model.js';
import type { PostDoc } from './post/post.model.js';
import { findAnswersOfQuestions } from './post/post.repository.js';
import { findViewerVotes } from './vote/vote.service.js';

export function answersLoader(ctx: Context): DataLoader<string, PostDoc[]> {
  return requestScoped(ctx, 'answersOfQuestion', () => new DataLoader((ids: readonly string[]) => findAnswersOfQuestions(ids)));
}

export function commentsLoader(ctx: Context): DataLoader<string, CommentDoc[]> {
  return requestScoped(ctx, 'commentsOfPost', () => new DataLoader((ids: readonly string[]) => findCommentsOfPosts(ids)));
}

export function viewerVoteLoader(ctx: Context): DataLoader<string, number> | null {
  const viewer = ctx.viewer;
  if (!viewer) return null;
  return requestScoped(ctx, 'viewerVote', () => new DataLoader((ids: readonly string[]) => findViewerVotes(viewer.id, ids)));
}
