// Fair rate limits over HTTP: a budget per member, API token and visitor address (the web server is
// the trusted hop that names the visitor), stricter budgets for writes and for sign-in/sign-up,
// 401 for a Bearer token that does not authenticate, and what happens while Redis is unreachable.
import { createHash } from 'node:crypto';
import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app.js';
import type { Config } from '../../server/src/config.js';
import type { AppDeps } from '../../server/src/context.js';
import { createRedis } from '../../server/src/infra/redis.js';
import { PASSWORD, member, rawOf } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  // the server's defaults (600 requests and 60 writes a minute, TRUST_PROXY=loopback)
  h = await startHarness({ env: { RATE_LIMIT_WRITES_PER_MINUTE: '60' } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
});

/** Apps served besides the harness's own, with other budgets or a broken Redis; closed after each test. */
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(overrides: Partial<Config>, deps: Partial<AppDeps> = {}): Promise<string> {
  const { app } = createApp({ ...h.deps, ...deps, config: { ...h.deps.config, ...overrides } });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

/** POST /graphql from a chosen local address (127.0.0.0/8 all reaches the loopback server). */
function post(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { from?: string; headers?: Record<string, string> } = {},
) {
  const target = new URL('/graphql', url);
  const data = JSON.stringify({ query, variables });
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        localAddress: opts.from ?? '127.0.0.1',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...opts.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** What the web server sends for a visitor: its own connection, the visitor's address in X-Forwarded-For. */
const viaWeb = (visitor: string, from = '127.0.0.1') => ({ from, headers: { 'x-forwarded-for': visitor } });

const PAGE = `query Page { viewer { id } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { viewer { handle } errors { code message ... on RateLimitedError { retryAfterSeconds } } } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { viewer { handle } errors { code message } } }`;
const PROFILE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { displayName } errors { code message } } }`;
const CREATE_TOKEN = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } errors { code } } }`;
const REVOKE_TOKEN = `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { revokedAt } errors { code } } }`;

const rateKeys = () => h.deps.redis.keys(`${h.deps.config.redisPrefix}rl:*`);
const rateKey = (budget: string, key: string) => `${h.deps.config.redisPrefix}rl:${budget}:${key}`;
/** Forgets what the setup (signing members up through the harness's app) spent. */
async function clearBudgets() {
  const keys = await rateKeys();
  if (keys.length) await h.deps.redis.del(...keys);
}

/** Runs `count` requests, `parallel` at a time; returns their statuses in order. */
async function burst(count: number, parallel: number, send: () => Promise<Reply>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, send));
    statuses.push(...batch.map((r) => r.status));
  }
  return statuses;
}

describe('a budget per visitor behind the web', () => {
  it('700 page views by one visitor do not make another visitor’s page answer 429', async () => {
    const statuses = await burst(700, 10, () => post(h.url, PAGE, {}, viaWeb('203.0.113.10')));
    expect(statuses.filter((s) => s === 200)).toHaveLength(600);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100);

    const other = await post(h.url, PAGE, {}, viaWeb('203.0.113.20'));
    expect(other.status).toBe(200);
    expect(other.body.errors).toBeUndefined();
    expect(other.headers['ratelimit']).toMatch(/^limit=600, remaining=599, reset=\d+$/);
    // and the web server's own address keeps its own budget too
    expect((await post(h.url, PAGE)).status).toBe(200);
    expect(await h.deps.redis.get(rateKey('requests', 'ip:203.0.113.10'))).toBe('700');
    expect(await h.deps.redis.get(rateKey('requests', 'ip:203.0.113.20'))).toBe('1');
  });

  it('the 429 carries Retry-After, the RateLimit headers and a RATE_LIMITED GraphQL error', async () => {
    const url = await serve({ rateLimitPerMinute: 2 });
    const ok = await post(url, PAGE, {}, viaWeb('203.0.113.11'));
    expect(ok.headers['ratelimit-policy']).toBe('2;w=60, 5000;w=3600;comment="points"'); // + the hourly points budget (api-cost.test.ts)
    expect(ok.headers['ratelimit']).toMatch(/^limit=2, remaining=1, reset=([1-9]|[1-5]\d|60)$/);
    await post(url, PAGE, {}, viaWeb('203.0.113.11'));
    const limited = await post(url, PAGE, {}, viaWeb('203.0.113.11'));
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers['ratelimit']).toBe(`limit=2, remaining=0, reset=${retryAfter}`);
    expect(limited.headers['ratelimit-policy']).toBe('2;w=60');
    expect(limited.body).toEqual({
      errors: [
        { message: `Rate limit of 2 requests per minute exceeded; retry in ${retryAfter} s.`, extensions: { code: 'RATE_LIMITED' } },
      ],
    });
  });

  it('a client that is not the trusted hop cannot pick its budget with X-Forwarded-For', async () => {
    // the web server runs at 127.0.0.2 here; the client at 127.0.0.1 talks to the api directly
    const url = await serve({ rateLimitPerMinute: 3, trustProxy: ['127.0.0.2'] });
    const forged = await burst(4, 1, () =>
      post(url, PAGE, {}, { headers: { 'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 250)}` } }),
    );
    expect(forged).toEqual([200, 200, 200, 429]);
    expect((await rateKeys()).sort()).toEqual([rateKey('points', 'ip:127.0.0.1'), rateKey('requests', 'ip:127.0.0.1')]);
    // through the web, the same visitor spends the same budget; another visitor has their own
    expect((await post(url, PAGE, {}, viaWeb('127.0.0.1', '127.0.0.2'))).status).toBe(429);
    expect((await post(url, PAGE, {}, viaWeb('203.0.113.12', '127.0.0.2'))).status).toBe(200);
  });
});

describe('Authorization: authenticated before any budget', () => {
  it('a made-up Bearer token gets 401, spends no budget and leaves no Redis key', async () => {
    const token = 'cq_' + 'x'.repeat(43);
    for (let i = 0; i < 3; i++) {
      const r = await post(h.url, PAGE, {}, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(r.headers['ratelimit']).toBeUndefined();
      expect(r.body).toEqual({
        errors: [{ message: 'The access token is invalid, expired or revoked.', extensions: { code: 'UNAUTHENTICATED' } }],
      });
    }
    const hash = createHash('sha256').update(token).digest('hex');
    const all = await h.deps.redis.keys(`${h.deps.config.redisPrefix}*`);
    expect(all.filter((k) => k.includes(hash) || k.includes(':rl:'))).toEqual([]);
  });

  it.each([['Basic dXNlcjpwYXNz'], ['Bearer'], ['Bearer two words'], ['Token abc'], ['bearer\tabc']])(
    'a malformed Authorization header (%s) gets 401 and no budget',
    async (authorization) => {
      const r = await post(h.url, PAGE, {}, { headers: { authorization } });
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
      expect(await rateKeys()).toEqual([]);
    },
  );

  it('a bad token is refused even alongside a valid session cookie; the cookie alone still works', async () => {
    const alice = await member(h, 'alice');
    const withToken = await post(h.url, PAGE, {}, { headers: { cookie: alice.cookie, authorization: 'Bearer nope' } });
    expect(withToken.status).toBe(401);
    const cookieOnly = await post(h.url, PAGE, {}, { headers: { cookie: alice.cookie } });
    expect(cookieOnly.body.data?.viewer?.id).toBe(alice.id);
    // an unknown cookie stays anonymous (200), as before
    const stale = await post(h.url, PAGE, {}, { headers: { cookie: 'colloquy_session=stale' } });
    expect(stale.status).toBe(200);
    expect(stale.body.data?.viewer).toBeNull();
  });

  it('a valid token spends its own budget t:<id>, apart from its member and its address; revoked, it gets 401', async () => {
    const alice = await member(h, 'alice');
    const created = await alice.must<{ createApiToken: { token: string; apiToken: { id: string } } }>(CREATE_TOKEN, {
      input: { name: 'ci', scopes: ['READ'] },
    });
    const secret = created.createApiToken.token;
    const tokenId = (await mongoose.connection.db!.collection('api_tokens').findOne({}))!._id.toHexString();

    await clearBudgets();
    const url = await serve({ rateLimitPerMinute: 3 });
    const bearer = { headers: { authorization: `Bearer ${secret}` } };
    const byToken = await burst(4, 1, () => post(url, PAGE, {}, bearer));
    expect(byToken).toEqual([200, 200, 200, 429]);
    expect(await h.deps.redis.get(rateKey('requests', `t:${tokenId}`))).toBe('4');
    // the same address anonymously, and the same member by session, each have a full budget
    const anonymous = await post(url, PAGE);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers['ratelimit']).toMatch(/^limit=3, remaining=2,/);
    const session = await post(url, PAGE, {}, { headers: { cookie: alice.cookie } });
    expect(session.body.data?.viewer?.id).toBe(alice.id);
    expect(session.headers['ratelimit']).toMatch(/^limit=3, remaining=2,/);
    expect(await h.deps.redis.get(rateKey('requests', `m:${rawOf(alice.id)}`))).toBe('1');

    await alice.must(REVOKE_TOKEN, { input: { apiTokenId: created.createApiToken.apiToken.id } });
    const revoked = await post(h.url, PAGE, {}, bearer);
    expect(revoked.status).toBe(401);
    expect(revoked.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('the write budget', () => {
  it('is stricter than the read budget and counts mutation fields', async () => {
    const alice = await member(h, 'alice');
    await clearBudgets();
    const url = await serve({ rateLimitPerMinute: 20, rateLimitWritesPerMinute: 3 });
    const asAlice = { headers: { cookie: alice.cookie } };
    const first = await post(url, PAGE, {}, asAlice);
    expect(first.headers['ratelimit-policy']).toBe('20;w=60, 5000;w=3600;comment="points"');

    const one = await post(url, PROFILE, { input: { displayName: 'One' } }, asAlice);
    expect(one.body.data?.updateProfile).toEqual({ user: { displayName: 'One' }, errors: [] });
    expect(one.headers['ratelimit-policy']).toBe('20;w=60, 5000;w=3600;comment="points", 3;w=60;comment="writes"');
    expect(one.headers['ratelimit']).toMatch(/^limit=3, remaining=2, reset=\d+$/);
    // two mutation fields in one request spend two writes
    const two = await post(
      url,
      `mutation { a: updateProfile(input: { displayName: "Two" }) { errors { code } } b: updateProfile(input: { bio: "Hi" }) { errors { code } } }`,
      {},
      asAlice,
    );
    expect(two.status).toBe(200);
    expect(two.headers['ratelimit']).toMatch(/^limit=3, remaining=0,/);

    const refused = await post(url, PROFILE, { input: { displayName: 'Four' } }, asAlice);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toEqual([
      {
        message: expect.stringMatching(/^Rate limit of 3 mutations per minute exceeded; retry in \d+ s\.$/),
        extensions: { code: 'RATE_LIMITED' },
      },
    ]);
    const user = await mongoose.connection.db!.collection('users').findOne({ handleKey: 'alice' });
    expect(user?.displayName).toBe('Two');
    // reads go on within the read budget
    const read = await post(url, PAGE, {}, asAlice);
    expect(read.status).toBe(200);
    expect(read.body.data?.viewer?.id).toBe(alice.id);
    expect(read.headers['ratelimit']).toMatch(/^limit=20, remaining=15,/);
  });
});

describe('the sign-in budget', () => {
  const attempt = (url: string, password: string, opts: { from?: string; headers?: Record<string, string> } = {}) =>
    post(url, SIGN_IN, { input: { login: 'Alice', password } }, opts);

  it('holds for the same visitor and account whether they come through the web or straight to the api', async () => {
    await member(h, 'alice');
    // the web server runs at 127.0.0.2; the visitor is at 127.0.0.1 and can also call the api directly
    const url = await serve({ trustProxy: ['127.0.0.2'] });
    const web = viaWeb('127.0.0.1', '127.0.0.2');
    for (let i = 0; i < 5; i++) {
      expect((await attempt(url, `wrong ${i}`)).body.data?.signIn.errors[0].code).toBe('UNAUTHENTICATED');
      expect((await attempt(url, `wrong web ${i}`, web)).body.data?.signIn.errors[0].code).toBe('UNAUTHENTICATED');
    }
    const ways = [{}, web, { headers: { 'x-forwarded-for': '198.51.100.77' } }];
    for (const way of ways) {
      const r = await attempt(url, PASSWORD, way);
      expect(r.status).toBe(200);
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(r.body.data?.signIn.viewer).toBeNull();
      expect(r.body.data?.signIn.errors).toEqual([
        {
          code: 'RATE_LIMITED',
          message: expect.stringMatching(/^Too many requests; retry in \d+ s\.$/),
          retryAfterSeconds: expect.any(Number),
        },
      ]);
    }
    // another visitor behind the same web server signs in to the same account
    const other = await attempt(url, PASSWORD, viaWeb('203.0.113.13', '127.0.0.2'));
    expect(other.body.data?.signIn).toEqual({ viewer: { handle: 'alice' }, errors: [] });
  });

  it('with Redis unreachable, sign-in and sign-up are refused with a clear error while reads and writes go on', async () => {
    const alice = await member(h, 'alice');
    const broken = createRedis('redis://127.0.0.1:1', h.deps.log);
    try {
      const url = await serve({}, { redis: broken });
      const read = await post(url, PAGE, {}, viaWeb('203.0.113.14'));
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ data: { viewer: null } });
      expect(read.headers['ratelimit']).toMatch(/^limit=600, remaining=599,/); // the in-memory insurance

      const signIn = await attempt(url, PASSWORD, viaWeb('203.0.113.14'));
      expect(signIn.status).toBe(200);
      expect(signIn.headers['set-cookie']).toBeUndefined();
      expect(signIn.body.data?.signIn).toEqual({
        viewer: null,
        errors: [{ code: 'RATE_LIMITED', message: 'Sign-in is temporarily unavailable; try again in a minute.', retryAfterSeconds: 60 }],
      });
      const signUp = await post(
        url,
        SIGN_UP,
        { input: { handle: 'newcomer', email: 'newcomer@example.test', password: 'a long enough secret', displayName: 'New' } },
        viaWeb('203.0.113.14'),
      );
      expect(signUp.body.data?.signUp).toEqual({
        viewer: null,
        errors: [{ code: 'RATE_LIMITED', message: 'Sign-up is temporarily unavailable; try again in a minute.' }],
      });
      expect(await mongoose.connection.db!.collection('users').countDocuments({ handleKey: 'newcomer' })).toBe(0);

      // a signed-in member's write is not lost: the write budget fails open too
      const write = await post(url, PROFILE, { input: { displayName: 'Still here' } }, { headers: { cookie: alice.cookie } });
      expect(write.body.data?.updateProfile).toEqual({ user: { displayName: 'Still here' }, errors: [] });
    } finally {
      broken.disconnect();
    }
  });
});
