// Who is active in a tag: the tag page's "top askers" and "top answerers" (and `experts`).
// Deleted posts never count.
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

export function checkFirst(first: number | null | undefined, fallback = 10): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new ValidationError('must be between 1 and 100', 'first');
  return n;
}

/** the most posts of one tag looked at when ranking (the best-scored first) */
const WINDOW = 20_000;

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

/** Members who asked the best-received questions in a tag: total question score, then count. */
export async function topAskers(posts: PostRepository, tag: string, first: number): Promise<TagAsker[]> {
  const questions = await posts.tagQuestionsByScore<{ authorId: Types.ObjectId; score: number }>(tag, 'authorId score', WINDOW);
  return [...tallyByAuthor(questions)]
    .map(([userId, t]) => ({ userId, questionCount: t.count, score: t.score }))
    .sort((a, b) => b.score - a.score || b.questionCount - a.questionCount || a.userId.localeCompare(b.userId))
    .slice(0, first);
}

/** Members whose answers in a tag score best: total answer score, then accepted answers, then count. */
export async function topAnswerers(posts: PostRepository, tag: string, first: number): Promise<TagAnswerer[]> {
  const questions = await posts.tagQuestionsByScore<{ _id: Types.ObjectId; acceptedAnswerId?: Types.ObjectId | null }>(
    tag,
    '_id acceptedAnswerId',
    WINDOW,
    true,
  );
  if (questions.length === 0) return [];
  const accepted = new Set(questions.flatMap((q) => (q.acceptedAnswerId ? [q.acceptedAnswerId.toHexString()] : [])));
  const answers = await posts.liveAnswersOf<{ _id: Types.ObjectId; authorId: Types.ObjectId; score: number }>(
    questions.map((q) => q._id),
    '_id authorId score',
  );
  const acceptedBy = tallyByAuthor(answers.filter((a) => accepted.has(a._id.toHexString())));
  return [...tallyByAuthor(answers)]
    .map(([userId, t]) => ({ userId, answerCount: t.count, score: t.score, acceptedCount: acceptedBy.get(userId)?.count ?? 0 }))
    .sort(
      (a, b) => b.score - a.score || b.acceptedCount - a.acceptedCount || b.answerCount - a.answerCount || a.userId.localeCompare(b.userId),
    )
    .slice(0, first);
}
