// A question's "Linked" and "Related" lists (the question page's sidebar), every part read by
// `_id`:
//   Linked  = the question it duplicates, the questions it links to (imported PostLinks, on the
//             question: `duplicateOfId`, `relatedIds`), the questions that link to it (imported
//             PostLinks whose target it is: the `question_links` document of its id) and the
//             questions closed as its duplicates (`duplicateIds`, modules/review).
//   Related = the questions it links to as related, then — up to RELATED_MAX — similar questions
//             found by search (title, preferring shared tags), computed once and kept in its
//             `question_links` document with the title and tags they were computed for
//             (recomputed when those change or after SIMILAR_TTL_MS): never a search per page view.
import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import { Types } from 'mongoose';
import type { Context } from '../../context.js';
import { readModelLoader } from '../../graphql/request-scoped.js';
import { visiblePostLoader } from '../loaders.js';
import type { PostDoc } from '../post/post.model.js';
import { reposOf, servicesOf } from '../services.js';
import type { QuestionLinksDoc } from './links.model.js';

/** how many questions "Related" shows at most (explicit links are never cut) */
export const RELATED_MAX = 10;
/** how long a search-derived "Related" list is kept before it is computed again */
export const SIMILAR_TTL_MS = 7 * 86_400_000;

type Ctx = Context;

function linksLoader(ctx: Ctx): DataLoader<string, QuestionLinksDoc | null> {
  return readModelLoader(
    ctx,
    'questionLinks',
    (id) => `question_links:${id}`,
    (ids) => reposOf(ctx).links.findByIdsOrdered(ids.map((id) => new Types.ObjectId(id))),
  );
}

const hex = (ids: ReadonlyArray<Types.ObjectId | null | undefined> | null | undefined): string[] =>
  (ids ?? []).filter((id): id is Types.ObjectId => !!id).map((id) => id.toHexString());

/** Visible questions among `ids`, in order, each once, never `self`. */
async function visibleQuestions(ctx: Ctx, ids: readonly string[], self: string): Promise<PostDoc[]> {
  const unique = [...new Set(ids)].filter((id) => id !== self);
  const docs = await Promise.all(unique.map((id) => visiblePostLoader(ctx).load(id)));
  return docs.filter((d): d is PostDoc => d !== null && d.type === 'question');
}

/** The "Linked" list: both directions of every link, duplicates included. */
export async function linkedQuestions(ctx: Ctx, q: PostDoc): Promise<PostDoc[]> {
  const self = q._id.toHexString();
  const links = await linksLoader(ctx).load(self);
  return visibleQuestions(ctx, [...hex([q.duplicateOfId]), ...hex(q.relatedIds), ...hex(links?.inboundIds), ...hex(q.duplicateIds)], self);
}

/** What a search-derived list was computed for. */
export function similarBasis(q: Pick<PostDoc, 'title' | 'tags'>): string {
  return createHash('sha1')
    .update(`${q.title ?? ''}\0${[...(q.tags ?? [])].sort().join(' ')}`)
    .digest('hex')
    .slice(0, 16);
}

/** The "Related" list: the questions it links to as related, then similar ones from search. */
export async function relatedQuestions(ctx: Ctx, q: PostDoc): Promise<PostDoc[]> {
  const self = q._id.toHexString();
  const explicit = await visibleQuestions(ctx, hex(q.relatedIds), self);
  if (explicit.length >= RELATED_MAX) return explicit;
  const shown = new Set([self, ...explicit.map((p) => p._id.toHexString()), ...hex([q.duplicateOfId])]);
  const similar = (await visibleQuestions(ctx, await similarIds(ctx, q), self)).filter((p) => !shown.has(p._id.toHexString()));
  return [...explicit, ...similar.slice(0, RELATED_MAX - explicit.length)];
}

/** The kept search-derived list, or a new one (computed, ordered by shared tags, then kept). */
async function similarIds(ctx: Ctx, q: PostDoc): Promise<string[]> {
  const self = q._id.toHexString();
  const links = await linksLoader(ctx).load(self);
  const basis = similarBasis(q);
  const now = servicesOf(ctx).clock.now();
  if (links?.similarIds && links.similarBasis === basis && links.similarAt && now.getTime() - links.similarAt.getTime() < SIMILAR_TTL_MS)
    return hex(links.similarIds);
  let ids: string[];
  try {
    const hits = await servicesOf(ctx).search.similar(q.title ?? '', RELATED_MAX * 2);
    const candidates = [...new Set(hits.map((h) => h.questionId))].filter((id) => id !== self && Types.ObjectId.isValid(id));
    // only what anyone may see is kept (the list is shared by every viewer)
    const posts = await reposOf(ctx).posts.findPostsByIds(candidates);
    const tags = new Set(q.tags ?? []);
    const shared = (p: PostDoc) => (p.tags ?? []).filter((t) => tags.has(t)).length;
    ids = posts
      .filter((p): p is PostDoc => !!p && p.type === 'question' && !p.deletedAt && !p.hiddenAt)
      .map((p, rank) => ({ p, rank }))
      .sort((a, b) => shared(b.p) - shared(a.p) || a.rank - b.rank)
      .slice(0, RELATED_MAX)
      .map(({ p }) => p._id.toHexString());
  } catch (error) {
    // search unavailable: no similar questions this time, nothing kept
    ctx.deps.log.warn({ err: error, questionId: self }, 'related questions: search failed');
    return [];
  }
  await reposOf(ctx)
    .links.setSimilar(
      q._id,
      ids.map((id) => new Types.ObjectId(id)),
      basis,
      now,
    )
    .catch((error: unknown) => ctx.deps.log.warn({ err: error, questionId: self }, 'related questions: not kept'));
  return ids;
}
