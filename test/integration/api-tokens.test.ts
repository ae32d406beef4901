// API tokens over HTTP: a Bearer token that does not authenticate (malformed, unknown, revoked,
// expired) is a 401 with a message saying which; optional expiry; lastUsedAt recorded at most
// once a minute; the token list shows scopes, expiry and use; and the example partner client
// (scripts/partner-client.ts) pages through every question once with a real token, waiting for
// the points budget, and verifies a Standard Webhooks signature.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { allQuestions, ApiError, verifyWebhook } from '../../scripts/partner-client.js';
import { createApp } from '../../server/src/app.js';
import { ERRORS, TITLE, ask, createSpace, member, payloadErrors, type Member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ rateLimitPerMinute: 5_000 });
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

const db = () => mongoose.connection.db!;
const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name scopes createdAt expiresAt lastUsedAt } ${ERRORS} } }`;
const REVOKE = `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { id revokedAt } ${ERRORS} } }`;
const VIEWER = `{ viewer { handle } }`;

interface Created {
  token: string;
  apiToken: { id: string; name: string; scopes: string[]; createdAt: string; expiresAt: string | null; lastUsedAt: string | null };
}

async function createToken(owner: Member, input: Record<string, unknown>): Promise<Created> {
  const r = await owner.must<{ createApiToken: Created }>(CREATE, { input });
  return r.createApiToken;
}

async function bearer(token: string, query = VIEWER, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: res.status, body, headers: res.headers };
}

describe('a Bearer token that does not authenticate is a 401 saying why', () => {
  it('malformed and unknown tokens', async () => {
    const malformed = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer two words' },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(malformed.status).toBe(401);
    expect(((await malformed.json()) as { errors: unknown[] }).errors[0]).toMatchObject({
      message: 'The Authorization header must be "Bearer <token>".',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const unknown = await bearer('cq_madeupmadeupmadeupmadeupmadeupmadeupmadeup1');
    expect(unknown.status).toBe(401);
    expect(unknown.body.errors?.[0]).toMatchObject({
      message: 'The access token is invalid, expired or revoked.',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('a revoked token, at once (even while its identity is cached)', async () => {
    const alice = await member(h, 'alice');
    const created = await createToken(alice, { name: 'ci', scopes: ['READ'] });
    expect((await bearer(created.token)).body.data.viewer.handle).toBe('alice');
    await alice.must(REVOKE, { input: { apiTokenId: created.apiToken.id } });
    const revoked = await bearer(created.token);
    expect(revoked.status).toBe(401);
    expect(revoked.body.errors?.[0]?.message).toBe(`This API token was revoked on ${h.clock.now().toISOString()}.`);
    expect(revoked.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('an expired token (expiresInDays), with the moment it expired', async () => {
    const alice = await member(h, 'alice');
    const created = await createToken(alice, { name: 'week', scopes: ['READ'], expiresInDays: 7 });
    const expiresAt = new Date(h.clock.now().getTime() + 7 * 86_400_000).toISOString();
    expect(created.apiToken.expiresAt).toBe(expiresAt);
    expect((await bearer(created.token)).status).toBe(200);
    h.clock.advance(7 * 86_400_000 - 1000);
    expect((await bearer(created.token)).body.data.viewer.handle).toBe('alice');
    h.clock.advance(1000);
    const expired = await bearer(created.token);
    expect(expired.status).toBe(401);
    expect(expired.body.errors?.[0]).toMatchObject({
      message: `This API token expired on ${expiresAt}.`,
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('expiresAt: a moment within a year; nothing is created for a bad expiry', async () => {
    const alice = await member(h, 'alice');
    const at = new Date(h.clock.now().getTime() + 3 * 86_400_000).toISOString();
    const created = await createToken(alice, { name: 'three days', scopes: ['READ'], expiresAt: at });
    expect(created.apiToken.expiresAt).toBe(at);
    const never = await createToken(alice, { name: 'forever', scopes: ['READ'] });
    expect(never.apiToken.expiresAt).toBeNull();

    const bad: Array<[Record<string, unknown>, string]> = [
      [{ expiresInDays: 0 }, 'expiresInDays'],
      [{ expiresInDays: 367 }, 'expiresInDays'],
      [{ expiresAt: new Date(h.clock.now().getTime() - 1000).toISOString() }, 'expiresAt'],
      [{ expiresAt: new Date(h.clock.now().getTime() + 400 * 86_400_000).toISOString() }, 'expiresAt'],
      [{ expiresInDays: 7, expiresAt: at }, 'expiresAt'],
    ];
    for (const [extra, field] of bad) {
      const r = await alice.gql(CREATE, { input: { name: 'bad', scopes: ['READ'], ...extra } });
      expect(payloadErrors(r.data)[0], JSON.stringify(extra)).toMatchObject({ code: 'VALIDATION', field });
    }
    expect(await db().collection('api_tokens').countDocuments({})).toBe(2);
  });
});

describe('the token list', () => {
  it('shows scopes, createdAt, expiresAt and lastUsedAt (recorded at most once a minute)', async () => {
    const alice = await member(h, 'alice');
    const created = await createToken(alice, { name: 'bot', scopes: ['READ', 'WRITE_ANSWERS', 'WRITE_VOTES'], expiresInDays: 30 });
    expect(created.apiToken).toMatchObject({
      name: 'bot',
      scopes: ['READ', 'WRITE_ANSWERS', 'WRITE_VOTES'],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastUsedAt: null,
    });
    const stored = await db().collection('api_tokens').findOne({});
    expect(stored?.scopes).toEqual(['read', 'write:answers', 'write:votes']);

    await bearer(created.token);
    await vi.waitFor(
      async () => expect((await db().collection('api_tokens').findOne({ _id: stored!._id }))?.lastUsedAt).toBeInstanceOf(Date),
      {
        timeout: 10_000,
      },
    );
    const firstUse = h.clock.now().toISOString();
    // a second use within the minute does not write again: the throttle key holds (≤ 60 s)
    h.clock.advance(5_000);
    await bearer(created.token);
    const ttl = await h.deps.redis.ttl(`${h.deps.config.redisPrefix}token-touch:${stored!.tokenHash as string}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);

    const listed = await alice.gql(`{ viewer { apiTokens { name scopes createdAt expiresAt lastUsedAt revokedAt } } }`);
    expect(listed.data.viewer.apiTokens).toEqual([
      {
        name: 'bot',
        scopes: ['READ', 'WRITE_ANSWERS', 'WRITE_VOTES'],
        createdAt: created.apiToken.createdAt,
        expiresAt: created.apiToken.expiresAt,
        lastUsedAt: firstUse,
        revokedAt: null,
      },
    ]);
  });
});

describe('organisation tokens', () => {
  const ORG = `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } ${ERRORS} } }`;
  const ADD = `mutation($input: AddOrganizationMemberInput!) { addOrganizationMember(input: $input) { ${ERRORS} } }`;
  const LIST = `query($id: ID!) { organizationApiTokens(organizationId: $id) { id name organizationId } }`;

  it('made by an org admin, act as that member, listed and revoked by the org’s admins only', async () => {
    const boss = await member(h, 'boss', { role: 'ADMIN' });
    const [alice, dave, bob, carol] = [await member(h, 'alice'), await member(h, 'dave'), await member(h, 'bob'), await member(h, 'carol')];
    const org = (
      await boss.must<{ createOrganization: { organization: { id: string } } }>(ORG, {
        input: { slug: 'acme', name: 'Acme Corp', kind: 'CUSTOMER' },
      })
    ).createOrganization.organization.id;
    await boss.must(ADD, { input: { organizationId: org, handle: 'alice', admin: true } });
    await boss.must(ADD, { input: { organizationId: org, handle: 'dave', admin: true } });
    await boss.must(ADD, { input: { organizationId: org, handle: 'bob' } });

    const created = await createToken(alice, { name: 'acme sync', scopes: ['READ'], organizationId: org });
    expect((await alice.gql(`{ viewer { apiTokens { organizationId } } }`)).data.viewer.apiTokens).toEqual([{ organizationId: org }]);
    expect((await bearer(created.token)).body.data.viewer.handle).toBe('alice');

    // a plain member or an outsider cannot make one; nothing is created
    for (const who of [bob, carol]) {
      const r = await who.gql(CREATE, { input: { name: 'x', scopes: ['READ'], organizationId: org } });
      expect(payloadErrors(r.data)[0]?.code).toBe('FORBIDDEN');
    }
    expect(await db().collection('api_tokens').countDocuments({})).toBe(1);

    // the org's admins see it; others are refused
    expect((await dave.gql(LIST, { id: org })).data.organizationApiTokens).toEqual([
      { id: created.apiToken.id, name: 'acme sync', organizationId: org },
    ]);
    const denied = await bob.gql(LIST, { id: org });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // … and may revoke it (an outsider cannot even see it)
    const stolen = await carol.gql(REVOKE, { input: { apiTokenId: created.apiToken.id } });
    expect(payloadErrors(stolen.data)[0]?.code).toBe('NOT_FOUND');
    await dave.must(REVOKE, { input: { apiTokenId: created.apiToken.id } });
    expect((await bearer(created.token)).status).toBe(401);
  });
});

describe('scripts/partner-client.ts', () => {
  it('pages through every question exactly once with a read token', async () => {
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin, 'widgets');
    const asked = new Set<string>();
    for (let i = 0; i < 12; i++) {
      asked.add((await ask(admin, { title: TITLE(i) })).id);
      h.clock.advance(1000);
    }
    const { token } = await createToken(admin, { name: 'partner', scopes: ['READ'] });
    const seen: string[] = [];
    for await (const q of allQuestions({ apiUrl: `${h.url}/graphql`, token }, 5)) seen.push(q.id);
    expect(seen.length).toBe(12);
    expect(new Set(seen)).toEqual(asked);
  });

  it('waits until resetAt when the budget runs short, then goes on', async () => {
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin, 'widgets');
    for (let i = 0; i < 7; i++) await ask(admin, { title: TITLE(i) });
    const { token } = await createToken(admin, { name: 'partner', scopes: ['READ'] });
    // an api whose budget is 2 points an hour: the third page has to wait for the window
    const deps = { ...h.deps, config: { ...h.deps.config, rateLimitPointsPerHour: 2 } };
    const { app } = createApp(deps);
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const waits: number[] = [];
    // the "sleep" ends the window (as an hour passing would) instead of waiting for it
    const sleep = async (ms: number) => {
      waits.push(ms);
      const keys = await h.deps.redis.keys(`${h.deps.config.redisPrefix}rl:points*`);
      if (keys.length) await h.deps.redis.del(...keys);
    };
    const seen: string[] = [];
    for await (const q of allQuestions({ apiUrl, token, sleep }, 3)) seen.push(q.id);
    expect(new Set(seen).size).toBe(7);
    expect(seen.length).toBe(7);
    expect(waits.length).toBe(1);
    expect(waits[0]).toBeGreaterThan(60_000); // until resetAt, about an hour away

    // without the wait the budget is exhausted: a clear RATE_LIMITED error
    const noWait = allQuestions({ apiUrl, token, sleep: async () => undefined }, 3);
    await expect(
      (async () => {
        for await (const _ of noWait) void _;
      })(),
    ).rejects.toMatchObject({ status: 429, code: 'RATE_LIMITED' } satisfies Partial<ApiError>);
  });

  it('verifyWebhook accepts a Standard Webhooks signature and refuses a forged one', () => {
    const secret = `whsec_${Buffer.from('a partner secret of 32 bytes!!!!').toString('base64')}`;
    const body = JSON.stringify({ type: 'question.created', data: { questionId: 'UXVlc3Rpb246MQ==' } });
    const id = 'msg_1';
    const now = new Date();
    const signature = new Webhook(secret).sign(id, now, body);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature };
    expect(verifyWebhook(secret, headers, body)).toEqual(JSON.parse(body));
    expect(() => verifyWebhook(secret, headers, body.replace('created', 'deleted'))).toThrow();
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': '1000000000' }, body)).toThrow();
  });
});
