import { parse } from 'graphql';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { Viewer } from '../context.js';
import { RateLimitedError } from '../lib/errors.js';
import {
  LimiterUnavailableError,
  addressKey,
  budgetKey,
  consume,
  createRateLimits,
  mutationFieldCount,
  rateLimitHeaders,
  rateLimitsOf,
  type Budget,
  type Outcome,
} from './rate-limit.js';

const member: Viewer = { id: '65a000000000000000000001', handle: 'alice', role: 'MEMBER', via: 'session', scopes: ['read', 'write'] };
const bot: Viewer = { ...member, via: 'token', scopes: ['read'] };

/** An ioredis client whose connection is down: rate-limiter-flexible sees it is not "ready". */
const downRedis = () => ({ status: 'reconnecting', defineCommand: () => undefined }) as unknown as Redis;

describe('budget keys', () => {
  it('spends the API token’s budget, else the signed-in member’s, else the address’s', () => {
    expect(budgetKey({ viewer: bot, tokenId: '65a0000000000000000000aa' }, '203.0.113.7')).toBe('t:65a0000000000000000000aa');
    expect(budgetKey({ viewer: member }, '203.0.113.7')).toBe(`m:${member.id}`);
    expect(budgetKey({ viewer: null }, '203.0.113.7')).toBe('ip:203.0.113.7');
    // a made-up token never reaches this point (401), so it cannot name a budget of its own
    expect(budgetKey({ viewer: null, tokenId: 'made-up' }, '203.0.113.7')).toBe('ip:203.0.113.7');
  });

  it('keys IPv4 as is, unwraps IPv4-mapped IPv6, and groups IPv6 by /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:0:12:a:b:c:d')).toBe('2001:db8:0:12::/64');
    expect(addressKey('2001:DB8:0:12::99')).toBe('2001:db8:0:12::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});

describe('mutationFieldCount', () => {
  it('is 0 for queries and subscriptions, and counts the root fields of a mutation (aliases, fragments)', () => {
    expect(mutationFieldCount(parse('{ viewer { id } }'))).toBe(0);
    expect(mutationFieldCount(parse('subscription { notificationAdded { id } }'))).toBe(0);
    expect(mutationFieldCount(parse('mutation { signOut(input: {}) { ok } }'))).toBe(1);
    expect(mutationFieldCount(parse('mutation { a: vote(input: {}) { ok } b: vote(input: {}) { ok } __typename }'))).toBe(2);
    expect(
      mutationFieldCount(
        parse(`mutation { ...Two ... on Mutation { c: vote(input: {}) { ok } } }
               fragment Two on Mutation { a: vote(input: {}) { ok } b: vote(input: {}) { ok } ...Two }`),
      ),
    ).toBe(3);
    expect(mutationFieldCount(parse('mutation { __typename }'))).toBe(1);
  });

  it('picks the operation by name', () => {
    const doc = parse('query Read { viewer { id } } mutation Write { signOut(input: {}) { ok } }');
    expect(mutationFieldCount(doc, 'Read')).toBe(0);
    expect(mutationFieldCount(doc, 'Write')).toBe(1);
    expect(mutationFieldCount(doc)).toBe(0); // ambiguous without a name: yoga refuses it anyway
  });
});

describe('rateLimitHeaders', () => {
  const limits = createRateLimits({ config: loadConfig({}), redis: downRedis() });
  const outcome = (remaining: number, resetSeconds: number, limit: number): Outcome => ({
    allowed: remaining > 0,
    limit,
    remaining,
    resetSeconds,
  });

  it('lists every budget spent and reports the tightest one', () => {
    expect(rateLimitHeaders([{ budget: limits.requests, outcome: outcome(590, 42, 600) }])).toEqual({
      'RateLimit-Policy': '600;w=60',
      RateLimit: 'limit=600, remaining=590, reset=42',
    });
    expect(
      rateLimitHeaders([
        { budget: limits.requests, outcome: outcome(590, 42, 600) },
        { budget: limits.writes, outcome: outcome(3, 30, 60) },
      ]),
    ).toEqual({
      'RateLimit-Policy': '600;w=60, 60;w=60;comment="writes"',
      RateLimit: 'limit=60, remaining=3, reset=30',
    });
  });
});

describe('failure of the store (Redis unreachable)', () => {
  it('request and write budgets fail open to an in-memory budget that still limits', async () => {
    const limits = createRateLimits({
      config: loadConfig({ RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_WRITES_PER_MINUTE: '2' }),
      redis: downRedis(),
    });
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((await consume(limits.requests, 'ip:203.0.113.7')).allowed);
    expect(seen).toEqual([true, true, true, false]);
    expect((await consume(limits.requests, 'ip:203.0.113.8')).allowed).toBe(true);
    expect((await consume(limits.writes, 'm:1', 3)).allowed).toBe(false);
  });

  it('sign-in and sign-up fail closed with a clear RATE_LIMITED error', async () => {
    const limits = createRateLimits({ config: loadConfig({}), redis: downRedis() });
    const refusal = consume(limits.signIn, '203.0.113.7:abc', 1, () => new LimiterUnavailableError('Sign-in'));
    await expect(refusal).rejects.toBeInstanceOf(LimiterUnavailableError);
    const error = (await refusal.catch((e: unknown) => e)) as LimiterUnavailableError;
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterSeconds).toBe(60);
    expect(error.message).toBe('Sign-in is temporarily unavailable; try again in a minute.');
    expect(new LimiterUnavailableError('Sign-up').message).toBe('Sign-up is temporarily unavailable; try again in a minute.');
  });

  it('builds one set of limiters per app dependencies, with the budgets of its config', () => {
    const deps = { config: loadConfig({ RATE_LIMIT_SIGN_IN_PER_15_MINUTES: '4' }), redis: downRedis() };
    const limits = rateLimitsOf(deps);
    expect(rateLimitsOf(deps)).toBe(limits);
    expect(rateLimitsOf({ ...deps })).not.toBe(limits);
    const shape = (b: Budget) => [b.name, b.limit, b.windowSeconds, b.failOpen];
    expect([limits.requests, limits.writes, limits.signIn, limits.signUp].map(shape)).toEqual([
      ['requests', 600, 60, true],
      ['writes', 60, 60, true],
      ['signin', 4, 900, false],
      ['signup', 20, 3600, false],
    ]);
  });
});
