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
    // a rebuilt thread changes what the question's page shows. Page reads come through the
    // entity cache: a thread is large (tens of KB), and FerretDB takes ~20 ms to hand one over
    // where Redis takes a fraction of a millisecond. Entries follow the question's version
    // (`posts:<id>`), which every rebuild bumps after writing.
    super(storage, ThreadModel, { versionKeys: (id) => [`posts:${String(id)}`], cache: { name: 'threads' } });
  }

  /**
   * Threads of these questions, in their order (null where none is built yet); `stored` reads
   * what the database holds, past the cache (verify compares that with the facts).
   */
  async threadsOf(questionIds: readonly Types.ObjectId[], stored = false): Promise<Array<Thread | null>> {
    const docs = stored ? await this.findStoredByIds(questionIds) : await this.findManyByIds(questionIds);
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return questionIds.map((id) => {
      const doc = byId.get(id.toHexString());
      return doc ? toThread(doc) : null;
    });
  }

  /**
   * The thread as the posts and comments say it is now (what `rebuild` writes); `fresh` reads
   * the answers from the database itself, past the entity cache (verify).
   */
  async compute(question: PostDoc, fresh = false): Promise<ThreadDoc> {
    const [answers = []] = await this.posts.findAnswersOfQuestions([question], fresh);
    answers.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()));
    const lists = await this.comments.findOfPosts([question, ...answers]);
    const comments: Record<string, CommentDoc[]> = {};
    [question, ...answers].forEach((p, i) => {
      if (lists[i]!.length) comments[p._id.toHexString()] = lists[i]!;
    });
    return { _id: question._id, answers, comments, builtAt: new Date() };
  }

  /**
   * The thread after a change of the posts in `changed` (hex ids; a comment's change names the
   * post it is on): the stored thread with those posts, the answers it lacks and the comments of
   * posts whose comment list moved read anew — a write costs reads in proportion to what it
   * changed, not to the thread's size. Without a stored thread (or a child list), all of it.
   */
  async refresh(question: PostDoc, changed: ReadonlySet<string>): Promise<ThreadDoc> {
    const stored = await this.findById(question._id);
    if (!stored || !Array.isArray(question.answerIds)) return this.compute(question);
    const kept = new Map((stored.answers as PostDoc[]).map((a) => [a._id.toHexString(), a]));
    const ids = question.answerIds.map((id) => id.toHexString());
    const fresh = await this.posts.findManyByIds(
      question.answerIds.filter((id) => changed.has(id.toHexString()) || !kept.has(id.toHexString())),
    );
    const byId = new Map(fresh.map((a) => [a._id.toHexString(), a]));
    const answers = ids
      .map((id) => byId.get(id) ?? kept.get(id))
      .filter((a): a is PostDoc => a !== undefined && a.type === 'answer')
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()));
    const storedComments = (stored.comments ?? {}) as Record<string, CommentDoc[]>;
    const sameList = (p: PostDoc) => {
      const have = (storedComments[p._id.toHexString()] ?? []).map((c) => c._id.toHexString()).sort();
      const want = (p.commentIds ?? []).map((c) => c.toHexString()).sort();
      return Array.isArray(p.commentIds) && have.join() === want.join();
    };
    const page = [question, ...answers];
    const stale = page.filter((p) => changed.has(p._id.toHexString()) || !sameList(p));
    const lists = await this.comments.findOfPosts(stale);
    const reread = new Map(stale.map((p, i) => [p._id.toHexString(), lists[i]!]));
    const comments: Record<string, CommentDoc[]> = {};
    for (const p of page) {
      const id = p._id.toHexString();
      const list = reread.get(id) ?? storedComments[id] ?? [];
      if (list.length) comments[id] = list;
    }
    return { _id: question._id, answers, comments, builtAt: new Date() };
  }

  /**
   * Rebuilds a question's thread from its facts (all of them, or after a change of the posts in
   * `changed`: see `refresh`). Rebuilds of one thread run one at a time (a rebuild that started
   * before a change could otherwise overwrite a newer one). Returns null when the id is not a
   * question's.
   */
  rebuild(questionId: Types.ObjectId, changed?: ReadonlySet<string>): Promise<Thread | null> {
    return this.storage.withLock(`thread:${questionId.toHexString()}`, async () => {
      const question = await this.posts.findById(questionId);
      if (!question || question.type !== 'question') {
        await this.deleteById(questionId);
        return null;
      }
      const doc = changed ? await this.refresh(question, changed) : await this.compute(question, true);
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
