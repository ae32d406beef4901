// Per-request DataLoaders for relations that are not plain by-id loads (those go through the
// loadable refs). Created on first use within a request; never global. A question's answers and
// the comments of the question and its answers come from its thread (thread.repository.ts): one
// read for the whole page, whatever its size.
import DataLoader from 'dataloader';
import { Types } from 'mongoose';
import type { Context } from '../context.js';
import { noteReads, readModelLoader, requestScoped } from '../graphql/request-scoped.js';
import type { CommentDoc } from './comment/comment.model.js';
import type { PostDoc } from './post/post.model.js';
import { visiblePosts } from './post/post.visibility.js';
import type { Thread } from './post/thread.repository.js';
import { voteKey } from './vote/vote.rules.js';

/** keyed by the parent document (its child list is read, not reloaded), cached by its id */
const byDocId = { cacheKeyFn: (p: PostDoc) => p._id.toHexString() };

/** Threads by question id (hex); null where none is built yet (its rebuild is started). */
function threadLoader(ctx: Context): DataLoader<string, Thread | null> {
  return requestScoped(
    ctx,
    'thread',
    () =>
      new DataLoader(async (ids: readonly string[]) => {
        const threads = await ctx.deps.repos.threads.threadsOf(ids.map((id) => new Types.ObjectId(id)));
        ids.forEach((id, i) => {
          if (threads[i]) return;
          // built now for the next reader; this one reads the posts and comments themselves
          ctx.deps.repos.threads.rebuild(new Types.ObjectId(id)).catch((error) => ctx.log.warn({ err: error }, 'thread rebuild failed'));
        });
        return threads;
      }),
  );
}

const threadIdOf = (p: PostDoc) => (p.type === 'question' ? p._id : p.questionId)?.toHexString() ?? null;

export function answersLoader(ctx: Context): DataLoader<PostDoc, PostDoc[], string> {
  return requestScoped(
    ctx,
    'answersOfQuestion',
    () =>
      new DataLoader(async (qs: readonly PostDoc[]) => {
        const threads = await threadLoader(ctx).loadMany(qs.map((q) => q._id.toHexString()));
        const missing = qs.filter((_q, i) => !isThread(threads[i]));
        const fallback = missing.length ? await ctx.deps.repos.posts.findAnswersOfQuestions(missing) : [];
        const lists = qs.map((q, i) => {
          const t = threads[i];
          return isThread(t) ? t.answers : fallback[missing.indexOf(q)]!;
        });
        noteReads(
          ctx,
          lists.flat().map((a) => `posts:${a._id.toHexString()}`),
        );
        return lists;
      }, byDocId),
  );
}

export function commentsLoader(ctx: Context): DataLoader<PostDoc, CommentDoc[], string> {
  return requestScoped(
    ctx,
    'commentsOfPost',
    () =>
      new DataLoader(async (ps: readonly PostDoc[]) => {
        const threadIds = ps.map(threadIdOf);
        const threads = await threadLoader(ctx).loadMany(threadIds.filter((id): id is string => id !== null));
        const byId = new Map(threads.filter(isThread).map((t) => [t.questionId.toHexString(), t]));
        const missing = ps.filter((_p, i) => !byId.has(threadIds[i] ?? ''));
        const fallback = missing.length ? await ctx.deps.repos.comments.findOfPosts(missing) : [];
        const lists = ps.map((p, i) => {
          const t = byId.get(threadIds[i] ?? '');
          return t ? (t.comments.get(p._id.toHexString()) ?? []) : fallback[missing.indexOf(p)]!;
        });
        noteReads(
          ctx,
          lists.flat().map((c) => `comments:${c._id.toHexString()}`),
        );
        return lists;
      }, byDocId),
  );
}

function isThread(t: Thread | Error | null | undefined): t is Thread {
  return !!t && !(t instanceof Error);
}

export function viewerVoteLoader(ctx: Context): DataLoader<string, number> | null {
  const viewer = ctx.viewer;
  if (!viewer) return null;
  return requestScoped(
    ctx,
    'viewerVote',
    () => new DataLoader((ids: readonly string[]) => ctx.deps.repos.votes.valuesOf(ids.map((id) => voteKey(viewer.id, id)))),
  );
}

/** Posts by id as the viewer may see them (null where hidden, e.g. an answer of a deleted question). */
export function visiblePostLoader(ctx: Context): DataLoader<string, PostDoc | null> {
  return readModelLoader(
    ctx,
    'visiblePost',
    (id) => `posts:${id}`,
    async (ids) => visiblePosts(ctx.deps.repos.posts, ctx.viewer, await ctx.deps.repos.posts.findPostsByIds(ids)),
  );
}
