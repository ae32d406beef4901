// npm run soak [-- --minutes 10 --rate <req/s> --url <proxy>]: a soak benchmark (not a test)
// against the cluster profile (`npm run start:cluster` running in another terminal). It measures
// the cluster's capacity first (closed loop, 20 s) unless --rate is given, then sends a mix of
// reads (question pages, listings, search) and writes (questions, answers, comments, votes from
// many members) at ~70% of it, paced (open loop: latency counts from when a request was due), for
// N minutes, printing per minute: requests, errors, p50/p99 and the RSS of every process of the
// cluster (from its pids file). At the end: errors in total and memory growth per process after
// the first (warm-up) minute.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { profileDir, profilePorts } from './lib/services.js';

const USAGE = 'usage: npm run soak [-- --minutes <n>] [--rate <req/s>] [--load <0-1, default 0.7>] [--url <proxy url>]';

interface Sample {
  latencyMs: number;
  ok: boolean;
}

let addressSeq = 0;
const address = () => `10.77.${Math.floor(addressSeq / 250) % 250}.${(addressSeq++ % 250) + 1}`;

interface Member {
  cookie: string;
  address: string;
}

async function gql(url: string, query: string, variables: Record<string, unknown>, who: { cookie?: string; address: string }) {
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
  const ok = res.status === 200 && !text.includes('"errors":[{');
  return { ok, text, cookie };
}

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { viewer { id } errors { code message } } }`;
const ASK = `mutation($input: AskQuestionInput!) { askQuestion(input: $input) { question { id } errors { code message } } }`;
const ANSWER = `mutation($input: PostAnswerInput!) { postAnswer(input: $input) { answer { id } errors { code message } } }`;
const COMMENT = `mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } errors { code message } } }`;
const VOTE = `mutation($input: VoteInput!) { vote(input: $input) { subject { id } errors { code message } } }`;
const LIST = `{ questions(first: 20) { nodes { id title score answerCount author { handle } } } }`;
const PAGE = `query($id: ID!) { question(id: $id) { id title bodyHTML score author { handle reputation } answers(first: 10) { nodes { id bodyHTML score } } } }`;
const SEARCH = `query($q: String!) { search(query: $q, first: 10) { totalCount nodes { __typename } } }`;
const SPACES = `{ spaces(first: 5) { nodes { slug } } }`;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      rate: { type: 'string' },
      load: { type: 'string', default: '0.7' },
      url: { type: 'string' },
      members: { type: 'string', default: '40' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const minutes = Number(values.minutes);
  const load = Number(values.load);
  if (!(minutes > 0) || !(load > 0 && load <= 1)) throw new Error(USAGE);
  const url = values.url ?? `http://127.0.0.1:${profilePorts('cluster').api}`;
  const pidsFile = join(profileDir('cluster'), 'run-cluster', 'pids.json');
  const pids: Array<{ name: string; pid: number }> = existsSync(pidsFile) ? JSON.parse(readFileSync(pidsFile, 'utf8')) : [];
  try {
    await fetch(url, { signal: AbortSignal.timeout(5_000) });
  } catch {
    throw new Error(`nothing answers at ${url}: start the cluster first (npm run start:cluster), or pass --url`);
  }

  // members (each from an address of its own: sign-up and write budgets are per address and member)
  const spaces = await gql(url, SPACES, {}, { address: address() });
  const spaceSlug = (JSON.parse(spaces.text) as { data?: { spaces?: { nodes?: Array<{ slug: string }> } } }).data?.spaces?.nodes?.[0]?.slug;
  if (!spaceSlug) throw new Error('the cluster has no space to ask in (seed it: npm run start:cluster seeds an empty database)');
  const members: Member[] = [];
  const run = Date.now().toString(36);
  for (let i = 0; i < Number(values.members); i++) {
    const who = { address: address() };
    const handle = `soak${run}${i}`;
    const r = await gql(
      url,
      SIGN_UP,
      { input: { handle, email: `${handle}@soak.test`, password: 'soak test password 12345', displayName: handle } },
      who,
    );
    if (r.cookie) members.push({ cookie: r.cookie, address: who.address });
  }
  if (!members.length) throw new Error('no soak member could sign up');
  const list = JSON.parse((await gql(url, LIST, {}, { address: address() })).text) as {
    data: { questions: { nodes: Array<{ id: string }> } };
  };
  const questionIds = list.data.questions.nodes.map((n) => n.id);
  const answerIds: string[] = [];
  const words = ['install', 'error', 'config', 'update', 'server', 'widget', 'performance', 'database'];
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  let seq = 0;

  /** one request of the mix: 85% reads, 15% writes */
  const one = async (): Promise<boolean> => {
    const r = Math.random();
    const visitor = { address: `10.88.${Math.floor(Math.random() * 200)}.${1 + Math.floor(Math.random() * 250)}` };
    if (r < 0.35 && questionIds.length) return (await gql(url, PAGE, { id: pick(questionIds) }, visitor)).ok;
    if (r < 0.65) return (await gql(url, LIST, {}, visitor)).ok;
    if (r < 0.85) return (await gql(url, SEARCH, { q: pick(words) }, visitor)).ok;
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
      if (id) questionIds.push(id);
      return res.ok;
    }
    if (r < 0.93 && questionIds.length) {
      const res = await gql(
        url,
        ANSWER,
        {
          input: {
            questionId: pick(questionIds),
            body: `Soak answer ${n}: restart the widget server with a larger pool and watch the metrics.`,
          },
        },
        m,
      );
      const id = /"answer":\{"id":"([^"]+)"/.exec(res.text)?.[1];
      if (id) answerIds.push(id);
      return res.ok;
    }
    if (r < 0.97 && questionIds.length)
      return (await gql(url, COMMENT, { input: { subjectId: pick(questionIds), body: `Soak comment ${n}, thanks for the details.` } }, m))
        .ok;
    if (answerIds.length) return (await gql(url, VOTE, { input: { subjectId: pick(answerIds), direction: 'UP' } }, m)).ok;
    return (await gql(url, LIST, {}, visitor)).ok;
  };

  let rate = values.rate ? Number(values.rate) : NaN;
  if (!(rate > 0)) {
    // capacity: 32 concurrent closed-loop clients for 20 s
    console.log('measuring capacity (20 s, 32 concurrent clients) …');
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
    rate = Math.max(1, Math.round(capacity * load));
    console.log(`capacity ≈ ${capacity.toFixed(0)} req/s → soak at ${rate} req/s (${Math.round(load * 100)}%)`);
  }

  console.log(`soak: ${minutes} min at ${rate} req/s against ${url} (${pids.length} processes tracked)`);
  console.log(['min', 'requests', 'errors', 'p50 ms', 'p99 ms', ...pids.map((p) => `${p.name} MB`)].join('\t'));
  const rssByMinute: Array<Array<number | undefined>> = [];
  let totalErrors = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  for (let minute = 0; minute < minutes; minute++) {
    const samples: Sample[] = [];
    const minuteStart = start + minute * 60_000;
    const count = Math.round(rate * 60);
    for (let i = 0; i < count; i++) {
      const due = minuteStart + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const p: Promise<void> = one()
        .catch(() => false)
        .then((ok) => {
          samples.push({ latencyMs: performance.now() - due, ok });
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    await Promise.all(pending);
    const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    const errors = samples.filter((s) => !s.ok).length;
    totalErrors += errors;
    const rss = pids.map((p) => rssMb(p.pid));
    rssByMinute.push(rss);
    console.log(
      [
        minute + 1,
        samples.length,
        errors,
        percentile(sorted, 50).toFixed(1),
        percentile(sorted, 99).toFixed(1),
        ...rss.map((r) => (r === undefined ? '-' : r.toFixed(0))),
      ].join('\t'),
    );
  }
  console.log(`\nerrors: ${totalErrors}`);
  if (rssByMinute.length >= 2) {
    const warm = rssByMinute[0]!;
    const last = rssByMinute.at(-1)!;
    console.log('memory growth after warm-up (minute 1 → last):');
    pids.forEach((p, i) => {
      const a = warm[i];
      const b = last[i];
      if (a !== undefined && b !== undefined)
        console.log(`  ${p.name}: ${a.toFixed(0)} → ${b.toFixed(0)} MB (${(((b - a) / a) * 100).toFixed(1)}%)`);
    });
  }
}

main().catch((error: unknown) => {
  console.error(`soak failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
