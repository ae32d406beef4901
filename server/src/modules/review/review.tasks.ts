// Review tasks: opened once (deterministic ids), listed in their queue's Redis sorted set while
// open, completed once. Shared by the services and the activity handler (which has no viewer).
import type { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import { reposOf } from '../services.js';
import { dequeueTask, enqueueTask } from './review.queues.js';
import type { ReviewQueue } from './review.rules.js';

type Deps = { deps: AppDeps } | AppDeps;
const depsOf = (ctx: Deps): AppDeps => ('deps' in ctx ? ctx.deps : ctx);

export const taskId = (queue: ReviewQueue, postId: Types.ObjectId | string, round: number | string) =>
  `${queue}:${String(postId)}:${round}`;

/** Opens the task unless it exists (then leaves it as it is); returns its id. */
export async function openTask(
  ctx: Deps,
  task: {
    queue: ReviewQueue;
    postId: Types.ObjectId;
    questionId: Types.ObjectId;
    round: number | string;
    suggestedEditId?: Types.ObjectId | null;
    createdAt: Date;
  },
): Promise<string> {
  const id = taskId(task.queue, task.postId, task.round);
  const created = await reposOf(ctx).reviewTasks.open({
    _id: id,
    queue: task.queue,
    postId: task.postId,
    questionId: task.questionId,
    suggestedEditId: task.suggestedEditId ?? null,
    createdAt: task.createdAt,
  });
  // listed after the document exists (verify re-lists an open task whose listing a crash lost)
  if (created) await enqueueTask(depsOf(ctx), task.queue, id, task.createdAt);
  return id;
}

/** Completes the task once with its outcome and takes it off its queue. */
export async function completeTask(ctx: Deps, id: string, outcome: string): Promise<boolean> {
  const deps = depsOf(ctx);
  const task = await reposOf(ctx).reviewTasks.findById(id);
  if (!task) return false;
  const done = await reposOf(ctx).reviewTasks.updateIf(
    id,
    { status: 'OPEN' },
    { $set: { status: 'COMPLETED', outcome, completedAt: deps.services.clock.now() } },
  );
  await dequeueTask(deps, task.queue, id);
  return done.modifiedCount > 0;
}
