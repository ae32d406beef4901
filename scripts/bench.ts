// npm run bench [-- --scale default|large] [--duration 10] [--rate 50] … (--help lists all)
//
// The benchmark harness (prints figures; never a test). On the bench profile's own ports
// (FerretDB 27317, Redis 6679, api 4200, web 3200), all on 127.0.0.1:
//   1. fresh data: drop the bench database, the bench search index and the bench Redis keys;
//      build; seed at the chosen scale (timed, rows/s);
//   2. api + worker + web from their production builds;
//   3. baselines in the same run: a bare node:http server and a minimal Express 5 route serving
//      the bytes of the anonymous question page, and our own `{ ping }` GraphQL query;
//   4. load per operation: max req/s (closed loop) and p50/p99 at a fixed rate, errors, peak RSS
//      per process; writes (postAnswer, vote) run together with question-page reads;
//   5. which database commands each operation sends and which FerretDB answers by scanning;
//   6. one table, also written to bench-results/<timestamp>.{json,md}.
// Everything it started is stopped at the end, on error and on Ctrl-C.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { startBaseline, type BaselineServer } from './bench/baselines.js';
import {
  captureOps,
  explainCaptured,
  formatProbe,
  formatScanReport,
  probePushdown,
  startWireTap,
  type OpScanReport,
  type WireTap,
} from './bench/db-scans.js';
import {
  gql,
  graphqlBody,
  LISTING_PAGE_SIZE,
  LISTING_QUERY,
  payloadOk,
  PING_QUERY,
  POST_ANSWER_MUTATION,
  QUESTION_QUERY,
  RECORD_VIEW_MUTATION,
  SEARCH_QUERY,
  signedInAgent,
  VOTE_MUTATION,
  type Agent,
} from './bench/graphql.js';
import { runAutocannon, runLoad, wrkAvailable, type RunStats, type Target } from './bench/load.js';
import { runPaced } from './bench/paced.js';
import { RssSampler, waitIdle } from './bench/proc.js';
import { BASELINES, COLUMNS, renderText, seedingLines, writeReport, type BenchReport, type BenchRow } from './bench/report.js';
import { copyListings, deleteRedisPrefix, ensureListings, seedBench, wipeBench, type SeedPlan, type SeedResult } from './bench/seeding.js';
import { repoRoot } from './lib/paths.js';
import { ensureServices, profileDir, profilePorts, ServiceError, stopServices } from './lib/services.js';
import { buildAll, startStack, type RunningStack } from './lib/stack.js';
import { indexProfileFerretdbIds } from './lib/ferretdb-ids.js';

// ---------------------------------------------------------------------------------------------
// options

const HELP = `npm run bench [-- options]

  --scale default|large   default: the ai.stackexchange.com dump + 10k synthetic questions;
                          large: 1M members and 1M posts (synthetic)
  --duration S            seconds of each measured run (default 10)
  --warmup S              seconds of warm-up before each operation (default 2)
  --connections N         connections of the closed-loop (max req/s) runs (default 10)
  --rate R                fixed request rate for the latency runs, req/s (default 50)
  --write-rate R          fixed rate of each write (postAnswer, vote) under read load (default 10)
  --write-connections N   closed-loop connections of each write (default 2)
  --timeout S             per-request timeout (default 10)
  --rate-tool paced|autocannon
                          fixed-rate driver: paced open loop (default) or autocannon overallRate
  --members N --questions N --seed N
                          synthetic data size (override the scale's) and generator seed (42)
  --demo                  seed only the small demo community (a quick smoke run)
  --reuse-data            keep the bench database as it is (no wipe, no seeding)
  --only a,b              only the operations whose name contains one of these (baselines always run)
  --no-db-report          skip the capture of database commands and the explain report
  --help`;

interface Options {
  scale: 'default' | 'large';
  durationSec: number;
  warmupSec: number;
  connections: number;
  rate: number;
  writeRate: number;
  writeConnections: number;
  timeoutSec: number;
  rateTool: 'paced' | 'autocannon';
  members: number;
  questions: number;
  seed: number;
  reuseData: boolean;
  demo: boolean;
  only: string[];
  dbReport: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    scale: 'default',
    durationSec: 10,
    warmupSec: 2,
    connections: 10,
    rate: 50,
    writeRate: 10,
    writeConnections: 2,
    timeoutSec: 10,
    rateTool: 'paced',
    members: NaN,
    questions: NaN,
    seed: 42,
    reuseData: false,
    demo: false,
    only: [],
    dbReport: true,
  };
  const num = (name: string, value: string | undefined, min: number) => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < min)
      throw new ServiceError(`--${name} needs a number ≥ ${min} (got ${value ?? 'nothing'})`, HELP);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        console.log(HELP);
        process.exit(0);
        break;
      case '--scale': {
        const v = value();
        if (v !== 'default' && v !== 'large') throw new ServiceError(`--scale must be default or large (got ${v ?? 'nothing'})`, HELP);
        o.scale = v;
        break;
      }
      case '--duration':
        o.durationSec = num('duration', value(), 1);
        break;
      case '--warmup':
        o.warmupSec = num('warmup', value(), 0);
        break;
      case '--connections':
        o.connections = Math.round(num('connections', value(), 1));
        break;
      case '--rate':
        o.rate = num('rate', value(), 0.1);
        break;
      case '--write-rate':
        o.writeRate = num('write-rate', value(), 0.1);
        break;
      case '--write-connections':
        o.writeConnections = Math.round(num('write-connections', value(), 1));
        break;
      case '--timeout':
        o.timeoutSec = num('timeout', value(), 1);
        break;
      case '--rate-tool': {
        const v = value();
        if (v !== 'paced' && v !== 'autocannon')
          throw new ServiceError(`--rate-tool must be paced or autocannon (got ${v ?? 'nothing'})`, HELP);
        o.rateTool = v;
        break;
      }
      case '--members':
        o.members = Math.round(num('members', value(), 1));
        break;
      case '--questions':
        o.questions = Math.round(num('questions', value(), 1));
        break;
      case '--seed':
        o.seed = Math.round(num('seed', value(), 0));
        break;
      case '--demo':
        o.demo = true;
        break;
      case '--reuse-data':
        o.reuseData = true;
        break;
      case '--only':
        o.only = (value() ?? '')
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
        break;
      case '--no-db-report':
        o.dbReport = false;
        break;
      default:
        throw new ServiceError(`unknown option ${arg}`, HELP);
    }
  }
  const sizes = SCALES[o.scale].synthetic;
  if (!Number.isFinite(o.members)) o.members = sizes.members;
  if (!Number.isFinite(o.questions)) o.questions = sizes.questions;
  return o;
}

/** What each scale seeds. */
const SCALES = {
  default: { dump: true, synthetic: { members: 5_000, questions: 10_000 } },
  // 1M posts: the generator writes 1.8 answers per question on average (2.8 posts per question)
  large: { dump: false, synthetic: { members: 1_000_000, questions: 357_000 } },
} as const;

// ---------------------------------------------------------------------------------------------
// helpers

const log = (line: string) => console.log(`[bench] ${line}`);

/** an operation slower than this alone is not put under load */
const MAX_SINGLE_SEC = 5;
/** a single request is abandoned after this long */
const PREFLIGHT_TIMEOUT_SEC = 60;
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';

/** Cleanup steps, run once each in reverse order of registration. */
class Cleanup {
  private readonly steps: Array<{ what: string; run: () => Promise<unknown> | unknown }> = [];
  add(what: string, run: () => Promise<unknown> | unknown): void {
    this.steps.push({ what, run });
  }
  async runAll(): Promise<void> {
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        console.error(`[bench] cleanup "${step.what}" failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

class Aborted extends Error {
  constructor() {
    super('interrupted');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function childName(child: ChildProcess): string {
  const args = child.spawnargs.join(' ');
  if (args.includes('server/dist/main.js')) return 'api';
  if (args.includes('server/dist/worker.js')) return 'worker';
  if (args.includes('web/build/index.js')) return 'web';
  return `pid ${child.pid}`;
}

function pidFromFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

const STOP_WORDS = new Set(
  'about above after again against because before being below between both could does doing during each from further have having here into itself more most other over same should some such than that their theirs them then there these they this those through under until very what when where which while whom with would your yours using used there what why how can does'.split(
    ' ',
  ),
);

function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]{5,}/g) ?? []).filter((w) => !STOP_WORDS.has(w));
}

/** "network" → "netwrok": two inner letters swapped (a typical typo). */
function typo(word: string): string {
  const i = Math.max(1, Math.floor(word.length / 2));
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const wallStart = performance.now();
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  const cleanup = new Cleanup();
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: string) => {
    interrupts++;
    if (interrupts === 1) {
      log(`${signal}: stopping everything this run started …`);
      abort.abort();
    } else {
      log(`${signal} again: cleaning up now`);
      void cleanup.runAll().finally(() => process.exit(130));
    }
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const checkAborted = () => {
    if (abort.signal.aborted) throw new Aborted();
  };

  // The bench only ever uses its own local services: never a database named by the environment.
  for (const variable of ['MONGODB_URL', 'REDIS_URL', 'TYPESENSE_URL']) {
    if (process.env[variable]) {
      notes.push(`${variable} is set in the environment and was ignored: the bench uses its own local services`);
      delete process.env[variable];
    }
  }

  const ports = profilePorts('bench');
  const benchDir = profileDir('bench');
  const searchDir = join(benchDir, 'search');
  const redisPrefix = 'colloquy-bench:';
  const sampler = new RssSampler(200);
  const rows: BenchRow[] = [];
  let seeding: SeedResult | null = null;
  let scans: OpScanReport[] | null = null;
  let scanLines: string[] = [];
  let lifetimePeakRssMb: Record<string, number> = {};
  const preferWrk = wrkAvailable();
  const closedTool = preferWrk ? 'wrk (autocannon for writes)' : 'autocannon';
  const machine = {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    freeGiB: Math.round(freemem() / 2 ** 30),
    loadavg1m: Number(loadavg()[0]!.toFixed(2)),
    node: process.version,
  };

  try {
    // 1. services, fresh data, build, seed -------------------------------------------------------
    log(
      `scale ${options.scale}; ${options.durationSec} s per run; closed loop ${options.connections} connections (${closedTool}); fixed rate ${options.rate} req/s (writes ${options.writeRate} req/s, ${options.rateTool})`,
    );
    const services = await ensureServices('bench', log);
    if (services.started.length) cleanup.add('stop bench services', () => stopServices('bench', services.started, log));
    sampler.watch('ferretdb', pidFromFile(join(benchDir, 'run', 'ferretdb.pid')));
    sampler.watch('redis', pidFromFile(join(benchDir, 'run', 'redis.pid')));
    sampler.start();
    cleanup.add('stop RSS sampler', () => sampler.stop());
    checkAborted();

    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000000',
      MONGODB_URL: services.mongodbUrl,
      REDIS_URL: services.redisUrl,
      REDIS_PREFIX: redisPrefix,
      SEARCH_DATA_DIR: searchDir,
      PUBLIC_URL: `http://127.0.0.1:${ports.web}`,
      // the web gives up on the api after 10 s by default: the bench measures slow pages instead
      API_TIMEOUT_MS: String(PREFLIGHT_TIMEOUT_SEC * 1000),
      ORIGIN: `http://127.0.0.1:${ports.web}`,
      TYPESENSE_URL: '',
    };
    const restartFerretdb = async () => {
      // only the bench profile's own FerretDB (tracked by its pid file) is ever restarted; it is
      // stopped at the end only when this run started it in the first place (as before)
      await stopServices('bench', ['ferretdb'], log);
      await ensureServices('bench', log);
      sampler.watch('ferretdb', pidFromFile(join(benchDir, 'run', 'ferretdb.pid')));
    };
    if (!options.reuseData) {
      await wipeBench(services.mongodbUrl, services.redisUrl, redisPrefix, searchDir, log, restartFerretdb);
    } else {
      notes.push('--reuse-data: the bench database was not wiped nor seeded');
    }
    checkAborted();
    log('building (skipped when nothing changed) …');
    buildAll(log);
    checkAborted();
    if (!options.reuseData) {
      const scale = SCALES[options.scale];
      const plan: SeedPlan = {
        dump: scale.dump,
        demo: options.demo,
        synthetic: { members: options.members, questions: options.questions, seed: options.seed },
      };
      seeding = await seedBench(
        plan,
        { ...process.env, ...env },
        services.mongodbUrl,
        { databasePid: () => sampler.pid('ferretdb'), restartDatabase: restartFerretdb },
        log,
        abort.signal,
      );
    } else {
      const rebuilt = await ensureListings(
        { ...process.env, ...env },
        { databasePid: () => sampler.pid('ferretdb'), restartDatabase: restartFerretdb },
        abort.signal,
      );
      if (rebuilt.questions) {
        log(`rebuilt the question listings in Redis: ${fmt(rebuilt.questions)} questions in ${fmt(rebuilt.seconds, 1)} s`);
        notes.push(`--reuse-data: the question listings were rebuilt (${fmt(rebuilt.questions)} questions, ${fmt(rebuilt.seconds, 1)} s)`);
      }
    }
    checkAborted();
    const idIndexes = indexProfileFerretdbIds('bench');
    if (idIndexes) log(`FerretDB: added ${idIndexes} _id lookup index(es) (see scripts/lib/ferretdb-ids.ts)`);

    // 2. the stack ------------------------------------------------------------------------------
    const stack: RunningStack = await startStack(
      { env, apiPort: ports.api, webPort: ports.web, logDir: join(benchDir, 'logs'), worker: true },
      log,
    );
    let stackStopped = false;
    const stopStack = async () => {
      if (stackStopped) return;
      stackStopped = true;
      await stack.stop();
    };
    cleanup.add('stop api, worker and web', stopStack);
    for (const child of stack.children) {
      sampler.watch(childName(child), child.pid);
      child.on('exit', (code, signal) => {
        if (!stackStopped && !abort.signal.aborted) {
          log(`✗ ${childName(child)} exited unexpectedly (${signal ?? `code ${code}`}); see ${join(benchDir, 'logs')}`);
          abort.abort();
        }
      });
    }
    const { apiUrl, webUrl } = stack;
    checkAborted();

    // fixtures ------------------------------------------------------------------------------------
    log('preparing requests (a question, the page-50 cursor, search terms, signed-in agents) …');
    type Listed = { id: string; url: string; title: string; answerCount: number; tags: Array<{ name: string }> };
    const top = await gql<{ questions: { nodes: Listed[]; totalCount: number | null } }>(
      apiUrl,
      `query { questions(first: 50, orderBy: VOTES) { totalCount nodes { id url title answerCount tags { name } } } }`,
    );
    const listed = top.data.questions.nodes;
    if (!listed.length) throw new Error('the bench database has no questions: nothing to benchmark');
    // a typical page (2–4 answers) among the top-voted questions; others if the web cannot render it
    const candidates = [
      ...listed.filter((q) => q.answerCount >= 2 && q.answerCount <= 4),
      ...listed.filter((q) => q.answerCount === 1),
      ...listed.filter((q) => q.answerCount === 0 || q.answerCount > 4).sort((a, b) => a.answerCount - b.answerCount),
    ];
    let chosen: { question: Listed; bytes: Buffer; ms: number } | undefined;
    for (const q of candidates.slice(0, 2)) {
      const path = q.url.split('#')[0]!;
      const t0 = performance.now();
      const res = await fetch(`${webUrl}${path}`, {
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(PREFLIGHT_TIMEOUT_SEC * 1000), abort.signal]),
      }).catch((e: unknown) => e as Error);
      if (res instanceof Error || res.status !== 200) {
        const why = res instanceof Error ? res.message : `HTTP ${res.status}`;
        log(`  the web could not render ${path} (${q.answerCount} answers): ${why}; trying another question`);
        notes.push(`the web could not render ${path} (${q.answerCount} answers): ${why}`);
        if (!(res instanceof Error)) await res.arrayBuffer();
        continue;
      }
      chosen = { question: q, bytes: Buffer.from(await res.arrayBuffer()), ms: performance.now() - t0 };
      break;
    }
    if (!chosen) {
      // no page to copy: the baselines serve the question's GraphQL response instead
      const q = candidates[0]!;
      const t0 = performance.now();
      const r = await fetch(`${apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: graphqlBody(QUESTION_QUERY, { id: q.id, answersFirst: 30, answersAfter: null }),
        signal: AbortSignal.timeout(PREFLIGHT_TIMEOUT_SEC * 3000),
      });
      chosen = { question: q, bytes: Buffer.from(await r.arrayBuffer()), ms: performance.now() - t0 };
      notes.push(
        `the web rendered no question page within ${PREFLIGHT_TIMEOUT_SEC} s: the node:http and Express baselines serve the question's GraphQL response (${fmt(chosen.bytes.length)} bytes) instead`,
      );
      log(`  ${notes.at(-1)!}`);
    }
    const { question, bytes: pageBytes } = chosen;
    const pagePath = question.url.split('#')[0]!;
    log(
      `question page: ${pagePath} ("${question.title}", ${question.answerCount} answers; first response ${fmt(chosen.ms)} ms); ${top.data.questions.totalCount ?? '?'} questions in all`,
    );
    const pageFile = join(benchDir, 'question-page.html');
    writeFileSync(pageFile, pageBytes);
    log(`saved the question page (${fmt(pageBytes.length)} bytes) for the baselines`);

    // page-50 cursor: walk the listing once
    let cursor: string | null = null;
    let pagesWalked = 0;
    const walkStart = performance.now();
    const walkBudgetMs = 60_000;
    for (let page = 1; page < 50; page++) {
      checkAborted();
      if (performance.now() - walkStart > walkBudgetMs) {
        notes.push(`walking the listing to page 50 took longer than ${walkBudgetMs / 1000} s: stopped at page ${page}`);
        break;
      }
      const r: { data: { questions: { pageInfo: { endCursor: string | null; hasNextPage: boolean } } } } = await gql(
        apiUrl,
        `query($after: String) { questions(first: ${LISTING_PAGE_SIZE}, after: $after, orderBy: NEWEST) { pageInfo { endCursor hasNextPage } } }`,
        { after: cursor },
      );
      if (!r.data.questions.pageInfo.endCursor) break;
      cursor = r.data.questions.pageInfo.endCursor;
      pagesWalked = page;
      if (!r.data.questions.pageInfo.hasNextPage) break;
    }
    const deepPage = pagesWalked + 1;
    log(`walked ${pagesWalked} listing pages in ${((performance.now() - walkStart) / 1000).toFixed(1)} s → cursor of page ${deepPage}`);
    if (deepPage < 50) notes.push(`the listing has fewer than 50 pages: the "page 50" row measures page ${deepPage}`);

    // search terms from real titles and tags
    const frequency = new Map<string, number>();
    for (const q of listed) for (const w of new Set(words(q.title))) frequency.set(w, (frequency.get(w) ?? 0) + 1);
    const common = [...frequency.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w]) => w);
    const w1 = common[0] ?? 'network';
    const w2 = common[1] ?? 'training';
    const longWord = common.find((w) => w.length >= 7) ?? w1;
    const topTag = question.tags[0]?.name ?? listed.flatMap((q) => q.tags)[0]?.name ?? 'tag';
    const tagWord = words(question.title)[0] ?? w1;
    const phraseSource = listed.map((q) => q.title.toLowerCase().match(/[a-z]+ [a-z]{4,}/g) ?? []).flat();
    const phrase = phraseSource[0] ?? `${w1} ${w2}`;
    const searches = [
      { label: 'words', query: `${w1} ${w2}` },
      { label: 'typo', query: typo(longWord) },
      { label: '[tag]', query: `[${topTag}] ${tagWord}` },
      { label: 'phrase', query: `"${phrase}"` },
    ];

    // 3. baselines --------------------------------------------------------------------------------
    const baselines: BaselineServer[] = [];
    for (const kind of ['http', 'express'] as const) {
      const b = await startBaseline(kind, pageFile);
      baselines.push(b);
      cleanup.add(`stop the ${kind} baseline`, () => b.stop());
      sampler.watch(kind === 'http' ? 'node:http' : 'express', b.pid);
    }
    const [httpBase, expressBase] = baselines as [BaselineServer, BaselineServer];

    // targets ---------------------------------------------------------------------------------------
    const graphqlTarget = (name: string, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Target => ({
      name,
      url: `${apiUrl}/graphql`,
      method: 'POST',
      body: graphqlBody(query, variables),
      headers: { accept: 'application/json', ...headers },
      graphql: true,
    });
    const pageTarget = (name: string, base: string): Target => ({
      name,
      url: `${base}${pagePath}`,
      method: 'GET',
      headers: { accept: 'text/html' },
    });
    const questionVars = { id: question.id, answersFirst: 30, answersAfter: null };
    const listingP1 = { first: LISTING_PAGE_SIZE, after: null, orderBy: 'NEWEST' };
    const listingDeep = { first: LISTING_PAGE_SIZE, after: cursor, orderBy: 'NEWEST' };
    type Spec = { kind: BenchRow['kind']; target: Target; rssOf?: string };
    const baselineSpecs: Spec[] = [
      { kind: 'baseline', target: pageTarget('node:http', httpBase.url), rssOf: 'node:http' },
      { kind: 'baseline', target: pageTarget('express', expressBase.url), rssOf: 'express' },
      { kind: 'baseline', target: graphqlTarget('ping', PING_QUERY) },
    ];
    const readSpecs: Spec[] = [
      { kind: 'web', target: pageTarget('question page (web)', webUrl) },
      { kind: 'graphql', target: graphqlTarget('question (GraphQL)', QUESTION_QUERY, questionVars) },
      { kind: 'graphql', target: graphqlTarget('listing page 1', LISTING_QUERY, listingP1) },
      { kind: 'graphql', target: graphqlTarget(`listing page ${deepPage} (cursor)`, LISTING_QUERY, listingDeep) },
      ...searches.map((s): Spec => ({
        kind: 'graphql',
        target: graphqlTarget(`search ${s.label}: ${s.query}`, SEARCH_QUERY, { query: s.query, first: 20, sort: 'RELEVANCE' }),
      })),
    ];
    const selected = (name: string) => !options.only.length || options.only.some((o) => name.toLowerCase().includes(o));

    // one operation: pre-flight, warm-up, closed loop, fixed rate -------------------------------------
    type Preflight = { ok: true; bytes: number; ms: number } | { ok: false; why: string };
    const preflight = async (target: Target): Promise<Preflight> => {
      try {
        const spec = target.next ? target.next() : { method: target.method, body: target.body, headers: target.headers };
        const t0 = performance.now();
        const res = await fetch(target.url, {
          method: spec.method,
          redirect: 'manual',
          headers: { ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}), ...target.headers, ...spec.headers },
          ...(spec.body !== undefined ? { body: spec.body } : {}),
          signal: AbortSignal.any([AbortSignal.timeout(PREFLIGHT_TIMEOUT_SEC * 1000), abort.signal]),
        });
        const text = await res.text();
        const ms = performance.now() - t0;
        if (res.status < 200 || res.status >= 300) return { ok: false, why: `HTTP ${res.status}: ${text.slice(0, 200)}` };
        if (target.graphql && text.includes('"errors":[{')) return { ok: false, why: `GraphQL errors: ${text.slice(0, 300)}` };
        return { ok: true, bytes: Buffer.byteLength(text), ms };
      } catch (error) {
        return { ok: false, why: error instanceof Error ? error.message : String(error) };
      }
    };
    /**
     * Two requests, one after the other: the second one's time is the unloaded latency (a first
     * request can be slow only because caches are cold, e.g. the search engine's attribute cache
     * on a million documents).
     */
    const probeTarget = async (target: Target): Promise<Preflight> => {
      const first = await preflight(target);
      if (!first.ok) return first;
      const second = await preflight(target);
      if (second.ok && first.ms > MAX_SINGLE_SEC * 1000)
        log(`  the first request took ${fmt(first.ms / 1000, 1)} s (cold), the second ${fmt(second.ms, 1)} ms`);
      return second;
    };
    /**
     * How to load an operation given how long one request takes alone (a slow operation at full
     * concurrency only produces timeouts, and leaves minutes of queued work behind).
     */
    const planFor = (singleMs: number, connections: number) => {
      const singleSec = singleMs / 1000;
      const timeoutSec = Math.max(options.timeoutSec, Math.ceil(3 * singleSec));
      return {
        skip:
          singleSec > MAX_SINGLE_SEC ? `one request alone takes ${singleSec.toFixed(1)} s (> ${MAX_SINGLE_SEC} s): not loaded` : undefined,
        timeoutSec,
        connections: Math.max(1, Math.min(connections, Math.floor(timeoutSec / (2 * singleSec)))),
        warmup: options.warmupSec > 0 && singleMs < 500,
      };
    };
    /**
     * The fixed-rate run: the requested rate, unless the closed loop showed the server cannot
     * sustain it — then half of what it managed (a queue growing without bound measures nothing
     * but the length of the run). Long enough for a few requests at low rates (at most 60 s).
     */
    const fixedRun = (target: Target, wanted: number, closed: RunStats | null, singleMs: number, timeoutSec: number): Promise<RunStats> => {
      const capacity = closed && closed.requests > 0 ? closed.rps : 1000 / singleMs;
      const rate = capacity < wanted ? Math.max(0.05, Math.floor(capacity * 50) / 100) : wanted;
      const durationSec = Math.max(options.durationSec, Math.min(30, Math.ceil(3 / rate)));
      return options.rateTool === 'paced'
        ? runPaced(target, { rate, durationSec, timeoutSec, signal: abort.signal })
        : runAutocannon(target, {
            connections: Math.max(1, Math.min(options.connections, Math.ceil(rate))),
            durationSec,
            rate,
            timeoutSec,
            signal: abort.signal,
          });
    };
    /**
     * Waits for the work a run left behind: the request handlers (api, web) first, then FerretDB
     * and the worker — which may never go idle: the worker's periodic search sweep reads the
     * database in the background — for a bounded time (counted and reported, not waited out).
     */
    let busyBackground = 0;
    let settles = 0;
    const settle = async () => {
      settles++;
      const pid = (n: string) => sampler.pid(n);
      const front = await waitIdle(
        [pid('api'), pid('web')].filter((p): p is number => p !== undefined),
        { timeoutMs: 30_000, signal: abort.signal },
      );
      const back = await waitIdle(
        [pid('ferretdb'), pid('worker')].filter((p): p is number => p !== undefined),
        { timeoutMs: 10_000, signal: abort.signal },
      );
      if (back.cores >= 0.15) busyBackground++;
      if (front.waitedMs + back.waitedMs > 3_000)
        log(
          `  (waited ${((front.waitedMs + back.waitedMs) / 1000).toFixed(1)} s for the servers to go idle${back.cores >= 0.15 ? `; FerretDB + worker still ${back.cores.toFixed(2)} cores busy` : ''})`,
        );
    };
    const describe = (name: string, closed: RunStats | null, fixed: RunStats | null, singleMs: number) => {
      const errs = [closed, fixed].reduce((n, s) => n + (s ? s.errors + s.timeouts + s.non2xx + s.graphqlErrors : 0), 0);
      log(
        `  ${name}: alone ${fmt(singleMs, 1)} ms; ${closed ? `${fmt(closed.rps, closed.rps < 10 ? 2 : 0)} req/s (${closed.connections} conn.)` : '–'}${fixed ? `; p50 ${fmt(fixed.latencyMs.p50, 1)} ms, p99 ${fmt(fixed.latencyMs.p99, 1)} ms at ${fixed.rate} req/s (${fmt(fixed.rps, 1)} answered/s)` : ''}; errors ${errs}`,
      );
    };

    const runOne = async (spec: Spec) => {
      checkAborted();
      const { target } = spec;
      log(`${target.name} …`);
      await settle();
      const pre = await probeTarget(target);
      if (!pre.ok) {
        log(`  ✗ pre-flight request failed: ${pre.why}`);
        rows.push({
          name: target.name,
          kind: spec.kind,
          target: describeTarget(target),
          closed: null,
          fixed: null,
          rssMb: {},
          note: `pre-flight failed: ${pre.why}`,
        });
        return;
      }
      const plan = planFor(pre.ms, options.connections);
      const base = {
        name: target.name,
        kind: spec.kind,
        target: describeTarget(target),
        bytes: pre.bytes,
        singleMs: pre.ms,
        nominalRate: options.rate,
        nominalConnections: options.connections,
      };
      if (plan.skip) {
        log(`  ${plan.skip}`);
        rows.push({ ...base, closed: null, fixed: null, rssMb: {}, note: plan.skip });
        return;
      }
      sampler.takeWindow();
      const load = { connections: plan.connections, timeoutSec: plan.timeoutSec, preferWrk, signal: abort.signal };
      if (plan.warmup) await runLoad(target, { ...load, durationSec: options.warmupSec });
      checkAborted();
      const closed = await runLoad(target, { ...load, durationSec: options.durationSec });
      checkAborted();
      await settle();
      const fixed = await fixedRun(target, options.rate, closed, pre.ms, plan.timeoutSec);
      checkAborted();
      const window = sampler.takeWindow();
      const rssMb = spec.rssOf ? { [spec.rssOf]: window[spec.rssOf]! } : pick(window, ['api', 'worker', 'web', 'ferretdb']);
      rows.push({ ...base, closed, fixed, rssMb });
      describe(target.name, closed, fixed, pre.ms);
    };

    // 4. load -------------------------------------------------------------------------------------------
    for (const spec of baselineSpecs) await runOne(spec);
    for (const spec of readSpecs) if (selected(spec.target.name)) await runOne(spec);

    // writes under read load
    let agents: Agent[] = [];
    const writeNames = ['question page under writes (web)', 'postAnswer under reads', 'vote under reads'];
    const pool = listed.filter((q) => q.id !== question.id).map((q) => q.id);
    let answerSeq = 0;
    const runTag = Date.now().toString(36);
    const voteCounts = new Map<string, number>();
    let voteSeq = 0;
    if (writeNames.some(selected) && pool.length) {
      checkAborted();
      log('signing up 5 bench agents …');
      const password = `bench-password-${runTag}`;
      agents = await Promise.all([1, 2, 3, 4, 5].map((i) => signedInAgent(apiUrl, `bench-${runTag}-${i}`, password)));
      const postAnswerTarget: Target = {
        name: 'postAnswer under reads',
        url: `${apiUrl}/graphql`,
        method: 'POST',
        graphql: true,
        headers: { accept: 'application/json' },
        next: () => {
          const n = answerSeq++;
          const agent = agents[n % agents.length]!;
          const questionId = pool[n % pool.length]!;
          const body = `Benchmark answer #${n} (run ${runTag}): restart the worker with a smaller batch size, then check the logs for \`timeout\` errors.\n\n\`\`\`sh\nnpm run worker -- --batch 50\n\`\`\``;
          return {
            method: 'POST',
            body: graphqlBody(POST_ANSWER_MUTATION, { input: { questionId, body } }),
            headers: { cookie: agent.cookie },
          };
        },
      };
      const voteTarget: Target = {
        name: 'vote under reads',
        url: `${apiUrl}/graphql`,
        method: 'POST',
        graphql: true,
        headers: { accept: 'application/json' },
        next: () => {
          const n = voteSeq++;
          const agent = agents[n % agents.length]!;
          const subjectId = pool[Math.floor(n / agents.length) % pool.length]!;
          // every vote changes something: UP → NONE → DOWN → NONE → UP … per agent and post
          const key = `${agent.handle}:${subjectId}`;
          const count = voteCounts.get(key) ?? 0;
          voteCounts.set(key, count + 1);
          const direction = (['UP', 'NONE', 'DOWN', 'NONE'] as const)[count % 4]!;
          return {
            method: 'POST',
            body: graphqlBody(VOTE_MUTATION, { input: { subjectId, direction } }),
            headers: { cookie: agent.cookie },
          };
        },
      };
      const readTarget = pageTarget('question page under writes (web)', webUrl);
      log(`writes under read load (${writeNames.join(', ')}) …`);
      await settle();
      const group = [readTarget, postAnswerTarget, voteTarget];
      const pre: Preflight[] = [];
      for (const t of group) pre.push(await probeTarget(t));
      const failed = pre.map((p, i) => (p.ok ? null : `${group[i]!.name}: ${p.why}`)).filter(Boolean);
      const singles = pre.map((p) => (p.ok ? p.ms : NaN));
      const plans = singles.map((ms, i) => planFor(ms, i === 0 ? options.connections : options.writeConnections));
      const skip = plans.map((p) => p.skip).find(Boolean);
      if (failed.length || skip) {
        const why = failed.length ? `pre-flight failed: ${failed.join('; ')}` : skip!;
        log(`  ✗ ${why}`);
        group.forEach((t, i) =>
          rows.push({
            name: t.name,
            kind: 'write',
            target: describeTarget(t),
            closed: null,
            fixed: null,
            rssMb: {},
            note: why,
            ...(Number.isFinite(singles[i]) ? { singleMs: singles[i]! } : {}),
          }),
        );
      } else {
        sampler.takeWindow();
        const loadOf = (i: number) => ({
          connections: plans[i]!.connections,
          timeoutSec: plans[i]!.timeoutSec,
          signal: abort.signal,
          ...(i === 0 ? { preferWrk } : {}),
        });
        if (plans.every((p) => p.warmup)) {
          await Promise.all(group.map((t, i) => runLoad(t, { ...loadOf(i), durationSec: options.warmupSec })));
        }
        checkAborted();
        const closed = await Promise.all(group.map((t, i) => runLoad(t, { ...loadOf(i), durationSec: options.durationSec })));
        checkAborted();
        await settle();
        const nominal = [options.rate, options.writeRate, options.writeRate];
        const fixed = await Promise.all(group.map((t, i) => fixedRun(t, nominal[i]!, closed[i]!, singles[i]!, plans[i]!.timeoutSec)));
        checkAborted();
        const rssMb = pick(sampler.takeWindow(), ['api', 'worker', 'web', 'ferretdb']);
        group.forEach((t, i) => {
          rows.push({
            name: t.name,
            kind: 'write',
            target: describeTarget(t),
            closed: closed[i]!,
            fixed: fixed[i]!,
            nominalRate: nominal[i]!,
            nominalConnections: i === 0 ? options.connections : options.writeConnections,
            singleMs: singles[i]!,
            rssMb,
          });
          describe(t.name, closed[i]!, fixed[i]!, singles[i]!);
        });
      }
    }
    lifetimePeakRssMb = sampler.lifetimePeaks();
    if (busyBackground)
      notes.push(
        `FerretDB + worker were still busy (≥ 0.15 cores, e.g. the worker's search sweep) after ${busyBackground} of ${settles} waits between runs: those runs shared the machine with that background work`,
      );

    // 5. which commands scan ------------------------------------------------------------------------------
    if (options.dbReport) {
      checkAborted();
      await stopStack();
      log('capturing the database commands of each operation (a separate api + web behind a wire tap) …');
      const tap: WireTap = await startWireTap(ports.ferretdb);
      cleanup.add('close the wire tap', () => tap.close());
      const capturePrefix = 'colloquy-bench-capture:';
      cleanup.add('delete the capture Redis keys', () => deleteRedisPrefix(services.redisUrl, capturePrefix));
      // the capture api serves listings from the same Redis sorted sets as the measured one
      const copiedListings = await copyListings(services.redisUrl, redisPrefix, capturePrefix);
      log(`copied ${fmt(copiedListings)} listing key(s) for the capture api (per-author listings left out)`);
      const [capApiPort, capWebPort] = [await freePort(), await freePort()];
      const capture = await startStack(
        {
          env: {
            ...env,
            MONGODB_URL: `mongodb://127.0.0.1:${tap.port}/${new URL(services.mongodbUrl).pathname.slice(1)}`,
            REDIS_PREFIX: capturePrefix,
          },
          apiPort: capApiPort,
          webPort: capWebPort,
          logDir: join(benchDir, 'logs', 'capture'),
          worker: false,
        },
        log,
      );
      cleanup.add('stop the capture api and web', () => capture.stop());
      // the commands are recorded when sent: a request still running after this is left behind
      const captureTimeoutMs = 20_000;
      const post = async (query: string, variables?: Record<string, unknown>, cookie?: string) => {
        await gql(capture.apiUrl, query, variables, cookie ? { cookie } : {}, captureTimeoutMs);
      };
      const agent = agents[0];
      let captureSeq = 0;
      const ops: Array<{ name: string; run: () => Promise<void> }> = [
        { name: 'ping', run: () => post(PING_QUERY) },
        {
          name: 'question page (web)',
          run: async () => {
            const res = await fetch(`${capture.webUrl}${pagePath}`, { redirect: 'manual', signal: AbortSignal.timeout(captureTimeoutMs) });
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
          },
        },
        { name: 'recordQuestionView (sent by the page)', run: () => post(RECORD_VIEW_MUTATION, { questionId: question.id }) },
        { name: 'question (GraphQL)', run: () => post(QUESTION_QUERY, questionVars) },
        { name: 'listing page 1', run: () => post(LISTING_QUERY, listingP1) },
        { name: `listing page ${deepPage} (cursor)`, run: () => post(LISTING_QUERY, listingDeep) },
        ...searches.map((s) => ({
          name: `search ${s.label}: ${s.query}`,
          run: () => post(SEARCH_QUERY, { query: s.query, first: 20, sort: 'RELEVANCE' }),
        })),
        ...(agent && pool.length
          ? [
              {
                name: 'postAnswer',
                run: async () => {
                  const r = await gql<{ postAnswer: { errors: Array<{ code: string; message: string }> } }>(
                    capture.apiUrl,
                    POST_ANSWER_MUTATION,
                    {
                      input: {
                        questionId: pool[0]!,
                        body: `Benchmark capture answer ${captureSeq++} (run ${runTag}): a plain answer of enough length.`,
                      },
                    },
                    { cookie: agent.cookie },
                    captureTimeoutMs,
                  );
                  payloadOk('postAnswer', r.data.postAnswer);
                },
              },
              {
                name: 'vote',
                run: async () => {
                  const r = await gql<{ vote: { errors: Array<{ code: string; message: string }> } }>(
                    capture.apiUrl,
                    VOTE_MUTATION,
                    { input: { subjectId: pool[1] ?? pool[0]!, direction: captureSeq++ % 2 ? 'NONE' : 'UP' } },
                    { cookie: agent.cookie },
                    captureTimeoutMs,
                  );
                  payloadOk('vote', r.data.vote);
                },
              },
            ]
          : []),
      ];
      await captureOps(tap, ops, log);
      await capture.stop();
      await tap.close();
      log('probing which by-_id commands FerretDB pushes down (scratch database colloquy_bench_probe) …');
      const probes = await probePushdown(services.mongodbUrl, () => indexProfileFerretdbIds('bench'));
      log(`explaining the ${tap.commands.length} captured database commands on FerretDB …`);
      scans = await explainCaptured(
        services.mongodbUrl,
        tap.commands,
        ops.map((o) => o.name),
        probes,
      );
      scanLines = [...formatProbe(probes), '', ...formatScanReport(scans)];
    } else {
      scanLines = ['(skipped: --no-db-report)'];
    }
    return 0;
  } catch (error) {
    if (error instanceof Aborted || abort.signal.aborted) {
      log('interrupted');
      return 130;
    }
    throw error;
  } finally {
    sampler.stop();
    if (!Object.keys(lifetimePeakRssMb).length) lifetimePeakRssMb = sampler.lifetimePeaks();
    await cleanup.runAll();
    if (rows.length || seeding) {
      const wallSeconds = (performance.now() - wallStart) / 1000;
      const report: BenchReport = {
        startedAt,
        wallSeconds,
        options: { ...options, tool: closedTool, fixedRateTool: options.rateTool },
        machine,
        seeding,
        rows,
        lifetimePeakRssMb,
        scans,
        scanLines,
        notes,
      };
      const legend = [
        `1 req ms: one request alone on an idle server (the second of two in a row).`,
        `req/s: closed loop for ${options.durationSec} s with ${options.connections} connections (${closedTool}), after ${options.warmupSec} s of warm-up; "(c=N)": only N connections, because one request alone is so slow that more would only time out (N = per-row timeout / (2 × 1 req); per-row timeout = max(${options.timeoutSec} s, 3 × 1 req)).`,
        `p50/p99 ms: at the fixed rate in "@ req/s" for ${options.durationSec} s (${options.rateTool === 'paced' ? 'open loop: each request sent on schedule, latency counted from its scheduled time' : 'autocannon overallRate'}); "R (max < ${options.rate})": the closed loop managed less than the requested rate, so latency was measured at R = half of what it managed (a run at a low rate lasts up to 30 s, for about 3 requests); "(got N)": the server answered only N req/s.`,
        `errors: connection errors, timeouts, non-2xx responses and GraphQL responses with errors, both runs together.`,
        'peak RSS MB: highest VmRSS sampled every 200 ms during the row (api / web / worker; the baseline server on baseline rows).',
        '% of …: req/s of the row as a percentage of the req/s of node:http, Express and the { ping } GraphQL query (same run).',
        `question page under writes, postAnswer and vote ran at the same time (closed loop: ${options.connections} + ${options.writeConnections} + ${options.writeConnections} connections; fixed: ${options.rate} + ${options.writeRate} + ${options.writeRate} req/s).`,
        `machine load when the run started: ${machine.loadavg1m} (1-min load average on ${machine.cores} cores); other processes on the machine compete with the benchmark.`,
      ];
      const out = [
        '',
        `Colloquy benchmark — scale ${options.scale} — ${startedAt}`,
        ...seedingLines(seeding),
        '',
        renderText(report).trimEnd(),
        '',
        ...legend.map((l) => `  ${l}`),
        ...rows.filter((r) => r.note).map((r) => `  ${r.name}: ${r.note}`),
        '',
        `peak RSS over the whole run (VmHWM, MB): ${Object.entries(lifetimePeakRssMb)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
        '',
        'Database commands per operation and which FerretDB answers by scanning (explain: filterPushdown):',
        ...scanLines.map((l) => `  ${l}`),
        ...(notes.length ? ['', ...notes.map((n) => `note: ${n}`)] : []),
      ];
      console.log(out.join('\n'));
      const files = writeReport(join(repoRoot, 'bench-results'), report, legend);
      console.log(`\nwritten: ${files.json}\n         ${files.md}`);
      console.log(`wall time: ${formatWall(wallSeconds)}`);
      void COLUMNS;
      void BASELINES;
    }
  }
}

function pick(record: Record<string, number>, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) if (record[k] !== undefined) out[k] = record[k]!;
  return out;
}

function describeTarget(t: Target): string {
  const path = new URL(t.url).pathname;
  if (!t.graphql) return `${t.method} ${path}`;
  if (t.next) return `${t.method} ${path} (a new mutation per request)`;
  const body = JSON.parse(t.body ?? '{}') as { query?: string; variables?: unknown };
  const op = /^(query|mutation)\s*(\w*)/.exec(body.query?.trim() ?? '')?.[2] || body.query?.trim().slice(0, 20);
  return `${t.method} ${path} ${op ?? ''} ${body.variables ? JSON.stringify(body.variables) : ''}`.trim();
}

function formatWall(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m} min ${s} s`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ServiceError) console.error(`✗ ${error.message}${error.hint ? `\n  → ${error.hint}` : ''}`);
    else console.error(`✗ ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
