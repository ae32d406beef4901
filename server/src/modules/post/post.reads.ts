// Read use cases of questions and answers that are more than a load by id: listings (from the
// precomputed Redis listings where they answer, else the database), a member's answers and top
// tags, revision histories. Resolvers call these; they never query a collection themselves.
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

export interface QuestionFilterArgs {
  spaceSlug?: string | null;
  tag?: string | null;
  authorHandle?: string | null;
  unanswered?: boolean | null;
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
    const rows = docs.filter((q): q is PostDoc => q !== null && matchesQuestionFilter(q, filter, order));
    return { ...toConnection(rows, window, cursorOf), totalCount: listed.total };
  }
  const rows = await posts.listQuestions(filter, order, window);
  return { ...toConnection(rows, window, cursorOf), totalCount: () => posts.countQuestions(filter, order) };
}

/** A member's answers, newest first. */
export async function listAnswersOf(ctx: Pick<Context, 'deps' | 'cache'>, authorId: Types.ObjectId, window: PageWindow) {
  noteReads(ctx, ['list:posts']);
  const rows = await reposOf(ctx).posts.listAnswersBy(authorId, window);
  return toConnection(rows, window, (a) => encodeCursor(a.createdAt, a._id.toHexString()));
}

/** Revisions of several posts (by hex id), each list by number: the revisions DataLoader's batch. */
export async function revisionsOfPosts(ctx: Pick<Context, 'deps'>, ids: readonly string[]): Promise<RevisionDoc[][]> {
  const objectIds = ids.map((id) => toObjectId(id)).filter((id) => id !== null);
  const docs = await reposOf(ctx).revisions.ofPosts(objectIds);
  const groups = new Map<string, RevisionDoc[]>();
  for (const d of docs) groups.set(d.postId.toHexString(), [...(groups.get(d.postId.toHexString()) ?? []), d]);
  return ids.map((id) => groups.get(id) ?? []);
}

export interface TagScore {
  name: string;
  posts: number;
  score: number;
}

/** A member's tags: their questions' tags plus the tags of the questions they answered. */
export async function topTagsOf(ctx: Pick<Context, 'deps' | 'cache'>, authorId: Types.ObjectId, limit: number): Promise<TagScore[]> {
  noteReads(ctx, ['list:posts']);
  const posts = reposOf(ctx).posts;
  const mine = await posts.recentOfAuthor(authorId, 'type tags questionId score', 2000);
  const parents = await posts.findPostsByIds([
    ...new Set(mine.filter((p) => p.type === 'answer' && p.questionId).map((p) => p.questionId!.toHexString())),
  ]);
  const tagsOf = new Map(parents.filter((q): q is PostDoc => q !== null).map((q) => [q._id.toHexString(), q.tags]));
  const totals = new Map<string, TagScore>();
  for (const p of mine) {
    const tags = p.type === 'question' ? p.tags : (tagsOf.get(p.questionId?.toHexString() ?? '') ?? []);
    for (const name of tags) {
      const entry = totals.get(name) ?? { name, posts: 0, score: 0 };
      entry.posts++;
      entry.score += p.score;
      totals.set(name, entry);
    }
  }
  return [...totals.values()].sort((a, b) => b.score - a.score || b.posts - a.posts || a.name.localeCompare(b.name)).slice(0, limit);
}
