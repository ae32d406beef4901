import { describe, expect, it } from 'vitest';
import {
  allowedAmounts,
  autoAwardAmount,
  autoAwardWinner,
  awardRefusal,
  BOUNTY_AMOUNTS,
  bountyWindow,
  minimumAmount,
  offerRefusal,
  type OfferFacts,
} from './bounty.rules.js';

const DAY = 24 * 3600_000;
const asked = new Date('2026-01-01T00:00:00Z');
const facts = (over: Partial<OfferFacts> = {}): OfferFacts => ({
  amount: 100,
  now: new Date(asked.getTime() + 3 * DAY),
  reputation: 1000,
  floor: 1,
  question: { createdAt: asked, closedAt: null, deletedAt: null, locked: false },
  hasActiveBounty: false,
  previousOwnAmount: null,
  ...over,
});

describe('offer rules', () => {
  it('accepts an allowed amount on an open question at least 2 days old', () => {
    expect(offerRefusal(facts())).toBeNull();
    expect(offerRefusal(facts({ now: new Date(asked.getTime() + 2 * DAY) }))).toBeNull();
  });

  it('takes only the amounts Stack Overflow offers', () => {
    expect(BOUNTY_AMOUNTS).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
    for (const amount of [0, 25, 75, 501, 550, -50, 1000])
      expect(offerRefusal(facts({ amount }))).toMatchObject({ code: 'VALIDATION', reason: 'AMOUNT_NOT_ALLOWED', field: 'amount' });
  });

  it('refuses questions younger than 2 days, closed, deleted or locked', () => {
    expect(offerRefusal(facts({ now: new Date(asked.getTime() + 2 * DAY - 1) }))).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'QUESTION_TOO_NEW',
    });
    for (const q of [{ closedAt: asked }, { deletedAt: asked }, { locked: true }])
      expect(offerRefusal(facts({ question: { ...facts().question, ...q } }))).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'QUESTION_NOT_OPEN',
      });
  });

  it('needs 75 reputation and enough to pay (keeping the floor)', () => {
    expect(offerRefusal(facts({ reputation: 74, amount: 50 }))).toMatchObject({ code: 'FORBIDDEN', reason: 'LOW_REPUTATION' });
    expect(offerRefusal(facts({ reputation: 75, amount: 50 }))).toBeNull();
    expect(offerRefusal(facts({ reputation: 100, amount: 100 }))).toMatchObject({ code: 'FORBIDDEN', reason: 'CANNOT_PAY' });
    expect(offerRefusal(facts({ reputation: 101, amount: 100 }))).toBeNull();
  });

  it('allows one active bounty per question', () => {
    expect(offerRefusal(facts({ hasActiveBounty: true }))).toMatchObject({ code: 'CONFLICT', reason: 'ACTIVE_BOUNTY' });
  });

  it("a member's next bounty on the same question is at least double their previous", () => {
    expect(minimumAmount(null)).toBe(50);
    expect(minimumAmount(100)).toBe(200);
    expect(offerRefusal(facts({ previousOwnAmount: 100, amount: 150 }))).toMatchObject({
      code: 'VALIDATION',
      reason: 'AMOUNT_BELOW_DOUBLE',
    });
    expect(offerRefusal(facts({ previousOwnAmount: 100, amount: 200 }))).toBeNull();
    expect(allowedAmounts(facts({ previousOwnAmount: 150, reputation: 400 }))).toEqual([300, 350]);
    expect(offerRefusal(facts({ previousOwnAmount: 300, amount: 500 }))).toMatchObject({ reason: 'AMOUNT_BELOW_DOUBLE' });
  });
});

describe('the bounty period', () => {
  it('lasts 7 days plus a 24-hour grace period', () => {
    const w = bountyWindow(asked);
    expect(w.endsAt.getTime() - asked.getTime()).toBe(7 * DAY);
    expect(w.graceEndsAt.getTime() - asked.getTime()).toBe(8 * DAY);
  });
});

describe('award rules', () => {
  const w = bountyWindow(asked);
  const base = {
    viewerId: 'offerer',
    bounty: { offeredBy: 'offerer', status: 'ACTIVE' as const, graceEndsAt: w.graceEndsAt, questionId: 'q' },
    answer: { authorId: 'answerer', questionId: 'q' },
    now: new Date(asked.getTime() + DAY),
  };
  it('lets the offerer award any other answer until the grace period ends', () => {
    expect(awardRefusal(base)).toBeNull();
    expect(awardRefusal({ ...base, now: w.graceEndsAt })).toBeNull();
    expect(awardRefusal({ ...base, now: new Date(w.graceEndsAt.getTime() + 1) })).toMatchObject({ reason: 'PERIOD_OVER' });
  });
  it('refuses others, the offerer’s own answer, other questions and ended bounties', () => {
    expect(awardRefusal({ ...base, viewerId: 'someone' })).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_OFFERER' });
    expect(awardRefusal({ ...base, answer: { authorId: 'offerer', questionId: 'q' } })).toMatchObject({ reason: 'OWN_ANSWER' });
    expect(awardRefusal({ ...base, answer: { authorId: 'x', questionId: 'other' } })).toMatchObject({ code: 'VALIDATION' });
    expect(awardRefusal({ ...base, bounty: { ...base.bounty, status: 'AWARDED' } })).toMatchObject({ code: 'CONFLICT' });
  });
});

describe('the automatic award', () => {
  const startedAt = new Date('2026-01-10T00:00:00Z');
  const at = (h: number) => new Date(startedAt.getTime() + h * 3600_000);
  const a = (id: string, score: number, created: Date, extra: Partial<{ authorId: string; deleted: boolean }> = {}) => ({
    id,
    authorId: extra.authorId ?? `author-${id}`,
    score,
    createdAt: created,
    deleted: extra.deleted ?? false,
  });
  const bounty = { startedAt, offeredBy: 'offerer' };

  it('goes to the highest score ≥ 2 among answers posted after the start (ties: earliest)', () => {
    const answers = [
      a('old', 10, at(-1)),
      a('two', 2, at(1)),
      a('five', 5, at(3)),
      a('five-earlier', 5, at(2)),
      a('del', 9, at(1), { deleted: true }),
    ];
    expect(autoAwardWinner(answers, bounty)?.id).toBe('five-earlier');
  });
  it('skips the offerer’s own answers and scores below 2', () => {
    expect(autoAwardWinner([a('mine', 7, at(1), { authorId: 'offerer' }), a('one', 1, at(1))], bounty)).toBeNull();
  });
  it('is half the amount, rounded down', () => {
    expect(autoAwardAmount(50)).toBe(25);
    expect(autoAwardAmount(150)).toBe(75);
    expect(autoAwardAmount(500)).toBe(250);
  });
});
