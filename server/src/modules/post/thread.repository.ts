// The threads collection (thread.model.ts): each question's answers and comments in one document,
// so the question page reads one document instead of one per answer and comment. The only code
// that touches it.
import type { Types } from 'mongoose';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import type { CommentDoc } from '../comment/comment.model.js';
import type { CommentRepository } from '../comment/comment.repository.js';
import type { PostDoc } from './post.model.js';
import type { PostRepository } from './post.repository.js';
import { ThreadModel, type ThreadDoc } from './thread.model.js';

/** A thread as readers use it. */
export interface Thread {
  questionId: Types.ObjectId;
  answers: PostDoc[];
  /** comments of the question and of each answer, by post id (hex), oldest first */
  comments: Map<string, CommentDoc[]>;
}

function toThread(doc: ThreadDoc): Thread {
  return {
    questionId: doc._id,
    answers: doc.answers as PostDoc[],
    comments: new Map(Object.entries(doc.comments ?? {}).map(([id, list]) => [id, list as CommentDoc[]])),
  };
}

export class ThreadRepository extends Repository<ThreadDoc> {
  constructor(
    storage: Storage,
    private readonly posts: PostRepository,
    private readonly comments: CommentRepository,
  ) {
    // a rebuilt thread changes what the question's page shows
    super(storage, ThreadModel, { versionKeys: (id) => [`posts:${String(id)}`] });
  }

  /** Threads of these questions, in their order (null where none is built yet). */
  async threadsOf(questionIds: readonly Types.ObjectId[]): Promise<Array<Thread | null>> {
    const docs = await this.findManyByIds(questionIds);
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return questionIds.map((id) => {
      const doc = byId.get(id.toHexString());
      return doc ? toThread(doc) : null;
    });
  }

  /** The thread as the posts and comments say it is now (what `rebuild` writes). */
  async compute(question: PostDoc): Promise<ThreadDoc> {
    const [answers = []] = await this.posts.findAnswersOfQuestions([question]);
    answers.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()));
    const lists = await this.comments.findOfPosts([question, ...answers]);
    const comments: Record<string, CommentDoc[]> = {};
    [question, ...answers].forEach((p, i) => {
      if (lists[i]!.length) comments[p._id.toHexString()] = lists[i]!;
    });
    return { _id: question._id, answers, comments, builtAt: new Date() };
  }

  /**
   * Rebuilds a question's thread from its facts. Rebuilds of one thread run one at a time (a
   * rebuild that started before a change could otherwise overwrite a newer one). Returns null
   * when the id is not a question's.
   */
  rebuild(questionId: Types.ObjectId): Promise<Thread | null> {
    return this.storage.withLock(`thread:${questionId.toHexString()}`, async () => {
      const question = await this.posts.findById(questionId);
      if (!question || question.type !== 'question') {
        await this.deleteById(questionId);
        return null;
      }
      const doc = await this.compute(question);
      await ThreadModel.replaceOne({ _id: questionId }, doc, { upsert: true });
      await this.touched(questionId);
      return toThread(doc);
    });
  }

  /** Every stored thread's id (verify: threads of questions that are gone). */
  async allIds(): Promise<Types.ObjectId[]> {
    const ids: Types.ObjectId[] = [];
    for await (const doc of this.scan<{ _id: Types.ObjectId }>({}, '_id')) ids.push(doc._id);
    return ids;
  }
}
