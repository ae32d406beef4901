// Redis stopped under load, then started again, with nothing restarted in between: the api keeps
// serving reads from the database (0 failed), keeps taking writes (none lost), refuses sign-in
// with a clear error while Redis is away, and its caches and rate limits work again once Redis is
// back. A private redis-server on a free port (like the one scripts/lib/services.ts starts:
// no persistence), so stopping it touches no other test. Then the same with a Redis that comes
// back with its data (a snapshot taken as it stopped): nothing cached before the outage is
// served after it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_BODY, PASSWORD, Q, ask, createSpace, member, rawOf, type Member } from '../factories/qa.js';
import { startHarness, type Agent, type Harness } from '../helpers/harness.js';

const PAGE = `query($id: ID!) {
  question(id: $id) {
    id title commentCount answerCount author { handle displayName }
    comments(first: 100) { nodes { id body author { handle } } }
  }
}`;
const LIST = `query { questions(first: 20) { totalCount nodes { id title commentCount } } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { viewer { handle } errors { code message } } }`;

/** how long each phase of the load runs */
const PHASE_MS = 3_000;
/** no single request may take longer than this */
const REQUEST_TIMEOUT_MS = 10_000;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function ping(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * A redis-server of its own on `port`, answering PING when this resolves: no persistence (a
 * snapshot only when told to, by SHUTDOWN SAVE; it is loaded from `dir` at the next start).
 */
async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', ''];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  // never outlives the test process, whatever happens to it
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  const deadline = Date.now() + 10_000;
  while (!(await ping(`redis://127.0.0.1:${port}`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await sleep(50);
  }
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

type Phase = 'before' | 'outage' | 'after';

interface Tally {
  reads: Record<Phase, { ok: number; failed: string[] }>;
  writes: Record<Phase, { acknowledged: string[]; failed: string[] }>;
}

/** One GraphQL request with a deadline; the failure reason, or null when it answered without errors. */
async function attempt(agent: Agent, query: string, variables: Record<string, unknown>): Promise<{ failure: string | null; data: any }> {
  try {
    const r = await Promise.race([
      agent.gql(query, variables),
      sleep(REQUEST_TIMEOUT_MS).then(() => {
        throw new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`);
      }),
    ]);
    if (r.status !== 200 || r.errors?.length) return { failure: `${r.status} ${JSON.stringify(r.errors)}`, data: r.data };
    return { failure: null, data: r.data };
  } catch (error) {
    return { failure: String(error), data: null };
  }
}

let h: Harness;
let redis: ChildProcess | undefined;
let port: number;
const dir = mkdtempSync(join(tmpdir(), 'colloquy-redis-outage-'));
beforeAll(async () => {
  port = await freePort();
  redis = await startRedis(port, dir);
  h = await startHarness({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, RESPONSE_CACHE_TTL_SECONDS: '60' } });
});
afterAll(async () => {
  try {
    await h?.close();
  } finally {
    if (redis) await stopRedis(redis);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('a Redis outage under load', () => {
  it('reads and writes go on from the database; sign-in is refused; caches and limits come back by themselves', async () => {
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin, 'widgets', 'Widgets');
    const alice = await member(h, 'alice');
    const writers: Member[] = [await member(h, 'bob'), await member(h, 'carol')];
    const q = (await ask(alice, { tags: ['frobnicator'] })).id;
    const prefix = h.deps.config.redisPrefix;
    const rc = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 0, retryStrategy: () => 200 });
    rc.on('error', () => undefined);

    // the response cache and the rate limits work before the outage
    await h.agent().gql(PAGE, { id: q });
    expect((await h.agent().gql(PAGE, { id: q })).headers.get('x-colloquy-cache')).toBe('hit');
    expect(await rc.keys(`${prefix}rl:requests:*`)).not.toEqual([]);

    const tally: Tally = {
      reads: { before: { ok: 0, failed: [] }, outage: { ok: 0, failed: [] }, after: { ok: 0, failed: [] } },
      writes: {
        before: { acknowledged: [], failed: [] },
        outage: { acknowledged: [], failed: [] },
        after: { acknowledged: [], failed: [] },
      },
    };
    let phase: Phase = 'before';
    let running = true;
    // readers: anonymous visitors (the page and the listing) and a signed-in member, back to back
    const reader = async (agent: Agent, query: string) => {
      while (running) {
        const at = phase;
        const { failure } = await attempt(agent, query, { id: q });
        if (failure) tally.reads[at].failed.push(failure);
        else tally.reads[at].ok++;
      }
    };
    // writers: comments on the question, each acknowledged one remembered by id
    const writer = async (agent: Member) => {
      for (let n = 0; running; n++) {
        const at = phase;
        const { failure, data } = await attempt(agent, Q.comment, {
          input: { subjectId: q, body: `${COMMENT_BODY(n)} (${agent.handle})` },
        });
        const id = data?.addComment?.comment?.id as string | undefined;
        if (failure || !id) tally.writes[at].failed.push(failure ?? JSON.stringify(data?.addComment?.errors));
        else tally.writes[at].acknowledged.push(id);
      }
    };
    const load = Promise.all([reader(h.agent(), PAGE), reader(h.agent(), LIST), reader(alice, PAGE), ...writers.map((w) => writer(w))]);

    try {
      await sleep(PHASE_MS / 2);
      // Redis goes away mid-run
      phase = 'outage';
      await stopRedis(redis!);
      await until('the api to notice', () => h.deps.redis.status !== 'ready');
      await sleep(PHASE_MS);
      // sign-in fails closed, with a clear error
      const signIn = await h.agent().gql(SIGN_IN, { input: { login: 'alice', password: PASSWORD } });
      expect(signIn.data.signIn).toEqual({
        viewer: null,
        errors: [{ code: 'RATE_LIMITED', message: 'Sign-in is temporarily unavailable; try again in a minute.' }],
      });
      // Redis comes back on the same port; nothing else is restarted
      redis = await startRedis(port, dir);
      await until('the api to reconnect', () => h.deps.redis.status === 'ready');
      phase = 'after';
      await sleep(PHASE_MS);
    } finally {
      running = false;
      await load;
    }

    // 0 failed reads, in every phase (and there were reads in every phase)
    for (const p of ['before', 'outage', 'after'] as const) {
      expect(tally.reads[p].failed, p).toEqual([]);
      expect(tally.reads[p].ok, p).toBeGreaterThan(0);
    }
    // writes kept working, and every acknowledged one is in the database
    for (const p of ['before', 'outage', 'after'] as const) {
      expect(tally.writes[p].failed, p).toEqual([]);
      expect(tally.writes[p].acknowledged.length, p).toBeGreaterThan(0);
    }
    const acknowledged = Object.values(tally.writes).flatMap((w) => w.acknowledged);
    const ids = acknowledged.map((id) => new Types.ObjectId(rawOf(id)));
    const comments = mongoose.connection.db!.collection('comments');
    expect(await comments.countDocuments({ _id: { $in: ids } })).toBe(acknowledged.length);
    // …and the question's counters lost no update either (writers serialised in-process meanwhile)
    const question = await mongoose.connection.db!.collection('posts').findOne({ _id: new Types.ObjectId(rawOf(q)) });
    expect(question?.commentCount).toBe(acknowledged.length);

    // sign-in works again, and its limiter counts in Redis again
    const back = await h.agent().gql(SIGN_IN, { input: { login: 'alice', password: PASSWORD } });
    expect(back.data.signIn).toEqual({ viewer: { handle: 'alice' }, errors: [] });
    expect(await rc.keys(`${prefix}rl:signin:*`)).not.toEqual([]);
    expect(await rc.keys(`${prefix}rl:requests:*`)).not.toEqual([]);

    // the anonymous page shows every write, and is cached again (a write still retires it)
    const page = (await h.agent().gql(PAGE, { id: q })).data.question;
    expect(page.commentCount).toBe(acknowledged.length);
    expect(page.comments.nodes).toHaveLength(acknowledged.length);
    expect((await h.agent().gql(PAGE, { id: q })).headers.get('x-colloquy-cache')).toBe('hit');
    await writers[0]!.must(Q.comment, { input: { subjectId: q, body: COMMENT_BODY(999) } });
    const after = await h.agent().gql(PAGE, { id: q });
    expect(after.headers.get('x-colloquy-cache')).toBe('miss');
    expect(after.data.question.commentCount).toBe(acknowledged.length + 1);
    // the entity cache fills again
    expect(await rc.keys(`${prefix}ec:users:*`)).not.toEqual([]);
    rc.disconnect();
  }, 90_000);

  it('Redis back with its data from before the outage: nothing cached before it is served after it', async () => {
    await h.reset();
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin, 'widgets', 'Widgets');
    const alice = await member(h, 'alice');
    const bob = await member(h, 'bob');
    const q = (await ask(alice, { tags: ['frobnicator'] })).id;
    const prefix = h.deps.config.redisPrefix;
    // everything cached: the anonymous page and listing, and the members bob's page read
    for (const query of [PAGE, LIST]) {
      await h.agent().gql(query, { id: q });
      expect((await h.agent().gql(query, { id: q })).headers.get('x-colloquy-cache')).toBe('hit');
    }
    await bob.gql(PAGE, { id: q });

    // Redis stops with a snapshot of all that
    const rc = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 0, retryStrategy: () => 200 });
    rc.on('error', () => undefined);
    const exited = once(redis!, 'exit');
    await rc.call('SHUTDOWN', 'SAVE').catch(() => undefined);
    await exited;
    await until('the api to notice', () => h.deps.redis.status !== 'ready');

    // meanwhile: a comment, a new question, a new display name
    await bob.must(Q.comment, { input: { subjectId: q, body: COMMENT_BODY(1) } });
    const asked = await ask(bob, { title: 'Which widget firmware fixes the frobnicator timeout?', tags: ['frobnicator'] });
    await alice.must(`mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { displayName } errors { code } } }`, {
      input: { displayName: 'Alice Liddell' },
    });

    // Redis comes back with the snapshot: the old entries are there…
    redis = await startRedis(port, dir);
    await until('the api to reconnect', () => h.deps.redis.status === 'ready');
    expect(await rc.exists(`${prefix}ec:users:${rawOf(alice.id)}`)).toBe(1);
    // …and none of them is served
    const page = await h.agent().gql(PAGE, { id: q });
    expect(page.headers.get('x-colloquy-cache')).toBe('miss');
    expect(page.data.question.commentCount).toBe(1);
    expect(page.data.question.author.displayName).toBe('Alice Liddell');
    expect((await bob.gql(PAGE, { id: q })).data.question.author.displayName).toBe('Alice Liddell');
    const list = await h.agent().gql(LIST, {});
    expect(list.headers.get('x-colloquy-cache')).toBe('miss');
    expect(list.data.questions.totalCount).toBe(2);
    expect(list.data.questions.nodes.map((n: { id: string }) => n.id)).toContain(asked.id);
    // the precomputed listings caught up by themselves (what failed to sync was synced again)
    await until('the listing to hold the new question', async () =>
      (await rc.zrange(`${prefix}lst:v1:all:new`, 0, -1)).some((m) => m.endsWith(rawOf(asked.id))),
    );
    rc.disconnect();
  }, 60_000);
});
