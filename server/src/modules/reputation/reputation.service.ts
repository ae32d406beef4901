// The append-only reputation ledger. A cause is applied at most once (its key is the event's
// `_id`); a member's events are serialised by the unique (userId, seq) pair, so cap and floor
// are computed against the exact previous balance without transactions. `users.reputation`
// is a cache of the last event's balance, fast-forwarded whenever it lags.
import { Types } from 'mongoose';
import { utcDay } from '../../lib/clock.js';
import { op } from '../../lib/mongo-ops.js';
import type { Repositories } from '../repositories.js';
import { effectiveDelta, type ReputationRules } from './reputation.rules.js';

/** The ledger and the members whose cached reputation follows it. */
type LedgerRepos = Pick<Repositories, 'reputation' | 'users'>;

export type ReputationReason =
  | 'JOINED'
  | 'QUESTION_UPVOTED'
  | 'ANSWER_UPVOTED'
  | 'POST_DOWNVOTED'
  | 'DOWNVOTED_ANSWER'
  | 'VOTE_REVERSED'
  | 'ANSWER_ACCEPTED'
  | 'ACCEPTED_ANSWER'
  | 'ACCEPT_REVERSED'
  | 'POST_DELETED'
  | 'POST_UNDELETED'
  | 'EDIT_APPROVED'
  | 'POST_FLAGGED'
  | 'IMPORTED_BALANCE'
  | 'BOUNTY_OFFERED'
  | 'BOUNTY_AWARDED';

export interface ReputationChange {
  /** unique cause key, e.g. "vote:<voteId>:3:author" */
  key: string;
  userId: Types.ObjectId | string;
  nominal: number;
  reason: ReputationReason;
  /** counts toward (and is limited by) the daily upvote cap */
  capped?: boolean;
  subjectId?: Types.ObjectId | string | null;
  subjectType?: 'Question' | 'Answer' | null;
  at: Date;
}

function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: number }).code === 11000;
}

/** Brings users.reputation up to the member's latest ledger event (after a crash or a race). */
export async function fastForwardUser(repos: LedgerRepos, userId: Types.ObjectId): Promise<void> {
  const last = await repos.reputation.lastOf(userId);
  if (!last) return;
  await repos.users.setReputationIf(
    userId,
    { repSeq: op.lt(last.seq) },
    { reputation: last.balance, repSeq: last.seq, repDay: last.day, repDayEarned: last.dayEarned },
  );
}

/**
 * Applies one change to the ledger. Idempotent: applying the same key again returns the
 * delta recorded the first time. Returns the delta actually applied.
 */
export async function applyReputation(repos: LedgerRepos, rules: ReputationRules, change: ReputationChange): Promise<number> {
  const userId = new Types.ObjectId(String(change.userId));
  for (let attempt = 0; attempt < 20; attempt++) {
    const existing = await repos.reputation.findById(change.key, 'delta');
    if (existing) return existing.delta;
    const user = await repos.users.reputationOf(userId);
    if (!user) return 0;
    const day = utcDay(change.at);
    const earnedToday = user.repDay === day ? user.repDayEarned : 0;
    // cap (upvote awards only) and floor (never below `rules.floor`) apply to every event;
    // reversals therefore record what they really took back
    const delta = effectiveDelta(rules, change.nominal, user.reputation, earnedToday, change.capped ?? false);
    const seq = user.repSeq + 1;
    const balance = user.reputation + delta;
    const countsToday = (change.capped ?? false) && delta > 0;
    const nextDay = countsToday ? day : user.repDay;
    const nextEarned = countsToday ? earnedToday + delta : user.repDayEarned;
    try {
      await repos.reputation.append({
        _id: change.key,
        userId,
        seq,
        delta,
        nominal: change.nominal,
        reason: change.reason,
        capped: countsToday,
        day: nextDay,
        dayEarned: nextEarned,
        balance,
        subjectId: change.subjectId ? new Types.ObjectId(String(change.subjectId)) : null,
        subjectType: change.subjectType ?? null,
        at: change.at,
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // either this cause was applied concurrently (next loop returns it) or another event
      // took this sequence number: catch the user document up and try again
      await fastForwardUser(repos, userId);
      continue;
    }
    await repos.users.setReputationIf(
      userId,
      { repSeq: user.repSeq },
      { reputation: balance, repSeq: seq, repDay: nextDay, repDayEarned: nextEarned },
    );
    return delta;
  }
  throw new Error(`reputation ledger: too much contention applying ${change.key}`);
}

/** The delta an event applied, or 0 when the event does not exist. */
export async function appliedDelta(repos: LedgerRepos, key: string): Promise<number> {
  const event = await repos.reputation.findById(key, 'delta');
  return event?.delta ?? 0;
}

/** The first ledger event of a member: the starting balance. */
export async function openLedger(
  repos: LedgerRepos,
  rules: ReputationRules,
  userId: Types.ObjectId,
  at: Date,
  openingBalance?: number,
): Promise<void> {
  await applyReputation(repos, rules, {
    key: `join:${userId.toHexString()}`,
    userId,
    nominal: openingBalance ?? rules.initial,
    reason: openingBalance !== undefined ? 'IMPORTED_BALANCE' : 'JOINED',
    at,
  });
}
