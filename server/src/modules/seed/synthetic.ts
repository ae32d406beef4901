// Synthetic community data at scale (`npm run seed:synthetic -- --members N --questions N`),
// for benchmarks and load tests. Deterministic per seed: its own PRNG (mulberry32) drives every
// choice, ids are derived from (space, seed, kind, number) and timestamps from a fixed start,
// so the same parameters always produce the same documents.
//
// Distributions: tag popularity is Zipf (s = 1.1) over a generated vocabulary; member activity
// is Zipf (s = 1.0) over a shuffled member list (the same members are busy asking, answering,
// voting and commenting); answers per question are geometric with mean 1.8; votes per post are
// geometric (questions mean 2.5, answers mean 2; ~88 % up); comments per post geometric (mean
// 0.7); edits (revisions) on ~20 % of questions and ~10 % of answers; about half of the
// answered questions accept an answer (usually the best scored); ~2 % are closed.
//
// Consistency (what `npm run verify` checks holds by construction): score = Σ vote values
// (scoreBase 0) and upVotes/downVotes count the vote documents; answerCount, commentCount,
// isAnswered, revisionCount; users' question/answer counts, tags' and the space's question
// counts. REPUTATION: the ledger is written IN BULK as the real events — `join:<id>`, then per
// vote `vote:<voteId>:1:author` / `:voter` and per acceptance `accept:<q>:1:answerer` /
// `:acceptor`, with the same keys, reasons, daily cap and floor as the services (computed by
// `effectiveDelta` in time order per member), so votes can later be changed or undone through
// the API, and each user document holds the last event's balance and sequence.
//
// Speed: all of a question's activity happens in its own time window, so documents are complete
// when generated and are only ever inserted (batches of 1,000, insertMany — see
// infra/insert-batch.ts for why not upserts on FerretDB); members (whose counters and reputation
// are known at the end) and tags are inserted last. A re-run with the same parameters inserts
// nothing new. Search documents are built from the generated data and sent to the search port
// in batches (no database reads).
//
// The parts: synthetic-members.ts (users), synthetic-space-tags.ts (the space and tags with their
// counts), synthetic-posts.ts (questions, answers, comments, revisions), synthetic-votes.ts (votes,
// acceptances and the reputation ledger), synthetic-output.ts (batched writes and search
// documents), synthetic-random.ts / synthetic-vocabulary.ts / synthetic-context.ts (what they
// share); every database access goes through seed-store.ts. Every random draw happens in the
// same order as before the split: the same seed gives the same documents.
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import type { ReputationRules } from '../reputation/reputation.rules.js';
import { JOIN_WINDOW_MS, QUESTION_SPAN_MS, START, type SyntheticRun } from './synthetic-context.js';
import { Members, writeMembers } from './synthetic-members.js';
import { SearchBuffer, SyntheticOutput } from './synthetic-output.js';
import { generateQuestion } from './synthetic-posts.js';
import { mulberry32, Zipf } from './synthetic-random.js';
import { seedStore } from './seed-store.js';
import { resolveSpace, writeSpace, writeTags } from './synthetic-space-tags.js';
import { buildVocabulary } from './synthetic-vocabulary.js';
import { Ledger } from './synthetic-votes.js';

export interface SyntheticOptions {
  members: number;
  questions: number;
  /** PRNG seed (default 1) */
  seed?: number;
  /** space slug (default "synthetic"); created when missing */
  space?: string;
  /** documents per insert (default 1,000) */
  batchSize?: number;
  /** index the generated posts into search (default true) */
  search?: boolean;
  /** called after every question with the questions done so far and the documents written */
  onProgress?: (questionsDone: number, documents: number) => void;
  log?: (line: string) => void;
}

export interface SyntheticSummary {
  seed: number;
  space: { id: string; slug: string };
  members: number;
  questions: number;
  answers: number;
  comments: number;
  votes: number;
  revisions: number;
  accepted: number;
  closed: number;
  tags: number;
  reputationEvents: number;
  /** documents inserted (or found already there) in all collections */
  documents: number;
  /** documents that were already there (a re-run) */
  existing: number;
  seconds: number;
  /** documents per second, search indexing excluded */
  documentsPerSecond: number;
  searchSeconds: number;
}

export { geometric, mulberry32, Zipf } from './synthetic-random.js';

export async function generateSynthetic(deps: AppDeps, options: SyntheticOptions): Promise<SyntheticSummary> {
  const members = Math.max(1, Math.floor(options.members));
  const questions = Math.max(0, Math.floor(options.questions));
  const seed = Math.floor(options.seed ?? 1);
  const slug = (options.space ?? 'synthetic').toLowerCase();
  const batch = Math.max(1, options.batchSize ?? 1000);
  const log = options.log ?? ((line: string) => deps.log.info(line));
  const rules: ReputationRules = deps.services.reputationRules;
  const started = performance.now();
  const rand = mulberry32(seed);
  const ns = `synthetic:${slug}:${seed}`;
  const idOf = (kind: string, n: number | string) =>
    new Types.ObjectId(createHash('sha1').update(`${ns}\0${kind}\0${n}`).digest('hex').slice(0, 24));
  const suffix = slug === 'synthetic' && seed === 1 ? '' : `-${createHash('sha1').update(ns).digest('hex').slice(0, 4)}`;

  const store = seedStore(deps.repos);
  // the space (an existing one of that slug is reused)
  const space = await resolveSpace(store, slug, idOf);
  const people = new Members(members, seed, rand, idOf, suffix);
  const vocabulary = buildVocabulary(Math.min(2000, Math.max(50, Math.ceil(questions / 20))));
  const output = new SyntheticOutput(store, batch);
  const run: SyntheticRun = {
    rand,
    idOf,
    rules,
    slug,
    spaceId: space.id,
    members: people,
    ledger: new Ledger(rules, people, output),
    output,
    search: new SearchBuffer(options.search !== false ? deps.services.search : null, batch),
    vocabulary,
    tagZipf: new Zipf(vocabulary.length, 1.1),
    tagCounts: new Map<string, number>(),
    counts: { answers: 0, comments: 0, votes: 0, revisions: 0, accepted: 0, closed: 0 },
  };

  await run.ledger.openBalances();
  const windowMs = questions > 0 ? QUESTION_SPAN_MS / questions : 0;
  const questionStart = START + JOIN_WINDOW_MS;
  for (let qi = 0; qi < questions; qi++) {
    await generateQuestion(run, qi, questionStart + qi * windowMs, windowMs);
    options.onProgress?.(qi + 1, output.written);
  }
  await output.flushAll();
  await run.search.flush();

  // members (final counters and reputation), tags and the space (with their question counts)
  await writeMembers(people, vocabulary, batch, output);
  await writeTags(run.tagCounts, new Date(questionStart), batch, output);
  await writeSpace(space, { seed, members, questions }, output);
  // the question listings (Redis, on FerretDB) from the written questions
  await deps.services.listings.rebuild();
  // written in batches, past the repositories' version bumps: every cache starts afresh
  await deps.repos.storage.changed(['epoch']);

  const seconds = (performance.now() - started) / 1000;
  const searchMs = run.search.ms;
  const writeSeconds = Math.max(0.001, seconds - searchMs / 1000);
  const written = output.written;
  const summary: SyntheticSummary = {
    seed,
    space: { id: space.id.toHexString(), slug },
    members,
    questions,
    ...run.counts,
    tags: run.tagCounts.size,
    reputationEvents: run.ledger.events,
    documents: written,
    existing: output.existing,
    seconds,
    documentsPerSecond: written / writeSeconds,
    searchSeconds: searchMs / 1000,
  };
  log(`synthetic data: ${written} documents in ${seconds.toFixed(1)} s (${Math.round(summary.documentsPerSecond)} documents/s)`);
  return summary;
}
