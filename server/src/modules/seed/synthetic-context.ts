// What the parts of the synthetic generator share: the time line, the run's state and one
// question's scope. (Types and constants only: the parts import each other's types from here.)
import type { Types } from 'mongoose';
import type { ReputationRules } from '../reputation/reputation.rules.js';
import type { Members } from './synthetic-members.js';
import type { SearchBuffer, SyntheticOutput } from './synthetic-output.js';
import type { Zipf } from './synthetic-random.js';
import type { Ledger } from './synthetic-votes.js';

export const DAY_MS = 86_400_000;
export const START = Date.UTC(2024, 0, 1);
/** members join during the first month; questions spread over the following two years */
export const JOIN_WINDOW_MS = 30 * DAY_MS;
export const QUESTION_SPAN_MS = 730 * DAY_MS;

/** A deterministic id for the n-th document of a kind (derived from space, seed, kind and n). */
export type IdOf = (kind: string, n: number | string) => Types.ObjectId;

/** Documents generated so far, by kind (the summary's counts). */
export interface SyntheticCounts {
  answers: number;
  comments: number;
  votes: number;
  revisions: number;
  accepted: number;
  closed: number;
}

/** One run of the generator: its randomness, ids, members, ledger and outputs. */
export interface SyntheticRun {
  rand: () => number;
  idOf: IdOf;
  rules: ReputationRules;
  slug: string;
  spaceId: Types.ObjectId;
  members: Members;
  ledger: Ledger;
  output: SyntheticOutput;
  search: SearchBuffer;
  vocabulary: string[];
  tagZipf: Zipf;
  /** questions per tag, as generated */
  tagCounts: Map<string, number>;
  counts: SyntheticCounts;
}

/** A moment and who acted then (an edit). */
export interface Edited {
  at: number;
  by: number;
}

/**
 * One question being generated: all of its activity happens in its own time window, and every
 * action gets the next moment of that window (time order = generation order).
 */
export interface QuestionScope {
  run: SyntheticRun;
  /** the question's number (0-based) */
  qi: number;
  id: Types.ObjectId;
  at: number;
  asker: number;
  nextAt: () => number;
}

/** An answer as generated, completed by its votes and comments before it is written. */
export interface AnswerDraft {
  id: Types.ObjectId;
  author: number;
  at: number;
  body: string;
  score: number;
  up: number;
  down: number;
  comments: number;
  edited: Edited | null;
  revisions: number;
}
