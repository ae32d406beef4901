// The posts collection (questions and answers): the only code that touches it. Hot reads are by
// id (batched with the boot-time strategy) or from the questions' child lists.
import { Types } from 'mongoose';
import { keyset, type PageWindow } from '../../lib/connection.js';
import { toObjectId } from '../../lib/ids.js';
import { op } from '../../lib/mongo-ops.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { PostModel, type PostDoc } from './post.model.js';

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

function questionWhere(filter: QuestionFilter, order: QuestionOrder): Record<string, unknown> {
  const where: Record<string, unknown> = { type: 'question', deletedAt: null };
  if (filter.spaceId) where.spaceId = filter.spaceId;
  if (filter.tag) where.tags = filter.tag;
  if (filter.authorId) where.authorId = filter.authorId;
  if (filter.unanswered || order === 'UNANSWERED') where.isAnswered = false;
  return where;
}

export class PostRepository extends Repository<PostDoc> {
  /** whole posts by id (listings, question pages) come through the entity cache (infra/repository.ts) */
  constructor(storage: Storage) {
    super(storage, PostModel, { versionKeys: (id) => [`posts:${String(id)}`, 'list:posts'], cache: { name: 'posts' } });
  }

  /** Posts by (hex) id, in input order (null where missing or not an id): the DataLoader batch function. */
  async findPostsByIds(ids: readonly string[]): Promise<Array<PostDoc | null>> {
    const objectIds = ids.map((id) => toObjectId(id)).filter((id): id is Types.ObjectId => id !== null);
    const docs = await this.findManyByIds(objectIds);
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** One post by (hex) id, or null. */
  findPost(id: string | Types.ObjectId): Promise<PostDoc | null> {
    const objectId = toObjectId(id);
    return objectId ? this.findById(objectId) : Promise.resolve(null);
  }

  /**
   * Answers of several questions (in their order): read by id from the questions' child lists,
   * with one query by parent for questions that have no list yet.
   */
  async findAnswersOfQuestions(
    questions: ReadonlyArray<Pick<PostDoc, '_id' | 'answerIds'>>,
    /** read the database itself, past the entity cache (verify compares with what is stored) */
    fresh = false,
  ): Promise<PostDoc[][]> {
    const listed = questions.filter((q) => Array.isArray(q.answerIds));
    const unlisted = questions.filter((q) => !Array.isArray(q.answerIds)).map((q) => q._id);
    const ids = listed.flatMap((q) => q.answerIds!);
    const docs = [
      ...(fresh ? await this.findStoredByIds<PostDoc>(ids) : await this.findManyByIds(ids)),
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

  /** isAnswered = an accepted answer or an answer with a positive score (recomputed from facts). */
  async refreshAnswered(questionId: Types.ObjectId): Promise<void> {
    const question = await this.findById(questionId, 'acceptedAnswerId isAnswered answerIds');
    if (!question) return;
    // the answers by id (child list): FerretDB would scan the collection for a query by parent
    const [answers = []] = await this.findAnswersOfQuestions([question]);
    const positive = answers.some((a) => !a.deletedAt && a.score > 0);
    const isAnswered = !!question.acceptedAnswerId || positive;
    if (isAnswered !== question.isAnswered) await this.update(questionId, { $set: { isAnswered }, $inc: { version: 1 } });
  }

  /** One keyset page of questions (limit + 1 rows, in the window's direction). */
  async listQuestions(filter: QuestionFilter, order: QuestionOrder, window: PageWindow): Promise<PostDoc[]> {
    const page = keyset(ORDER_FIELD[order], -1, window);
    return (await PostModel.find({ ...questionWhere(filter, order), ...page.filter })
      .sort(page.sort)
      .limit(window.limit + 1)
      .lean()) as PostDoc[];
  }

  countQuestions(filter: QuestionFilter, order: QuestionOrder): Promise<number> {
    return PostModel.countDocuments(questionWhere(filter, order));
  }

  /** A member's answers, newest first (keyset). */
  async listAnswersBy(authorId: Types.ObjectId, window: PageWindow): Promise<PostDoc[]> {
    const page = keyset('createdAt', -1, window);
    return (await PostModel.find({ type: 'answer', authorId, deletedAt: null, ...page.filter })
      .sort(page.sort)
      .limit(window.limit + 1)
      .lean()) as PostDoc[];
  }

  /** Live questions per tag (over every space), optionally only for these tags: repairs and batch tools. */
  async questionCountsByTag(names?: readonly string[]): Promise<Map<string, number>> {
    const match: Record<string, unknown> = { type: 'question', deletedAt: null };
    if (names) match.tags = op.in(names);
    const counted = await PostModel.aggregate<{ _id: string; n: number }>([
      { $match: match },
      { $project: { tags: 1 } },
      { $unwind: '$tags' },
      { $group: { _id: '$tags', n: { $sum: 1 } } },
    ]);
    return new Map(counted.map((c) => [c._id, c.n]));
  }

  /** A member's live posts (at most `limit`): profile statistics. */
  async recentOfAuthor(authorId: Types.ObjectId, select: string, limit: number): Promise<PostDoc[]> {
    return (await PostModel.find({ authorId, deletedAt: null }).select(select).limit(limit).lean()) as PostDoc[];
  }

  /** Adds buffered page views (no timestamps: a view is not an edit). */
  async addViews(id: Types.ObjectId, n: number): Promise<void> {
    // the post's own version only (its cached copies refresh), not the listings': a flush adds
    // views a page already showed (pages add the buffered ones at read time)
    await this.storage.updateById(PostModel, id, { $inc: { viewCount: n } }, { timestamps: false });
    await this.storage.changed([`posts:${id.toHexString()}`]);
  }

  /** Every question, streamed (listing rebuilds). */
  allQuestions(): AsyncIterable<PostDoc> {
    return this.scan<PostDoc>({ type: 'question' });
  }

  /** A tag's live questions, best-scored first (`limit` at most): tag statistics. */
  async tagQuestionsByScore<R>(tag: string, select: string, limit: number, answeredOnly = false): Promise<R[]> {
    const where: Record<string, unknown> = { type: 'question', tags: tag, deletedAt: null };
    if (answeredOnly) where.answerCount = op.gt(0);
    return (await PostModel.find(where).select(select).sort({ score: -1, _id: 1 }).limit(limit).lean()) as R[];
  }

  /** Live answers of the given questions (tag statistics). */
  async liveAnswersOf<R>(questionIds: readonly Types.ObjectId[], select: string): Promise<R[]> {
    return (await PostModel.find({ type: 'answer', deletedAt: null, questionId: op.in(questionIds) })
      .select(select)
      .lean()) as R[];
  }
}
