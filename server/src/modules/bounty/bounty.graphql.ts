// Bounties in the API: the `Bounty` type, `Question.bounty` / `bounties` / `viewerCanOfferBounty`
// / `viewerBountyAmounts`, `Answer.viewerCanAwardBounty`, and the `offerBounty` / `awardBounty`
// mutations (thin resolvers over bounty.service.ts). The `featured` filter of `questions` is in
// post.reads.ts (bounty.reads.ts).
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder, needsScope } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { rawId } from '../../lib/ids.js';
import { AnswerRef, QuestionRef } from '../post/post.refs.js';
import { UserRef } from '../user/user.refs.js';
import type { Context } from '../../context.js';
import type { PostDoc } from '../post/post.model.js';
import type { BountyDoc } from './bounty.model.js';
import { activeBounty, bountiesOf, currentBounty, questionBountyState } from './bounty.reads.js';
import { awardBounty, offerBounty, offerOptions, viewerCanAward } from './bounty.service.js';
import { BOUNTY_AMOUNTS } from './bounty.rules.js';

const BountyStatusEnum = builder.enumType('BountyStatus', {
  description: 'ACTIVE until awarded (by the offerer, or half automatically after the grace period) or EXPIRED without an award',
  values: ['ACTIVE', 'AWARDED', 'EXPIRED'] as const,
});

export const BountyRef = builder.objectRef<BountyDoc>('Bounty').implement({
  description: 'Reputation offered (paid up front) to draw answers to a question; Stack Overflow’s rules (docs/bounties.md).',
  fields: (t) => ({
    id: t.id({ resolve: (b) => encodeGlobalID('Bounty', b._id.toHexString()) }),
    amount: t.exposeInt('amount', { description: `One of ${BOUNTY_AMOUNTS.join(', ')}` }),
    offeredBy: t.field({ type: UserRef, nullable: true, resolve: (b) => b.offeredBy.toHexString() }),
    question: t.field({
      type: QuestionRef,
      nullable: true,
      resolve: (b, _a, ctx) =>
        QuestionRef.getDataloader(ctx)
          .load(b.questionId.toHexString())
          .catch(() => null),
    }),
    startedAt: t.field({ type: 'DateTime', resolve: (b) => b.startedAt }),
    endsAt: t.field({ type: 'DateTime', description: 'The end of the 7-day bounty period', resolve: (b) => b.endsAt }),
    graceEndsAt: t.field({
      type: 'DateTime',
      description: 'The end of the 24-hour grace period: until then the offerer may still award it',
      resolve: (b) => b.graceEndsAt,
    }),
    status: t.field({ type: BountyStatusEnum, resolve: (b) => b.status }),
    awardedAnswer: t.field({
      type: AnswerRef,
      nullable: true,
      resolve: (b, _a, ctx) =>
        b.awardedAnswerId
          ? AnswerRef.getDataloader(ctx)
              .load(b.awardedAnswerId.toHexString())
              .catch(() => null)
          : null,
    }),
    awardedAmount: t.int({
      description: 'What the answer’s author received: the amount, half of it (automatic award) or 0',
      resolve: (b) => b.awardedAmount ?? 0,
    }),
    awardedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (b) => (b.status === 'AWARDED' ? (b.awardedAt ?? null) : null),
    }),
    awardedAutomatically: t.boolean({ resolve: (b) => b.awardedBy === 'AUTO' }),
    imported: t.boolean({ resolve: (b) => Boolean(b.imported) }),
  }),
});

/** What the viewer may offer (nothing read for anonymous readers). */
const optionsOf = async (ctx: Context, q: PostDoc) =>
  ctx.viewer ? offerOptions(ctx, q, await questionBountyState(ctx, q._id)) : { amounts: [] as number[], blocker: null };

builder.objectFields(QuestionRef, (t) => ({
  bounty: t.field({
    type: BountyRef,
    nullable: true,
    description: 'The active bounty, else the latest one (awarded or expired); null when none was offered',
    resolve: (q, _a, ctx) => currentBounty(ctx, q._id),
  }),
  activeBounty: t.field({
    type: BountyRef,
    nullable: true,
    description: 'The bounty running now (the "+N" badge of lists)',
    resolve: (q, _a, ctx) => activeBounty(ctx, q._id),
  }),
  bounties: t.field({
    type: [BountyRef],
    description: 'Every bounty offered on the question, oldest first',
    resolve: (q, _a, ctx) => bountiesOf(ctx, q._id),
  }),
  viewerCanOfferBounty: t.boolean({
    resolve: async (q, _a, ctx) => (await optionsOf(ctx, q)).amounts.length > 0,
  }),
  viewerBountyAmounts: t.intList({
    description: 'The amounts the viewer may offer now (empty when they may not offer a bounty)',
    resolve: async (q, _a, ctx) => (await optionsOf(ctx, q)).amounts,
  }),
  viewerBountyRefusal: t.string({
    nullable: true,
    description: 'Why the viewer may not offer a bounty now (null: they may, or they are not signed in)',
    resolve: async (q, _a, ctx) => (await optionsOf(ctx, q)).blocker?.message ?? null,
  }),
}));

builder.objectFields(AnswerRef, (t) => ({
  viewerCanAwardBounty: t.boolean({
    description: 'Whether the viewer offered the question’s active bounty and may award it to this answer now',
    resolve: async (a, _args, ctx) => {
      if (!ctx.viewer || !a.questionId) return false;
      const bounty = await activeBounty(ctx, a.questionId);
      return viewerCanAward(ctx.viewer, bounty, a, ctx.deps.services.clock.now());
    },
  }),
}));

builder.relayMutationField(
  'offerBounty',
  {
    inputFields: (t) => ({
      questionId: t.id(),
      amount: t.int({ description: `${BOUNTY_AMOUNTS.join(', ')} (a member’s next bounty on a question: at least double their previous)` }),
    }),
  },
  {
    ...needsScope('write:questions'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => offerBounty(ctx, { questionId: rawId(input.questionId, ['Question'], 'questionId'), amount: input.amount })),
  },
  {
    outputFields: (t) => ({
      bounty: t.field({ type: BountyRef, nullable: true, resolve: (p) => p.bounty ?? null }),
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'awardBounty',
  {
    inputFields: (t) => ({
      bountyId: t.id({ required: false, description: 'The bounty; or give questionId (its active bounty)' }),
      questionId: t.id({ required: false }),
      answerId: t.id(),
    }),
  },
  {
    ...needsScope('write:questions'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () =>
        awardBounty(ctx, {
          bountyId: input.bountyId ? rawId(input.bountyId, ['Bounty'], 'bountyId') : null,
          questionId: input.questionId ? rawId(input.questionId, ['Question'], 'questionId') : null,
          answerId: rawId(input.answerId, ['Answer'], 'answerId'),
        }),
      ),
  },
  {
    outputFields: (t) => ({
      bounty: t.field({ type: BountyRef, nullable: true, resolve: (p) => p.bounty ?? null }),
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
