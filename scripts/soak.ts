// npm run soak [-- --duration 10m] [--interval 60s] [--rate <req/s>] [--load 0.7] [--url <proxy>]:
// a soak benchmark (not a test) against the cluster profile. When nothing answers at the cluster's
// address it starts the profile itself (as `npm run start:cluster` does) and stops it at the end.
// It makes its members (moderators, created through the server's own user service so that the
// new-member limits do not throttle the load), waits for the workers' start-up work (read models,
// first sweep, badge pass) to finish, measures the cluster's capacity (closed loop, 20 s)
// unless --rate is given, then sends a mix of reads (question pages, listings, search; 85%) and
// writes (questions, answers, comments, votes; 15%) at ~70% of it, paced (open loop: latency
// counts from when a request was due): first for the warm-up (3 minutes by default: caches fill
// and V8 sizes each process's heap to the load), then for the duration, printing per interval (a
// minute by default) the requests, errors, p50/p99 and the mean RSS of every process of the
// cluster. At the end: the errors in total, warm-up included (with the first messages), each
// process's memory growth from the first half of the measured intervals to the last, and a verdict
// line: PASS when there was no error and no process's own memory (RssAnon: without the file pages
// it maps) grew by more than 10% after warm-up (exit code 0), else FAIL (exit code 1).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/src/config.js';
import { createDeps } from '../server/src/deps.js';
import { createUser } from '../server/src/modules/user/user.service.js';
import { waitIdle } from './bench/proc.js';
import { clusterPorts } from './lib/cluster.js';
import { clusterPidsFile, startClusterProfile, type ClusterProfile } from './lib/cluster-profile.js';
import { databaseName, profileDir, profilePorts } from './lib/services.js';

const USAGE =
  'usage: npm run soak [-- --duration <10m|90s|…>] [--warmup <3m>] [--interval <60s>] [--rate <req/s>] [--load <0-1, default 0.7>] [--url <proxy url>] [--members <n>]';
/** the verdict's bound on each process's memory growth after warm-up */
const MAX_GROWTH = 0.1;
const PASSWORD = 'soak test password 12345';

/** `10m`, `90s`, `1h`, `1500ms`; a bare number is minutes. */
function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)} (e.g. 10m, 90s)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'm';
  return Math.round(n * { ms: 1, s: 1_000, m: 60_000, min: 60_000, h: 3_600_000 }[unit]!);
}

interface Sample {
  latencyMs: number;
  ok: boolean;
}

interface Member {
  index: number;
  cookie: string;
  address: string;
}

interface Reply {
  ok: boolean;
  text: string;
  cookie?: string;
  error?: string;
}

async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  who: { cookie?: string; address: string },
): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': who.address };
  if (who.cookie) headers.cookie = who.cookie;
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('colloquy_session='));
  // a GraphQL error or a payload error (`errors: [{ code … }]`) counts as a failed request
  const failed = res.status !== 200 || text.includes('"errors":[{');
  return { ok: !failed, text, cookie, error: failed ? `${res.status} ${text.slice(0, 240)}` : undefined };
}

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { viewer { id } errors { code message } } }`;
const ASK = `mutation($input: AskQuestionInput!) { askQuestion(input: $input) { question { id } errors { code message } } }`;
const ANSWER = `mutation($input: PostAnswerInput!) { postAnswer(input: $input) { answer { id } errors { code message } } }`;
const COMMENT = `mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } errors { code message } } }`;
const VOTE = `mutation($input: VoteInput!) { vote(input: $input) { errors { code message } } }`;
const LIST = `{ questions(first: 20) { nodes { id title score answerCount isClosed isLocked author { handle } } } }`;
const PAGE = `query($id: ID!) { question(id: $id) { id title bodyHTML score author { handle reputation } answers(first: 10) { nodes { id bodyHTML score } } } }`;
const SEARCH = `query($q: String!) { search(query: $q, first: 10) { totalCount nodes { __typename } } }`;
const SPACES = `{ spaces(first: 5) { nodes { slug } } }`;

/** the cluster profile's FerretDB, from its pid file (none: another database) */
function ferretdbPid(): number[] {
  try {
    const pid = Number(readFileSync(join(profileDir('cluster'), 'run', 'ferretdb.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? [pid] : [];
  } catch {
    return [];
  }
}

/** the start-up work is waited out for at most this long */
const SETTLE_MS = 10 * 60_000;

/**
 * Waits for the cluster's start-up work — the workers' read models, first search sweep and badge
 * pass, on the one FerretDB — to finish (idle for 5 s in a row): a soak measures the site in
 * service, not its cold start (a run that did not wait got timeouts in its first two minutes).
 */
async function settle(pids: number[]): Promise<void> {
  if (!pids.length) return;
  console.log("waiting for the workers' start-up work (read models, first sweep, badge pass) …");
  const started = Date.now();
  let quietSince = 0;
  while (Date.now() - started < SETTLE_MS) {
    const { cores } = await waitIdle(pids, { timeoutMs: 1_000 });
    if (cores >= 0.15) quietSince = 0;
    else if (!quietSince) quietSince = Date.now();
    else if (Date.now() - quietSince >= 5_000) break;
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`  took ${seconds.toFixed(0)} s${seconds * 1000 >= SETTLE_MS ? ' (still busy: figures include its work)' : ''}`);
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * A process's resident memory (MB): all of it (VmRSS), and its own (RssAnon: heap, stacks,
 * allocations) without the file pages it has mapped (RssFile: code, and the embedded search
 * index, which SQLite maps — the kernel's page cache, shared and given back under pressure).
 */
function memoryMb(pid: number): { rss: number; own: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    const rss = kb('VmRSS');
    const own = kb('RssAnon');
    return Number.isFinite(rss) ? { rss: rss / 1024, own: (Number.isFinite(own) ? own : rss) / 1024 } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The V8 heap in use (MB) of a cluster process, from its /metrics: the lowest figure an interval
 * sees is about its live set (right after a collection), which is what a leak would grow; the
 * process's memory also follows the size V8 gives its heap, which it sets from the load.
 */
async function heapUsedMb(port: number): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1_500) });
    const value = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(await res.text())?.[1];
    return value === undefined ? undefined : Number(value) / 1_048_576;
  } catch {
    return undefined;
  }
}

/** each Node process's /metrics port in the cluster profile, by the name the pids file gives it */
function metricsPorts(): Map<string, number> {
  const ports = clusterPorts(profilePorts('cluster').api);
  const byName = new Map<string, number>();
  for (const [kind, list] of [
    ['api', ports.api],
    ['web', ports.web],
    ['worker', ports.workerMetrics],
  ] as const)
    list.forEach((port, i) => byName.set(`${kind}-${i + 1}`, port));
  return byName;
}

/**
 * A process's figure over the first `half` intervals and over the last `half` (undefined when an
 * interval of that half has none: the process exited). Halves, not the first and last interval:
 * a worker's heap rises and falls with its batches over a minute or two, which a single minute
 * at either end would take for growth or shrinkage.
 */
function halves(
  byInterval: Array<Array<number | undefined>>,
  i: number,
  half: number,
  of: (xs: number[]) => number | undefined,
): [number | undefined, number | undefined] {
  const part = (rows: Array<Array<number | undefined>>) => {
    const xs = rows.map((row) => row[i]);
    return xs.every((x): x is number => x !== undefined) ? of(xs) : undefined;
  };
  return [part(byInterval.slice(0, half)), part(byInterval.slice(byInterval.length - half))];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(3_000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * `count` moderators made with the server's own user service (no new-member limits, may vote and
 * comment anywhere), each signed in through the proxy from an address of its own.
 */
async function makeMembers(url: string, count: number, db: { mongodbUrl: string; redisUrl: string }, run: string): Promise<Member[]> {
  const config = loadConfig({
    ...process.env,
    MONGODB_URL: db.mongodbUrl,
    REDIS_URL: db.redisUrl,
    SEARCH_DATA_DIR: process.env.SEARCH_DATA_DIR ?? join(profileDir('cluster'), 'search'),
    LOG_LEVEL: 'warn',
  });
  const deps = await createDeps(config, 'soak');
  const members: Member[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const handle = `soak${run}${i}`;
      await createUser(
        { deps },
        { handle, email: `${handle}@soak.test`, password: PASSWORD, displayName: `Soak ${i}`, role: 'MODERATOR' },
        new Date(),
      );
      const address = `10.77.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`;
      const r = await gql(url, SIGN_IN, { input: { login: handle, password: PASSWORD } }, { address });
      if (!r.cookie) throw new Error(`soak member ${handle} could not sign in: ${r.error ?? r.text.slice(0, 200)}`);
      members.push({ index: i, cookie: r.cookie, address });
    }
  } finally {
    await deps.close();
  }
  return members;
}

async function main() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10m' },
      warmup: { type: 'string', default: '3m' },
      interval: { type: 'string', default: '60s' },
      rate: { type: 'string' },
      load: { type: 'string', default: '0.7' },
      url: { type: 'string' },
      members: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const durationMs = parseDuration(values.duration);
  const intervalMs = Math.min(parseDuration(values.interval), durationMs);
  const load = Number(values.load);
  if (!(durationMs >= 1_000) || !(intervalMs >= 1_000) || !(load > 0 && load <= 1)) throw new Error(USAGE);
  const intervals = Math.max(1, Math.round(durationMs / intervalMs));
  const warmupIntervals = values.warmup.trim() === '0' ? 0 : Math.max(0, Math.round(parseDuration(values.warmup) / intervalMs));

  const clusterUrl = `http://127.0.0.1:${profilePorts('cluster').api}`;
  const url = values.url ?? clusterUrl;
  let profile: ClusterProfile | undefined;
  let starting = false;
  let stopping = false;
  const stopCluster = async () => {
    if (profile) {
      console.log('stopping the cluster this soak started …');
      await profile.stop();
      profile = undefined;
    }
  };
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    // while the cluster starts: stop it once it is up (below)
    if (!starting) void stopCluster().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (!(await answers(url))) {
      if (values.url) throw new Error(`nothing answers at ${url}`);
      console.log(`nothing answers at ${url}: starting the cluster profile (npm run start:cluster) …`);
      starting = true;
      profile = await startClusterProfile({ log: (line) => console.log(`[cluster] ${line}`) });
      starting = false;
      if (stopping) return;
    }
    const pidsFile = clusterPidsFile();
    const pids: Array<{ name: string; pid: number }> = profile
      ? profile.cluster.pids()
      : existsSync(pidsFile)
        ? (JSON.parse(readFileSync(pidsFile, 'utf8')) as Array<{ name: string; pid: number }>).filter((p) => memoryMb(p.pid) !== undefined)
        : [];
    const db = profile
      ? { mongodbUrl: profile.services.mongodbUrl, redisUrl: profile.services.redisUrl }
      : {
          mongodbUrl: process.env.MONGODB_URL ?? `mongodb://127.0.0.1:${profilePorts('cluster').ferretdb}/${databaseName('cluster')}`,
          redisUrl: process.env.REDIS_URL ?? `redis://127.0.0.1:${profilePorts('cluster').redis}`,
        };
    await settle([...pids.filter((p) => p.name.startsWith('worker')).map((p) => p.pid), ...ferretdbPid()]);
    await soak({ url, durationMs, intervalMs, intervals, warmupIntervals, load, rate: values.rate, members: values.members, pids, db });
  } finally {
    await stopCluster();
  }
}

interface SoakOptions {
  url: string;
  durationMs: number;
  intervalMs: number;
  intervals: number;
  /** intervals at the soak's rate before the measured ones (not in the memory verdict) */
  warmupIntervals: number;
  load: number;
  rate?: string;
  members?: string;
  pids: Array<{ name: string; pid: number }>;
  db: { mongodbUrl: string; redisUrl: string };
}

async function soak(o: SoakOptions) {
  const { url, pids } = o;
  let visitorSeq = 0;
  const visitor = () => ({ address: `10.88.${Math.floor(visitorSeq / 250) % 200}.${(visitorSeq++ % 250) + 1}` });

  const spaces = await gql(url, SPACES, {}, visitor());
  const spaceSlug = (JSON.parse(spaces.text) as { data?: { spaces?: { nodes?: Array<{ slug: string }> } } }).data?.spaces?.nodes?.[0]?.slug;
  if (!spaceSlug)
    throw new Error(`the cluster has no space to ask in (${spaces.error ?? 'no spaces'}); npm run start:cluster seeds an empty database`);
  const list = JSON.parse((await gql(url, LIST, {}, visitor())).text) as {
    data: { questions: { nodes: Array<{ id: string; isClosed: boolean; isLocked: boolean }> } };
  };
  const questionIds = list.data.questions.nodes.map((n) => n.id);
  /** the questions answered and commented on: closed or locked ones refuse both (as they should) */
  const openIds = list.data.questions.nodes.filter((n) => !n.isClosed && !n.isLocked).map((n) => n.id);
  /** answers and who wrote them (nobody votes on their own) */
  const answerIds: Array<{ id: string; by: number }> = [];
  const words = ['install', 'error', 'config', 'update', 'server', 'widget', 'performance', 'database'];
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const run = Date.now().toString(36);
  let members: Member[] = [];
  let seq = 0;
  const errors = new Map<string, number>();
  const failed = (r: Reply) => {
    if (!r.ok) {
      const key = (r.error ?? 'failed').replace(/[0-9a-f]{24}/g, '…').slice(0, 200);
      errors.set(key, (errors.get(key) ?? 0) + 1);
    }
    return r.ok;
  };

  /** one request of the mix: 85% reads, 15% writes */
  const one = async (): Promise<boolean> => {
    const r = Math.random();
    if (r < 0.35 && questionIds.length) return failed(await gql(url, PAGE, { id: pick(questionIds) }, visitor()));
    if (r < 0.65) return failed(await gql(url, LIST, {}, visitor()));
    if (r < 0.85) return failed(await gql(url, SEARCH, { q: pick(words) }, visitor()));
    const m = pick(members);
    const n = seq++;
    if (r < 0.89) {
      const res = await gql(
        url,
        ASK,
        {
          input: {
            spaceSlug,
            title: `Soak question ${run} number ${n} about widgets`,
            body: `Soak test body ${n}: how do I keep the widget server steady under load for hours?`,
            tags: ['soak'],
          },
        },
        m,
      );
      const id = /"question":\{"id":"([^"]+)"/.exec(res.text)?.[1];
      if (id) {
        questionIds.push(id);
        openIds.push(id);
      }
      return failed(res);
    }
    if (r < 0.93 && openIds.length) {
      const res = await gql(
        url,
        ANSWER,
        {
          input: {
            questionId: pick(openIds),
            body: `Soak answer ${n}: restart the widget server with a larger pool and watch the metrics.`,
          },
        },
        m,
      );
      const id = /"answer":\{"id":"([^"]+)"/.exec(res.text)?.[1];
      if (id) answerIds.push({ id, by: m.index });
      return failed(res);
    }
    if (r < 0.97 && openIds.length)
      return failed(
        await gql(url, COMMENT, { input: { subjectId: pick(openIds), body: `Soak comment ${n}, thanks for the details.` } }, m),
      );
    const others = answerIds.filter((a) => a.by !== m.index);
    if (others.length)
      return failed(await gql(url, VOTE, { input: { subjectId: pick(others).id, direction: Math.random() < 0.8 ? 'UP' : 'NONE' } }, m));
    return failed(await gql(url, LIST, {}, visitor()));
  };

  // members: enough that each writes at most ~20 times a minute (the write budget is 60 a minute)
  const sizeMembers = (rate: number) => Math.max(40, Math.ceil((rate * 0.15 * 60) / 20));
  let rate = o.rate ? Number(o.rate) : NaN;
  if (!(rate > 0)) {
    members = await makeMembers(url, o.members ? Number(o.members) : 80, o.db, run);
    console.log(`measuring capacity (20 s, 32 concurrent clients, ${members.length} members) …`);
    let done = 0;
    const until = Date.now() + 20_000;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (Date.now() < until) {
          await one().catch(() => false);
          done++;
        }
      }),
    );
    const capacity = done / 20;
    rate = Math.max(1, Math.round(capacity * o.load));
    console.log(`capacity ≈ ${capacity.toFixed(0)} req/s → soak at ${rate} req/s (${Math.round(o.load * 100)}%)`);
    const capacityErrors = [...errors.values()].reduce((a, b) => a + b, 0);
    if (capacityErrors) console.log(`(${capacityErrors} errors while measuring capacity, at full load; not counted below)`);
    errors.clear();
  }
  const wanted = o.members ? Number(o.members) : sizeMembers(rate);
  if (members.length < wanted)
    members = [...members, ...(await makeMembers(url, wanted - members.length, o.db, `${run}b`))].map((m, index) => ({ ...m, index }));

  const intervalLabel = o.intervalMs % 60_000 === 0 ? `${o.intervalMs / 60_000} min` : `${o.intervalMs / 1000} s`;
  const warmupLabel = o.warmupIntervals
    ? `after ${((o.warmupIntervals * o.intervalMs) / 60_000).toFixed(1)} min of warm-up (rows w…), `
    : '';
  console.log(
    `soak: ${(o.durationMs / 60_000).toFixed(1)} min at ${rate} req/s ${warmupLabel}against ${url}, ${members.length} members, ${pids.length} processes tracked, a row per ${intervalLabel}`,
  );
  console.log(['t', 'requests', 'errors', 'p50 ms', 'p99 ms', ...pids.map((p) => `${p.name} MB`)].join('\t'));
  const rssByInterval: Array<Array<number | undefined>> = [];
  const ownByInterval: Array<Array<number | undefined>> = [];
  /** the lowest V8 heap in use per measured interval (cluster profile only: --url leaves it out) */
  const liveByInterval: Array<Array<number | undefined>> = [];
  const heapPorts = o.url === `http://127.0.0.1:${profilePorts('cluster').api}` ? metricsPorts() : new Map<string, number>();
  let totalErrors = 0;
  let totalRequests = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  for (let k = 0; k < o.warmupIntervals + o.intervals; k++) {
    const warmingUp = k < o.warmupIntervals;
    const samples: Sample[] = [];
    const rss: number[][] = pids.map(() => []);
    const own: number[][] = pids.map(() => []);
    const live: Array<number | undefined> = pids.map(() => undefined);
    const sampleRss = () =>
      pids.forEach((p, i) => {
        const mb = memoryMb(p.pid);
        if (mb === undefined) return;
        rss[i]!.push(mb.rss);
        own[i]!.push(mb.own);
        const port = heapPorts.get(p.name);
        if (port)
          void heapUsedMb(port).then((used) => {
            if (used !== undefined) live[i] = Math.min(live[i] ?? Infinity, used);
          });
      });
    const sampler = setInterval(sampleRss, 2_000);
    const intervalStart = start + k * o.intervalMs;
    const count = Math.round((rate * o.intervalMs) / 1000);
    for (let i = 0; i < count; i++) {
      const due = intervalStart + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const p: Promise<void> = one()
        .catch((error: unknown) => failed({ ok: false, text: '', error: error instanceof Error ? error.message : String(error) }))
        .then((ok) => {
          samples.push({ latencyMs: performance.now() - due, ok });
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    await Promise.all(pending);
    clearInterval(sampler);
    sampleRss();
    const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    const errorCount = samples.filter((s) => !s.ok).length;
    totalErrors += errorCount;
    totalRequests += samples.length;
    const rssMean = rss.map(mean);
    if (!warmingUp) {
      rssByInterval.push(rssMean);
      ownByInterval.push(own.map(mean));
      liveByInterval.push([...live]);
    }
    const t = Math.round(((warmingUp ? k + 1 : k + 1 - o.warmupIntervals) * o.intervalMs) / 1000);
    console.log(
      [
        `${warmingUp ? 'w' : ''}${t % 60 === 0 ? `${t / 60}m` : `${t}s`}`,
        samples.length,
        errorCount,
        percentile(sorted, 50).toFixed(1),
        percentile(sorted, 99).toFixed(1),
        ...rssMean.map((r) => (r === undefined ? '-' : r.toFixed(0))),
      ].join('\t'),
    );
  }

  console.log(`\nrequests: ${totalRequests} · errors: ${totalErrors}`);
  for (const [message, n] of [...errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`  ${n} × ${message}`);
  const grown: string[] = [];
  if (rssByInterval.length >= 2) {
    const pct = (a: number, b: number) => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%`;
    const n = rssByInterval.length;
    const half = Math.floor(n / 2);
    console.log(
      `memory growth after warm-up (mean over the first ${half} measured interval(s) → over the last ${half}): the process's own memory (RssAnon), which the verdict bounds, and all of it (VmRSS, with the file pages it maps):`,
    );
    pids.forEach((p, i) => {
      const [a, b] = halves(ownByInterval, i, half, mean);
      const [ra, rb] = halves(rssByInterval, i, half, mean);
      if (a === undefined || b === undefined || ra === undefined || rb === undefined) {
        grown.push(`${p.name} exited`);
        return console.log(`  ${p.name}: exited`);
      }
      if ((b - a) / a > MAX_GROWTH) grown.push(`${p.name} +${(((b - a) / a) * 100).toFixed(1)}%`);
      const [la, lb] = halves(liveByInterval, i, half, (xs) => (xs.length ? Math.min(...xs) : undefined));
      const heap =
        la !== undefined && lb !== undefined
          ? `; lowest V8 heap in use (about the live set) ${la.toFixed(0)} → ${lb.toFixed(0)} MB (${pct(la, lb)})`
          : '';
      console.log(
        `  ${p.name}: own ${a.toFixed(0)} → ${b.toFixed(0)} MB (${pct(a, b)}); RSS ${ra.toFixed(0)} → ${rb.toFixed(0)} MB (${pct(ra, rb)})${heap}`,
      );
    });
  } else {
    grown.push('too short to tell (needs 2 intervals)');
  }
  if (!pids.length) grown.push('no process memory tracked (no pids file)');
  const pass = totalErrors === 0 && grown.length === 0;
  const memory = grown.length
    ? `memory growth after warm-up over ${MAX_GROWTH * 100}% or unknown: ${grown.join(', ')}`
    : `memory growth after warm-up ≤ ${MAX_GROWTH * 100}% for each of ${pids.length} processes`;
  console.log(`verdict: ${pass ? 'PASS' : 'FAIL'} — ${totalErrors} errors in ${totalRequests} requests; ${memory}`);
  if (!pass) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`soak failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
