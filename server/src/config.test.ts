import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseTrustProxy } from './config.js';

describe('config', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.mongodbUrl).toMatch(/^mongodb:\/\//);
    expect(c.graphiql).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names the offending variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/^Invalid configuration: PORT /);
    expect(() => loadConfig({ MONGODB_URL: 'not-a-url' })).toThrow(/MONGODB_URL must be a URL/);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
  });

  it('GraphiQL is off in production unless asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).graphiql).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true' }).graphiql).toBe(true);
  });

  it('trusts the web server on this host by default; TRUST_PROXY takes false, a hop count or addresses and subnets', () => {
    expect(loadConfig({}).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'no' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(1); // one hop, as before: never "everyone"
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.5, 10.1.0.0/16 ,fd00::/8,loopback' }).trustProxy).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      'fd00::/8',
      'loopback',
    ]);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/255.0.0.0,UniqueLocal' }).trustProxy).toEqual(['10.0.0.0/255.0.0.0', 'uniquelocal']);
    for (const bad of ['web', '10.0.0.300', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/1', ',', 'maybe']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/^Invalid configuration: TRUST_PROXY must be false, a hop count/);
    }
    expect(parseTrustProxy('YES')).toBe(1);
  });

  it('caches anonymous GraphQL responses for 60 s at most by default; 0 turns the cache off', () => {
    expect(loadConfig({}).responseCacheTtlSeconds).toBe(60);
    expect(loadConfig({ RESPONSE_CACHE_TTL_SECONDS: '0' }).responseCacheTtlSeconds).toBe(0);
    expect(loadConfig({ RESPONSE_CACHE_TTL_SECONDS: '300' }).responseCacheTtlSeconds).toBe(300);
    for (const bad of ['-1', '1.5', 'soon', '86401']) {
      expect(() => loadConfig({ RESPONSE_CACHE_TTL_SECONDS: bad }), bad).toThrow(
        /^Invalid configuration: RESPONSE_CACHE_TTL_SECONDS must be a whole number of seconds from 0 \(off\) to 86400/,
      );
    }
  });

  it('has the rate-limit budgets, each a whole number >= 1', () => {
    const c = loadConfig({});
    expect([c.rateLimitPerMinute, c.rateLimitWritesPerMinute, c.rateLimitSignInPer15Minutes, c.rateLimitSignUpPerHour]).toEqual([
      600, 60, 10, 20,
    ]);
    const set = loadConfig({
      RATE_LIMIT_PER_MINUTE: '100',
      RATE_LIMIT_WRITES_PER_MINUTE: '5',
      RATE_LIMIT_SIGN_IN_PER_15_MINUTES: '3',
      RATE_LIMIT_SIGN_UP_PER_HOUR: '2',
    });
    expect([set.rateLimitPerMinute, set.rateLimitWritesPerMinute, set.rateLimitSignInPer15Minutes, set.rateLimitSignUpPerHour]).toEqual([
      100, 5, 3, 2,
    ]);
    expect(() => loadConfig({ RATE_LIMIT_WRITES_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_WRITES_PER_MINUTE must be a whole number >= 1/);
    expect(() => loadConfig({ RATE_LIMIT_SIGN_IN_PER_15_MINUTES: '2.5' })).toThrow(/RATE_LIMIT_SIGN_IN_PER_15_MINUTES/);
    expect(() => loadConfig({ RATE_LIMIT_SIGN_UP_PER_HOUR: 'many' })).toThrow(/RATE_LIMIT_SIGN_UP_PER_HOUR/);
  });

  it('has the GraphQL request limits and the hourly points budget; field suggestions are off in production', () => {
    const c = loadConfig({});
    expect(c.rateLimitPointsPerHour).toBe(5000);
    expect(c.graphqlLimits).toEqual({
      maxBodyBytes: 102_400,
      maxCost: 1000,
      maxNodes: 500_000,
      maxDepth: 20,
      maxAliases: 30,
      maxTokens: 5000,
      maxDirectives: 50,
      fieldSuggestions: true,
    });
    expect(loadConfig({ NODE_ENV: 'production' }).graphqlLimits.fieldSuggestions).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_FIELD_SUGGESTIONS: 'true' }).graphqlLimits.fieldSuggestions).toBe(true);
    const set = loadConfig({
      RATE_LIMIT_POINTS_PER_HOUR: '50',
      GRAPHQL_MAX_COST: '7',
      GRAPHQL_MAX_DEPTH: '4',
      GRAPHQL_MAX_BODY_BYTES: '2048',
    });
    expect([set.rateLimitPointsPerHour, set.graphqlLimits.maxCost, set.graphqlLimits.maxDepth, set.graphqlLimits.maxBodyBytes]).toEqual([
      50, 7, 4, 2048,
    ]);
    expect(() => loadConfig({ GRAPHQL_MAX_BODY_BYTES: '10' })).toThrow(/GRAPHQL_MAX_BODY_BYTES must be a whole number of bytes/);
    expect(() => loadConfig({ GRAPHQL_MAX_ALIASES: '0' })).toThrow(/GRAPHQL_MAX_ALIASES must be a whole number >= 1/);
  });
});
