// Listening: staff save watches (search queries); the `listening` activity handler evaluates
// them on every new or edited question or answer and records matches (idempotent by id).
import { Types } from 'mongoose';
import { z } from 'zod';
import type { AppDeps, Context } from '../../context.js';
import { requestScoped } from '../../graphql/request-scoped.js';
import { utcDay } from '../../lib/clock.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../lib/errors.js';
import { toObjectId } from '../../lib/ids.js';
import { leadingWords, markdownToPlainText } from '../../lib/plain-text.js';
import { parseSearchQuery } from '../../lib/search-query.js';
import { parseInput } from '../../lib/validate.js';
import type { ActivityHandler } from '../activity/activity.js';
import { organizationOf } from '../organization/organization.service.js';
import { reposOf } from '../services.js';
import { requireWriter } from '../user/user.service.js';
import { matchesWatch } from './listening.match.js';
import type { MatchDoc, WatchDoc } from './listening.model.js';

type Ctx = Pick<Context, 'deps' | 'viewer' | 'cache'>;

const indexOf = (deps: AppDeps) => deps.repos.listening.index(deps.redis, deps.config.redisPrefix);

/** The viewer's listening scope: their vendor organisation, "site" for admins outside one; else FORBIDDEN. */
export async function listeningScope(ctx: Ctx): Promise<string> {
  const viewer = ctx.viewer;
  if (!viewer) throw new UnauthenticatedError();
  const org = await requestScoped(ctx, 'listening:org', () => organizationOf(ctx.deps, viewer.id));
  if (org?.kind === 'VENDOR' && viewer.role !== 'MEMBER') return org._id.toHexString();
  if (viewer.role === 'ADMIN') return 'site';
  throw new ForbiddenError('Listening is for the vendor’s staff.');
}

const watchInput = z.object({
  name: z.string().trim().min(2).max(80),
  query: z.string().trim().min(2).max(500),
});

export async function createListeningWatch(ctx: Context, raw: z.input<typeof watchInput>): Promise<WatchDoc> {
  const viewer = requireWriter(ctx);
  const input = parseInput(watchInput, raw);
  const scope = await listeningScope(ctx);
  parseSearchQuery(input.query); // a malformed operator is a VALIDATION error naming it
  const watch = await reposOf(ctx).listening.watches.create({ ...input, ownerId: new Types.ObjectId(viewer.id), scope });
  await indexOf(ctx.deps).addWatch(watch);
  return watch;
}

export async function deleteListeningWatch(ctx: Context, watchId: string): Promise<string> {
  requireWriter(ctx);
  const watch = await loadWatch(ctx, watchId);
  await reposOf(ctx).listening.watches.deleteById(watch._id);
  await indexOf(ctx.deps).removeWatch(watch);
  return watch._id.toHexString();
}

export async function loadWatch(ctx: Ctx, watchId: string): Promise<WatchDoc> {
  const scope = await listeningScope(ctx);
  const id = toObjectId(watchId);
  const watch = id ? await reposOf(ctx).listening.watches.findById(id) : null;
  if (!watch || watch.scope !== scope) throw new NotFoundError('The watch');
  return watch;
}

export async function listeningWatches(ctx: Ctx): Promise<WatchDoc[]> {
  const scope = await listeningScope(ctx);
  const ids = await indexOf(ctx.deps).watchIds(scope);
  const docs = await reposOf(ctx).listening.watches.findByIdsOrdered(ids.map((id) => new Types.ObjectId(id)));
  return docs.filter((d): d is WatchDoc => d !== null);
}

/** Matches newest first, of one watch or of every watch of the viewer's scope. */
export async function listeningMatches(ctx: Ctx, watchId: string | null, window: { offset: number; limit: number }) {
  const scope = await listeningScope(ctx);
  const key = watchId ? { watchId: (await loadWatch(ctx, watchId))._id.toHexString() } : { scope };
  const index = indexOf(ctx.deps);
  const ids = await index.matchIds(key, window.offset, window.limit + 1);
  const docs = (await reposOf(ctx).listening.matches.findByIdsOrdered(ids.slice(0, window.limit))).filter((d): d is MatchDoc => d !== null);
  return { matches: docs, hasNextPage: ids.length > window.limit, total: await index.matchCount(key) };
}

/**
 * Rebuilds the Redis read models from the collections when Redis lost them (worker only: it scans
 * the watches and matches). Returns whether it rebuilt.
 */
export async function ensureListeningIndex(deps: AppDeps): Promise<boolean> {
  if (await indexOf(deps).isBuilt()) return false;
  await deps.repos.listening.rebuildIndex(deps.redis, deps.config.redisPrefix);
  return true;
}

const EVALUATED = new Set(['question.created', 'question.updated', 'answer.created', 'answer.updated']);

/** Evaluates every watch on a new or edited post (never older or deleted ones). */
export const listeningHandler: ActivityHandler = {
  name: 'listening',
  async handle(deps, event) {
    if (!EVALUATED.has(event.type)) return;
    await ensureListeningIndex(deps);
    const index = indexOf(deps);
    const watchIds = await index.allWatchIds();
    if (watchIds.length === 0) return;
    const post = await deps.repos.posts.findById(new Types.ObjectId(event.subjectId));
    if (!post || post.deletedAt) return;
    const question =
      post.type === 'question' ? post : post.questionId ? await deps.repos.posts.findById(post.questionId, 'tags title') : null;
    const [author] = await deps.repos.users.findManyByIds([post.authorId], 'handle');
    const [space] = await deps.repos.spaces.findManyByIds([post.spaceId], 'slug');
    const facts = {
      type: post.type as 'question' | 'answer',
      title: post.title ?? null,
      body: post.body,
      tags: question?.tags ?? [],
      authorHandle: (author as { handle?: string } | undefined)?.handle ?? null,
      spaceSlug: (space as { slug?: string } | undefined)?.slug ?? null,
      score: post.score,
    };
    const watches = (await deps.repos.listening.watches.findManyByIds(watchIds.map((id) => new Types.ObjectId(id)))) as WatchDoc[];
    const at = new Date(event.at);
    for (const watch of watches) {
      let parsed;
      try {
        parsed = parseSearchQuery(watch.query);
      } catch {
        continue;
      }
      if (!matchesWatch(parsed, facts)) continue;
      const match: MatchDoc = {
        _id: `${watch._id.toHexString()}:${post._id.toHexString()}:${post.revisionCount ?? 1}`,
        watchId: watch._id,
        scope: watch.scope,
        postId: post._id,
        questionId: post.questionId ?? post._id,
        spaceId: post.spaceId,
        revision: post.revisionCount ?? 1,
        excerpt: leadingWords(`${post.title ? `${post.title} — ` : ''}${markdownToPlainText(post.body)}`, 40),
        day: utcDay(at),
        matchedAt: at,
      };
      if (await deps.repos.listening.matches.insertOnce(match)) await index.addMatch(match);
      else await index.addMatch((await deps.repos.listening.matches.findById(match._id)) ?? match);
    }
  },
};
