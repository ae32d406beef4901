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
// import/se-writer.ts for why not upserts on FerretDB); members (whose counters and reputation
// are known at the end) and tags are inserted last. A re-run with the same parameters inserts
// nothing new. Search documents are built from the generated data and sent to the search port
// in batches (no database reads).
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import type { SearchDocument } from '../../infra/search/search.port.js';
import { utcDay } from '../../lib/clock.js';
import { renderInlineMarkdown, renderMarkdown } from '../../lib/markdown.js';
import { op } from '../../lib/mongo-ops.js';
import { markdownToPlainText } from '../../lib/plain-text.js';
import { CommentModel } from '../comment/comment.model.js';
import { InsertBatch } from '../import/se-writer.js';
import { PostModel } from '../post/post.model.js';
import { ReputationEventModel } from '../reputation/reputation.model.js';
import { effectiveDelta, voteAwardToAuthor, voteCostToVoter, type ReputationRules } from '../reputation/reputation.rules.js';
import type { ReputationReason } from '../reputation/reputation.service.js';
import { RevisionModel } from '../revision/revision.model.js';
import { SpaceModel } from '../space/space.model.js';
import { TagModel } from '../tag/tag.model.js';
import { UserModel } from '../user/user.model.js';
import { VoteModel } from '../vote/vote.model.js';
import { mulberry32 } from '../../lib/random.js';

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

// ---------------------------------------------------------------------------------------------
// Randomness

export { mulberry32 };

/** Samples ranks 0..n-1 with P(k) ∝ 1/(k+1)^s (binary search over the cumulative weights). */
export class Zipf {
  private readonly cdf: Float64Array;
  constructor(
    readonly n: number,
    s: number,
  ) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      sum += 1 / Math.pow(k + 1, s);
      this.cdf[k] = sum;
    }
    for (let k = 0; k < n; k++) this.cdf[k]! /= sum;
  }
  sample(rand: () => number): number {
    const u = rand();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Geometric on {0, 1, 2, …} with the given mean. */
export function geometric(rand: () => number, mean: number): number {
  if (mean <= 0) return 0;
  const p = 1 / (1 + mean);
  return Math.floor(Math.log(1 - rand()) / Math.log(1 - p));
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const TECH = [
  'python',
  'javascript',
  'typescript',
  'java',
  'go',
  'rust',
  'c',
  'cpp',
  'csharp',
  'ruby',
  'php',
  'kotlin',
  'swift',
  'scala',
  'sql',
  'postgresql',
  'mysql',
  'mongodb',
  'redis',
  'kafka',
  'rabbitmq',
  'elasticsearch',
  'sqlite',
  'cassandra',
  'docker',
  'kubernetes',
  'helm',
  'terraform',
  'ansible',
  'nginx',
  'linux',
  'bash',
  'git',
  'ci',
  'aws',
  'gcp',
  'azure',
  'react',
  'vue',
  'svelte',
  'angular',
  'nodejs',
  'express',
  'django',
  'flask',
  'spring',
  'rails',
  'graphql',
  'rest',
  'grpc',
  'oauth',
  'jwt',
  'tls',
  'dns',
  'http',
  'websocket',
  'caching',
  'logging',
  'metrics',
  'tracing',
  'testing',
  'performance',
  'memory',
  'concurrency',
  'async',
  'regex',
  'json',
  'yaml',
  'csv',
  'unicode',
  'datetime',
  'networking',
  'security',
  'authentication',
  'authorization',
  'deployment',
  'autoscaling',
  'replication',
  'backup',
  'indexing',
  'transactions',
  'migrations',
  'orm',
  'pagination',
  'rate-limiting',
  'webhooks',
  'sdk',
  'cli',
  'api',
  'search',
  'queues',
  'cron',
];
const QUALIFIERS = [
  'client',
  'server',
  'config',
  'errors',
  'upgrade',
  'plugins',
  'cluster',
  'streams',
  'types',
  'build',
  'debugging',
  'timeouts',
];

function buildVocabulary(size: number): string[] {
  const out = [...TECH];
  for (const q of QUALIFIERS) for (const t of TECH) if (out.length < size) out.push(`${t}-${q}`.slice(0, 35));
  return out.slice(0, Math.max(10, size));
}

const FIRST = [
  'Ada',
  'Lena',
  'Kwame',
  'Sofia',
  'Hiro',
  'Olga',
  'Marco',
  'Priya',
  'Noah',
  'Amara',
  'Liam',
  'Mei',
  'Omar',
  'Ines',
  'Yuki',
  'Tomas',
  'Zara',
  'Ravi',
  'Elena',
  'Jonas',
  'Fatima',
  'Diego',
  'Chen',
  'Aisha',
  'Lukas',
  'Nina',
  'Mateo',
  'Sara',
  'Ivan',
  'Leila',
];
const LAST = [
  'Fischer',
  'Mensah',
  'Alvarez',
  'Tanaka',
  'Petrova',
  'Rossi',
  'Natarajan',
  'Okafor',
  'Kim',
  'Nguyen',
  'Silva',
  'Novak',
  'Haddad',
  'Larsen',
  'Moreau',
  'Kowalski',
  'Ito',
  'Costa',
  'Schmidt',
  'Hassan',
  'Berg',
  'Singh',
  'Dubois',
  'Sato',
  'Meyer',
  'Lopez',
  'Ivanova',
  'Walsh',
  'Yilmaz',
  'Brown',
];
const VERBS = [
  'configure',
  'debug',
  'speed up',
  'migrate',
  'test',
  'deploy',
  'secure',
  'monitor',
  'paginate',
  'cache',
  'retry',
  'stream',
  'parse',
  'validate',
  'upgrade',
];
const OBJECTS = [
  'a connection pool',
  'the request handler',
  'background jobs',
  'a nested query',
  'the build pipeline',
  'file uploads',
  'session tokens',
  'a schema change',
  'bulk inserts',
  'the health check',
  'log output',
  'a webhook consumer',
  'environment variables',
  'the test suite',
  'an index',
];
const PROBLEMS = [
  'it times out under load',
  'memory keeps growing',
  'the second call returns stale data',
  'it works locally but not in production',
  'errors are swallowed silently',
  'it deadlocks after a few minutes',
  'the results come back in the wrong order',
  'it is ten times slower than expected',
  'the first request after a deploy fails',
  'some records are processed twice',
];
const FIXES = [
  'set an explicit timeout and reuse the client',
  'move the work into a background queue',
  'add an index that matches the sort order',
  'close the resource in a finally block',
  'pin the dependency to the previous minor version',
  'batch the writes and flush them periodically',
  'make the handler idempotent with a unique key',
  'turn on the debug log to see the actual query',
  'read the configuration once at startup',
  'use a cursor instead of offset pagination',
];
const COMMENT_TEXTS = [
  'Which version are you on?',
  'Can you share the full error message?',
  'This worked for me, thanks!',
  'Have you tried running it with `--verbose`?',
  'See also the section on **limits** in the docs.',
  'Does this still happen after a restart?',
  'Good point, I will update the answer.',
  'What does the log say right before it fails?',
  'Same problem here on the latest release.',
  'Could you add a minimal example?',
];

// ---------------------------------------------------------------------------------------------
// Generator

interface MemberState {
  reputation: number;
  seq: number;
  day: string;
  earned: number;
  questions: number;
  answers: number;
}

const DAY_MS = 86_400_000;
const START = Date.UTC(2024, 0, 1);
/** members join during the first month; questions spread over the following two years */
const JOIN_WINDOW_MS = 30 * DAY_MS;
const QUESTION_SPAN_MS = 730 * DAY_MS;

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

  // the space (an existing one of that slug is reused)
  const existingSpace = await SpaceModel.findOne({ slug }).select('_id').lean();
  const spaceId = existingSpace?._id ?? idOf('space', slug);

  // members: Zipf activity over a shuffled order; join times in the first month
  const order = Array.from({ length: members }, (_, i) => i);
  for (let i = members - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const activity = new Zipf(members, 1.0);
  const memberAt = (rank: number) => order[rank]!;
  const busyMember = () => memberAt(activity.sample(rand));
  const memberId = (m: number) => idOf('member', m);
  const joinedAt = Array.from({ length: members }, () => START + Math.floor(rand() * JOIN_WINDOW_MS));
  const firstName = (m: number) => FIRST[(m * 7 + seed) % FIRST.length]!;
  const lastName = (m: number) => LAST[(m * 13 + seed * 3) % LAST.length]!;
  const handleOf = (m: number) => `${`${firstName(m)}-${lastName(m)}`.toLowerCase().slice(0, 16)}-${m + 1}${suffix}`;
  const state: MemberState[] = Array.from({ length: members }, () => ({
    reputation: 0,
    seq: 0,
    day: '',
    earned: 0,
    questions: 0,
    answers: 0,
  }));

  const vocabulary = buildVocabulary(Math.min(2000, Math.max(50, Math.ceil(questions / 20))));
  const tagZipf = new Zipf(vocabulary.length, 1.1);
  const tagCounts = new Map<string, number>();

  const writers = {
    events: new InsertBatch(ReputationEventModel, { size: batch, trusted: true }),
    posts: new InsertBatch(PostModel, { size: batch, trusted: true }),
    revisions: new InsertBatch(RevisionModel, { size: batch, trusted: true }),
    comments: new InsertBatch(CommentModel, { size: batch, trusted: true }),
    votes: new InsertBatch(VoteModel, { size: batch, trusted: true }),
  };
  let written = 0;
  let existing = 0;
  const flush = async (writer: InsertBatch) => {
    const r = await writer.flush();
    written += r.inserted + r.existing;
    existing += r.existing;
    if (r.failures.length) throw new Error(`synthetic data: ${r.failures.length} documents refused, e.g. ${r.failures[0]!.message}`);
  };
  // a full batch is written while generation goes on (at most one write in flight per collection)
  const inflight = new Map<InsertBatch, Promise<void>>();
  const add = async (writer: InsertBatch, doc: Record<string, unknown> & { _id: { toString(): string } }) => {
    if (!writer.add(doc)) return;
    await inflight.get(writer);
    const writing = flush(writer);
    writing.catch(() => undefined); // surfaced by the next await of this writer
    inflight.set(writer, writing);
  };
  const flushAll = async () => {
    for (const writing of inflight.values()) await writing;
    inflight.clear();
    for (const w of Object.values(writers)) await flush(w);
  };

  const search = options.search !== false ? deps.services.search : null;
  let searchDocs: SearchDocument[] = [];
  let searchMs = 0;
  const flushSearch = async () => {
    if (!search || searchDocs.length === 0) return;
    const t = performance.now();
    await search.upsert(searchDocs);
    searchDocs = [];
    searchMs += performance.now() - t;
  };

  /** One ledger event, exactly as applyReputation would write it (cap, floor, day, sequence). */
  let reputationEvents = 0;
  const reputation = async (
    key: string,
    m: number,
    nominal: number,
    reason: ReputationReason,
    at: number,
    capped: boolean,
    subject: { id: Types.ObjectId; type: 'Question' | 'Answer' } | null,
  ): Promise<number> => {
    const s = state[m]!;
    const day = utcDay(new Date(at));
    const earnedToday = s.day === day ? s.earned : 0;
    const delta = effectiveDelta(rules, nominal, s.reputation, earnedToday, capped);
    const countsToday = capped && delta > 0;
    s.seq++;
    s.reputation += delta;
    if (countsToday) {
      s.day = day;
      s.earned = earnedToday + delta;
    }
    reputationEvents++;
    await add(writers.events, {
      _id: key,
      userId: memberId(m),
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
  };

  // opening balances, in join order (each member's first event)
  const byJoin = Array.from({ length: members }, (_, m) => m).sort((a, b) => joinedAt[a]! - joinedAt[b]! || a - b);
  for (const m of byJoin) await reputation(`join:${memberId(m).toHexString()}`, m, rules.initial, 'JOINED', joinedAt[m]!, false, null);

  const counts = { answers: 0, comments: 0, votes: 0, revisions: 0, accepted: 0, closed: 0 };
  const windowMs = questions > 0 ? QUESTION_SPAN_MS / questions : 0;
  const questionStart = START + JOIN_WINDOW_MS;

  for (let qi = 0; qi < questions; qi++) {
    const t0 = questionStart + qi * windowMs;
    let tick = 0;
    // every action of this question gets the next moment of its window (time order = generation order)
    const nextAt = () => Math.floor(t0 + windowMs * (1 - 1 / (2 + tick++ * 0.25)));
    const qAt = Math.floor(t0);
    const qId = idOf('question', qi);
    const asker = busyMember();
    const tagCount = 1 + Math.min(4, geometric(rand, 1.2));
    const tags: string[] = [];
    for (let k = 0; k < tagCount * 3 && tags.length < tagCount; k++) {
      const tag = vocabulary[tagZipf.sample(rand)]!;
      if (!tags.includes(tag)) tags.push(tag);
    }
    const [verb, object, problem] = [pick(rand, VERBS), pick(rand, OBJECTS), pick(rand, PROBLEMS)];
    const title = `How do I ${verb} ${object} with ${tags[0]} when ${problem}?`;
    let body = `I am trying to ${verb} ${object} in a ${tags.join(' / ')} project, but ${problem}.\n\nWhat I tried so far:\n\n- read the documentation on ${tags[0]}\n- checked the logs\n\n\`\`\`text\n$ ${tags[0]} --version\n\`\`\`\n\nWhat am I missing? (question ${qi + 1})`;
    await add(writers.revisions, {
      _id: idOf('revision', `q${qi}:1`),
      postId: qId,
      number: 1,
      authorId: memberId(asker),
      title,
      body,
      tags,
      changed: ['title', 'body', 'tags'],
      summary: '',
      createdAt: new Date(qAt),
      updatedAt: new Date(qAt),
    });
    counts.revisions++;
    let qRevisions = 1;
    let qEdited: { at: number; by: number } | null = null;
    if (rand() < 0.2) {
      const by = rand() < 0.7 ? asker : busyMember();
      const at = nextAt();
      body = `${body}\n\n**Edit:** the same happens with the latest ${tags[0]} release.`;
      qRevisions++;
      counts.revisions++;
      qEdited = { at, by };
      await add(writers.revisions, {
        _id: idOf('revision', `q${qi}:2`),
        postId: qId,
        number: 2,
        authorId: memberId(by),
        title,
        body,
        tags,
        changed: ['body'],
        summary: 'added details',
        createdAt: new Date(at),
        updatedAt: new Date(at),
      });
    }

    // answers
    const answerCount = members > 1 ? geometric(rand, 1.8) : 0;
    const answers: Array<{
      id: Types.ObjectId;
      author: number;
      at: number;
      body: string;
      score: number;
      up: number;
      down: number;
      comments: number;
      edited: { at: number; by: number } | null;
      revisions: number;
    }> = [];
    for (let k = 0; k < answerCount; k++) {
      let author = busyMember();
      for (let tries = 0; author === asker && tries < 5; tries++) author = busyMember();
      if (author === asker) continue;
      const at = nextAt();
      const id = idOf('answer', `${qi}:${k}`);
      let text = `This usually means you need to ${pick(rand, FIXES)}. With ${tags[0]} that looks like:\n\n\`\`\`bash\n# ${verb} ${object}\n${tags[0]} --fix\n\`\`\`\n\nAfter that, ${problem.replace(/^it /, 'it no longer ')} should stop.`;
      await add(writers.revisions, {
        _id: idOf('revision', `a${qi}:${k}:1`),
        postId: id,
        number: 1,
        authorId: memberId(author),
        body: text,
        changed: ['body'],
        summary: '',
        createdAt: new Date(at),
        updatedAt: new Date(at),
      });
      counts.revisions++;
      let revisions = 1;
      let edited: { at: number; by: number } | null = null;
      if (rand() < 0.1) {
        const eAt = nextAt();
        text = `${text}\n\nAlternatively, ${pick(rand, FIXES)}.`;
        revisions++;
        counts.revisions++;
        edited = { at: eAt, by: author };
        await add(writers.revisions, {
          _id: idOf('revision', `a${qi}:${k}:2`),
          postId: id,
          number: 2,
          authorId: memberId(author),
          body: text,
          changed: ['body'],
          summary: 'another option',
          createdAt: new Date(eAt),
          updatedAt: new Date(eAt),
        });
      }
      answers.push({ id, author, at, body: text, score: 0, up: 0, down: 0, comments: 0, edited, revisions });
      state[author]!.answers++;
      counts.answers++;
    }

    // votes (distinct voters, never the author)
    const castVotes = async (postId: Types.ObjectId, type: 'question' | 'answer', author: number, n: number, upShare: number) => {
      const voters = new Set<number>();
      let score = 0;
      let up = 0;
      let down = 0;
      for (let v = 0; v < n; v++) {
        let voter = busyMember();
        for (let tries = 0; (voter === author || voters.has(voter)) && tries < 5; tries++) voter = busyMember();
        if (voter === author || voters.has(voter)) continue;
        voters.add(voter);
        const value = rand() < upShare ? 1 : -1;
        const at = nextAt();
        const voteId = `${memberId(voter).toHexString()}:${postId.toHexString()}`;
        const subject = { id: postId, type: type === 'question' ? ('Question' as const) : ('Answer' as const) };
        const award = voteAwardToAuthor(rules, type, value);
        const authorRep =
          award === 0
            ? 0
            : await reputation(
                `vote:${voteId}:1:author`,
                author,
                award,
                value > 0 ? (type === 'question' ? 'QUESTION_UPVOTED' : 'ANSWER_UPVOTED') : 'POST_DOWNVOTED',
                at,
                value > 0,
                subject,
              );
        const cost = voteCostToVoter(rules, type, value);
        const voterRep = cost === 0 ? 0 : await reputation(`vote:${voteId}:1:voter`, voter, cost, 'DOWNVOTED_ANSWER', at, false, subject);
        await add(writers.votes, {
          _id: voteId,
          userId: memberId(voter),
          postId,
          postAuthorId: memberId(author),
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
    };
    const qVotes = await castVotes(qId, 'question', asker, members > 1 ? geometric(rand, 2.5) : 0, 0.88);
    for (const [k, a] of answers.entries()) {
      const v = await castVotes(a.id, 'answer', a.author, geometric(rand, k === 0 ? 2.5 : 1.5), 0.9);
      a.score = v.score;
      a.up = v.up;
      a.down = v.down;
    }

    // acceptance: usually the best-scored answer
    let accepted: (typeof answers)[number] | null = null;
    let acceptedAt: number | null = null;
    if (answers.length > 0 && rand() < 0.55) {
      accepted = rand() < 0.75 ? answers.reduce((best, a) => (a.score > best.score ? a : best)) : pick(rand, answers);
      acceptedAt = nextAt();
      counts.accepted++;
      if (accepted.author !== asker) {
        const key = `accept:${qId.toHexString()}:1`;
        const subject = { id: accepted.id, type: 'Answer' as const };
        await reputation(`${key}:answerer`, accepted.author, rules.answerAccepted, 'ANSWER_ACCEPTED', acceptedAt, false, subject);
        await reputation(`${key}:acceptor`, asker, rules.acceptorBonus, 'ACCEPTED_ANSWER', acceptedAt, false, subject);
      }
    }

    // comments
    const commentIdsOf = new Map<string, Types.ObjectId[]>();
    const comment = async (postId: Types.ObjectId, key: string, n: number) => {
      let made = 0;
      const ids: Types.ObjectId[] = [];
      commentIdsOf.set(postId.toHexString(), ids);
      for (let c = 0; c < n; c++) {
        const at = nextAt();
        const text = pick(rand, COMMENT_TEXTS);
        const id = idOf('comment', `${key}:${c}`);
        ids.push(id);
        await add(writers.comments, {
          _id: id,
          postId,
          questionId: qId,
          authorId: memberId(busyMember()),
          body: text,
          bodyHTML: renderInlineMarkdown(text),
          score: 0,
          createdAt: new Date(at),
          updatedAt: new Date(at),
        });
        made++;
      }
      counts.comments += made;
      return made;
    };
    const qComments = await comment(qId, `q${qi}`, geometric(rand, 0.7));
    for (const [k, a] of answers.entries()) a.comments = await comment(a.id, `a${qi}:${k}`, geometric(rand, 0.7));

    // closing (a few, after the activity); duplicates point at an earlier question
    let closed: { at: number; reason: string; duplicateOf: Types.ObjectId | null } | null = null;
    if (qi >= 10 && rand() < 0.02) {
      const duplicate = rand() < 0.5;
      closed = {
        at: nextAt(),
        reason: duplicate ? 'DUPLICATE' : pick(rand, ['OFF_TOPIC', 'NEEDS_DETAILS', 'NEEDS_FOCUS']),
        duplicateOf: duplicate ? idOf('question', Math.floor(rand() * qi)) : null,
      };
      counts.closed++;
    }

    const lastAt = Math.max(qAt, qEdited?.at ?? 0, acceptedAt ?? 0, ...answers.map((a) => Math.max(a.at, a.edited?.at ?? 0)));
    const isAnswered = !!accepted || answers.some((a) => a.score > 0);
    const views = 10 + Math.floor(-Math.log(1 - rand()) * 60 * (1 + Math.max(0, qVotes.score) + answers.length));
    state[asker]!.questions++;
    for (const t of tags) tagCounts.set(t, (tagCounts.get(t) ?? 0) + 1);
    await add(writers.posts, {
      _id: qId,
      type: 'question',
      spaceId,
      questionId: qId,
      authorId: memberId(asker),
      title,
      tags,
      body,
      bodyHTML: renderMarkdown(body),
      score: qVotes.score,
      scoreBase: 0,
      upVotes: qVotes.up,
      downVotes: qVotes.down,
      answerCount: answers.length,
      commentCount: qComments,
      answerIds: answers.map((a) => a.id),
      commentIds: commentIdsOf.get(qId.toHexString()) ?? [],
      viewCount: views,
      isAnswered,
      acceptedAnswerId: accepted?.id ?? null,
      acceptedAt: acceptedAt === null ? null : new Date(acceptedAt),
      acceptGen: accepted ? 1 : 0,
      closedAt: closed ? new Date(closed.at) : null,
      closeReason: closed?.reason ?? null,
      duplicateOfId: closed?.duplicateOf ?? null,
      lastActivityAt: new Date(lastAt),
      lastEditedAt: qEdited ? new Date(qEdited.at) : null,
      lastEditorId: qEdited ? memberId(qEdited.by) : null,
      revisionCount: qRevisions,
      createdAt: new Date(qAt),
      updatedAt: new Date(qEdited?.at ?? qAt),
    });
    for (const a of answers) {
      await add(writers.posts, {
        _id: a.id,
        type: 'answer',
        spaceId,
        questionId: qId,
        authorId: memberId(a.author),
        body: a.body,
        bodyHTML: renderMarkdown(a.body),
        score: a.score,
        scoreBase: 0,
        upVotes: a.up,
        downVotes: a.down,
        commentCount: a.comments,
        commentIds: commentIdsOf.get(a.id.toHexString()) ?? [],
        lastActivityAt: new Date(a.edited?.at ?? a.at),
        lastEditedAt: a.edited ? new Date(a.edited.at) : null,
        lastEditorId: a.edited ? memberId(a.edited.by) : null,
        revisionCount: a.revisions,
        createdAt: new Date(a.at),
        updatedAt: new Date(a.edited?.at ?? a.at),
      });
    }
    if (search) {
      const common = {
        title,
        tags,
        space: slug,
        answerCount: answers.length,
        isAnswered,
        hasAccepted: !!accepted,
        isClosed: !!closed,
        lastActivityAt: lastAt,
      };
      searchDocs.push({
        ...common,
        id: qId.toHexString(),
        type: 'question',
        questionId: qId.toHexString(),
        body: markdownToPlainText(body),
        authorId: memberId(asker).toHexString(),
        authorHandle: handleOf(asker),
        score: qVotes.score,
        isAccepted: false,
        createdAt: qAt,
        version: 1_000_000,
      });
      for (const a of answers) {
        searchDocs.push({
          ...common,
          id: a.id.toHexString(),
          type: 'answer',
          questionId: qId.toHexString(),
          body: markdownToPlainText(a.body),
          authorId: memberId(a.author).toHexString(),
          authorHandle: handleOf(a.author),
          score: a.score,
          isAccepted: accepted === a,
          createdAt: a.at,
          lastActivityAt: a.edited?.at ?? a.at,
          version: 1_000_000 + 1,
        });
      }
      if (searchDocs.length >= batch) await flushSearch();
    }
    options.onProgress?.(qi + 1, written);
  }
  await flushAll();
  await flushSearch();

  // members, with their final counters and reputation (the last ledger event's balance)
  const users = new InsertBatch(UserModel, { size: batch, otherUniqueKeys: true, trusted: true });
  for (let m = 0; m < members; m++) {
    const s = state[m]!;
    const id = memberId(m);
    const name = `${firstName(m)} ${lastName(m)}`;
    const handle = handleOf(m);
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
        createdAt: new Date(joinedAt[m]!),
        updatedAt: new Date(joinedAt[m]!),
      })
    )
      await flush(users);
  }
  await flush(users);

  // tags with their counts; tags that existed before are recounted from every question
  const tags = new InsertBatch(TagModel, { size: batch, trusted: true });
  const tagTime = new Date(questionStart);
  for (const [name, n] of tagCounts) {
    if (tags.add({ _id: name, questionCount: n, createdAt: tagTime, updatedAt: tagTime })) await flush(tags);
  }
  await flush(tags);
  if (tags.existing > 0) await recountTags([...tagCounts.keys()]);

  // the space, with its question count
  if (existingSpace) {
    const n = await PostModel.countDocuments({ spaceId, type: 'question', deletedAt: null });
    const current = await SpaceModel.findById(spaceId).select('questionCount').lean();
    if (current?.questionCount !== n) await SpaceModel.updateOne({ _id: spaceId }, { $set: { questionCount: n } });
  } else {
    await SpaceModel.collection.insertOne({
      _id: spaceId,
      slug,
      name: slug === 'synthetic' ? 'Synthetic' : `Synthetic ${slug}`,
      description: `Generated community data (seed ${seed}, ${members} members, ${questions} questions).`,
      questionCount: questions,
      createdAt: new Date(START),
      updatedAt: new Date(START),
    } as never);
    written++;
  }
  // the question listings (Redis, on FerretDB) from the written questions
  await deps.services.listings.rebuild();

  const seconds = (performance.now() - started) / 1000;
  const writeSeconds = Math.max(0.001, seconds - searchMs / 1000);
  const summary: SyntheticSummary = {
    seed,
    space: { id: spaceId.toHexString(), slug },
    members,
    questions,
    ...counts,
    tags: tagCounts.size,
    reputationEvents,
    documents: written,
    existing,
    seconds,
    documentsPerSecond: written / writeSeconds,
    searchSeconds: searchMs / 1000,
  };
  log(`synthetic data: ${written} documents in ${seconds.toFixed(1)} s (${Math.round(summary.documentsPerSecond)} documents/s)`);
  return summary;
}

/** Sets these tags' question counts from the questions that carry them (one read). */
async function recountTags(names: string[]): Promise<void> {
  const counted = await PostModel.aggregate<{ _id: string; n: number }>([
    { $match: { type: 'question', deletedAt: null, tags: op.in(names) } },
    { $project: { tags: 1 } },
    { $unwind: '$tags' },
    { $group: { _id: '$tags', n: { $sum: 1 } } },
  ]);
  const byTag = new Map(counted.map((c) => [c._id, c.n]));
  const current = (await TagModel.find({ _id: op.in(names) })
    .select('questionCount')
    .lean()) as Array<{ _id: string; questionCount: number }>;
  for (const t of current) {
    const n = byTag.get(t._id) ?? 0;
    if (t.questionCount !== n) await TagModel.updateOne({ _id: t._id }, { $set: { questionCount: n } });
  }
}
