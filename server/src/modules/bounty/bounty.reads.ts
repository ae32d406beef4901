// Reads of bounties that are more than a load by id: the "Featured" questions (the featured set
// in Redis, rebuilt from the bounties when missing) and each question's bounty (per-request
// loaders by the question's `_id`). Kept free of the services so that post.reads.ts can use it.
import DataLoader from 'dataloader';
import { Types } from 'mongoose';
import type { AppDeps, Context } from '../../context.js';
import { noteReads, readModelLoader, requestScoped } from '../../graphql/request-scoped.js';
import { encodeCursor, toConnection, type PageWindow } from '../../lib/connection.js';
import type { PostDoc } from '../post/post.model.js';
import type { BountyDoc, QuestionBountiesDoc } from './bounty.model.js';

/** Rebuilds the featured set from the active bounties (a flushed Redis; verify). */
export async function rebuildFeatured(deps: Pick<AppDeps, 'repos'>): Promise<number> {
  const active = await deps.repos.bounties.bounties.active();
  await deps.repos.bounties.featured.replace(
    active.map((b) => ({ questionId: b.questionId.toHexString(), endsAt: b.endsAt, bountyId: b._id.toHexString() })),
  );
  return active.length;
}

/** The featured entries, the bounty that ends last first (newest bounties first). */
async function featuredEntries(ctx: Pick<Context, 'deps'>): Promise<Array<{ questionId: string; endsAt: number }>> {
  const { featured, bounties } = ctx.deps.repos.bounties;
  let entries: Array<{ questionId: string; endsAt: number }>;
  try {
    if (!featured.enabled) throw new Error('no Redis');
    if (!(await featured.isBuilt())) await rebuildFeatured(ctx.deps);
    entries = await featured.all();
  } catch {
    // Redis away: the active bounties from the database (an index on MongoDB)
    entries = (await bounties.active()).map((b) => ({ questionId: b.questionId.toHexString(), endsAt: new Date(b.endsAt).getTime() }));
  }
  return entries.sort((a, b) => b.endsAt - a.endsAt || (a.questionId < b.questionId ? 1 : -1));
}

/** One page of the questions with an active bounty (the `featured` filter of `questions`). */
export async function featuredQuestions(ctx: Pick<Context, 'deps' | 'cache'>, window: PageWindow) {
  noteReads(ctx, ['list:bounties', 'list:posts']);
  const all = await featuredEntries(ctx);
  const endsAt = new Map(all.map((e) => [e.questionId, e.endsAt]));
  const cursor = window.cursor ? { at: Number(window.cursor.key), id: window.cursor.id } : null;
  const after = (e: { questionId: string; endsAt: number }) =>
    !cursor || e.endsAt < cursor.at || (e.endsAt === cursor.at && e.questionId < cursor.id);
  const before = (e: { questionId: string; endsAt: number }) =>
    !cursor || e.endsAt > cursor.at || (e.endsAt === cursor.at && e.questionId > cursor.id);
  const slice = window.backward
    ? all
        .filter(before)
        .reverse()
        .slice(0, window.limit + 1)
    : all.filter(after).slice(0, window.limit + 1);
  const docs = await ctx.deps.repos.posts.findPostsByIds(slice.map((e) => e.questionId));
  const rows = docs.filter((q): q is PostDoc => q !== null && q.type === 'question' && !q.deletedAt);
  const cursorOf = (q: PostDoc) => encodeCursor(endsAt.get(q._id.toHexString()) ?? 0, q._id.toHexString());
  return { ...toConnection(rows, window, cursorOf), totalCount: all.length };
}

/** Each question's bounty state by question id (hex), per request. */
function stateLoader(ctx: Context): DataLoader<string, QuestionBountiesDoc | null> {
  return readModelLoader(
    ctx,
    'bounty:questionState',
    (id) => `bounties:${id}`,
    (ids) => ctx.deps.repos.bounties.questions.findByIdsOrdered(ids.map((id) => new Types.ObjectId(id))),
  );
}

function bountyLoader(ctx: Context): DataLoader<string, BountyDoc | null> {
  return readModelLoader(
    ctx,
    'bounty:byId',
    (id) => `bounty:${id}`,
    (ids) => ctx.deps.repos.bounties.bounties.findByIdsOrdered(ids.map((id) => new Types.ObjectId(id))),
  );
}

/** A question's bounty state (null: never had one). */
export function questionBountyState(ctx: Context, questionId: Types.ObjectId): Promise<QuestionBountiesDoc | null> {
  return stateLoader(ctx).load(questionId.toHexString());
}

/** A question's current bounty: the active one, else the latest (awarded or expired); null: none. */
export async function currentBounty(ctx: Context, questionId: Types.ObjectId): Promise<BountyDoc | null> {
  const state = await questionBountyState(ctx, questionId);
  const id = state?.activeId ?? state?.latestId ?? null;
  return id ? bountyLoader(ctx).load(id.toHexString()) : null;
}

/**
 * The active bounty id of questions from the featured read model (Redis), batched per request;
 * undefined when it cannot answer (not built, Redis away): the question's state answers then.
 */
function activeIdLoader(ctx: Context): DataLoader<string, string | null | undefined> {
  return requestScoped(
    ctx,
    'bounty:activeId',
    () =>
      new DataLoader(async (ids: readonly string[]) => {
        noteReads(ctx, ['list:bounties']);
        const found = await ctx.deps.repos.bounties.featured.activeOf(ids).catch(() => null);
        return ids.map((_id, i) => (found ? (found[i] ?? null) : undefined));
      }),
  );
}

/** A question's active bounty, or null (list rows: no database read for questions without one). */
export async function activeBounty(ctx: Context, questionId: Types.ObjectId): Promise<BountyDoc | null> {
  const listed = await activeIdLoader(ctx).load(questionId.toHexString());
  let id: string | null;
  if (listed === undefined) {
    const state = await questionBountyState(ctx, questionId);
    id = state?.activeId?.toHexString() ?? null;
  } else id = listed;
  if (!id) return null;
  const bounty = await bountyLoader(ctx).load(id);
  return bounty?.status === 'ACTIVE' ? bounty : null;
}

/** Every bounty of a question, oldest first. */
export async function bountiesOf(ctx: Context, questionId: Types.ObjectId): Promise<BountyDoc[]> {
  const state = await questionBountyState(ctx, questionId);
  const ids = (state?.offers ?? []).map((o) => o.bountyId.toHexString());
  const docs = await bountyLoader(ctx).loadMany(ids);
  return docs.filter((d): d is BountyDoc => d !== null && !(d instanceof Error));
}
