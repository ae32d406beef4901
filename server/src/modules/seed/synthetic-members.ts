// The synthetic members: who they are (names, handles, join times), how busy (Zipf activity over
// a shuffled order: the same members are busy asking, answering, voting and commenting), what
// they accumulate while the questions are generated (counters, the ledger's running balance),
// and the user documents written at the end with those final values.
import type { Types } from 'mongoose';
import { renderMarkdown } from '../../lib/markdown.js';
import { JOIN_WINDOW_MS, START, type IdOf } from './synthetic-context.js';
import type { SyntheticOutput } from './synthetic-output.js';
import { Zipf } from './synthetic-random.js';
import { FIRST, LAST } from './synthetic-vocabulary.js';

/** What a member accumulates during the run (the ledger's last event and the counters). */
export interface MemberState {
  reputation: number;
  seq: number;
  day: string;
  earned: number;
  questions: number;
  answers: number;
}

export class Members {
  private readonly order: number[];
  private readonly activity: Zipf;
  /** join time of each member (ms), in the first month */
  readonly joinedAt: number[];
  readonly state: MemberState[];

  constructor(
    readonly count: number,
    private readonly seed: number,
    private readonly rand: () => number,
    private readonly idOf: IdOf,
    /** appended to every handle, so that other seeds and spaces do not collide */
    private readonly suffix: string,
  ) {
    const order = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    this.order = order;
    this.activity = new Zipf(count, 1.0);
    this.joinedAt = Array.from({ length: count }, () => START + Math.floor(rand() * JOIN_WINDOW_MS));
    this.state = Array.from({ length: count }, () => ({
      reputation: 0,
      seq: 0,
      day: '',
      earned: 0,
      questions: 0,
      answers: 0,
    }));
  }

  /** A member drawn by activity. */
  busy(): number {
    return this.order[this.activity.sample(this.rand)]!;
  }

  id(m: number): Types.ObjectId {
    return this.idOf('member', m);
  }

  firstName(m: number): string {
    return FIRST[(m * 7 + this.seed) % FIRST.length]!;
  }

  lastName(m: number): string {
    return LAST[(m * 13 + this.seed * 3) % LAST.length]!;
  }

  handle(m: number): string {
    return `${`${this.firstName(m)}-${this.lastName(m)}`.toLowerCase().slice(0, 16)}-${m + 1}${this.suffix}`;
  }

  /** Every member, in join order (ties by number). */
  byJoinOrder(): number[] {
    return Array.from({ length: this.count }, (_, m) => m).sort((a, b) => this.joinedAt[a]! - this.joinedAt[b]! || a - b);
  }
}

/** The user documents, with their final counters and reputation (the last ledger event's balance). */
export async function writeMembers(members: Members, vocabulary: string[], batch: number, output: SyntheticOutput): Promise<void> {
  const users = output.store.insertBatchFor('users', { size: batch, otherUniqueKeys: true, trusted: true });
  for (let m = 0; m < members.count; m++) {
    const s = members.state[m]!;
    const id = members.id(m);
    const name = `${members.firstName(m)} ${members.lastName(m)}`;
    const handle = members.handle(m);
    const bio = `${name} works with ${vocabulary[(m * 31) % vocabulary.length]} and ${vocabulary[(m * 17 + 3) % vocabulary.length]}.`;
    if (
      users.add({
        _id: id,
        handle,
        handleKey: handle.toLowerCase(),
        email: null,
        emailKey: `none:${id.toHexString()}`,
        passwordHash: null,
        displayName: name,
        bio,
        bioHTML: renderMarkdown(bio),
        reputation: s.reputation,
        repSeq: s.seq,
        repDay: s.day,
        repDayEarned: s.earned,
        questionCount: s.questions,
        answerCount: s.answers,
        createdAt: new Date(members.joinedAt[m]!),
        updatedAt: new Date(members.joinedAt[m]!),
      })
    )
      await output.flush(users);
  }
  await output.flush(users);
}
