// Who is active in a tag: the tag page's "top askers" and "top answerers" (and `experts`), and a
// member's top tags. Deleted posts never count.
//
// The rankings are pure functions of the posts (`rankAskers`, `rankAnswerers`, `rankTags`): the
// rollups (tag-stats.compute.ts, user-stats.compute.ts) feed them the facts of many tags or
// members read at once, `topAskers`/`topAnswerers` the facts of one tag read with the tag's own
// queries (what pages did before the rollups; tests compare both).
import type { Types } from 'mongoose';
import { ValidationError } from '../../lib/errors.js';
import type { PostRepository } from './post.repository.js';

export interface TagAsker {
  userId: string;
  questionCount: number;
  /** total score of their questions in this tag */
  score: number;
}

export interface TagAnswerer {
  userId: string;
  answerCount: number;
  /** total score of their answers in this tag */
  score: number;
  acceptedCount: number;
}

export interface TagScore {
  name: string;
  posts: number;
  score: number;
}

export function checkFirst(first: number | null | undefined, fallback = 10): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new ValidationError('must be between 1 and 100', 'first');
  return n;
}

/** the most posts of one tag looked at when ranking (the best-scored first) */
export const WINDOW = 20_000;

/** A live question of a tag, as the rankings read it. */
export interface QuestionFacts {
  _id: Types.ObjectId;
  authorId: Types.ObjectId;
  score: number;
  answerCount?: number;
  acceptedAnswerId?: Types.ObjectId | null;
}

/** A live answer, as the rankings read it. */
export interface AnswerFacts {
  _id: Types.ObjectId;
  authorId: Types.ObjectId;
  score: number;
}

interface Tally {
  count: number;
  score: number;
}

/** Totals per author, in JS: FerretDB 1.24's `$group` sums a field path as 0. */
function tallyByAuthor(rows: ReadonlyArray<{ authorId: Types.ObjectId; score: number }>): Map<string, Tally> {
  const byAuthor = new Map<string, Tally>();
  for (const r of rows) {
    const id = r.authorId.toHexString();
    const t = byAuthor.get(id) ?? { count: 0, score: 0 };
    t.count++;
    t.score += r.score;
    byAuthor.set(id, t);
  }
  return byAuthor;
}

/** The questions a ranking looks at: best-scored first (then by `_id`), WINDOW at most. */
export function rankingWindow<Q extends { _id: Types.ObjectId; score: number }>(questions: readonly Q[]): Q[] {
  return [...questions]
    .sort((a, b) => b.score - a.score || (a._id.toHexString() < b._id.toHexString() ? -1 : a._id.equals(b._id) ? 0 : 1))
    .slice(0, WINDOW);
}

/** Members who asked the best-received of these live questions of a tag: total question score, then count. */
export function rankAskers(questions: readonly QuestionFacts[], first: number): TagAsker[] {
  return [...tallyByAuthor(rankingWindow(questions))]
    .map(([userId, t]) => ({ userId, questionCount: t.count, score: t.score }))
    .sort((a, b) => b.score - a.score || b.questionCount - a.questionCount || a.userId.localeCompare(b.userId))
    .slice(0, first);
}

/**
 * Members whose answers to these live questions of a tag score best: total answer score, then
 * accepted answers, then count. `answersOf` gives a question's live answers.
 */
export function rankAnswerers(
  questions: readonly QuestionFacts[],
  answersOf: (questionId: Types.ObjectId) => readonly AnswerFacts[],
  first: number,
): TagAnswerer[] {
  const answered = rankingWindow(questions.filter((q) => (q.answerCount ?? 0) > 0));
  if (answered.length === 0) return [];
  const accepted = new Set(answered.flatMap((q) => (q.acceptedAnswerId ? [q.acceptedAnswerId.toHexString()] : [])));
  const answers = answered.flatMap((q) => answersOf(q._id));
  const acceptedBy = tallyByAuthor(answers.filter((a) => accepted.has(a._id.toHexString())));
  return [...tallyByAuthor(answers)]
    .map(([userId, t]) => ({ userId, answerCount: t.count, score: t.score, acceptedCount: acceptedBy.get(userId)?.count ?? 0 }))
    .sort(
      (a, b) => b.score - a.score || b.acceptedCount - a.acceptedCount || b.answerCount - a.answerCount || a.userId.localeCompare(b.userId),
    )
    .slice(0, first);
}

/**
 * A member's tags from their live posts: a question counts for its tags, an answer for its
 * question's tags (`tagsOfQuestion`); by total post score, then posts, then name.
 */
export function rankTags(
  posts: ReadonlyArray<{ type: string; tags?: string[] | null; questionId?: Types.ObjectId | null; score: number }>,
  tagsOfQuestion: (questionId: string) => readonly string[],
  limit: number,
): TagScore[] {
  const totals = new Map<string, TagScore>();
  for (const p of posts) {
    const tags = p.type === 'question' ? (p.tags ?? []) : p.questionId ? tagsOfQuestion(p.questionId.toHexString()) : [];
    for (const name of tags) {
      const entry = totals.get(name) ?? { name, posts: 0, score: 0 };
      entry.posts++;
      entry.score += p.score;
      totals.set(name, entry);
    }
  }
  return [...totals.values()].sort((a, b) => b.score - a.score || b.posts - a.posts || a.name.localeCompare(b.name)).slice(0, limit);
}

/** Top askers of one tag from its own queries (the rollup's reference: tests, diagnostics). */
export async function topAskers(posts: PostRepository, tag: string, first: number): Promise<TagAsker[]> {
  const questions = await posts.tagQuestionsByScore<QuestionFacts>(tag, '_id authorId score', WINDOW);
  return rankAskers(questions, first);
}

/** Top answerers of one tag from its own queries (the rollup's reference: tests, diagnostics). */
export async function topAnswerers(posts: PostRepository, tag: string, first: number): Promise<TagAnswerer[]> {
  const questions = await posts.tagQuestionsByScore<QuestionFacts>(tag, '_id authorId score answerCount acceptedAnswerId', WINDOW, true);
  if (questions.length === 0) return [];
  const answers = await posts.liveAnswersOf<AnswerFacts & { questionId: Types.ObjectId }>(
    questions.map((q) => q._id),
    '_id authorId score questionId',
  );
  const byQuestion = groupBy(answers, (a) => a.questionId.toHexString());
  return rankAnswerers(questions, (id) => byQuestion.get(id.toHexString()) ?? [], first);
}

export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
