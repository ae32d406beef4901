// Review queues (Stack Overflow's shape) and suggested edits. Tasks come from the activity
// handler (first posts, late answers, low quality), close/reopen votes and suggested edits; each
// needs `reviewers` agreeing reviews or one moderator's; a reviewer sees a task once; the outcome
// is applied once (guarded state changes), then the task completes.
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import { recordAudit } from '../moderation/audit.service.js';
import { memberOf, requireActiveMember, requireViewerPrivilege } from '../moderation/member.js';
import { moderationRulesOf } from '../moderation/moderation.rules.js';
import { hasPrivilege } from '../moderation/privileges.js';
import { isLocked } from '../post/post.policy.js';
import type { PostDoc } from '../post/post.model.js';
import { applySuggestedEdit, deletePost, loadPost } from '../post/post.service.js';
import { applyReputation } from '../reputation/reputation.service.js';
import { reposOf, servicesOf } from '../services.js';
import { resolveTagNames } from '../tag/tag.service.js';
import { isModerator } from '../user/user.policy.js';
import { castCloseVote, castReopenVote } from './close-vote.service.js';
import type { ReviewEntry, ReviewTaskDoc, SuggestedEditDoc } from './review.model.js';
import { queueCounts, queuePage } from './review.queues.js';
import {
  decide,
  QUEUE_OUTCOMES,
  QUEUE_PRIVILEGE,
  REVIEW_OUTCOMES,
  REVIEW_QUEUES,
  reviewRulesOf,
  type ReviewOutcome,
  type ReviewQueue,
} from './review.rules.js';
import { completeTask, openTask } from './review.tasks.js';

// ---------------------------------------------------------------------------------------------
// suggested edits

const suggestInput = z
  .object({
    postId: z.string(),
    title: z
      .string()
      .trim()
      .min(15, { error: 'must be at least 15 characters' })
      .max(150, { error: 'must be at most 150 characters' })
      .optional(),
    body: z
      .string()
      .refine((s) => s.trim().length >= 30, { error: 'must be at least 30 characters' })
      .refine((s) => s.length <= 30_000, { error: 'must be at most 30,000 characters' })
      .optional(),
    tags: z.array(z.string()).min(1, { error: 'add at least one tag' }).max(5, { error: 'use at most 5 tags' }).optional(),
    summary: z.string().trim().min(1, { error: 'say what you changed' }).max(300, { error: 'must be at most 300 characters' }),
  })
  .refine((v) => v.title !== undefined || v.body !== undefined || v.tags !== undefined, {
    error: 'change the title, body or tags',
    path: ['body'],
  });

/** Members without the edit privilege suggest an edit: invisible until reviewers approve it. */
export async function suggestEdit(ctx: Context, raw: z.input<typeof suggestInput>): Promise<SuggestedEditDoc> {
  const input = parseInput(suggestInput, raw);
  const { viewer } = await requireActiveMember(ctx, { posting: true });
  const post = await loadPost(ctx, input.postId, 'post');
  const now = servicesOf(ctx).clock.now();
  if (post.deletedAt) throw new ForbiddenError('You cannot edit a deleted post.');
  if (isLocked(post, now)) throw new ForbiddenError(`This post is locked: ${post.lockReason ?? 'no reason given'}.`);
  if (post.authorId.toHexString() === viewer.id || isModerator(viewer))
    throw new ConflictError('You can edit this post directly (updateQuestion / updateAnswer); no review needed.');
  if (post.type === 'answer' && (input.title !== undefined || input.tags !== undefined))
    throw new ValidationError('answers have no title or tags', input.title !== undefined ? 'title' : 'tags');
  const tags = input.tags ? await resolveTagNames(reposOf(ctx).tags, input.tags) : undefined;
  const changes = {
    title: input.title !== undefined && input.title !== post.title ? input.title : null,
    body: input.body !== undefined && input.body !== post.body ? input.body : null,
    tags: tags && tags.join(' ') !== post.tags.join(' ') ? tags : undefined,
  };
  if (changes.title === null && changes.body === null && !changes.tags) throw new ValidationError('the edit changes nothing', 'body');
  const _id = new Types.ObjectId();
  const questionId = post.questionId ?? post._id;
  const doc: SuggestedEditDoc = {
    _id,
    postId: post._id,
    questionId,
    authorId: new Types.ObjectId(viewer.id),
    baseRevision: post.revisionCount,
    title: changes.title,
    body: changes.body,
    ...(changes.tags ? { tags: changes.tags } : {}),
    summary: input.summary,
    status: 'PENDING',
    reviewerIds: [],
    revisionNumber: null,
    createdAt: now,
    decidedAt: null,
  };
  await reposOf(ctx).suggestedEdits.insert(doc as unknown as Record<string, unknown>);
  await openTask(ctx, {
    queue: 'SUGGESTED_EDITS',
    postId: post._id,
    questionId,
    round: _id.toHexString(),
    suggestedEditId: _id,
    createdAt: now,
  });
  return doc;
}

/** A suggested edit as the viewer may see it: its author, reviewers and moderators. */
export async function loadSuggestedEdit(ctx: Context, id: string): Promise<SuggestedEditDoc> {
  const edit = Types.ObjectId.isValid(id) ? await reposOf(ctx).suggestedEdits.findById(new Types.ObjectId(id)) : null;
  if (!edit) throw new NotFoundError('The suggested edit');
  return edit;
}

// ---------------------------------------------------------------------------------------------
// queues

/** The queues the viewer may review, with their open task counts. */
export async function reviewQueues(ctx: Context): Promise<Array<{ queue: ReviewQueue; count: number }>> {
  const { member } = await requireActiveMember(ctx);
  const thresholds = moderationRulesOf(ctx).privileges;
  const counts = await queueCounts(ctx.deps);
  return REVIEW_QUEUES.filter((q) => hasPrivilege(member, QUEUE_PRIVILEGE[q], thresholds)).map((queue) => ({
    queue,
    count: counts[queue],
  }));
}

const PAGE = 25;
const MAX_SCAN = 500;

/** Whether the viewer may review this task (not reviewed yet, not their own post or edit). */
async function reviewableBy(ctx: Context, task: ReviewTaskDoc, viewerId: string): Promise<boolean> {
  if (task.status !== 'OPEN') return false;
  if (task.reviews.some((r) => String(r.reviewerId) === viewerId)) return false;
  if (task.suggestedEditId) {
    const edit = await reposOf(ctx).suggestedEdits.findById(task.suggestedEditId);
    if (!edit || String(edit.authorId) === viewerId) return false;
  }
  const post = await reposOf(ctx).posts.findById(task.postId);
  return !!post && String(post.authorId) !== viewerId;
}

/** The oldest open task of the queue the viewer has not reviewed (null: none left). */
export async function reviewTask(ctx: Context, queue: ReviewQueue): Promise<ReviewTaskDoc | null> {
  const { viewer } = await requireViewerPrivilege(ctx, QUEUE_PRIVILEGE[queue]);
  const tasks = reposOf(ctx).reviewTasks;
  for (let offset = 0; offset < MAX_SCAN; offset += PAGE) {
    const ids = await queuePage(ctx.deps, queue, offset, PAGE);
    if (ids.length === 0) return null;
    const found = new Map((await tasks.openByIds(ids)).map((t) => [t._id, t]));
    for (const id of ids) {
      const task = found.get(id);
      if (task && (await reviewableBy(ctx, task, viewer.id))) return task;
    }
    if (ids.length < PAGE) return null;
  }
  return null;
}

/** One task by id, for its reviewers (the queue's privilege). */
export async function loadTask(ctx: Context, id: string): Promise<ReviewTaskDoc> {
  const task = await reposOf(ctx).reviewTasks.findById(id);
  if (!task) throw new NotFoundError('The review task');
  await requireViewerPrivilege(ctx, QUEUE_PRIVILEGE[task.queue as ReviewQueue]);
  return task;
}

// ---------------------------------------------------------------------------------------------
// reviews

const reviewInput = z.object({
  taskId: z.string().min(1).max(200),
  outcome: z.enum(REVIEW_OUTCOMES),
  comment: z.string().trim().max(500, { error: 'must be at most 500 characters' }).optional(),
});

export async function submitReview(ctx: Context, raw: z.input<typeof reviewInput>): Promise<ReviewTaskDoc> {
  const input = parseInput(reviewInput, raw);
  const task = await loadTask(ctx, input.taskId);
  const viewer = ctx.viewer!;
  const queue = task.queue as ReviewQueue;
  if (!QUEUE_OUTCOMES[queue].includes(input.outcome))
    throw new ValidationError(`choose one of ${QUEUE_OUTCOMES[queue].join(', ')}`, 'outcome');
  if (task.status !== 'OPEN') throw new ConflictError('This review task is already completed.');
  if (task.reviews.some((r) => String(r.reviewerId) === viewer.id)) throw new ConflictError('You have already reviewed this task.');
  if (!(await reviewableBy(ctx, task, viewer.id))) throw new ForbiddenError('You cannot review your own post or edit.');
  const post = await reposOf(ctx).posts.findById(task.postId);
  if (!post) throw new NotFoundError('The post');

  // a close/reopen review that votes is a vote (it can close or reopen the question, which completes the task)
  if (input.outcome === 'CLOSE') {
    const first = await firstCloseVote(ctx, post);
    await castCloseVote(ctx, {
      questionId: post._id.toHexString(),
      reason: (first?.reason as 'OTHER') ?? 'OTHER',
      duplicateOfId: first?.duplicateOfId?.toHexString(),
    });
  } else if (input.outcome === 'REOPEN') {
    await castReopenVote(ctx, post._id.toHexString());
  }

  const entry: ReviewEntry = {
    reviewerId: new Types.ObjectId(viewer.id),
    outcome: input.outcome,
    comment: input.comment ?? null,
    binding: isModerator(viewer),
    at: servicesOf(ctx).clock.now(),
  };
  const tasks = reposOf(ctx).reviewTasks;
  let current: ReviewTaskDoc | null = task;
  for (let attempt = 0; ; attempt++) {
    if (!current || attempt > 10) throw new ConflictError('The task changed meanwhile; reload and try again.');
    if (current.reviews.some((r) => String(r.reviewerId) === viewer.id)) throw new ConflictError('You have already reviewed this task.');
    const written = await tasks.updateIfReturning(
      current._id,
      { version: current.version },
      { $push: { reviews: entry }, $inc: { version: 1 } },
    );
    if (written) {
      current = written;
      break;
    }
    current = await tasks.findById(task._id);
  }
  if (current.status !== 'OPEN') return current;
  const decision = decide(
    current.reviews.map((r) => ({ outcome: r.outcome as ReviewOutcome, binding: r.binding })),
    reviewRulesOf(ctx).reviewers,
  );
  // votes decide close/reopen tasks (settleRound completes them); other outcomes apply here
  if (!decision || decision === 'CLOSE' || decision === 'REOPEN') return (await tasks.findById(task._id))!;
  await applyOutcome(ctx, current, post, decision);
  if (await completeTask(ctx, current._id, decision)) {
    await recordAudit(ctx, {
      action: 'review.completed',
      targetType: post.type === 'question' ? 'Question' : 'Answer',
      targetId: post._id.toHexString(),
      reason: decision,
      data: {
        taskId: current._id,
        queue,
        reviewers: current.reviews.map((r) => ({ reviewerId: String(r.reviewerId), outcome: r.outcome })),
      },
    });
  }
  return (await tasks.findById(task._id))!;
}

async function firstCloseVote(ctx: Context, question: PostDoc) {
  const ids = (question.roundVoterIds ?? []).map((v) => `${question._id.toHexString()}:${String(v)}:${question.voteRound ?? 0}`);
  const votes = await reposOf(ctx).closeVotes.findManyByIds(ids);
  return votes.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0] ?? null;
}

/** Applies a decided outcome; each step is guarded, so applying it again changes nothing. */
async function applyOutcome(ctx: Context, task: ReviewTaskDoc, post: PostDoc, decision: ReviewOutcome): Promise<void> {
  const now = servicesOf(ctx).clock.now();
  const approvers = task.reviews.filter((r) => r.outcome === decision).map((r) => new Types.ObjectId(String(r.reviewerId)));
  if (task.suggestedEditId && (decision === 'APPROVE' || decision === 'REJECT')) {
    const edits = reposOf(ctx).suggestedEdits;
    const edit = await edits.findById(task.suggestedEditId);
    if (!edit || edit.status !== 'PENDING') return;
    if (decision === 'REJECT') {
      await edits.updateIf(edit._id, { status: 'PENDING' }, { $set: { status: 'REJECTED', reviewerIds: approvers, decidedAt: now } });
      return;
    }
    const claimed = await edits.updateIfReturning(
      edit._id,
      { status: 'PENDING' },
      { $set: { status: 'APPROVED', reviewerIds: approvers, decidedAt: now } },
    );
    if (!claimed) return;
    const current = (await reposOf(ctx).posts.findById(post._id))!;
    const updated = await applySuggestedEdit(
      ctx,
      current,
      { title: edit.title ?? undefined, body: edit.body ?? undefined, tags: edit.tags ?? undefined },
      edit.summary,
      { authorId: edit.authorId, suggestedEditId: edit._id, approvedByIds: approvers },
    );
    await edits.update(edit._id, { $set: { revisionNumber: updated.revisionCount } });
    await applyReputation(reposOf(ctx), servicesOf(ctx).reputationRules, {
      key: `suggested-edit:${edit._id.toHexString()}:approved`,
      userId: edit.authorId,
      nominal: reviewRulesOf(ctx).suggestedEditReputation,
      reason: 'EDIT_APPROVED',
      subjectId: post._id,
      subjectType: post.type === 'question' ? 'Question' : 'Answer',
      at: now,
    });
    return;
  }
  if (decision === 'RECOMMEND_DELETION' && !post.deletedAt) {
    await deletePost(ctx, post).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
  }
}

/** The viewer's member document (for hints). */
export const viewerMember = (ctx: Context) => (ctx.viewer ? memberOf(ctx, ctx.viewer.id) : Promise.resolve(null));
