// Close, reopen and delete votes (Stack Overflow's rules). Members with the closeReopenVotes
// privilege vote; `closeVotes` votes close a question (`reopenVotes` reopen it); a moderator's vote
// is binding, and so is the asker's own vote to close as a duplicate. Each vote is one document
// (`<question>:<voter>:<round>`); the question carries the round, the tally and the voters, read by
// `_id`. Closing links a duplicate both ways (duplicateOfId / duplicateIds). Each closure and
// reopening is recorded in the audit log with its voters. A crash between the vote and the tally
// leaves drift `npm run verify -- --repair` fixes (maintenance/verify-review.ts).
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import { publishActivity } from '../activity/activity.js';
import { recordAudit } from '../moderation/audit.service.js';
import { requireActiveMember, requireViewerPrivilege } from '../moderation/member.js';
import { postsChanged } from '../post/post.changes.js';
import type { PostDoc } from '../post/post.model.js';
import { canClose, isLocked } from '../post/post.policy.js';
import { CLOSE_REASONS } from '../post/post.rules.js';
import { deletePost, loadQuestion } from '../post/post.service.js';
import { reposOf, servicesOf } from '../services.js';
import { isModerator } from '../user/user.policy.js';
import { requireWriter } from '../user/user.service.js';
import type { CloseVoteDoc } from './review.model.js';
import { reviewRulesOf } from './review.rules.js';
import { completeTask, openTask } from './review.tasks.js';

export const closeVoteId = (questionId: Types.ObjectId | string, voterId: Types.ObjectId | string, round: number) =>
  `${String(questionId)}:${String(voterId)}:${round}`;
export const deleteVoteId = (questionId: Types.ObjectId | string, voterId: Types.ObjectId | string, round: number) =>
  `${String(questionId)}:${String(voterId)}:d${round}`;

const closeInput = z.object({
  questionId: z.string(),
  reason: z.enum(CLOSE_REASONS),
  duplicateOfId: z.string().optional(),
});

export interface VoteOptions {
  /** closeQuestion / reopenQuestion: moderators only (their vote is binding) */
  moderatorOnly?: boolean;
}

/** Who may vote, and whether the vote decides alone; FORBIDDEN naming the privilege otherwise. */
async function voter(ctx: Context, question: PostDoc, kind: 'CLOSE' | 'REOPEN', reason: string | null, options: VoteOptions) {
  if (options.moderatorOnly) {
    if (!canClose(ctx.viewer, question))
      throw new ForbiddenError(kind === 'CLOSE' ? 'Only moderators can close questions.' : 'Only moderators can reopen questions.');
    await requireActiveMember(ctx);
    return { binding: true };
  }
  if (isModerator(ctx.viewer)) {
    await requireActiveMember(ctx);
    return { binding: true };
  }
  // the asker confirming that their question is a duplicate closes it at once (SO)
  if (kind === 'CLOSE' && reason === 'DUPLICATE' && question.authorId.toHexString() === ctx.viewer?.id) {
    await requireActiveMember(ctx);
    return { binding: true };
  }
  await requireViewerPrivilege(ctx, 'closeReopenVotes');
  return { binding: false };
}

/** The reason most votes gave (ties: the earliest), and the duplicate target most DUPLICATE votes named. */
function verdict(votes: readonly CloseVoteDoc[], binding: CloseVoteDoc | undefined) {
  if (binding) return { reason: binding.reason, duplicateOfId: binding.duplicateOfId };
  const count = <T>(values: T[]) => {
    const tally = new Map<string, { value: T; n: number }>();
    for (const v of values) {
      const k = String(v);
      const e = tally.get(k) ?? { value: v, n: 0 };
      e.n++;
      tally.set(k, e);
    }
    return [...tally.values()].sort((a, b) => b.n - a.n)[0]?.value ?? null;
  };
  const reason = count(votes.map((v) => v.reason ?? 'OTHER'));
  const duplicateOfId = reason === 'DUPLICATE' ? count(votes.filter((v) => v.duplicateOfId).map((v) => v.duplicateOfId!)) : null;
  return { reason, duplicateOfId };
}

export async function castCloseVote(ctx: Context, raw: z.input<typeof closeInput>, options: VoteOptions = {}): Promise<PostDoc> {
  requireWriter(ctx);
  const input = parseInput(closeInput, raw);
  const question = await loadQuestion(ctx, input.questionId);
  const { binding } = await voter(ctx, question, 'CLOSE', input.reason, options);
  let duplicateOfId: Types.ObjectId | null = null;
  if (input.reason === 'DUPLICATE') {
    if (!input.duplicateOfId) throw new ValidationError('name the question this duplicates', 'duplicateOfId');
    const original = await loadQuestion(ctx, input.duplicateOfId).catch(() => {
      throw new ValidationError('no such question', 'duplicateOfId');
    });
    if (original._id.equals(question._id)) throw new ValidationError('a question cannot duplicate itself', 'duplicateOfId');
    duplicateOfId = original._id;
  }
  return castRoundVote(ctx, question, 'CLOSE', input.reason, duplicateOfId, binding);
}

export async function castReopenVote(ctx: Context, questionId: string, options: VoteOptions = {}): Promise<PostDoc> {
  requireWriter(ctx);
  const question = await loadQuestion(ctx, questionId);
  const { binding } = await voter(ctx, question, 'REOPEN', null, options);
  return castRoundVote(ctx, question, 'REOPEN', null, null, binding);
}

/**
 * The viewer withdraws their close (while open) or reopen (while closed) vote of the current
 * round, as Stack Overflow allows; the tally drops by one. The vote goes first (only one call
 * removes it), then the tally under the round's guard; a crash in between leaves a tally `npm run
 * verify -- --repair` recounts from the votes. A binding vote has already decided its round, so
 * there is nothing left to retract.
 */
export async function retractCloseVote(ctx: Context, questionId: string): Promise<PostDoc> {
  requireWriter(ctx);
  const question = await loadQuestion(ctx, questionId);
  const { viewer } = await requireActiveMember(ctx);
  const kind = question.closedAt ? 'REOPEN' : 'CLOSE';
  const round = question.voteRound ?? 0;
  const { posts, closeVotes } = reposOf(ctx);
  const id = closeVoteId(question._id, viewer.id, round);
  const vote = await closeVotes.findById(id);
  const none = kind === 'CLOSE' ? 'You have not voted to close this question.' : 'You have not voted to reopen this question.';
  if (!vote || vote.kind !== kind) throw new ConflictError(none);
  if (isLocked(question, servicesOf(ctx).clock.now()) && !isModerator(viewer))
    throw new ForbiddenError(`This question is locked: ${question.lockReason ?? 'no reason given'}.`);
  if (!(await closeVotes.retract(id))) throw new ConflictError(none);
  const tallyField = kind === 'CLOSE' ? 'closeVoteCount' : 'reopenVoteCount';
  const updated = await posts.updateIfReturning(
    question._id,
    { voteRound: round },
    { $inc: { [tallyField]: -1, version: 1 }, $pull: { roundVoterIds: vote.voterId } },
  );
  if (!updated) throw new ConflictError('The question was closed or reopened meanwhile; reload and try again.');
  await postsChanged(ctx, question._id);
  return updated;
}

async function castRoundVote(
  ctx: Context,
  question: PostDoc,
  kind: 'CLOSE' | 'REOPEN',
  reason: string | null,
  duplicateOfId: Types.ObjectId | null,
  binding: boolean,
): Promise<PostDoc> {
  const viewer = ctx.viewer!;
  const now = servicesOf(ctx).clock.now();
  if (kind === 'CLOSE' && question.closedAt) throw new ConflictError('This question is already closed.');
  if (kind === 'REOPEN' && !question.closedAt) throw new ConflictError('This question is open.');
  if (isLocked(question, now) && !isModerator(viewer))
    throw new ForbiddenError(`This question is locked: ${question.lockReason ?? 'no reason given'}.`);
  const { posts, closeVotes } = reposOf(ctx);
  const rules = reviewRulesOf(ctx);
  const round = question.voteRound ?? 0;
  const voterId = new Types.ObjectId(viewer.id);
  const vote: CloseVoteDoc = {
    _id: closeVoteId(question._id, viewer.id, round),
    questionId: question._id,
    voterId,
    kind,
    round,
    reason,
    duplicateOfId,
    binding,
    createdAt: now,
  };
  // 1. the vote (one per member and round)
  if (!(await closeVotes.cast(vote)))
    throw new ConflictError(
      kind === 'CLOSE' ? 'You have already voted to close this question.' : 'You have already voted to reopen this question.',
    );
  // 2. the tally and the voters on the question (a closure or reopening meanwhile: the vote stays in its round)
  const tallyField = kind === 'CLOSE' ? 'closeVoteCount' : 'reopenVoteCount';
  const tallied = await posts.updateIfReturning(
    question._id,
    { voteRound: round },
    { $inc: { [tallyField]: 1, version: 1 }, $addToSet: { roundVoterIds: voterId } },
  );
  if (!tallied) throw new ConflictError('The question was closed or reopened meanwhile; reload and try again.');
  // 3. the review task (close votes / reopen votes queue) from the first vote on
  const queue = kind === 'CLOSE' ? 'CLOSE_VOTES' : 'REOPEN_VOTES';
  const taskId = await openTask(ctx, { queue, postId: question._id, questionId: question._id, round, createdAt: now });
  // 4. enough votes (or a binding one): close or reopen
  const needed = kind === 'CLOSE' ? rules.closeVotes : rules.reopenVotes;
  const count = (tallied[tallyField] as number | undefined) ?? 0;
  if (!binding && count < needed) {
    await postsChanged(ctx, question._id);
    return tallied;
  }
  return settleRound(ctx, tallied, kind, round, taskId, binding ? vote : undefined);
}

/** Closes or reopens a question whose round has enough votes (or a binding one); idempotent per round. */
export async function settleRound(
  ctx: Context,
  question: PostDoc,
  kind: 'CLOSE' | 'REOPEN',
  round: number,
  taskId: string,
  bindingVote?: CloseVoteDoc,
): Promise<PostDoc> {
  const { posts, closeVotes } = reposOf(ctx);
  const now = servicesOf(ctx).clock.now();
  const voterIds = (question.roundVoterIds ?? []).map((id) => new Types.ObjectId(String(id)));
  const votes = await closeVotes.findManyByIds(voterIds.map((id) => closeVoteId(question._id, id, round)));
  votes.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const closerId = new Types.ObjectId(ctx.viewer!.id);
  let updated: PostDoc | null;
  if (kind === 'CLOSE') {
    const { reason, duplicateOfId } = verdict(votes, bindingVote);
    updated = await posts.updateIfReturning(
      question._id,
      { voteRound: round, closedAt: null },
      {
        $set: {
          closedAt: now,
          closedById: closerId,
          closeReason: reason,
          duplicateOfId,
          closedByVoterIds: votes.map((v) => v.voterId),
          closeVoteCount: 0,
          reopenVoteCount: 0,
          roundVoterIds: [],
        },
        $inc: { voteRound: 1, version: 1 },
      },
    );
    if (!updated) return (await posts.findById(question._id))!;
    if (duplicateOfId) await posts.update(duplicateOfId, { $addToSet: { duplicateIds: question._id }, $inc: { version: 1 } });
  } else {
    updated = await posts.updateIfReturning(
      question._id,
      { voteRound: round },
      {
        $set: {
          closedAt: null,
          closedById: null,
          closeReason: null,
          duplicateOfId: null,
          closedByVoterIds: [],
          closeVoteCount: 0,
          reopenVoteCount: 0,
          roundVoterIds: [],
          deleteVoteCount: 0,
          deleteVoterIds: [],
        },
        $inc: { voteRound: 1, deleteRound: question.deleteVoteCount ? 1 : 0, version: 1 },
      },
    );
    if (!updated) return (await posts.findById(question._id))!;
    if (question.duplicateOfId) await posts.update(question.duplicateOfId, { $pull: { duplicateIds: question._id }, $inc: { version: 1 } });
  }
  await completeTask(ctx, taskId, kind === 'CLOSE' ? 'CLOSE' : 'REOPEN');
  await postsChanged(ctx, question._id, kind === 'CLOSE' ? updated.duplicateOfId : question.duplicateOfId);
  const voters = votes.map((v) => v.voterId.toHexString());
  await recordAudit(ctx, {
    action: kind === 'CLOSE' ? 'question.closed' : 'question.reopened',
    targetType: 'Question',
    targetId: question._id.toHexString(),
    reason: kind === 'CLOSE' ? updated.closeReason : null,
    before: { closed: kind !== 'CLOSE' },
    after: { closed: kind === 'CLOSE', reason: updated.closeReason ?? null, duplicateOfId: updated.duplicateOfId?.toHexString() ?? null },
    data: { voterIds: voters, binding: !!bindingVote, round },
  });
  await publishActivity(ctx, {
    type: kind === 'CLOSE' ? 'question.closed' : 'question.reopened',
    actorId: ctx.viewer!.id,
    subjectId: question._id.toHexString(),
    questionId: question._id.toHexString(),
    spaceId: question.spaceId.toHexString(),
    data:
      kind === 'CLOSE'
        ? { reason: updated.closeReason, duplicateOfId: updated.duplicateOfId?.toHexString() ?? null, voterIds: voters }
        : { voterIds: voters },
  });
  return updated;
}

// ---------------------------------------------------------------------------------------------
// delete votes

/**
 * Members with trustedUser vote to delete a closed question scoring at most `deleteMaxScore`;
 * `deleteVotes` votes delete it (a moderator's vote at once, on any question), through the
 * post's own deletion path (reputation reversed, counters follow).
 */
export async function castDeleteVote(ctx: Context, questionId: string): Promise<PostDoc> {
  const question = await loadQuestion(ctx, questionId);
  const moderator = isModerator(ctx.viewer);
  if (moderator) await requireActiveMember(ctx);
  else await requireViewerPrivilege(ctx, 'trustedUser');
  const rules = reviewRulesOf(ctx);
  if (question.deletedAt) throw new ConflictError('This question is already deleted.');
  if (!moderator && (!question.closedAt || question.score > rules.deleteMaxScore))
    throw new ForbiddenError(`Only closed questions with a score of ${rules.deleteMaxScore} or less can be voted for deletion.`);
  const { posts, closeVotes } = reposOf(ctx);
  const now = servicesOf(ctx).clock.now();
  const round = question.deleteRound ?? 0;
  const voterId = new Types.ObjectId(ctx.viewer!.id);
  const ok = await closeVotes.cast({
    _id: deleteVoteId(question._id, voterId, round),
    questionId: question._id,
    voterId,
    kind: 'DELETE',
    round,
    reason: null,
    duplicateOfId: null,
    binding: moderator,
    createdAt: now,
  });
  if (!ok) throw new ConflictError('You have already voted to delete this question.');
  const tallied = await posts.updateIfReturning(
    question._id,
    { deleteRound: round },
    { $inc: { deleteVoteCount: 1, version: 1 }, $addToSet: { deleteVoterIds: voterId } },
  );
  if (!tallied) throw new ConflictError('The question changed meanwhile; reload and try again.');
  if (!moderator && (tallied.deleteVoteCount ?? 0) < rules.deleteVotes) return tallied;
  const deleted = await deletePost(ctx, tallied);
  await recordAudit(ctx, {
    action: 'question.deleted',
    targetType: 'Question',
    targetId: question._id.toHexString(),
    before: { deleted: false },
    after: { deleted: true },
    data: { voterIds: (tallied.deleteVoterIds ?? []).map(String), binding: moderator, round },
  });
  return deleted;
}
