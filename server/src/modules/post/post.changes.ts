// What follows every write of a question, an answer or a comment: the question's thread (the
// read model of its page) is rebuilt before the write returns, the rollups it affects are marked
// for the worker (post.rollups.ts: the tags of its question, the authors, and — when the question
// itself changed, perhaps its tags — its answerers, whose top tags follow them), then the domain
// event goes out (listings, search, and whatever else listens). A failure here never fails the
// write: the event's consumers converge through the worker's sweep, threads through the lazy
// rebuild on read and `npm run verify -- --repair`, rollups through the next change or verify.
import type { Types } from 'mongoose';
import type { Context } from '../../context.js';
import { reposOf, servicesOf } from '../services.js';
import type { PostDoc } from './post.model.js';
import { markRollups } from './post.rollups.js';

type Id = Types.ObjectId | string | null | undefined;

export async function postsChanged(ctx: Pick<Context, 'deps' | 'log'>, ...ids: Id[]): Promise<void> {
  const hex = [...new Set(ids.filter((id): id is Types.ObjectId | string => !!id).map((id) => String(id)))];
  if (hex.length === 0) return;
  const { posts, threads } = reposOf(ctx);
  const tags = new Set<string>();
  const users = new Set<string>();
  try {
    const found = (await posts.findPostsByIds(hex)).filter((p): p is PostDoc => p !== null);
    const questions = new Map<string, Types.ObjectId>();
    for (const p of found) {
      users.add(p.authorId.toHexString());
      if (p.type === 'question') for (const t of p.tags) tags.add(t);
      const questionId = p.type === 'question' ? p._id : p.questionId;
      if (questionId) questions.set(questionId.toHexString(), questionId);
    }
    const parents = [...questions.keys()].filter((id) => !found.some((p) => p._id.toHexString() === id));
    for (const q of parents.length ? await posts.findPostsByIds(parents) : []) for (const t of q?.tags ?? []) tags.add(t);
    for (const [id, questionId] of questions) {
      const thread = await threads.rebuild(questionId, new Set(hex));
      if (thread && hex.includes(id)) for (const a of thread.answers) users.add(a.authorId.toHexString());
    }
  } catch (error) {
    ctx.log.warn({ err: error, posts: hex }, 'thread rebuild failed (rebuilt on the next read or by verify)');
  }
  await markRollups({ ...ctx.deps, log: ctx.log }, tags, users);
  await servicesOf(ctx)
    .events.postsChanged(hex)
    .catch((error) => ctx.log.warn({ err: error }, 'postsChanged event failed (the sweep will catch up)'));
}
