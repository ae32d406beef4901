// Cost-based budgets over HTTP, GitHub-style: every operation is priced before it runs (nodes /
// 100, rounded up, at least 1), refused beyond GRAPHQL_MAX_COST with its computed cost, and
// charged to an hourly points budget per API token, member or address; `rateLimit`, the
// X-RateLimit-* and IETF headers and (on request) `extensions.rateLimit` show the budget.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app.js';
import type { Config } from '../../server/src/config.js';
import { member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
});

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** An app beside the harness's own with another config (its budgets count in the same Redis keys). */
async function serve(overrides: Partial<Config>): Promise<string> {
  const { app } = createApp({ ...h.deps, config: { ...h.deps.config, ...overrides } });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface RateLimit {
  limit: number;
  cost: number;
  remaining: number;
  used: number;
  resetAt: string;
  nodeCount: number;
}
interface Reply {
  status: number;
  headers: Headers;
  body: {
    data?: { rateLimit?: RateLimit } & Record<string, unknown>;
    errors?: Array<{ message: string; extensions?: Record<string, any> }>;
    extensions?: { rateLimit?: RateLimit };
  };
}

async function post(query: string, opts: { url?: string; headers?: Record<string, string>; variables?: object } = {}): Promise<Reply> {
  const res = await fetch(`${opts.url ?? h.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: JSON.stringify({ query, variables: opts.variables ?? {} }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const RATE = 'rateLimit { limit cost remaining used resetAt nodeCount }';
/** 100 questions with 10 answers each: 1100 nodes, 11 points */
const ELEVEN = `questions(first: 100) { nodes { answers(first: 10) { nodes { id } } } }`;
/** 100 × 100 × 100 comments: 1,010,100 nodes, 10,101 points */
const HUGE = `{ questions(first: 100) { nodes { answers(first: 100) { nodes { comments(first: 100) { nodes { id } } } } } } }`;

describe('rateLimit', () => {
  it('decreases by exactly the computed cost of each query, and the headers say the same', async () => {
    const first = await post(`{ ${RATE} }`);
    expect(first.status).toBe(200);
    const a = first.body.data!.rateLimit!;
    expect(a).toMatchObject({ limit: 5000, cost: 1, remaining: 4999, used: 1, nodeCount: 0 });
    const resetIn = new Date(a.resetAt).getTime() - Date.now();
    expect(resetIn).toBeGreaterThan(3590_000);
    expect(resetIn).toBeLessThanOrEqual(3601_000);

    const second = await post(`{ ${ELEVEN} ${RATE} }`);
    expect(second.body.data!.rateLimit).toMatchObject({ cost: 11, nodeCount: 1100, remaining: 4999 - 11, used: 12 });
    const h2 = second.headers;
    expect([
      h2.get('x-ratelimit-limit'),
      h2.get('x-ratelimit-remaining'),
      h2.get('x-ratelimit-used'),
      h2.get('x-ratelimit-resource'),
    ]).toEqual(['5000', '4988', '12', 'graphql']);
    expect(Number(h2.get('x-ratelimit-reset'))).toBe(Math.ceil(new Date(second.body.data!.rateLimit!.resetAt).getTime() / 1000));
    expect(h2.get('ratelimit-policy')).toContain('5000;w=3600;comment="points"');
    expect(h2.get('ratelimit')).toMatch(/^limit=\d+, remaining=\d+, reset=\d+$/);

    // a query without rateLimit is charged too (the headers tell)
    const third = await post(`{ ${ELEVEN} }`);
    expect(third.headers.get('x-ratelimit-remaining')).toBe(String(4988 - 11));
    const fourth = await post(`{ spaces(first: 3) { nodes { slug } } ${RATE} }`);
    expect(fourth.body.data!.rateLimit).toMatchObject({ cost: 1, nodeCount: 3, remaining: 4977 - 1, used: 24 });
  });

  it('is in extensions.rateLimit when asked for with X-Colloquy-RateLimit: extensions', async () => {
    const plain = await post('{ ping }');
    expect(plain.body.extensions).toBeUndefined();
    const asked = await post(`{ ${ELEVEN} }`, { headers: { 'x-colloquy-ratelimit': 'extensions' } });
    expect(asked.body.extensions?.rateLimit).toMatchObject({ limit: 5000, cost: 11, nodeCount: 1100, remaining: 4999 - 11, used: 12 });
  });

  it('a response served from the response cache is charged its cost as well; rateLimit itself is never cached', async () => {
    const query = `{ ${ELEVEN} }`;
    const miss = await post(query);
    const hit = await post(query);
    expect([miss.headers.get('x-colloquy-cache'), hit.headers.get('x-colloquy-cache')]).toEqual(['miss', 'hit']);
    expect([miss.headers.get('x-ratelimit-remaining'), hit.headers.get('x-ratelimit-remaining')]).toEqual(['4989', '4978']);
    const a = await post(`{ ${RATE} }`);
    const b = await post(`{ ${RATE} }`);
    expect([a.body.data!.rateLimit!.remaining, b.body.data!.rateLimit!.remaining]).toEqual([4977, 4976]);
    expect(b.headers.get('x-colloquy-cache')).not.toBe('hit');
  });
});

describe('the per-query maximum', () => {
  it('refuses a query over GRAPHQL_MAX_COST before it runs, naming its computed cost, and charges nothing', async () => {
    const started = performance.now();
    const r = await post(HUGE);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors).toHaveLength(1);
    const error = r.body.errors![0]!;
    expect(error.extensions).toMatchObject({ code: 'COST_LIMIT', cost: 10_101, nodeCount: 1_010_100, maxCost: 1000, maxNodes: 500_000 });
    expect(error.message).toMatch(/^This query costs 10101 points \(up to 1010100 nodes\); one query may cost at most 1000 points/);
    const after = await post(`{ ${RATE} }`);
    expect(after.body.data!.rateLimit).toMatchObject({ remaining: 4999, used: 1 });
  });

  it("refuses beyond GitHub's 500,000 nodes even when the points would do", async () => {
    const url = await serve({ graphqlLimits: { ...h.deps.config.graphqlLimits, maxCost: 100_000 } });
    const r = await post(HUGE, { url });
    expect([r.status, r.body.errors?.[0]?.extensions?.code]).toEqual([400, 'COST_LIMIT']);
  });
});

describe('the hourly points budget', () => {
  it('exhausted: 429 RATE_LIMITED with Retry-After and the headers; the refused query spends nothing', async () => {
    const url = await serve({ rateLimitPointsPerHour: 30 });
    for (const remaining of [19, 8]) {
      const ok = await post(`{ ${ELEVEN} }`, { url });
      expect([ok.status, ok.headers.get('x-ratelimit-remaining')]).toEqual([200, String(remaining)]);
    }
    const refused = await post(`{ ${ELEVEN} }`, { url });
    expect(refused.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 11 });
    expect(refused.body.errors?.[0]?.message).toMatch(/costs 11 points and 8 of the 30 points per hour remain/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect([
      refused.headers.get('x-ratelimit-limit'),
      refused.headers.get('x-ratelimit-remaining'),
      refused.headers.get('x-ratelimit-used'),
    ]).toEqual(['30', '8', '22']);
    expect(refused.headers.get('ratelimit-policy')).toContain('30;w=3600;comment="points"');
    expect(refused.headers.get('ratelimit')).toMatch(/^limit=30, remaining=8, reset=\d+$/);
    // what is left can still be spent
    const cheap = await post(`{ ${RATE} }`, { url });
    expect(cheap.body.data!.rateLimit).toMatchObject({ limit: 30, cost: 1, remaining: 7, used: 23 });
  });

  it('is per API token, per member and per address', async () => {
    const alice = await member(h, 'alice');
    const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token errors { code } } }`;
    const tokens: string[] = [];
    for (const name of ['one', 'two']) {
      const r = await alice.must<{ createApiToken: { token: string } }>(CREATE, { input: { name, scopes: ['READ'] } });
      tokens.push(r.createApiToken.token);
    }
    await h.deps.redis.del(...(await h.deps.redis.keys(`${h.deps.config.redisPrefix}rl:points:*`)));
    const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });

    const one = await post(`{ ${ELEVEN} ${RATE} }`, bearer(tokens[0]!));
    expect(one.body.data!.rateLimit).toMatchObject({ cost: 11, remaining: 4989 });
    const oneAgain = await post(`{ ${RATE} }`, bearer(tokens[0]!));
    expect(oneAgain.body.data!.rateLimit).toMatchObject({ remaining: 4988 });
    const two = await post(`{ ${RATE} }`, bearer(tokens[1]!));
    expect(two.body.data!.rateLimit).toMatchObject({ remaining: 4999 });
    const session = await alice.gql<{ rateLimit: RateLimit }>(`{ ${RATE} }`);
    expect(session.data.rateLimit).toMatchObject({ remaining: 4999 });
    const anonymous = await post(`{ ${RATE} }`);
    expect(anonymous.body.data!.rateLimit).toMatchObject({ remaining: 4999 });
    const keys = (await h.deps.redis.keys(`${h.deps.config.redisPrefix}rl:points:*`)).map((k) => k.split('rl:points:')[1]!.split(':')[0]);
    expect(keys.sort()).toEqual(['ip', 'm', 't', 't']);
  });
});
