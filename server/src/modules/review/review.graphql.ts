// Review queues, suggested edits, close/reopen/delete votes, lock/protect/undelete: thin
// resolvers over review.service.ts, close-vote.service.ts and post-moderation.service.ts, plus the
// Question/Post fields the question page shows (tallies, "Linked", lock and protection notices).
import { Types } from 'mongoose';
import { builder, needsScope } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { rawId } from '../../lib/ids.js';
import { viewerHasPrivilege } from '../moderation/member.js';
import { CloseReasonEnum, PostInterface, RevisionRef } from '../post/post.graphql.js';
import type { PostDoc } from '../post/post.model.js';
import { isLocked } from '../post/post.policy.js';
import { QuestionRef } from '../post/post.refs.js';
import { visiblePostLoader } from '../loaders.js';
import { reposOf, servicesOf } from '../services.js';
import { UserRef } from '../user/user.refs.js';
import { isModerator } from '../user/user.policy.js';
import { castCloseVote, castDeleteVote, castReopenVote, closeVoteId, retractCloseVote } from './close-vote.service.js';
import { lockPost, setProtected, undeleteAnswer, undeleteQuestion, unlockPost } from './post-moderation.service.js';
import type { ReviewEntry, ReviewTaskDoc, SuggestedEditDoc } from './review.model.js';
import { QUEUE_OUTCOMES, REVIEW_OUTCOMES, REVIEW_QUEUES, reviewRulesOf, type ReviewQueue } from './review.rules.js';
import { loadSuggestedEdit, reviewQueues, reviewTask, submitReview, suggestEdit } from './review.service.js';

const gid = (type: string, id: string | Types.ObjectId) => Buffer.from(`${type}:${String(id)}`).toString('base64');

const ReviewQueueEnum = builder.enumType('ReviewQueue', { values: REVIEW_QUEUES });
const ReviewOutcomeEnum = builder.enumType('ReviewOutcome', { values: REVIEW_OUTCOMES });

const SuggestedEditRef = builder.objectRef<SuggestedEditDoc>('SuggestedEdit').implement({
  description: 'An edit suggested by a member without the edit privilege; applied only once reviewers approve it.',
  fields: (t) => ({
    id: t.id({ resolve: (e) => gid('SuggestedEdit', e._id) }),
    author: t.field({ type: UserRef, resolve: (e) => e.authorId.toHexString() }),
    title: t.string({ nullable: true, resolve: (e) => e.title ?? null }),
    body: t.string({ nullable: true, resolve: (e) => e.body ?? null }),
    tags: t.stringList({ nullable: true, resolve: (e) => e.tags ?? null }),
    summary: t.exposeString('summary'),
    status: t.string({ description: 'PENDING, APPROVED or REJECTED', resolve: (e) => e.status }),
    baseRevision: t.exposeInt('baseRevision'),
    revision: t.int({ nullable: true, description: 'The revision its approval wrote', resolve: (e) => e.revisionNumber ?? null }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
  }),
});
// the post as its reader may see it
builder.objectField(SuggestedEditRef, 'post', (t) =>
  t.field({ type: PostInterface, nullable: true, resolve: (e, _a, ctx) => visiblePostLoader(ctx).load(e.postId.toHexString()) }),
);

const ReviewRef = builder.objectRef<ReviewEntry>('Review').implement({
  description: 'One reviewer’s answer to a review task.',
  fields: (t) => ({
    reviewer: t.field({ type: UserRef, resolve: (r) => String(r.reviewerId) }),
    outcome: t.field({ type: ReviewOutcomeEnum, resolve: (r) => r.outcome as never }),
    comment: t.string({ nullable: true, resolve: (r) => r.comment ?? null }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => new Date(r.at) }),
  }),
});

const ReviewTaskRef = builder.objectRef<ReviewTaskDoc>('ReviewTask').implement({
  description: 'A post waiting in a review queue.',
  fields: (t) => ({
    id: t.id({ description: 'Pass it to submitReview as taskId', resolve: (task) => task._id }),
    queue: t.field({ type: ReviewQueueEnum, resolve: (task) => task.queue as never }),
    post: t.field({
      type: PostInterface,
      nullable: true,
      resolve: (task, _a, ctx) => visiblePostLoader(ctx).load(task.postId.toHexString()),
    }),
    suggestedEdit: t.field({
      type: SuggestedEditRef,
      nullable: true,
      resolve: (task, _a, ctx) => (task.suggestedEditId ? loadSuggestedEdit(ctx, task.suggestedEditId.toHexString()) : null),
    }),
    outcomes: t.field({
      type: [ReviewOutcomeEnum],
      description: 'What a reviewer may answer',
      resolve: (task) => [...QUEUE_OUTCOMES[task.queue as ReviewQueue]],
    }),
    status: t.string({ description: 'OPEN or COMPLETED', resolve: (task) => task.status }),
    outcome: t.field({ type: ReviewOutcomeEnum, nullable: true, resolve: (task) => (task.outcome as never) ?? null }),
    reviews: t.field({ type: [ReviewRef], resolve: (task) => task.reviews }),
    reviewsNeeded: t.int({ resolve: (_task, _a, ctx) => reviewRulesOf(ctx).reviewers }),
    createdAt: t.field({ type: 'DateTime', resolve: (task) => task.createdAt }),
  }),
});

const ReviewQueueCountRef = builder.objectRef<{ queue: ReviewQueue; count: number }>('ReviewQueueCount').implement({
  fields: (t) => ({
    queue: t.field({ type: ReviewQueueEnum, resolve: (q) => q.queue }),
    count: t.exposeInt('count', { description: 'Open tasks' }),
  }),
});

builder.queryField('reviewQueues', (t) =>
  t.field({
    type: [ReviewQueueCountRef],
    description: 'The review queues the viewer’s privileges open, with their open task counts.',
    resolve: (_r, _a, ctx) => reviewQueues(ctx),
  }),
);

builder.queryField('reviewTask', (t) =>
  t.field({
    type: ReviewTaskRef,
    nullable: true,
    description: 'The next task of the queue the viewer has not reviewed (null: none left).',
    args: { queue: t.arg({ type: ReviewQueueEnum, required: true }) },
    resolve: (_r, args, ctx) => reviewTask(ctx, args.queue),
  }),
);

// ---------------------------------------------------------------------------------------------
// Question and Post fields

builder.objectFields(QuestionRef, (t) => ({
  closeVoteCount: t.int({ description: 'Close votes in the current round (while open)', resolve: (q) => q.closeVoteCount ?? 0 }),
  reopenVoteCount: t.int({ description: 'Reopen votes in the current round (while closed)', resolve: (q) => q.reopenVoteCount ?? 0 }),
  closeVotesNeeded: t.int({ resolve: (q, _a, ctx) => (q.closedAt ? reviewRulesOf(ctx).reopenVotes : reviewRulesOf(ctx).closeVotes) }),
  deleteVoteCount: t.int({ resolve: (q) => q.deleteVoteCount ?? 0 }),
  closedBy: t.field({
    type: [UserRef],
    description: 'The members whose votes closed it',
    resolve: (q) => (q.closedAt ? (q.closedByVoterIds ?? []).map(String) : []),
  }),
  linkedDuplicates: t.field({
    type: [QuestionRef],
    description: 'Questions closed as duplicates of this one ("Linked")',
    resolve: async (q, _a, ctx) => {
      const ids = (q.duplicateIds ?? []).map(String);
      const found = await Promise.all(ids.map((id) => visiblePostLoader(ctx).load(id)));
      return found.filter((p): p is PostDoc => !!p && p.type === 'question').map((p) => p._id.toHexString());
    },
  }),
  isProtected: t.boolean({ resolve: (q) => !!q.protectedAt }),
  viewerCanCastCloseVote: t.boolean({
    description: 'The viewer may vote to close (while open) or reopen (while closed) now',
    resolve: async (q, _a, ctx) => {
      if (!ctx.viewer || q.deletedAt) return false;
      if (isLocked(q, servicesOf(ctx).clock.now()) && !isModerator(ctx.viewer)) return false;
      if (!(await viewerHasPrivilege(ctx, 'closeReopenVotes'))) return false;
      return !(await reposOf(ctx).closeVotes.findById(closeVoteId(q._id, ctx.viewer.id, q.voteRound ?? 0)));
    },
  }),
  viewerHasVotedToClose: t.boolean({
    description: 'The viewer voted in the current round (to close while open, to reopen while closed)',
    resolve: async (q, _a, ctx) =>
      !!ctx.viewer && !!(await reposOf(ctx).closeVotes.findById(closeVoteId(q._id, ctx.viewer.id, q.voteRound ?? 0))),
  }),
  viewerCanProtect: t.boolean({ resolve: (q, _a, ctx) => (q.deletedAt ? false : viewerHasPrivilege(ctx, 'protectQuestions')) }),
}));

builder.interfaceFields(PostInterface, (t) => ({
  isLocked: t.boolean({
    description: 'Locked: no edits, votes or comments but by moderators',
    resolve: (p, _a, ctx) => isLocked(p, servicesOf(ctx).clock.now()),
  }),
  lockReason: t.string({
    nullable: true,
    resolve: (p, _a, ctx) => (isLocked(p, servicesOf(ctx).clock.now()) ? (p.lockReason ?? null) : null),
  }),
  lockedUntil: t.field({
    type: 'DateTime',
    nullable: true,
    resolve: (p, _a, ctx) => (isLocked(p, servicesOf(ctx).clock.now()) ? (p.lockedUntil ?? null) : null),
  }),
  viewerCanLock: t.boolean({ resolve: (p, _a, ctx) => isModerator(ctx.viewer) && !p.deletedAt }),
  viewerCanUndelete: t.boolean({
    resolve: (p, _a, ctx) =>
      !!p.deletedAt &&
      (isModerator(ctx.viewer) || (p.authorId.toHexString() === ctx.viewer?.id && p.deletedById?.toHexString() === ctx.viewer?.id)),
  }),
  viewerCanSuggestEdit: t.boolean({
    description: 'The viewer may suggest an edit (signed in, not the author, not a moderator, post not locked)',
    resolve: (p, _a, ctx) =>
      !!ctx.viewer &&
      !p.deletedAt &&
      !isModerator(ctx.viewer) &&
      !isLocked(p, servicesOf(ctx).clock.now()) &&
      p.authorId.toHexString() !== ctx.viewer.id,
  }),
}));

builder.objectField(RevisionRef, 'approvedBy', (t) =>
  t.field({
    type: [UserRef],
    description: 'For an approved suggested edit: the reviewers who approved it',
    resolve: (r) => ((r as { approvedByIds?: Types.ObjectId[] }).approvedByIds ?? []).map(String),
  }),
);

// ---------------------------------------------------------------------------------------------
// mutations

builder.relayMutationField(
  'castCloseVote',
  { inputFields: (t) => ({ questionId: t.id(), reason: t.field({ type: CloseReasonEnum }), duplicateOfId: t.id({ required: false }) }) },
  {
    ...needsScope('moderate'),
    description: 'Votes to close a question (closeReopenVotes privilege); enough votes, or a binding one, close it.',
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        question: await castCloseVote(ctx, {
          questionId: rawId(input.questionId, ['Question'], 'questionId'),
          reason: input.reason,
          duplicateOfId: input.duplicateOfId ? rawId(input.duplicateOfId, ['Question'], 'duplicateOfId') : undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'castReopenVote',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    ...needsScope('moderate'),
    description: 'Votes to reopen a closed question; enough votes, or a moderator’s, reopen it.',
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ question: await castReopenVote(ctx, rawId(input.questionId, ['Question'], 'questionId')) })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'retractCloseVote',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    ...needsScope('moderate'),
    description: 'Withdraws the viewer’s close vote (open question) or reopen vote (closed question) of the current round.',
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ question: await retractCloseVote(ctx, rawId(input.questionId, ['Question'], 'questionId')) })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'castDeleteVote',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    ...needsScope('moderate'),
    description: 'Votes to delete a closed, negatively scored question (trustedUser privilege); a moderator’s vote deletes at once.',
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ question: await castDeleteVote(ctx, rawId(input.questionId, ['Question'], 'questionId')) })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

for (const [name, protect] of [
  ['protectQuestion', true],
  ['unprotectQuestion', false],
] as const) {
  builder.relayMutationField(
    name,
    { inputFields: (t) => ({ questionId: t.id() }) },
    {
      ...needsScope('moderate'),
      resolve: (_r, { input }, ctx) =>
        asPayload(async () => ({ question: await setProtected(ctx, rawId(input.questionId, ['Question'], 'questionId'), protect) })),
    },
    {
      outputFields: (t) => ({
        question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
        errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
      }),
    },
  );
}

builder.relayMutationField(
  'undeleteQuestion',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ question: await undeleteQuestion(ctx, rawId(input.questionId, ['Question'], 'questionId')) })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'undeleteAnswer',
  { inputFields: (t) => ({ answerId: t.id() }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ post: await undeleteAnswer(ctx, rawId(input.answerId, ['Answer'], 'answerId')) })),
  },
  {
    outputFields: (t) => ({
      post: t.field({ type: PostInterface, nullable: true, resolve: (p) => p.post ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'lockPost',
  {
    inputFields: (t) => ({
      postId: t.id(),
      reason: t.string({ description: 'Shown on the post' }),
      durationHours: t.int({ required: false, description: 'Unset: until unlocked' }),
    }),
  },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        post: await lockPost(ctx, {
          postId: rawId(input.postId, ['Question', 'Answer'], 'postId'),
          reason: input.reason,
          durationHours: input.durationHours ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      post: t.field({ type: PostInterface, nullable: true, resolve: (p) => p.post ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'unlockPost',
  { inputFields: (t) => ({ postId: t.id() }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ post: await unlockPost(ctx, rawId(input.postId, ['Question', 'Answer'], 'postId')) })),
  },
  {
    outputFields: (t) => ({
      post: t.field({ type: PostInterface, nullable: true, resolve: (p) => p.post ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'suggestEdit',
  {
    inputFields: (t) => ({
      postId: t.id(),
      title: t.string({ required: false }),
      body: t.string({ required: false }),
      tags: t.stringList({ required: false }),
      summary: t.string({ description: 'What the edit changes and why' }),
    }),
  },
  {
    ...needsScope('write:questions'),
    description:
      'Suggests an edit to someone else’s post (members without the editWithoutReview privilege); reviewers approve or reject it.',
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        suggestedEdit: await suggestEdit(ctx, {
          postId: rawId(input.postId, ['Question', 'Answer'], 'postId'),
          title: input.title ?? undefined,
          body: input.body ?? undefined,
          tags: input.tags ?? undefined,
          summary: input.summary,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      suggestedEdit: t.field({ type: SuggestedEditRef, nullable: true, resolve: (p) => p.suggestedEdit ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'submitReview',
  {
    inputFields: (t) => ({
      taskId: t.id(),
      outcome: t.field({ type: ReviewOutcomeEnum }),
      comment: t.string({ required: false }),
    }),
  },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        task: await submitReview(ctx, { taskId: String(input.taskId), outcome: input.outcome, comment: input.comment ?? undefined }),
      })),
  },
  {
    outputFields: (t) => ({
      task: t.field({ type: ReviewTaskRef, nullable: true, resolve: (p) => p.task ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
