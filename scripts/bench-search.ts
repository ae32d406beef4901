// Benchmark of the embedded search engine (prints figures; not a test).
//
//   npm run bench:search -- [--docs 100000] [--rate 100] [--seconds 10] [--keep]
//
// 1. Generates N synthetic posts deterministically: a ~2,000-word vocabulary with Zipf-distributed
//    words and tags, titles of 6–14 words, bodies of 50–300 words, questions with their answers.
// 2. Builds the embedded index through `reindex` (build time, rows/s, RSS before/after, file size).
// 3. Runs five query shapes, each at a fixed rate (open loop: request i is due at start + i/rate;
//    latency is measured from when it was due, so a slow request delays the next ones and that
//    shows), with queries written in the real query language and parsed by the real parser.
// Targets: p50 <= 15 ms, p99 <= 50 ms, RSS growth <= 1.5 GB.
// The machine's load average is printed before each shape, and the process CPU time per query
// (cpu/q): other jobs competing for the CPU show as latencies well above it.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEmbeddedSearch } from '../server/src/infra/search/embedded.adapter.js';
import type { SearchDocument, SearchPort, SearchQuery, SearchSort } from '../server/src/infra/search/search.port.js';
import { parseSearchQuery } from '../server/src/lib/search-query.js';
import { mulberry32 } from '../server/src/lib/random.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? undefined : Number(process.argv[i + 1]);
  return v !== undefined && Number.isFinite(v) ? v : fallback;
}

const DOCS = arg('docs', 100_000);
const RATE = arg('rate', 100);
const SECONDS = arg('seconds', 10);
const KEEP = process.argv.includes('--keep');

// ---------------------------------------------------------------------------------------------
// Deterministic synthetic data

const prng = mulberry32;

const rand = prng(20240601);
const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

/** ~2,000 distinct pronounceable words of 3–11 letters */
function makeVocabulary(size: number): string[] {
  const onsets = [
    'b',
    'c',
    'd',
    'f',
    'g',
    'h',
    'j',
    'k',
    'l',
    'm',
    'n',
    'p',
    'r',
    's',
    't',
    'v',
    'w',
    'z',
    'br',
    'cl',
    'dr',
    'st',
    'tr',
    'pl',
    'sh',
    'ch',
  ];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'];
  const codas = ['', '', 'n', 'r', 's', 't', 'l', 'ck', 'nd', 'st'];
  const words = new Set<string>();
  while (words.size < size) {
    let w = '';
    const syllables = int(1, 4);
    for (let s = 0; s < syllables; s++) w += pick(onsets) + pick(vowels) + (s === syllables - 1 ? pick(codas) : '');
    if (w.length >= 3 && w.length <= 11) words.add(w);
  }
  return [...words];
}

/** Zipf sampler over ranks 0..n-1 with exponent s */
function zipf(n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) {
    sum += 1 / Math.pow(r + 1, s);
    cdf[r] = sum;
  }
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const VOCAB = makeVocabulary(2000);
const wordRank = zipf(VOCAB.length, 1.0);
const tagRank = zipf(VOCAB.length, 1.1);
const SPACES = ['general', 'frontend', 'backend', 'devops', 'data', 'mobile', 'security', 'cloud', 'testing', 'design'];
const word = () => VOCAB[wordRank()]!;
const words = (min: number, max: number) => Array.from({ length: int(min, max) }, word).join(' ');
const hex = (n: number) => n.toString(16).padStart(24, '0');
const START = Date.UTC(2020, 0, 1);
const SPAN = 5 * 365 * 86_400_000;

/** a few (phrase, docId) samples taken while generating, for the phrase query shape */
const phraseSamples: string[] = [];

function* generatePosts(total: number): Generator<SearchDocument> {
  let n = 0;
  while (n < total) {
    const qid = hex(n + 1);
    const title = words(6, 14);
    const tags = [...new Set(Array.from({ length: int(1, 5) }, () => VOCAB[tagRank()]!))];
    const space = pick(SPACES);
    const createdAt = START + Math.floor(rand() * SPAN);
    const answers = Math.min(int(0, 4) * (rand() < 0.7 ? 1 : 0), total - n - 1);
    const accepted = answers > 0 && rand() < 0.5 ? int(1, answers) : 0;
    const answerScores = Array.from({ length: answers }, () => int(-2, 20));
    const isAnswered = accepted > 0 || answerScores.some((s) => s > 0);
    const common = {
      questionId: qid,
      title,
      tags,
      space,
      answerCount: answers,
      isAnswered,
      hasAccepted: accepted > 0,
      isClosed: rand() < 0.05,
      version: 1,
    };
    const body = words(50, 300);
    if (phraseSamples.length < 5000 && rand() < 0.1) {
      const bodyWords = body.split(' ');
      const at = int(0, bodyWords.length - 3);
      phraseSamples.push(bodyWords.slice(at, at + 3).join(' '));
    }
    yield {
      ...common,
      id: qid,
      type: 'question',
      body,
      authorId: `u${int(1, 5000)}`,
      authorHandle: `user${int(1, 5000)}`,
      score: Math.floor(Math.pow(rand(), 3) * 60) - 5,
      isAccepted: false,
      createdAt,
      lastActivityAt: createdAt + Math.floor(rand() * 30 * 86_400_000),
    };
    n++;
    for (let a = 1; a <= answers && n < total; a++) {
      const at = createdAt + Math.floor(rand() * 10 * 86_400_000);
      yield {
        ...common,
        id: hex(n + 1),
        type: 'answer',
        body: words(50, 300),
        authorId: `u${int(1, 5000)}`,
        authorHandle: `user${int(1, 5000)}`,
        score: answerScores[a - 1]!,
        isAccepted: a === accepted,
        createdAt: at,
        lastActivityAt: at,
      };
      n++;
    }
  }
}

async function* batchesOf(source: Iterable<SearchDocument>, size: number): AsyncIterable<SearchDocument[]> {
  let batch: SearchDocument[] = [];
  for (const doc of source) {
    batch.push(doc);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

// ---------------------------------------------------------------------------------------------
// Query shapes

function toQuery(text: string, overrides: Partial<SearchQuery> = {}): SearchQuery {
  const p = parseSearchQuery(text);
  const sort: SearchSort = 'relevance';
  return {
    terms: p.terms,
    phrases: p.phrases,
    tags: p.tags,
    excludedTags: p.excludedTags,
    ...(p.type ? { type: p.type } : {}),
    ...(p.minScore !== undefined ? { minScore: p.minScore } : {}),
    ...(p.answers !== undefined ? { answers: p.answers } : {}),
    ...(p.isAccepted !== undefined ? { isAccepted: p.isAccepted } : {}),
    ...(p.hasAccepted !== undefined ? { hasAccepted: p.hasAccepted } : {}),
    ...(p.isClosed !== undefined ? { isClosed: p.isClosed } : {}),
    ...(p.spaces.length ? { spaces: p.spaces } : {}),
    ...(p.createdFrom !== undefined ? { createdFrom: p.createdFrom } : {}),
    ...(p.createdTo !== undefined ? { createdTo: p.createdTo } : {}),
    sort,
    limit: 20,
    offset: 0,
    facets: false,
    ...overrides,
  };
}

/** a one-edit typo of a word (substitution, transposition or deletion) that is not itself a word */
const VOCAB_SET = new Set(VOCAB);
function typo(w: string): string {
  for (;;) {
    const i = int(1, w.length - 2);
    const kind = int(0, 2);
    let t: string;
    if (kind === 0) t = w.slice(0, i) + pick('abcdefghijklmnopqrstuvwxyz'.split('')) + w.slice(i + 1);
    else if (kind === 1) t = w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
    else t = w.slice(0, i) + w.slice(i + 1);
    if (t !== w && !VOCAB_SET.has(t)) return t;
  }
}

interface Shape {
  name: string;
  next: () => SearchQuery;
}

// frequency ranks by construction: VOCAB[0] is the most frequent word, VOCAB[1] the next…
const commonWord = () => VOCAB[int(0, 49)]!;
const longWords = VOCAB.slice(0, 500).filter((w) => w.length >= 6);

const shapes: Shape[] = [
  { name: '1 two common words', next: () => toQuery(`${commonWord()} ${VOCAB[int(0, 99)]!}`) },
  { name: '2 word with a typo', next: () => toQuery(typo(pick(longWords))) },
  { name: '3 [tag] + word, votes', next: () => toQuery(`[${VOCAB[int(0, 29)]!}] ${VOCAB[int(0, 199)]!}`, { sort: 'votes' }) },
  { name: '4 "phrase" answers:0', next: () => toQuery(`"${pick(phraseSamples)}" answers:0`) },
  { name: '5 facets, broad query', next: () => toQuery(VOCAB[int(0, 9)]!, { facets: true }) },
];

function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const i = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, i)]!;
}

async function runShape(port: SearchPort, shape: Shape): Promise<{ latency: number[]; service: number[]; hits: number; cpu: number }> {
  const count = Math.round(RATE * SECONDS);
  const interval = 1000 / RATE;
  const latency: number[] = [];
  const service: number[] = [];
  let hits = 0;
  // warm-up (statement preparation, page cache)
  for (let i = 0; i < 20; i++) await port.query(shape.next());
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const query = shape.next();
    const t0 = performance.now();
    const page = await port.query(query);
    const t1 = performance.now();
    hits += page.total;
    service.push(t1 - t0);
    latency.push(t1 - Math.min(due, t0));
  }
  const cpu = process.cpuUsage(cpu0);
  return { latency, service, hits: hits / count, cpu: (cpu.user + cpu.system) / 1000 / count };
}

// ---------------------------------------------------------------------------------------------

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const fmt = (ms: number) => ms.toFixed(1).padStart(7);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'colloquy-bench-search-'));
  console.log(`embedded search benchmark: ${DOCS.toLocaleString('en')} posts, ${RATE} req/s for ${SECONDS} s per shape`);
  console.log(`index folder: ${dir}`);
  console.log(`load average (1, 5, 15 min) at the start: ${load()}`);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const port = createEmbeddedSearch({ dir });
  await port.init();

  const t0 = performance.now();
  let lastReport = 0;
  await port.reindex(batchesOf(generatePosts(DOCS), 1000), DOCS, ({ done, total }) => {
    if (done - lastReport >= 20_000 || (done === total && lastReport !== done)) {
      lastReport = done;
      const s = (performance.now() - t0) / 1000;
      process.stdout.write(`  indexed ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${s.toFixed(1)} s)\n`);
    }
  });
  const buildSeconds = (performance.now() - t0) / 1000;
  const rssAfter = process.memoryUsage().rss;
  const size = statSync(join(dir, 'search.sqlite')).size;
  console.log('');
  console.log(`build: ${buildSeconds.toFixed(1)} s, ${Math.round(DOCS / buildSeconds).toLocaleString('en')} rows/s (generation included)`);
  console.log(`rss: before ${mb(rssBefore)}, after ${mb(rssAfter)}, growth ${mb(rssAfter - rssBefore)} (target <= 1536 MB)`);
  console.log(`index file: ${mb(size)}; documents: ${(await port.count()).toLocaleString('en')}`);

  // incremental writes (the worker's path): 2,000 updated posts in batches of 100
  const updates = [...generatePosts(2000)].map((d) => ({ ...d, version: 2, score: d.score + 1 }));
  const u0 = performance.now();
  for (let i = 0; i < updates.length; i += 100) await port.upsert(updates.slice(i, i + 100));
  const upsertSeconds = (performance.now() - u0) / 1000;
  console.log(`incremental upsert: ${Math.round(updates.length / upsertSeconds).toLocaleString('en')} docs/s (batches of 100)`);
  console.log('');

  const rows: string[] = [];
  let worstP50 = 0;
  let worstP99 = 0;
  const loads: string[] = [];
  for (const shape of shapes) {
    loads.push(`${shape.name}: ${load()}`);
    const { latency, service, hits, cpu } = await runShape(port, shape);
    latency.sort((a, b) => a - b);
    service.sort((a, b) => a - b);
    const p50 = percentile(latency, 50);
    const p99 = percentile(latency, 99);
    worstP50 = Math.max(worstP50, p50);
    worstP99 = Math.max(worstP99, p99);
    rows.push(
      `| ${shape.name.padEnd(24)} | ${fmt(p50)} | ${fmt(percentile(latency, 95))} | ${fmt(p99)} | ${fmt(latency.at(-1)!)} | ${fmt(
        percentile(service, 50),
      )} | ${fmt(percentile(service, 99))} | ${fmt(cpu)} | ${Math.round(hits).toLocaleString('en').padStart(8)} |`,
    );
  }
  console.log('latency = from when the request was due (open loop); svc = the query call alone; cpu/q = process CPU ms per query');
  console.log(`| shape                    |  p50 ms |  p95 ms |  p99 ms |  max ms | svc p50 | svc p99 |   cpu/q | avg hits |`);
  console.log(`|--------------------------|--------:|--------:|--------:|--------:|--------:|--------:|--------:|---------:|`);
  for (const r of rows) console.log(r);
  console.log('');
  console.log(`load average before each shape: ${loads.join('; ')}`);
  const rssEnd = process.memoryUsage().rss;
  console.log(`rss at the end: ${mb(rssEnd)} (growth ${mb(rssEnd - rssBefore)})`);
  const ok = worstP50 <= 15 && worstP99 <= 50 && rssEnd - rssBefore <= 1.5 * 1024 ** 3;
  console.log(`targets (p50 <= 15 ms, p99 <= 50 ms, rss growth <= 1.5 GB): ${ok ? 'met' : 'MISSED'}`);

  await port.close();
  if (!KEEP) rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
