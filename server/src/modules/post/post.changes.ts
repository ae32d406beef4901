// What follows every write of a question, an answer or a comment: the question's thread (the
// read model of its page) is rebuilt before the write returns, then the domain event goes out
// (listings, search, and whatever else listens). A failure here never fails the write: the
// event's consumers converge through the worker's sweep, threads through the lazy rebuild on
// read and `npm run verify -- --repair`.
import type { Types } from 'mongoose';
import type { Context } from '../../context.js';
import { reposOf, servicesOf } from '../services.js';

type Id = Types.ObjectId | string | null | undefined;

export async function postsChanged(ctx: Pick<Context, 'deps' | 'log'>, ...ids: Id[]): Promise<void> {
  const hex = [...new Set(ids.filter((id): id is Types.ObjectId | string => !!id).map((id) => String(id)))];
  if (hex.length === 0) return;
  const { posts, threads } = reposOf(ctx);
  try {
    const questions = new Map<string, Types.ObjectId>();
    for (const p of await posts.findPostsByIds(hex)) {
      if (!p) continue;
      const questionId = p.type === 'question' ? p._id : p.questionId;
      if (questionId) questions.set(questionId.toHexString(), questionId);
    }
    for (const questionId of questions.values()) await threads.rebuild(questionId);
  } catch (error) {
    ctx.log.warn({ err: error, posts: hex }, 'thread rebuild failed (rebuilt on the next read or by verify)');
  }
  await servicesOf(ctx)
    .events.postsChanged(hex)
    .catch((error) => ctx.log.warn({ err: error }, 'postsChanged event failed (the sweep will catch up)'));
}
