// The expertise locator (issue 15 item 4): a space's experts and the people finder.
//
// - A space's experts are a rollup (`space_experts`, one document per space, read by `_id`): the
//   worker recomputes it from the space's live answers when a write marks the space
//   (analytics.rollup.ts), ranked by `rankSpaceExperts`. A tag's experts are the tag's statistics
//   (tag_stats, the `experts(tag)` ranking), which the post module's rollups keep.
// - The people finder looks a skill up in three read models, all read by key: the members who
//   list it among their profile's expertise tags and the members whose "about" text names it
//   (Redis sets, analytics.people.ts), and the tag's top answerers (tag_stats). Several words
//   must all match.
import type { Types } from 'mongoose';
import type { AppDeps, Context } from '../../context.js';
import { noteReads } from '../../graphql/request-scoped.js';
import { ValidationError } from '../../lib/errors.js';
import type { PostDoc } from '../post/post.model.js';
import type { TagStatsDoc } from '../post/tag-stats.model.js';
import { reposOf } from '../services.js';
import type { SpaceExpert } from './analytics.model.js';
import { tagStatsKey } from '../post/tag-stats.repository.js';
import { normalizeTerm } from './analytics.people.js';
import { PEOPLE_INDEX_KEY, spaceExpertsKey } from './analytics.repository.js';

/** the most experts a space's rollup keeps */
export const MAX_EXPERTS = 100;

/** Expertise points: accepted and verified answers weigh three answers, plus the answers' score. */
export function expertisePoints(e: { answerCount: number; score: number; acceptedCount: number; verifiedCount?: number }): number {
  return 3 * (e.acceptedCount + (e.verifiedCount ?? 0)) + e.answerCount + Math.max(0, e.score);
}

/**
 * Ranks the authors of a space's live answers (pure): by expertise points, then accepted and
 * verified answers, then answer score, then member id.
 */
export function rankSpaceExperts(
  answers: ReadonlyArray<{ _id: Types.ObjectId; authorId: Types.ObjectId; score: number }>,
  accepted: ReadonlySet<string>,
  verified: ReadonlySet<string>,
  first = MAX_EXPERTS,
): SpaceExpert[] {
  const byAuthor = new Map<string, SpaceExpert>();
  for (const a of answers) {
    const userId = a.authorId.toHexString();
    const e = byAuthor.get(userId) ?? { userId, answerCount: 0, score: 0, acceptedCount: 0, verifiedCount: 0 };
    e.answerCount++;
    e.score += a.score;
    if (accepted.has(a._id.toHexString())) e.acceptedCount++;
    if (verified.has(a._id.toHexString())) e.verifiedCount++;
    byAuthor.set(userId, e);
  }
  return [...byAuthor.values()]
    .sort(
      (a, b) =>
        expertisePoints(b) - expertisePoints(a) ||
        b.acceptedCount + b.verifiedCount - (a.acceptedCount + a.verifiedCount) ||
        b.score - a.score ||
        a.userId.localeCompare(b.userId),
    )
    .slice(0, first);
}

/** Recomputes one space's experts from its live answers (the worker; index-backed by space and type). */
export async function rollupSpaceExperts(deps: AppDeps, spaceId: Types.ObjectId): Promise<SpaceExpert[]> {
  const posts = deps.repos.posts;
  const questions = (
    await posts.findWhere<Pick<PostDoc, '_id' | 'acceptedAnswerId' | 'verifiedAnswerId' | 'deletedAt'>>(
      { spaceId, type: 'question' },
      '_id acceptedAnswerId verifiedAnswerId deletedAt',
    )
  ).filter((q) => !q.deletedAt);
  const live = new Set(questions.map((q) => q._id.toHexString()));
  const accepted = new Set(questions.flatMap((q) => (q.acceptedAnswerId ? [q.acceptedAnswerId.toHexString()] : [])));
  const verified = new Set(questions.flatMap((q) => (q.verifiedAnswerId ? [q.verifiedAnswerId.toHexString()] : [])));
  const answers = (
    await posts.findWhere<Pick<PostDoc, '_id' | 'authorId' | 'score' | 'questionId' | 'deletedAt'>>(
      { spaceId, type: 'answer' },
      '_id authorId score questionId deletedAt',
    )
  ).filter((a) => !a.deletedAt && a.questionId && live.has(a.questionId.toHexString()));
  const experts = rankSpaceExperts(answers, accepted, verified);
  await deps.repos.analytics.experts.put({ _id: spaceId, experts, builtAt: deps.services.clock.now() });
  return experts;
}

/** A space's experts from its rollup (read by `_id`), the first `first`. */
export async function spaceExperts(ctx: Context, spaceId: Types.ObjectId, first: number): Promise<SpaceExpert[]> {
  noteReads(ctx, [spaceExpertsKey(spaceId.toHexString())]);
  const doc = await reposOf(ctx).analytics.experts.findById(spaceId);
  return (doc?.experts ?? []).slice(0, first);
}

// ---------------------------------------------------------------------------------------------
// people finder

export interface PersonMatch {
  userId: string;
  points: number;
  /** the query's words the member lists among their profile's expertise */
  declared: string[];
  /** the query's words their about text names */
  mentioned: string[];
  /** the tags (query words) they answer in, with their figures there */
  tags: Array<{ name: string; answerCount: number; acceptedCount: number; score: number }>;
}

/** Parses the finder's query: 1 to 5 distinct words. */
export function parsePeopleQuery(q: string): string[] {
  const words = [
    ...new Set(
      q
        .split(/[\s,]+/)
        .map((w) => normalizeTerm(w.replace(/^\[|\]$/g, '')))
        .filter((w): w is string => w !== null),
    ),
  ];
  if (words.length === 0) throw new ValidationError('name a skill or tag, e.g. "postgresql"', 'skill');
  if (words.length > 5) throw new ValidationError('at most 5 words', 'skill');
  return words;
}

/**
 * Combines the read models (pure): members matching every word — a profile skill (10 points), the
 * about text (2 points) or answers in the tag (expertise points) — ranked by points, then id.
 */
export function matchPeople(
  words: readonly string[],
  declared: ReadonlyMap<string, ReadonlySet<string>>,
  mentioned: ReadonlyMap<string, ReadonlySet<string>>,
  tagStats: ReadonlyMap<string, Pick<TagStatsDoc, 'answerers'> | undefined>,
  first: number,
): PersonMatch[] {
  let result: Map<string, PersonMatch> | null = null;
  for (const word of words) {
    const here = new Map<string, PersonMatch>();
    const entry = (userId: string) => {
      let m = here.get(userId);
      if (!m) here.set(userId, (m = { userId, points: 0, declared: [], mentioned: [], tags: [] }));
      return m;
    };
    for (const userId of declared.get(word) ?? []) {
      const m = entry(userId);
      m.declared.push(word);
      m.points += 10;
    }
    for (const userId of mentioned.get(word) ?? []) {
      const m = entry(userId);
      m.mentioned.push(word);
      m.points += 2;
    }
    for (const a of tagStats.get(word)?.answerers ?? []) {
      const m = entry(a.userId);
      m.tags.push({ name: word, answerCount: a.answerCount, acceptedCount: a.acceptedCount, score: a.score });
      m.points += expertisePoints(a);
    }
    if (result === null) result = here;
    else {
      const merged = new Map<string, PersonMatch>();
      for (const [userId, m] of here) {
        const before = result.get(userId);
        if (!before) continue;
        merged.set(userId, {
          userId,
          points: before.points + m.points,
          declared: [...before.declared, ...m.declared],
          mentioned: [...before.mentioned, ...m.mentioned],
          tags: [...before.tags, ...m.tags],
        });
      }
      result = merged;
    }
  }
  return [...(result ?? new Map<string, PersonMatch>()).values()]
    .sort((a, b) => b.points - a.points || a.userId.localeCompare(b.userId))
    .slice(0, first);
}

/** People with a skill: profile expertise, about text and tag answers (read models only). */
export async function findPeople(ctx: Context, skill: string, first: number): Promise<PersonMatch[]> {
  const words = parsePeopleQuery(skill);
  const repo = reposOf(ctx).analytics;
  const { redis } = ctx.deps;
  const prefix = ctx.deps.config.redisPrefix;
  noteReads(ctx, [PEOPLE_INDEX_KEY, ...words.map((w) => tagStatsKey(w))]);
  const declared = new Map<string, Set<string>>();
  const mentioned = new Map<string, Set<string>>();
  for (const w of words) {
    declared.set(w, new Set(await repo.peopleWith(redis, prefix, `s:${w}`)));
    mentioned.set(w, new Set(await repo.peopleWith(redis, prefix, `w:${w}`)));
  }
  const stats = await reposOf(ctx).tagStats.findManyByIds([...words]);
  const byTag = new Map(stats.map((s) => [s._id, s]));
  return matchPeople(words, declared, mentioned, byTag, first);
}
