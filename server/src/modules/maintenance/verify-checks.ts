// What every verify checker shares: the list of checks, their results (the tally), the batch
// walk in _id order and the ledger step a repair applies.
import type { Redis } from 'ioredis';
import type { Types } from 'mongoose';
import type { AppServices } from '../../context.js';
import type { Repositories } from '../repositories.js';
import type { Logger } from '../../infra/logger.js';
import type { ReputationReason } from '../reputation/reputation.service.js';

export const CHECKS = [
  ['vote reputation', 'ledger events of each vote (current version, post deletion) exist; authorRep/voterRep match them'],
  ['accept reputation', 'the standing acceptance has its ledger events; withdrawn ones are reversed'],
  ['bounty ledger', 'each bounty has its offer debit and, once awarded, its credit; a credited bounty is not left active'],
  ['bounty state', "a question's active bounty slot and the featured set (Redis) name exactly the active bounties"],
  ['post score', 'score = scoreBase + Σ votes; upVotes/downVotes = vote counts'],
  ['question answerCount', 'non-deleted answers'],
  ['question isAnswered', 'accepted answer, or a non-deleted answer with a positive score'],
  ['post commentCount', 'non-deleted comments'],
  ['post child lists', 'answerIds / commentIds list every answer and comment'],
  ['question thread', "a built thread (the question page's read model) holds the question's answers and comments as they are"],
  ['space questionCount', 'non-deleted questions in the space'],
  ['tag questionCount', 'non-deleted questions with the tag'],
  ['tag synonyms', 'the tags whose synonymOf names the tag'],
  ['user questionCount', 'non-deleted questions by the member'],
  ['user answerCount', 'non-deleted answers by the member'],
  ['user opening event', 'every member has a join:<id> ledger event'],
  ['user reputation', 'reputation = Σ ledger deltas (and not behind the last event)'],
  ['tag stats', "a tag's stored top askers and answerers are what its posts make (one marked for the worker is no drift)"],
  ['user stats', "a member's stored top tags are what their posts make (one marked for the worker is no drift)"],
  ['users ranking', 'members by reputation in Redis (where in use) list each member once, at their reputation'],
  ['badge counts', "a member's gold/silver/bronze counters and their badge list in Redis hold their awards"],
  ['close vote tally', "a question's close/reopen/delete vote counts and voters are its current rounds' votes"],
  ['review queues', "each review queue's Redis sorted set lists exactly its open tasks"],
  ['flag counters', "a flagged item's active flaggers, counts per reason and spam/rude count are its active flags"],
  ['flag queue', "the moderators' flag queue (Redis) lists exactly the open flagged items"],
  ['audit listings', "the audit log's Redis listings hold every entry"],
] as const;

export type CheckName = (typeof CHECKS)[number][0];

export interface CheckResult {
  check: CheckName;
  description: string;
  /** items examined */
  checked: number;
  /** items that disagreed with their facts */
  drift: number;
  /** items fixed (only with repair) */
  repaired: number;
  /** a few examples of drift, for the report */
  examples: string[];
}

export interface VerifyResult {
  checks: CheckResult[];
  drift: number;
  repaired: number;
  repair: boolean;
}

export interface VerifyOptions {
  repair?: boolean;
  /** documents per batch (default 500) */
  batchSize?: number;
  /** examples kept per check (default 5) */
  examples?: number;
}

export type VerifyDeps = {
  services: Pick<AppServices, 'clock' | 'reputationRules' | 'events'>;
  repos: Repositories;
  /** where the rollups' marks live (post/post.rollups.ts) */
  redis?: Redis;
  config?: { redisPrefix: string };
  log?: Logger;
};

/** Walks a collection in _id order, `size` documents at a time (`load` runs one page query after `last`). */
export async function* batches<T extends { _id: unknown }>(
  load: (last: unknown, limit: number) => Promise<T[]>,
  size: number,
): AsyncGenerator<T[]> {
  let last: unknown = undefined;
  for (;;) {
    const rows = await load(last, size);
    if (rows.length === 0) return;
    yield rows;
    last = rows[rows.length - 1]!._id;
    if (rows.length < size) return;
  }
}

export const hex = (id: Types.ObjectId | null | undefined) => (id ? id.toHexString() : '');

export class Tally {
  readonly results = new Map<CheckName, CheckResult>();
  constructor(private readonly max: number) {
    for (const [check, description] of CHECKS)
      this.results.set(check, { check, description, checked: 0, drift: 0, repaired: 0, examples: [] });
  }
  seen(check: CheckName, n = 1) {
    this.results.get(check)!.checked += n;
  }
  drift(check: CheckName, example: string) {
    const r = this.results.get(check)!;
    r.drift++;
    if (r.examples.length < this.max) r.examples.push(example);
  }
  repaired(check: CheckName) {
    this.results.get(check)!.repaired++;
  }
}

/** A ledger event a repair writes (by its deterministic cause key). */
export interface LedgerStep {
  key: string;
  userId: Types.ObjectId;
  nominal: number;
  reason: ReputationReason;
  capped?: boolean;
}
