// Many instances behave as one site: 2 api, 2 worker and 2 web processes (scripts/lib/cluster.ts,
// the same code as `npm run start:cluster`; api and worker bundled from their TypeScript sources) behind
// Debian's nginx, over the test profile's FerretDB and Redis. Shows: a session made through the
// proxy works on both api instances; a write through one instance retires the cached response
// the other serves; a visitor's rate-limit budget is one budget across instances; a job queued by
// one api runs exactly once over two workers; a subscription held on one api instance hears of a
// mutation served by the other; a request id given to the web front reaches the api and the
// worker's log lines of the job it queued; every web instance serves /metrics (kept off the public
// entry); and a rolling restart of every api instance under reads and writes fails no request and
// loses no write.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterPorts, startCluster, type RunningCluster } from '../../scripts/lib/cluster.js';
import { repoRoot } from '../../scripts/lib/paths.js';
import { ACTIVITY_QUEUE } from '../../server/src/modules/activity/activity.js';
import { grantRole } from '../../server/src/modules/user/user.service.js';
import { BODY, PASSWORD, Q, TITLE, rawOf } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/** a port range no profile uses (dev 3000/4000, test 3100/4100, bench 3200/4200, cluster 3300/4300) */
const PORTS = clusterPorts(4350);
const SIGN_UPS_PER_HOUR = 6;

let h: Harness;
let cluster: RunningCluster;
let runDir: string;
/** the bundled server (scripts/lib/cluster.ts bundleServer), inside the repository for node_modules */
const bundleDir = join(repoRoot, '.colloquy', 'cluster-bundles', String(process.pid));
const withWeb = existsSync(join(repoRoot, 'web/build/front.js'));

interface Reply<T = any> {
  ok: boolean;
  status: number;
  instance: string | null;
  cache: string | null;
  rateLimit: string | null;
  data: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
  error?: string;
}

/**
 * A POST on a connection of its own, as a browser's first request would be: a pooled keep-alive
 * connection that nginx closes while reloading (a rolling restart) would fail a request that no
 * server ever saw — the client's race, not the site's.
 */
function post(url: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; headers: Headers; text: () => Promise<string> }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, connection: 'close' }, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const h = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) h.append(name, v);
        }
        resolve({ status: res.statusCode ?? 0, headers: h, text: async () => Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A GraphQL client holding a session cookie; `address` poses as the visitor's address (X-Forwarded-For). */
class Client {
  cookie = '';
  constructor(readonly address: string) {}

  async gql<T = any>(base: string, query: string, variables: Record<string, unknown> = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': this.address };
    if (this.cookie) headers.cookie = this.cookie;
    try {
      const res = await post(`${base}/graphql`, headers, JSON.stringify({ query, variables }));
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        if (pair?.startsWith('colloquy_session=')) this.cookie = pair;
      }
      const text = await res.text();
      let body: { data: T; errors?: Reply['errors'] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return {
          ok: false,
          status: res.status,
          instance: null,
          cache: null,
          rateLimit: null,
          data: undefined as T,
          error: text.slice(0, 200),
        };
      }
      const payloadErrors = Object.values((body.data ?? {}) as Record<string, { errors?: unknown[] } | null>).some(
        (v) => (v?.errors?.length ?? 0) > 0,
      );
      return {
        ok: res.status === 200 && !body.errors?.length && !payloadErrors,
        status: res.status,
        instance: res.headers.get('x-colloquy-instance'),
        cache: res.headers.get('x-colloquy-cache'),
        rateLimit: res.headers.get('ratelimit'),
        data: body.data,
        errors: body.errors,
      };
    } catch (error) {
      return { ok: false, status: 0, instance: null, cache: null, rateLimit: null, data: undefined as T, error: String(error) };
    }
  }
}

const api = (i: number) => `http://127.0.0.1:${PORTS.api[i]}`;
const proxy = () => cluster.proxyUrl;
let addressCounter = 10;
const nextAddress = () => `198.51.100.${addressCounter++}`;

async function signUp(handle: string, address = nextAddress()): Promise<Client> {
  const c = new Client(address);
  const r = await c.gql(proxy(), Q.signUp, { input: { handle, email: `${handle}@example.test`, password: PASSWORD, displayName: handle } });
  if (!r.ok) throw new Error(`sign-up of ${handle} failed: ${JSON.stringify(r)}`);
  return c;
}

/** The sum of a counter over every worker's /metrics. */
async function workerCounter(name: string, labels: string): Promise<number> {
  let total = 0;
  for (const w of cluster.of('worker')) {
    const text = await (await fetch(`http://127.0.0.1:${w.port}/metrics`)).text();
    for (const line of text.split('\n')) if (line.startsWith(`${name}{`) && line.includes(labels)) total += Number(line.split(' ').at(-1));
  }
  return total;
}

let spaceSlug = '';

beforeAll(async () => {
  h = await startHarness();
  runDir = mkdtempSync(join(tmpdir(), 'colloquy-cluster-'));
  const c = h.deps.config;
  const mongodbUrl = c.mongodbUrl;
  cluster = await startCluster({
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.LOG_LEVEL === 'silent' ? 'warn' : (process.env.LOG_LEVEL ?? 'warn'),
      MONGODB_URL: mongodbUrl,
      REDIS_URL: c.redisUrl,
      REDIS_PREFIX: c.redisPrefix,
      SEARCH_DATA_DIR: c.searchDataDir,
      PUBLIC_URL: `http://localhost:${PORTS.proxy}`,
      RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_WRITES_PER_MINUTE: '100000',
      RATE_LIMIT_POINTS_PER_HOUR: '10000000',
      RATE_LIMIT_SIGN_UP_PER_HOUR: String(SIGN_UPS_PER_HOUR),
      SHUTDOWN_TIMEOUT_MS: '10000',
    },
    ports: PORTS,
    runDir,
    bundleDir,
    web: withWeb,
    // the workers' per-job lines (debug) carry the request id that queued the job
    roleEnv: { worker: { LOG_LEVEL: 'debug' } },
    log: () => undefined,
  });
  // a space to ask in, made by an admin signed up through the proxy
  const admin = await signUp('clusteradmin');
  await grantRole(h.deps.repos, 'clusteradmin', 'ADMIN', null);
  const keys = await h.deps.redis.keys(`${c.redisPrefix}session:*`);
  if (keys.length) await h.deps.redis.del(...keys);
  const space = await admin.gql(proxy(), Q.createSpace, {
    input: { slug: 'ops', name: 'Operations', description: 'All about operations' },
  });
  expect(space.ok, JSON.stringify(space)).toBe(true);
  spaceSlug = 'ops';
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  await h?.close();
  if (runDir && !process.env.KEEP_CLUSTER_RUN) rmSync(runDir, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
});

describe('a cluster of 2 api, 2 worker and 2 web instances behind nginx', () => {
  it('keeps a member signed in whichever api instance serves them, and spreads requests over both', async () => {
    const alice = await signUp('alicecluster');
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await alice.gql<{ viewer: { handle: string } | null }>(proxy(), `{ viewer { handle } }`);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.data.viewer?.handle).toBe('alicecluster');
      seen.add(String(r.instance));
    }
    expect([...seen].sort()).toEqual(['api-1', 'api-2']);
    if (withWeb) {
      // the site's pages come through the same proxy from the web instances
      const page = await fetch(`${proxy()}/`, { headers: { cookie: alice.cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('alicecluster');
    }
  });

  it('retires on one instance the cached response that a write through the other changed', async () => {
    const bob = await signUp('bobcluster');
    const asked = await bob.gql(api(0), Q.ask, { input: { spaceSlug, title: TITLE(1), body: BODY(1), tags: ['ops'] } });
    expect(asked.ok, JSON.stringify(asked)).toBe(true);
    const id = asked.data.askQuestion.question.id as string;
    const anonymous = new Client(nextAddress());
    const READ = `query($id: ID!) { question(id: $id) { id title } }`;
    const first = await anonymous.gql(api(1), READ, { id });
    const second = await anonymous.gql(api(1), READ, { id });
    expect([first.instance, second.instance]).toEqual(['api-2', 'api-2']);
    expect(second.cache).toBe('hit');
    expect(second.data.question.title).toBe(TITLE(1));
    const edited = await bob.gql(api(0), Q.updateQuestion, { input: { questionId: id, title: `${TITLE(1)} (edited on api-1)` } });
    expect(edited.ok, JSON.stringify(edited)).toBe(true);
    expect(edited.instance).toBe('api-1');
    const after = await anonymous.gql(api(1), READ, { id });
    expect(after.instance).toBe('api-2');
    expect(after.cache).toBe('miss');
    expect(after.data.question.title).toBe(`${TITLE(1)} (edited on api-1)`);
  });

  it("spends one visitor's rate-limit budget across every instance", async () => {
    // one visitor's address may sign up SIGN_UPS_PER_HOUR times an hour, whichever instance serves it
    const visitor = '203.0.113.77';
    const served = new Set<string>();
    for (let i = 0; i < SIGN_UPS_PER_HOUR; i++) {
      const c = new Client(visitor);
      const r = await c.gql(api(i % 2), Q.signUp, {
        input: { handle: `budget${i}x`, email: `budget${i}x@example.test`, password: PASSWORD, displayName: `budget${i}` },
      });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      served.add(String(r.instance));
    }
    expect([...served].sort()).toEqual(['api-1', 'api-2']);
    for (const i of [0, 1]) {
      const refused = await new Client(visitor).gql(api(i), Q.signUp, {
        input: { handle: `budgetover${i}`, email: `budgetover${i}@example.test`, password: PASSWORD, displayName: 'over' },
      });
      expect(refused.data.signUp.errors.map((e: { code: string }) => e.code)).toEqual(['RATE_LIMITED']);
    }
    // the request budget too: one counter, decremented by each instance in turn
    const carol = await signUp('carolcluster');
    const remaining: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await carol.gql(api(i % 2), `{ viewer { handle } }`);
      remaining.push(Number(/remaining=(\d+)/.exec(String(r.rateLimit))?.[1]));
    }
    expect(remaining.slice(1).map((r, i) => remaining[i]! - r)).toEqual([1, 1, 1]);
  });

  it('runs a job queued by one api exactly once over two workers', async () => {
    const prefix = `${h.deps.config.redisPrefix}bull`;
    const connection = new Redis(h.deps.config.redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(ACTIVITY_QUEUE, { connection, prefix });
    try {
      const settled = async () => {
        for (let i = 0; i < 100; i++) {
          const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          if (Object.values(c).every((n) => n === 0)) return;
          await sleep(100);
        }
        throw new Error('the activity queue did not drain');
      };
      await settled();
      const runsBefore = await workerCounter('colloquy_jobs_total', 'queue="activity"');
      const completedBefore = (await queue.getJobCounts('completed')).completed!;
      const dave = await signUp('davecluster');
      const r = await dave.gql(api(0), Q.ask, { input: { spaceSlug, title: TITLE(2), body: BODY(2), tags: ['ops'] } });
      expect(r.ok).toBe(true);
      const questionId = rawOf(r.data.askQuestion.question.id);
      await settled();
      await sleep(200);
      const jobs = (await queue.getCompleted(0, 200)).filter((j) => (j.data as { subjectId?: string }).subjectId === questionId);
      expect(jobs.map((j) => j.name)).toContain('question.created');
      for (const job of jobs) expect(job.attemptsMade, `${job.name} ran once`).toBe(1);
      const newJobs = (await queue.getJobCounts('completed')).completed! - completedBefore;
      expect(newJobs).toBeGreaterThanOrEqual(1);
      // every queued job ran once in all: the workers' runs add up to the jobs completed
      expect((await workerCounter('colloquy_jobs_total', 'queue="activity"')) - runsBefore).toBe(newJobs);
      // and the job carried the request id of the mutation that queued it
      expect((jobs[0]!.data as { requestId?: string }).requestId).toBeTruthy();
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('delivers to a subscription held on one api instance the event of a mutation served by the other', async () => {
    const erin = await signUp('erincluster');
    const frank = await signUp('frankcluster');
    const asked = await erin.gql(proxy(), Q.ask, { input: { spaceSlug, title: TITLE(3), body: BODY(3), tags: ['ops'] } });
    expect(asked.ok, JSON.stringify(asked)).toBe(true);
    const questionId = asked.data.askQuestion.question.id as string;
    // GraphQL over SSE through nginx (unbuffered): the stream lands on one api instance …
    const controller = new AbortController();
    const res = await fetch(`${proxy()}/graphql`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', 'x-forwarded-for': nextAddress() },
      body: JSON.stringify({
        query: `subscription($id: ID!) { questionUpdated(id: $id) { kind actor { handle } answer { id } } }`,
        variables: { id: questionId },
      }),
      signal: controller.signal,
    });
    try {
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const holder = res.headers.get('x-colloquy-instance');
      expect(['api-1', 'api-2']).toContain(holder);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const channel = `${h.deps.config.redisPrefix}live:question:${rawOf(questionId)}`;
      for (let i = 0; i < 200; i++) {
        const [, n] = (await h.deps.redis.pubsub('NUMSUB', channel)) as [string, number];
        if (Number(n) > 0) break;
        await sleep(25);
      }
      // … and the answer is posted on the other one
      const other = holder === 'api-1' ? 1 : 0;
      const answered = await frank.gql(api(other), Q.answer, { input: { questionId, body: BODY(4) } });
      expect(answered.ok, JSON.stringify(answered)).toBe(true);
      expect(answered.instance).not.toBe(holder);
      let buffer = '';
      const deadline = Date.now() + 15_000;
      let event: { data?: { questionUpdated?: unknown } } | undefined;
      while (!event && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (const block of buffer.split('\n\n').slice(0, -1)) {
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (data) event = JSON.parse(data) as typeof event;
        }
        buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
      }
      expect(event?.data?.questionUpdated).toEqual({
        kind: 'ANSWER_CREATED',
        actor: { handle: 'frankcluster' },
        answer: { id: answered.data.postAnswer.answer.id },
      });
    } finally {
      controller.abort();
    }
  });

  it.skipIf(!withWeb)(
    "carries a page request's id from the web front to the api and into the worker's log of the job it queued",
    async () => {
      const grace = await signUp('gracecluster');
      const requestId = `trace-${Date.now().toString(36)}-cluster`;
      // the ask form, posted without JavaScript through nginx to a web instance, which calls the api
      const res = await fetch(`${proxy()}/questions/ask?/ask`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: grace.cookie,
          origin: `http://localhost:${PORTS.proxy}`,
          accept: 'text/html',
          'content-type': 'application/x-www-form-urlencoded',
          'x-request-id': requestId,
          'x-forwarded-for': grace.address,
        },
        body: new URLSearchParams({ title: TITLE(5), body: BODY(5), tags: 'ops', space: spaceSlug }).toString(),
      });
      expect(res.status, await res.clone().text()).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/questions\/[0-9a-f]{24}/);
      expect(res.headers.get('x-request-id')).toBe(requestId);
      const questionId = /^\/questions\/([0-9a-f]{24})/.exec(res.headers.get('location')!)![1]!;
      // the api published the question's event under that request id; a worker ran it and logged it
      let line: { reqId?: string; msg?: string; job?: string } | undefined;
      for (let i = 0; i < 100 && !line; i++) {
        for (const w of cluster.of('worker')) {
          const file = join(runDir, 'logs', `${w.name}.log`);
          if (!existsSync(file)) continue;
          const found = readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => l.includes(requestId))
            .map((l) => JSON.parse(l) as NonNullable<typeof line>)
            .find((l) => l.job === 'question.created');
          if (found) line = found;
        }
        if (!line) await sleep(100);
      }
      expect(line, `a worker's log line for the job of question ${questionId}`).toMatchObject({
        reqId: requestId,
        msg: 'job completed',
        job: 'question.created',
      });
    },
  );

  it.skipIf(!withWeb)('serves Prometheus metrics on every web instance, and never through the public entry', async () => {
    for (let i = 0; i < 4; i++) {
      const page = await fetch(`${proxy()}/questions`, { headers: { 'x-forwarded-for': nextAddress() } });
      expect(page.status).toBe(200);
      await page.text(); // read to the end: the instance counts a request once it is answered
    }
    let pages = 0;
    let lookups = 0;
    let texts = '';
    for (const w of cluster.of('web')) {
      const res = await fetch(`http://127.0.0.1:${w.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      texts += text
        .split('\n')
        .filter((l) => l.startsWith('colloquy_') && !l.includes('_bucket'))
        .join('\n');
      expect(text).toContain('# TYPE colloquy_http_request_duration_seconds histogram');
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
      pages += Number(
        /^colloquy_http_request_duration_seconds_count\{method="GET",route="\/questions",status="200"\} (\d+)/m.exec(text)?.[1] ?? 0,
      );
      for (const m of text.matchAll(/^colloquy_cache_lookups_total\{cache="page",result="(?:hit|miss|stale|bypass)"\} (\d+)/gm))
        lookups += Number(m[1]);
    }
    // the anonymous listing requests, counted under their route by the instances that served them,
    // each with the page cache's outcome (hit, miss, stale, or bypass when not storable)
    expect(pages, texts).toBeGreaterThanOrEqual(4);
    expect(lookups, texts).toBeGreaterThanOrEqual(4);
    expect((await fetch(`${proxy()}/metrics`)).status).toBe(404);
  });

  it('restarts every api instance in turn under reads and writes: 0 failed requests, 0 lost writes', { timeout: 240_000 }, async () => {
    const writers = await Promise.all([0, 1, 2].map((i) => signUp(`loadwriter${i}`)));
    // staff: the new-member limits (questions per day) do not apply to them
    for (const i of [0, 1, 2]) await grantRole(h.deps.repos, `loadwriter${i}`, 'ADMIN', null);
    const cached = await h.deps.redis.keys(`${h.deps.config.redisPrefix}session:*`);
    if (cached.length) await h.deps.redis.del(...cached);
    const created: string[] = [];
    const failures: Reply[] = [];
    let requests = 0;
    let running = true;
    let n = 100;
    const loop = async (client: Client) => {
      while (running) {
        const i = n++;
        const write = await client.gql(proxy(), Q.ask, {
          input: { spaceSlug, title: `${TITLE(i)} rolling`, body: BODY(i), tags: ['ops'] },
        });
        requests++;
        if (write.ok) created.push(write.data.askQuestion.question.id as string);
        else failures.push(write);
        const read = await client.gql(proxy(), `{ questions(first: 5) { nodes { id title } } viewer { handle } }`);
        requests++;
        if (!read.ok) failures.push(read);
      }
    };
    const load = writers.map((w) => loop(w));
    try {
      await sleep(1_000);
      for (const instance of [...cluster.of('api')]) {
        await cluster.restart(instance);
        await sleep(1_000);
      }
    } finally {
      running = false;
      await Promise.all(load);
    }
    const nginxErrors = existsSync(join(runDir, 'nginx-error.log'))
      ? readFileSync(join(runDir, 'nginx-error.log'), 'utf8').slice(-3000)
      : '';
    expect(failures, nginxErrors).toEqual([]);
    expect(requests).toBeGreaterThan(20);
    // every acknowledged write is in the database, and no other was made
    const posts = mongoose.connection.db!.collection('posts');
    const stored = await posts.countDocuments({ title: { $regex: 'rolling$' } });
    expect(stored).toBe(created.length);
    for (const id of created.slice(0, 20)) expect(await posts.countDocuments({ _id: new mongoose.Types.ObjectId(rawOf(id)) })).toBe(1);
    // both restarted instances serve again
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) seen.add(String((await writers[0]!.gql(proxy(), `{ viewer { handle } }`)).instance));
    expect([...seen].sort()).toEqual(['api-1', 'api-2']);
  });
});
