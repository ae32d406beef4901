// The anonymous page cache's pure decisions (web/src/lib/server/page-cache-policy.ts): settings,
// which requests and responses it keeps, keys, freshness and the headers a page leaves with.
import { describe, expect, it } from 'vitest';
import {
  collectReads,
  entryKeys,
  etagMatches,
  etagOf,
  isCacheableRequest,
  isCacheableResponse,
  isFresh,
  keptHeaders,
  newReadsCollector,
  pageKeyHash,
  encodeEntry,
  type CachedPage,
  parseEntry,
  parsePageCacheConfig,
  parseReadsHeader,
  recordedVersions,
  servedHeaders,
  type PageRequest,
  type RenderedResponse,
} from '../../web/src/lib/server/page-cache-policy.js';

describe('settings', () => {
  it('defaults to on, the dev Redis, the colloquy: prefix and 300 s', () => {
    expect(parsePageCacheConfig({})).toEqual({
      enabled: true,
      redisUrl: 'redis://127.0.0.1:6479',
      redisPrefix: 'colloquy:',
      ttlSeconds: 300,
    });
    expect(parsePageCacheConfig({ PAGE_CACHE: '', REDIS_URL: '', REDIS_PREFIX: '', PAGE_CACHE_TTL_SECONDS: '' }).redisPrefix).toBe(
      'colloquy:',
    );
  });

  it('reads PAGE_CACHE, REDIS_URL, REDIS_PREFIX and PAGE_CACHE_TTL_SECONDS', () => {
    expect(
      parsePageCacheConfig({ PAGE_CACHE: 'off', REDIS_URL: 'rediss://cache:6380/2', REDIS_PREFIX: 'e2e:', PAGE_CACHE_TTL_SECONDS: '60' }),
    ).toEqual({ enabled: false, redisUrl: 'rediss://cache:6380/2', redisPrefix: 'e2e:', ttlSeconds: 60 });
    expect(parsePageCacheConfig({ PAGE_CACHE: 'ON' }).enabled).toBe(true);
  });

  it('names the variable of a bad value', () => {
    expect(() => parsePageCacheConfig({ PAGE_CACHE: 'maybe' })).toThrow(/PAGE_CACHE must be "on" or "off"/);
    expect(() => parsePageCacheConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL must be a redis:\/\//);
    expect(() => parsePageCacheConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL/);
    for (const ttl of ['0', '-5', '1.5', 'soon', '86401']) {
      expect(() => parsePageCacheConfig({ PAGE_CACHE_TTL_SECONDS: ttl }), ttl).toThrow(/PAGE_CACHE_TTL_SECONDS/);
    }
  });
});

describe('requests the cache answers', () => {
  const anonymous: PageRequest = { method: 'GET', pathname: '/questions/abc/how-to', routeMatched: true, signedIn: false };

  it('takes anonymous GET and HEAD page views', () => {
    expect(isCacheableRequest(anonymous)).toBe(true);
    expect(isCacheableRequest({ ...anonymous, method: 'HEAD' })).toBe(true);
    expect(isCacheableRequest({ ...anonymous, pathname: '/' })).toBe(true);
  });

  it('leaves members, form posts, unknown paths and non-page routes alone', () => {
    expect(isCacheableRequest({ ...anonymous, signedIn: true })).toBe(false);
    expect(isCacheableRequest({ ...anonymous, method: 'POST' })).toBe(false);
    expect(isCacheableRequest({ ...anonymous, routeMatched: false })).toBe(false);
    for (const pathname of ['/graphql', '/healthz', '/_app/immutable/entry/start.js', '/suggest/tags', '/suggest/similar']) {
      expect(isCacheableRequest({ ...anonymous, pathname }), pathname).toBe(false);
    }
  });
});

describe('responses the cache keeps', () => {
  const page: RenderedResponse = { status: 200, contentType: 'text/html', setCookies: 0, dataRequest: false, readsComplete: true };

  it('keeps HTML pages with status 200 or 404 (an unknown member is a page too)', () => {
    expect(isCacheableResponse(page)).toBe(true);
    expect(isCacheableResponse({ ...page, status: 404, contentType: 'text/html; charset=utf-8' })).toBe(true);
    expect(isCacheableResponse({ ...page, dataRequest: true, contentType: 'application/json' })).toBe(true);
  });

  it('never keeps redirects, errors, cookies, other types, or a render whose api calls failed', () => {
    for (const status of [301, 303, 400, 403, 429, 500, 502, 503])
      expect(isCacheableResponse({ ...page, status }), String(status)).toBe(false);
    expect(isCacheableResponse({ ...page, setCookies: 1 })).toBe(false);
    expect(isCacheableResponse({ ...page, readsComplete: false })).toBe(false);
    expect(isCacheableResponse({ ...page, contentType: 'application/json' })).toBe(false);
    expect(isCacheableResponse({ ...page, contentType: '' })).toBe(false);
  });

  it('keeps the headers that describe the page, never cookies or per-request ones', () => {
    const headers = new Headers({
      'Content-Type': 'text/html',
      'content-security-policy': "script-src 'self' 'nonce-abc'",
      link: '</_app/x.js>; rel="modulepreload"',
      'x-sveltekit-page': 'true',
      'x-request-id': 'req-1',
      etag: '"kit"',
      date: 'now',
    });
    headers.append('set-cookie', 'a=b');
    expect(keptHeaders(headers)).toEqual([
      ['content-security-policy', "script-src 'self' 'nonce-abc'"],
      ['content-type', 'text/html'],
      ['link', '</_app/x.js>; rel="modulepreload"'],
      ['x-sveltekit-page', 'true'],
    ]);
  });
});

describe('keys', () => {
  it('depend on the build, the origin, the path and the query', () => {
    const base = pageKeyHash('v1', new URL('http://localhost:3000/questions?sort=votes'));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(pageKeyHash('v1', new URL('http://localhost:3000/questions?sort=votes'))).toBe(base);
    expect(pageKeyHash('v2', new URL('http://localhost:3000/questions?sort=votes'))).not.toBe(base);
    expect(pageKeyHash('v1', new URL('http://evil.test/questions?sort=votes'))).not.toBe(base);
    expect(pageKeyHash('v1', new URL('http://localhost:3000/questions?sort=newest'))).not.toBe(base);
    expect(pageKeyHash('v1', new URL('http://localhost:3000/questions/__data.json?sort=votes'))).not.toBe(base);
  });

  it('ignore the fragment', () => {
    expect(pageKeyHash('v1', new URL('http://localhost:3000/q#answer-1'))).toBe(pageKeyHash('v1', new URL('http://localhost:3000/q')));
  });
});

describe('reads', () => {
  it('parses the api header', () => {
    expect(parseReadsHeader('epoch,posts:1, users:2,,list:posts')).toEqual(['epoch', 'posts:1', 'users:2', 'list:posts']);
    expect(parseReadsHeader('')).toEqual([]);
    expect(parseReadsHeader(null)).toBeNull();
  });

  it('collects every answer, and turns incomplete on a failure or a missing header', () => {
    const collector = newReadsCollector();
    collectReads(collector, 'epoch,posts:1', true);
    collectReads(collector, 'epoch,users:2', true);
    expect([...collector.keys]).toEqual(['epoch', 'posts:1', 'users:2']);
    expect(collector.complete).toBe(true);
    collectReads(collector, 'epoch,posts:3', false);
    expect(collector.complete).toBe(false);
    const missing = newReadsCollector();
    collectReads(missing, null, true);
    expect(missing.complete).toBe(false);
  });

  it('always include the epoch, once, sorted', () => {
    expect(entryKeys(['posts:1', 'list:posts', 'posts:1'])).toEqual(['epoch', 'list:posts', 'posts:1']);
    expect(entryKeys([])).toEqual(['epoch']);
  });
});

describe('freshness', () => {
  const recorded = { epoch: 0, 'posts:1': 3, 'list:posts': 7 };

  it('is fresh while every version is unchanged', () => {
    expect(isFresh(recorded, [0, 3, 7])).toBe(true);
  });

  it('is stale when any version moved (a write) or the entry is malformed', () => {
    expect(isFresh(recorded, [0, 4, 7])).toBe(false);
    expect(isFresh(recorded, [1, 3, 7])).toBe(false);
    expect(isFresh(recorded, [0, 3])).toBe(false);
    expect(isFresh({}, [])).toBe(false);
  });

  it('records the versions read before the render where it knew the key, after it for new keys', () => {
    const before = new Map([
      ['epoch', 0],
      ['posts:1', 3],
    ]);
    const after = new Map([
      ['posts:1', 4], // a write during the render: the entry must come out stale
      ['users:9', 2],
    ]);
    expect(recordedVersions(['epoch', 'posts:1', 'users:9', 'tags:x'], before, after)).toEqual({
      epoch: 0,
      'posts:1': 3,
      'users:9': 2,
      'tags:x': 0,
    });
  });
});

describe('entries', () => {
  const entry: CachedPage = {
    status: 200,
    headers: [['content-type', 'text/html']],
    body: '<p>hi</p>',
    etag: '"x"',
    reads: { epoch: 0 },
    storedAt: 5,
  };

  it('round-trip: a line of JSON, then the body as bytes', () => {
    const stored = encodeEntry(entry);
    expect(stored.subarray(stored.indexOf(10) + 1).toString()).toBe('<p>hi</p>');
    expect(parseEntry(stored)).toEqual(entry);
    const multiline = { ...entry, body: '<p>é\n€</p>\n' };
    expect(parseEntry(encodeEntry(multiline))).toEqual(multiline);
  });

  it('are null when missing or not an entry', () => {
    const meta = (e: Record<string, unknown>) => Buffer.from(`${JSON.stringify(e)}\n<p>hi</p>`);
    const { body: _body, ...rest } = entry;
    expect(parseEntry(null)).toBeNull();
    expect(parseEntry(Buffer.from('{'))).toBeNull();
    expect(parseEntry(Buffer.from('{}\n'))).toBeNull();
    expect(parseEntry(Buffer.from(JSON.stringify(entry)))).toBeNull(); // the older format: one JSON document
    expect(parseEntry(meta(rest))).toEqual(entry);
    expect(parseEntry(meta({ ...rest, reads: { epoch: 'one' } }))).toBeNull();
    expect(parseEntry(meta({ ...rest, headers: [['content-type']] }))).toBeNull();
  });
});

describe('validators and headers', () => {
  const html: Array<[string, string]> = [['content-type', 'text/html']];

  it('gives the same page the same ETag, and any change another', () => {
    const etag = etagOf(200, html, '<p>hi</p>');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(etagOf(200, html, '<p>hi</p>')).toBe(etag);
    expect(etagOf(200, html, '<p>hi!</p>')).not.toBe(etag);
    expect(etagOf(404, html, '<p>hi</p>')).not.toBe(etag);
    expect(etagOf(200, [['content-type', 'application/json']], '<p>hi</p>')).not.toBe(etag);
  });

  it('matches If-None-Match weakly, in lists and with *', () => {
    expect(etagMatches('"abc"', '"abc"')).toBe(true);
    expect(etagMatches('W/"abc"', '"abc"')).toBe(true);
    expect(etagMatches('"x", "abc"', '"abc"')).toBe(true);
    expect(etagMatches('*', '"abc"')).toBe(true);
    expect(etagMatches('"abcd"', '"abc"')).toBe(false);
    expect(etagMatches(null, '"abc"')).toBe(false);
    expect(etagMatches('', '"abc"')).toBe(false);
  });

  it('lets a CDN keep anonymous pages briefly, varies on Cookie, and names the outcome', () => {
    const { set, notModified } = servedHeaders({ status: 200, etag: '"abc"' }, 'hit', null);
    const headers = new Map(set);
    expect(headers.get('cache-control')).toBe('public, max-age=0, s-maxage=1, stale-while-revalidate=5');
    expect(headers.get('vary')).toBe('Cookie');
    expect(headers.get('etag')).toBe('"abc"');
    expect(headers.get('x-colloquy-cache')).toBe('hit');
    expect(notModified).toBe(false);
  });

  it('answers 304 when the client holds this page', () => {
    expect(servedHeaders({ status: 200, etag: '"abc"' }, 'stale', '"abc"').notModified).toBe(true);
    expect(servedHeaders({ status: 200, etag: '"abc"' }, 'miss', '"old"').notModified).toBe(false);
  });

  it('gives a 404 no ETag and never a 304', () => {
    const { set, notModified } = servedHeaders({ status: 404, etag: '"abc"' }, 'hit', '"abc"');
    expect(new Map(set).has('etag')).toBe(false);
    expect(new Map(set).get('x-colloquy-cache')).toBe('hit');
    expect(notModified).toBe(false);
  });
});
