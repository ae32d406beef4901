// Read use cases of questions and answers that are more than a load by id: listings (from the
// precomputed Redis listings where they answer, else the database), a member's answers (likewise)
// and top tags (their rollup, post.rollups.ts), revision histories. Resolvers call these; they
// never query a collection themselves.
import type { Types } from 'mongoose';
import type { Context } from '../../context.js';
import { noteReads } from '../../graphql/request-scoped.js';
import { encodeCursor, toConnection, type PageWindow } from '../../lib/connection.js';
import { toObjectId } from '../../lib/ids.js';
import type { RevisionDoc } from '../revision/revision.model.js';
import { reposOf, servicesOf } from '../services.js';
import { userIdByHandle } from '../user/user.handles.js';
import type { PostDoc } from './post.model.js';
import { matchesQuestionFilter, orderField, type QuestionFilter, type QuestionOrder } from './post.repository.js';
import { userStatsOf } from './post.rollups.js';
import { featuredQuestions } from '../bounty/bounty.reads.js';
import type { TagScore } from './post.stats.js';

export interface QuestionFilterArgs {
  spaceSlug?: string | null;
  tag?: string | null;
  authorHandle?: string | null;
  unanswered?: boolean | null;
  /** questions with an active bounty (modules/bounty) */
  featured?: boolean | null;
}

/** The filter of a listing, or null when it names a space or member that does not exist (an empty list). */
export async function resolveQuestionFilter(
  ctx: Pick<Context, 'deps'>,
  input: QuestionFilterArgs | null | undefined,
): Promise<QuestionFilter | null> {
  const filter: QuestionFilter = {};
  if (!input) return filter;
  if (input.spaceSlug) {
    const space = await reposOf(ctx).spaces.findBySlug(input.spaceSlug, '_id');
    if (!space) return null;
    filter.spaceId = space._id;
  }
  if (input.tag) filter.tag = input.tag.toLowerCase();
  if (input.authorHandle) {
    const userId = await userIdByHandle(ctx.deps, input.authorHandle);
    if (!userId) return null;
    filter.authorId = userId;
  }
  if (input.unanswered) filter.unanswered = true;
  return filter;
}

/** One page of questions for a filter and order, with its total. */
export async function listQuestions(
  ctx: Pick<Context, 'deps' | 'cache'>,
  input: QuestionFilterArgs | null | undefined,
  order: QuestionOrder,
  window: PageWindow,
  known: QuestionFilter = {},
) {
  if (input?.featured) return featuredQuestions(ctx, window);
  noteReads(ctx, ['list:posts', 'list:spaces', 'list:users']);
  const resolved = await resolveQuestionFilter(ctx, input);
  const filter = resolved ? { ...resolved, ...known } : null;
  if (!filter) return { ...toConnection([] as PostDoc[], window, () => ''), totalCount: 0 };
  const posts = reposOf(ctx).posts;
  const field = orderField(order);
  const cursorOf = (q: PostDoc) => encodeCursor(q[field] as Date | number, q._id.toHexString());
  // precomputed listings (Redis, on FerretDB) when they keep this filter; else the database
  const listed = await servicesOf(ctx).listings.page(filter, order, window);
  if (listed) {
    const docs = await posts.findPostsByIds(listed.ids);
    // an entry the listings have not caught up with yet (deleted, retagged…) is left out
    const rows = docs.filter((q): q is PostDoc => q !== null && !q.hiddenAt && matchesQuestionFilter(q, filter, order));
    return { ...toConnection(rows, window, cursorOf), totalCount: listed.total };
  }
  // questions hidden pending review (flags) are left out of every listing until a moderator decides
  const rows = (await posts.listQuestions(filter, order, window)).filter((q) => !q.hiddenAt);
  return { ...toConnection(rows, window, cursorOf), totalCount: () => posts.countQuestions(filter, order) };
}

/**
 * A member's answers, newest first: from their answers listing (Redis, on FerretDB) when it is
 * built, else from the database (MongoDB answers it from the author index).
 */
export async function listAnswersOf(ctx: Pick<Context, 'deps' | 'cache'>, authorId: Types.ObjectId, window: PageWindow) {
  noteReads(ctx, ['list:posts']);
  const posts = reposOf(ctx).posts;
  const cursorOf = (a: PostDoc) => encodeCursor(a.createdAt, a._id.toHexString());
  const listed = await servicesOf(ctx).listings.answerPage(authorId, window);
  if (listed) {
    const docs = await posts.findPostsByIds(listed);
    // an entry the listing has not caught up with yet (deleted…) is left out
    const rows = docs.filter((a): a is PostDoc => a !== null && a.type === 'answer' && !a.deletedAt && a.authorId.equals(authorId));
    return toConnection(rows, window, cursorOf);
  }
  return toConnection(await posts.listAnswersBy(authorId, window), window, cursorOf);
}

/** Revisions of several posts (by hex id), each list by number: the revisions DataLoader's batch. */
export async function revisionsOfPosts(ctx: Pick<Context, 'deps'>, ids: readonly string[]): Promise<RevisionDoc[][]> {
  const objectIds = ids.map((id) => toObjectId(id)).filter((id) => id !== null);
  const docs = await reposOf(ctx).revisions.ofPosts(objectIds);
  const groups = new Map<string, RevisionDoc[]>();
  for (const d of docs) groups.set(d.postId.toHexString(), [...(groups.get(d.postId.toHexString()) ?? []), d]);
  return ids.map((id) => groups.get(id) ?? []);
}

/** A member's top tags (their questions' tags and those of the questions they answered): their rollup, read by `_id`. */
export async function topTagsOf(
  ctx: Pick<Context, 'deps' | 'cache'>,
  user: { _id: Types.ObjectId; questionCount: number; answerCount: number },
  limit: number,
): Promise<TagScore[]> {
  return (await userStatsOf(ctx, user)).slice(0, limit);
}
