// Bounties: offer (paid up front through the reputation ledger), award by the offerer, and the
// steps both share with the expiry job and `npm run verify` (bounty.jobs.ts, bounty.verify.ts).
//
// Writes, in order (no multi-document transactions; each step idempotent, a crash between two
// leaves a state verify repairs from the facts):
//   offer   1. claim the question's slot: question_bounties.activeId null → the new id (guarded)
//           2. insert the bounty (ACTIVE)
//           3. the ledger debit `bounty:<id>:offer` (−amount, BOUNTY_OFFERED)
//           4. the featured set (Redis)
//   award   1. the bounty ACTIVE → AWARDED (guarded on status: a second award changes nothing)
//           2. the ledger credit `bounty:<id>:award` (+awardedAmount, BOUNTY_AWARDED)
//           3. release the slot (activeId → null, guarded on the id) and leave the featured set
import { Types } from 'mongoose';
import { z } from 'zod';
import type { AppServices, Context, Viewer } from '../../context.js';
import type { Logger } from '../../infra/logger.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import { toObjectId } from '../../lib/ids.js';
import { publishActivity } from '../activity/activity.js';
import { memberOf, requireActiveMember } from '../moderation/member.js';
import type { PostDoc } from '../post/post.model.js';
import { isLocked } from '../post/post.policy.js';
import { loadAnswer, loadQuestion } from '../post/post.service.js';
import { applyReputation } from '../reputation/reputation.service.js';
import type { Repositories } from '../repositories.js';
import { reposOf, servicesOf } from '../services.js';
import { canWrite } from '../user/user.policy.js';
import type { BountyDoc, QuestionBountiesDoc } from './bounty.model.js';
import { allowedAmounts, awardRefusal, bountyWindow, offerBlocker, offerRefusal, type OfferFacts, type Refusal } from './bounty.rules.js';

type Ctx = Pick<Context, 'deps' | 'viewer' | 'cache'>;
/** what the shared steps need (the api, the worker and verify all have it) */
export interface BountyDeps {
  repos: Repositories;
  services: Pick<AppServices, 'clock' | 'reputationRules'>;
  log?: Logger;
}

export const offerKey = (bountyId: Types.ObjectId | string) => `bounty:${String(bountyId)}:offer`;
export const awardKey = (bountyId: Types.ObjectId | string) => `bounty:${String(bountyId)}:award`;

/** A refusal of the rules as the typed error the API turns into data. */
export function refusalError(r: Refusal): Error {
  if (r.code === 'VALIDATION') return new ValidationError(r.message, r.field);
  if (r.code === 'CONFLICT') return new ConflictError(r.message);
  return new ForbiddenError(r.message);
}

/** The offers a member made earlier on a question: the most recent amount (null: none). */
function previousOwnAmount(state: QuestionBountiesDoc | null, userId: string): number | null {
  const own = (state?.offers ?? []).filter((o) => o.offeredBy.toHexString() === userId);
  return own.length ? own[own.length - 1]!.amount : null;
}

function offerFacts(
  question: PostDoc,
  state: QuestionBountiesDoc | null,
  viewerId: string,
  reputation: number,
  floor: number,
  now: Date,
): Omit<OfferFacts, 'amount'> {
  return {
    now,
    reputation,
    floor,
    question: {
      createdAt: question.createdAt,
      closedAt: question.closedAt,
      deletedAt: question.deletedAt,
      locked: isLocked(question, now),
    },
    hasActiveBounty: state?.activeId != null,
    previousOwnAmount: previousOwnAmount(state, viewerId),
  };
}

/**
 * What the viewer may offer on a question (hints for `viewerCanOfferBounty` and the form's amount
 * list): the amounts, or the reason they may not. Read through the caches (the service re-checks).
 */
export async function offerOptions(
  ctx: Ctx,
  question: PostDoc,
  state: QuestionBountiesDoc | null,
): Promise<{ amounts: number[]; blocker: Refusal | null }> {
  const viewer = ctx.viewer;
  if (!viewer || !canWrite(viewer)) return { amounts: [], blocker: null };
  const member = await memberOf(ctx, viewer.id);
  if (!member) return { amounts: [], blocker: null };
  const facts = offerFacts(
    question,
    state,
    viewer.id,
    member.reputation,
    servicesOf(ctx).reputationRules.floor,
    servicesOf(ctx).clock.now(),
  );
  const blocker = offerBlocker(facts);
  return { amounts: blocker ? [] : allowedAmounts(facts), blocker };
}

const offerInput = z.object({
  questionId: z.string(),
  amount: z.number().int({ error: 'must be a whole number' }),
});

export async function offerBounty(ctx: Context, raw: z.input<typeof offerInput>): Promise<{ bounty: BountyDoc; question: PostDoc }> {
  const { viewer } = await requireActiveMember(ctx);
  const input = parseInput(offerInput, raw);
  const question = await loadQuestion(ctx, input.questionId);
  const repos = reposOf(ctx);
  const { clock, reputationRules } = servicesOf(ctx);
  const now = clock.now();
  const userId = new Types.ObjectId(viewer.id);
  const [state, me] = await Promise.all([repos.bounties.questions.findById(question._id), repos.users.reputationOf(userId)]);
  const refusal = offerRefusal({
    ...offerFacts(question, state, viewer.id, me?.reputation ?? 0, reputationRules.floor, now),
    amount: input.amount,
  });
  if (refusal) throw refusalError(refusal);

  const bountyId = new Types.ObjectId();
  await repos.bounties.questions.ensure(question._id);
  const claimed = await repos.bounties.questions.updateIf(
    question._id,
    { activeId: null },
    {
      $set: { activeId: bountyId, latestId: bountyId },
      $push: { offers: { bountyId, offeredBy: userId, amount: input.amount, at: now } },
    },
  );
  if (claimed.matchedCount === 0) throw new ConflictError('This question already has an active bounty.');
  const window = bountyWindow(now);
  const bounty = {
    _id: bountyId,
    questionId: question._id,
    offeredBy: userId,
    amount: input.amount,
    ...window,
    status: 'ACTIVE' as const,
    awardedAnswerId: null,
    awardedTo: null,
    awardedAmount: 0,
    awardedAt: null,
    awardedBy: null,
    imported: false,
    version: 1,
  };
  await repos.bounties.bounties.insert(bounty);
  await payOffer(ctx.deps, bounty);
  await repos.bounties.featured
    .add(question._id.toHexString(), window.endsAt, bountyId.toHexString())
    .catch((error) => ctx.log.warn({ err: error }, 'featured set not updated (verify rebuilds it)'));
  await publishActivity(ctx, {
    type: 'bounty.offered',
    actorId: viewer.id,
    subjectId: question._id.toHexString(),
    questionId: question._id.toHexString(),
    spaceId: question.spaceId?.toHexString() ?? null,
    data: { bountyId: bountyId.toHexString(), amount: input.amount, endsAt: window.endsAt.toISOString() },
  });
  return { bounty: (await repos.bounties.bounties.findById(bountyId))!, question };
}

/** The offerer's debit (idempotent by its key; imported bounties were paid in the dump's balances). */
export async function payOffer(
  deps: BountyDeps,
  bounty: Pick<BountyDoc, '_id' | 'offeredBy' | 'amount' | 'questionId' | 'startedAt' | 'imported'>,
) {
  if (bounty.imported) return;
  await applyReputation(deps.repos, deps.services.reputationRules, {
    key: offerKey(bounty._id),
    userId: bounty.offeredBy,
    nominal: -bounty.amount,
    reason: 'BOUNTY_OFFERED',
    subjectId: bounty.questionId,
    subjectType: 'Question',
    at: bounty.startedAt,
  });
}

/**
 * Everything after a bounty's status left ACTIVE, idempotent (the award, the expiry job and
 * verify call it): the awardee's credit, the question's slot released, the featured entry gone.
 */
export async function settle(deps: BountyDeps, bounty: BountyDoc): Promise<void> {
  if (bounty.status === 'ACTIVE') return;
  const repos = deps.repos;
  if (bounty.status === 'AWARDED' && bounty.awardedAmount > 0 && bounty.awardedTo && !bounty.imported) {
    await applyReputation(repos, deps.services.reputationRules, {
      key: awardKey(bounty._id),
      userId: bounty.awardedTo,
      nominal: bounty.awardedAmount,
      reason: 'BOUNTY_AWARDED',
      subjectId: bounty.awardedAnswerId,
      subjectType: 'Answer',
      at: bounty.awardedAt ?? deps.services.clock.now(),
    });
  }
  await repos.bounties.questions.updateIf(bounty.questionId, { activeId: bounty._id }, { $set: { activeId: null } });
  await repos.bounties.featured
    .remove(bounty.questionId.toHexString())
    .catch((error) => deps.log?.warn({ err: error }, 'featured set not updated (verify rebuilds it)'));
}

/** The bounty of an award request: by id, else the question's active one. */
async function bountyOf(ctx: Ctx, input: { bountyId?: string | null; questionId?: string | null }): Promise<BountyDoc> {
  const repos = reposOf(ctx).bounties;
  if (input.bountyId) {
    const id = toObjectId(input.bountyId);
    const bounty = id ? await repos.bounties.findById(id) : null;
    if (!bounty) throw new NotFoundError('The bounty');
    return bounty;
  }
  const qid = input.questionId ? toObjectId(input.questionId) : null;
  if (!qid) throw new ValidationError('give the bounty or its question', 'bountyId');
  const state = await repos.questions.findById(qid);
  const bounty = state?.activeId ? await repos.bounties.findById(state.activeId) : null;
  if (!bounty) throw new NotFoundError('An active bounty on this question');
  return bounty;
}

const awardInput = z
  .object({ bountyId: z.string().nullish(), questionId: z.string().nullish(), answerId: z.string() })
  .refine((v) => v.bountyId || v.questionId, { error: 'give the bounty or its question', path: ['bountyId'] });

export async function awardBounty(ctx: Context, raw: z.input<typeof awardInput>): Promise<{ bounty: BountyDoc; question: PostDoc }> {
  const { viewer } = await requireActiveMember(ctx);
  const input = parseInput(awardInput, raw);
  const bounty = await bountyOf(ctx, input);
  const question = await loadQuestion(ctx, bounty.questionId);
  const answer = await loadAnswer(ctx, input.answerId);
  const now = servicesOf(ctx).clock.now();
  const repos = reposOf(ctx);
  const sameAward = (b: BountyDoc) => b.status === 'AWARDED' && b.awardedBy === 'OFFERER' && b.awardedAnswerId?.equals(answer._id);
  // awarding again (a re-submitted form) finishes what a crash may have left and changes nothing else
  if (sameAward(bounty) && viewer.id === bounty.offeredBy.toHexString()) {
    await settle(ctx.deps, bounty);
    return { bounty, question };
  }
  const refusal = awardRefusal({
    viewerId: viewer.id,
    bounty: {
      offeredBy: bounty.offeredBy.toHexString(),
      status: bounty.status,
      graceEndsAt: bounty.graceEndsAt,
      questionId: bounty.questionId.toHexString(),
    },
    answer: { authorId: answer.authorId.toHexString(), questionId: answer.questionId!.toHexString() },
    now,
  });
  if (refusal) throw refusalError(refusal);
  const updated = await repos.bounties.bounties.updateIfReturning(
    bounty._id,
    { status: 'ACTIVE' },
    {
      $set: {
        status: 'AWARDED',
        awardedAnswerId: answer._id,
        awardedTo: answer.authorId,
        awardedAmount: bounty.amount,
        awardedAt: now,
        awardedBy: 'OFFERER',
      },
      $inc: { version: 1 },
    },
  );
  if (!updated) {
    const current = await repos.bounties.bounties.findById(bounty._id);
    if (current && sameAward(current)) {
      await settle(ctx.deps, current);
      return { bounty: current, question };
    }
    throw new ConflictError('This bounty has already ended.');
  }
  await settle(ctx.deps, updated);
  await publishActivity(ctx, {
    type: 'bounty.awarded',
    actorId: viewer.id,
    subjectId: answer._id.toHexString(),
    questionId: question._id.toHexString(),
    spaceId: question.spaceId?.toHexString() ?? null,
    data: { bountyId: bounty._id.toHexString(), amount: updated.awardedAmount, awardedBy: 'OFFERER' },
  });
  return { bounty: updated, question };
}

/** Whether the viewer may award this (active) bounty to this answer now (the "Award" button). */
export function viewerCanAward(viewer: Viewer | null, bounty: BountyDoc | null, answer: PostDoc, now: Date): boolean {
  if (!viewer || !bounty || !canWrite(viewer) || answer.deletedAt || !answer.questionId) return false;
  return (
    awardRefusal({
      viewerId: viewer.id,
      bounty: {
        offeredBy: bounty.offeredBy.toHexString(),
        status: bounty.status,
        graceEndsAt: bounty.graceEndsAt,
        questionId: bounty.questionId.toHexString(),
      },
      answer: { authorId: answer.authorId.toHexString(), questionId: answer.questionId.toHexString() },
      now,
    }) === null
  );
}
