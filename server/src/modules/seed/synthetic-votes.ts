// Votes, acceptances and the reputation ledger of the synthetic community. The ledger is written
// in bulk as the real events — `join:<id>`, then per vote `vote:<voteId>:1:author` / `:voter` and
// per acceptance `accept:<q>:1:answerer` / `:acceptor` — with the same keys, reasons, daily cap
// and floor as the services (`effectiveDelta` in time order per member), so votes can later be
// changed or undone through the API; each member's state keeps the last event's balance and
// sequence for the user document.
import type { Types } from 'mongoose';
import { utcDay } from '../../lib/clock.js';
import { effectiveDelta, voteAwardToAuthor, voteCostToVoter, type ReputationRules } from '../reputation/reputation.rules.js';
import type { ReputationReason } from '../reputation/reputation.service.js';
import type { AnswerDraft, QuestionScope } from './synthetic-context.js';
import type { Members } from './synthetic-members.js';
import type { SyntheticOutput } from './synthetic-output.js';
import { geometric, pick } from './synthetic-random.js';

type Subject = { id: Types.ObjectId; type: 'Question' | 'Answer' } | null;

export class Ledger {
  /** events written so far */
  events = 0;

  constructor(
    private readonly rules: ReputationRules,
    private readonly members: Members,
    private readonly output: SyntheticOutput,
  ) {}

  /** One ledger event, exactly as applyReputation would write it (cap, floor, day, sequence). */
  async record(
    key: string,
    m: number,
    nominal: number,
    reason: ReputationReason,
    at: number,
    capped: boolean,
    subject: Subject,
  ): Promise<number> {
    const s = this.members.state[m]!;
    const day = utcDay(new Date(at));
    const earnedToday = s.day === day ? s.earned : 0;
    const delta = effectiveDelta(this.rules, nominal, s.reputation, earnedToday, capped);
    const countsToday = capped && delta > 0;
    s.seq++;
    s.reputation += delta;
    if (countsToday) {
      s.day = day;
      s.earned = earnedToday + delta;
    }
    this.events++;
    await this.output.add(this.output.writers.events, {
      _id: key,
      userId: this.members.id(m),
      seq: s.seq,
      delta,
      nominal,
      reason,
      capped: countsToday,
      day: s.day,
      dayEarned: s.earned,
      balance: s.reputation,
      subjectId: subject?.id ?? null,
      subjectType: subject?.type ?? null,
      at: new Date(at),
    });
    return delta;
  }

  /** The opening balances, in join order (each member's first event). */
  async openBalances(): Promise<void> {
    for (const m of this.members.byJoinOrder())
      await this.record(
        `join:${this.members.id(m).toHexString()}`,
        m,
        this.rules.initial,
        'JOINED',
        this.members.joinedAt[m]!,
        false,
        null,
      );
  }
}

export interface VoteTotals {
  score: number;
  up: number;
  down: number;
}

/** `n` votes on a post by distinct voters, never its author; `upShare` of them up. */
export async function castVotes(
  q: QuestionScope,
  postId: Types.ObjectId,
  type: 'question' | 'answer',
  author: number,
  n: number,
  upShare: number,
): Promise<VoteTotals> {
  const { rand, members, rules, ledger, output, counts } = q.run;
  const voters = new Set<number>();
  let score = 0;
  let up = 0;
  let down = 0;
  for (let v = 0; v < n; v++) {
    let voter = members.busy();
    for (let tries = 0; (voter === author || voters.has(voter)) && tries < 5; tries++) voter = members.busy();
    if (voter === author || voters.has(voter)) continue;
    voters.add(voter);
    const value = rand() < upShare ? 1 : -1;
    const at = q.nextAt();
    const voteId = `${members.id(voter).toHexString()}:${postId.toHexString()}`;
    const subject = { id: postId, type: type === 'question' ? ('Question' as const) : ('Answer' as const) };
    const award = voteAwardToAuthor(rules, type, value);
    const authorRep =
      award === 0
        ? 0
        : await ledger.record(
            `vote:${voteId}:1:author`,
            author,
            award,
            value > 0 ? (type === 'question' ? 'QUESTION_UPVOTED' : 'ANSWER_UPVOTED') : 'POST_DOWNVOTED',
            at,
            value > 0,
            subject,
          );
    const cost = voteCostToVoter(rules, type, value);
    const voterRep = cost === 0 ? 0 : await ledger.record(`vote:${voteId}:1:voter`, voter, cost, 'DOWNVOTED_ANSWER', at, false, subject);
    await output.add(output.writers.votes, {
      _id: voteId,
      userId: members.id(voter),
      postId,
      postAuthorId: members.id(author),
      postType: type,
      value,
      version: 1,
      authorRep,
      voterRep,
      imported: false,
      createdAt: new Date(at),
      updatedAt: new Date(at),
    });
    counts.votes++;
    score += value;
    if (value > 0) up++;
    else down++;
  }
  return { score, up, down };
}

/** The votes on the question, then on each answer (whose totals are set on the draft). */
export async function voteOnQuestion(q: QuestionScope, answers: AnswerDraft[]): Promise<VoteTotals> {
  const { rand, members } = q.run;
  const qVotes = await castVotes(q, q.id, 'question', q.asker, members.count > 1 ? geometric(rand, 2.5) : 0, 0.88);
  for (const [k, a] of answers.entries()) {
    const v = await castVotes(q, a.id, 'answer', a.author, geometric(rand, k === 0 ? 2.5 : 1.5), 0.9);
    a.score = v.score;
    a.up = v.up;
    a.down = v.down;
  }
  return qVotes;
}

export interface Acceptance {
  accepted: AnswerDraft | null;
  acceptedAt: number | null;
}

/** About half of the answered questions accept an answer: usually the best-scored one. */
export async function acceptAnswer(q: QuestionScope, answers: AnswerDraft[]): Promise<Acceptance> {
  const { rand, rules, ledger, counts } = q.run;
  let accepted: AnswerDraft | null = null;
  let acceptedAt: number | null = null;
  if (answers.length > 0 && rand() < 0.55) {
    accepted = rand() < 0.75 ? answers.reduce((best, a) => (a.score > best.score ? a : best)) : pick(rand, answers);
    acceptedAt = q.nextAt();
    counts.accepted++;
    if (accepted.author !== q.asker) {
      const key = `accept:${q.id.toHexString()}:1`;
      const subject = { id: accepted.id, type: 'Answer' as const };
      await ledger.record(`${key}:answerer`, accepted.author, rules.answerAccepted, 'ANSWER_ACCEPTED', acceptedAt, false, subject);
      await ledger.record(`${key}:acceptor`, q.asker, rules.acceptorBonus, 'ACCEPTED_ANSWER', acceptedAt, false, subject);
    }
  }
  return { accepted, acceptedAt };
}
