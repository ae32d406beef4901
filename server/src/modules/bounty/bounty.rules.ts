// Stack Overflow's bounty rules as pure functions (the service enforces them, the `viewerCan*`
// fields and the offer form's amount list reuse them, bounty.rules.test.ts checks them).
//
//   - offered on an open question at least 2 days old;
//   - amounts 50, 100, …, 500; a member's next bounty on the same question at least double their
//     previous one there;
//   - the offerer needs 75 reputation and enough to pay (their balance after paying stays at or
//     above the ledger's floor); one active bounty per question;
//   - 7 days, then a 24-hour grace period during which the offerer may still award it; after the
//     grace, half (rounded down) goes to the highest-scored answer (score ≥ 2) posted after the
//     bounty started, not by the offerer (ties: the earliest), else nobody.

export const BOUNTY_AMOUNTS = [50, 100, 150, 200, 250, 300, 350, 400, 450, 500] as const;
export const BOUNTY_MAX = 500;
export const BOUNTY_MIN_REPUTATION = 75;
export const BOUNTY_MIN_QUESTION_AGE_MS = 2 * 24 * 3600_000;
export const BOUNTY_DURATION_MS = 7 * 24 * 3600_000;
export const BOUNTY_GRACE_MS = 24 * 3600_000;
export const BOUNTY_AUTO_MIN_SCORE = 2;

export type BountyStatus = 'ACTIVE' | 'AWARDED' | 'EXPIRED';

/** Why an offer is refused: the error code the service throws, a stable reason and a message. */
export interface Refusal {
  code: 'VALIDATION' | 'FORBIDDEN' | 'CONFLICT';
  reason:
    | 'AMOUNT_NOT_ALLOWED'
    | 'AMOUNT_BELOW_DOUBLE'
    | 'QUESTION_NOT_OPEN'
    | 'QUESTION_TOO_NEW'
    | 'LOW_REPUTATION'
    | 'CANNOT_PAY'
    | 'ACTIVE_BOUNTY'
    | 'NOT_OFFERER'
    | 'OWN_ANSWER'
    | 'NOT_ACTIVE'
    | 'PERIOD_OVER'
    | 'WRONG_QUESTION';
  message: string;
  /** the offending input field (VALIDATION) */
  field?: string;
}

export interface OfferFacts {
  amount: number;
  now: Date;
  /** the offerer's reputation and the ledger's floor (reputation.rules.ts) */
  reputation: number;
  floor: number;
  question: { createdAt: Date; closedAt?: Date | null; deletedAt?: Date | null; locked: boolean };
  hasActiveBounty: boolean;
  /** the amount of the offerer's most recent earlier bounty on this question (null: none) */
  previousOwnAmount: number | null;
}

/** The smallest amount a member may offer on a question (double their previous bounty there). */
export function minimumAmount(previousOwnAmount: number | null): number {
  return previousOwnAmount ? Math.max(BOUNTY_AMOUNTS[0], previousOwnAmount * 2) : BOUNTY_AMOUNTS[0];
}

/** When a question becomes eligible for a bounty. */
export function eligibleFrom(createdAt: Date): Date {
  return new Date(new Date(createdAt).getTime() + BOUNTY_MIN_QUESTION_AGE_MS);
}

const day = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** What stops this viewer from offering a bounty at all (any amount), or null. */
export function offerBlocker(facts: Omit<OfferFacts, 'amount'>): Refusal | null {
  const q = facts.question;
  if (q.deletedAt || q.closedAt || q.locked)
    return { code: 'FORBIDDEN', reason: 'QUESTION_NOT_OPEN', message: 'Bounties can only be offered on open questions.' };
  const from = eligibleFrom(q.createdAt);
  if (facts.now.getTime() < from.getTime())
    return {
      code: 'FORBIDDEN',
      reason: 'QUESTION_TOO_NEW',
      message: `A question can get a bounty 2 days after it was asked (from ${day(from)}).`,
    };
  if (facts.reputation < BOUNTY_MIN_REPUTATION)
    return {
      code: 'FORBIDDEN',
      reason: 'LOW_REPUTATION',
      message: `You need at least ${BOUNTY_MIN_REPUTATION} reputation to offer a bounty (you have ${facts.reputation}).`,
    };
  if (facts.hasActiveBounty) return { code: 'CONFLICT', reason: 'ACTIVE_BOUNTY', message: 'This question already has an active bounty.' };
  if (allowedAmounts(facts).length === 0) {
    const min = minimumAmount(facts.previousOwnAmount);
    return min > BOUNTY_MAX
      ? {
          code: 'FORBIDDEN',
          reason: 'AMOUNT_BELOW_DOUBLE',
          message: `Your next bounty here would have to be at least ${min} (double your previous ${facts.previousOwnAmount}), more than the maximum of 500.`,
        }
      : {
          code: 'FORBIDDEN',
          reason: 'CANNOT_PAY',
          message: `You need at least ${min + facts.floor} reputation to offer a bounty of ${min} here (you have ${facts.reputation}).`,
        };
  }
  return null;
}

/** The amounts this viewer may offer on this question now (empty when they may not offer). */
export function allowedAmounts(facts: Omit<OfferFacts, 'amount'>): number[] {
  const min = minimumAmount(facts.previousOwnAmount);
  return BOUNTY_AMOUNTS.filter((a) => a >= min && facts.reputation - a >= facts.floor);
}

/** Every rule of an offer, in the order a member would want to hear them; null: allowed. */
export function offerRefusal(facts: OfferFacts): Refusal | null {
  if (!(BOUNTY_AMOUNTS as readonly number[]).includes(facts.amount))
    return {
      code: 'VALIDATION',
      reason: 'AMOUNT_NOT_ALLOWED',
      field: 'amount',
      message: `must be one of ${BOUNTY_AMOUNTS.join(', ')}`,
    };
  const blocker = offerBlocker(facts);
  if (blocker && blocker.reason !== 'AMOUNT_BELOW_DOUBLE' && blocker.reason !== 'CANNOT_PAY') return blocker;
  const min = minimumAmount(facts.previousOwnAmount);
  if (facts.amount < min)
    return {
      code: 'VALIDATION',
      reason: 'AMOUNT_BELOW_DOUBLE',
      field: 'amount',
      message: `must be at least ${min}: a second bounty on the same question must be at least double your previous one (${facts.previousOwnAmount})`,
    };
  if (facts.reputation - facts.amount < facts.floor)
    return {
      code: 'FORBIDDEN',
      reason: 'CANNOT_PAY',
      message: `You need at least ${facts.amount + facts.floor} reputation to offer a bounty of ${facts.amount} (you have ${facts.reputation}).`,
    };
  return null;
}

export interface BountyWindow {
  startedAt: Date;
  endsAt: Date;
  graceEndsAt: Date;
}

export function bountyWindow(start: Date): BountyWindow {
  const t = start.getTime();
  return {
    startedAt: new Date(t),
    endsAt: new Date(t + BOUNTY_DURATION_MS),
    graceEndsAt: new Date(t + BOUNTY_DURATION_MS + BOUNTY_GRACE_MS),
  };
}

export interface AwardFacts {
  viewerId: string;
  bounty: { offeredBy: string; status: BountyStatus; graceEndsAt: Date; questionId: string };
  answer: { authorId: string; questionId: string };
  now: Date;
}

/** Whether the viewer may award this bounty to this answer now; null: allowed. */
export function awardRefusal(f: AwardFacts): Refusal | null {
  if (f.viewerId !== f.bounty.offeredBy)
    return { code: 'FORBIDDEN', reason: 'NOT_OFFERER', message: 'Only the member who offered the bounty can award it.' };
  if (f.answer.questionId !== f.bounty.questionId)
    return { code: 'VALIDATION', reason: 'WRONG_QUESTION', field: 'answerId', message: 'is not an answer to the bounty’s question' };
  if (f.bounty.status !== 'ACTIVE') return { code: 'CONFLICT', reason: 'NOT_ACTIVE', message: 'This bounty has already ended.' };
  if (f.now.getTime() > new Date(f.bounty.graceEndsAt).getTime())
    return {
      code: 'FORBIDDEN',
      reason: 'PERIOD_OVER',
      message: 'The bounty’s period and grace period are over; it is awarded automatically.',
    };
  if (f.answer.authorId === f.viewerId)
    return { code: 'FORBIDDEN', reason: 'OWN_ANSWER', message: 'You cannot award your own bounty to your own answer.' };
  return null;
}

export interface CandidateAnswer {
  id: string;
  authorId: string;
  score: number;
  createdAt: Date;
  deleted: boolean;
}

/**
 * The answer the automatic award goes to after the grace period: the highest score ≥ 2 among
 * answers posted after the bounty started and not by the offerer (ties: the earliest), or null.
 */
export function autoAwardWinner(
  answers: readonly CandidateAnswer[],
  bounty: { startedAt: Date; offeredBy: string },
): CandidateAnswer | null {
  const start = new Date(bounty.startedAt).getTime();
  let best: CandidateAnswer | null = null;
  for (const a of answers) {
    if (a.deleted || a.authorId === bounty.offeredBy || a.score < BOUNTY_AUTO_MIN_SCORE) continue;
    if (new Date(a.createdAt).getTime() < start) continue;
    if (!best || a.score > best.score || (a.score === best.score && new Date(a.createdAt).getTime() < new Date(best.createdAt).getTime()))
      best = a;
  }
  return best;
}

/** Half the bounty, rounded down (the automatic award). */
export const autoAwardAmount = (amount: number) => Math.floor(amount / 2);
