// Queries over posts. Hot reads are by id (batched) or by the question they belong to.
import { Types } from 'mongoose';
import { keyset, type PageWindow } from '../../lib/connection.js';
import { op } from '../../lib/mongo-ops.js';
import { PostModel, type PostDoc } from './post.model.js';
import { findByIds } from '../../infra/mongo.js';

export function toObjectId(id: string | Types.ObjectId): Types.ObjectId | null {
  if (id instanceof Types.ObjectId) return id;
  return /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;
}

/** Posts by id, in input order (null where missing): the DataLoader batch function. */
export async function findPostsByIds(ids: readonly string[]): Promise<Array<PostDoc | null>> {
  const objectIds = ids.map((id) => toObjectId(id)).filter((id): id is Types.ObjectId => id !== null);
  const docs = await findByIds<PostDoc>(PostModel, objectIds);
  const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
  return ids.map((id) => byId.get(id) ?? null);
}

/**
 * Answers of several questions (in their order): read by id from the questions' child lists,
 * with one query by parent for questions that have no list yet.
 */
export async function findAnswersOfQuestions(questions: ReadonlyArray<Pick<PostDoc, '_id' | 'answerIds'>>): Promise<PostDoc[][]> {
  const listed = questions.filter((q) => Array.isArray(q.answerIds));
  const unlisted = questions.filter((q) => !Array.isArray(q.answerIds)).map((q) => q._id);
  const docs = [
    ...(await findByIds<PostDoc>(
      PostModel,
      listed.flatMap((q) => q.answerIds!),
    )),
    ...(unlisted.length ? ((await PostModel.find({ type: 'answer', questionId: op.in(unlisted) }).lean()) as PostDoc[]) : []),
  ];
  const groups = new Map<string, PostDoc[]>();
  for (const d of docs) {
    if (d.type !== 'answer' || !d.questionId) continue;
    const key = d.questionId.toHexString();
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return questions.map((q) => groups.get(q._id.toHexString()) ?? []);
}

/**
 * The display order of a question's answers: accepted first, then verified, then by score,
 * then oldest first.
 */
export function sortAnswers(question: Pick<PostDoc, 'acceptedAnswerId'>, answers: PostDoc[]): PostDoc[] {
  const accepted = question.acceptedAnswerId?.toHexString();
  const rank = (a: PostDoc) => [a._id.toHexString() === accepted ? 0 : 1, a.verifiedAt ? 0 : 1, -a.score, a.createdAt.getTime()];
  return [...answers].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return a._id.toHexString() < b._id.toHexString() ? -1 : 1;
  });
}

export type QuestionOrder = 'NEWEST' | 'ACTIVE' | 'VOTES' | 'UNANSWERED';

export interface QuestionFilter {
  spaceId?: Types.ObjectId;
  tag?: string;
  authorId?: Types.ObjectId;
  unanswered?: boolean;
}

const ORDER_FIELD: Record<QuestionOrder, 'createdAt' | 'lastActivityAt' | 'score'> = {
  NEWEST: 'createdAt',
  ACTIVE: 'lastActivityAt',
  VOTES: 'score',
  UNANSWERED: 'createdAt',
};

/** Whether a question belongs on a listing (the database path's filter, applied to a document). */
export function matchesQuestionFilter(q: PostDoc, filter: QuestionFilter, order: QuestionOrder): boolean {
  if (q.type !== 'question' || q.deletedAt) return false;
  if (filter.spaceId && !q.spaceId.equals(filter.spaceId)) return false;
  if (filter.tag && !q.tags.includes(filter.tag)) return false;
  if (filter.authorId && !q.authorId.equals(filter.authorId)) return false;
  if ((filter.unanswered || order === 'UNANSWERED') && q.isAnswered) return false;
  return true;
}

export function orderField(order: QuestionOrder) {
  return ORDER_FIELD[order];
}

/** One keyset page of questions (limit + 1 rows, in the window's direction). */
export async function listQuestions(filter: QuestionFilter, order: QuestionOrder, window: PageWindow): Promise<PostDoc[]> {
  const field = ORDER_FIELD[order];
  const page = keyset(field, -1, window);
  const where: Record<string, unknown> = { type: 'question', deletedAt: null, ...page.filter };
  if (filter.spaceId) where.spaceId = filter.spaceId;
  if (filter.tag) where.tags = filter.tag;
  if (filter.authorId) where.authorId = filter.authorId;
  if (filter.unanswered || order === 'UNANSWERED') where.isAnswered = false;
  return (await PostModel.find(where)
    .sort(page.sort)
    .limit(window.limit + 1)
    .lean()) as PostDoc[];
}

export async function countQuestions(filter: QuestionFilter, order: QuestionOrder): Promise<number> {
  const where: Record<string, unknown> = { type: 'question', deletedAt: null };
  if (filter.spaceId) where.spaceId = filter.spaceId;
  if (filter.tag) where.tags = filter.tag;
  if (filter.authorId) where.authorId = filter.authorId;
  if (filter.unanswered || order === 'UNANSWERED') where.isAnswered = false;
  return PostModel.countDocuments(where);
}

/** A member's answers, newest first (keyset). */
export async function listAnswersBy(authorId: Types.ObjectId, window: PageWindow): Promise<PostDoc[]> {
  const page = keyset('createdAt', -1, window);
  return (await PostModel.find({ type: 'answer', authorId, deletedAt: null, ...page.filter })
    .sort(page.sort)
    .limit(window.limit + 1)
    .lean()) as PostDoc[];
}
