// The anonymous page cache's decisions, as pure functions (unit-tested in test/unit): which
// requests and responses it may keep, the entry's key, when an entry is fresh, and the headers a
// page leaves with. The Redis side is page-cache.ts; the SvelteKit side page-cache-handle.ts.
// Relative imports carry `.js` (these files are also compiled by the test project's NodeNext).
import { createHash } from 'node:crypto';

/** The read-model key every entry depends on (the api bumps it after a Redis outage). */
export const EPOCH = 'epoch';
/** The api's response header naming the read-model keys a response read (server/src/app.ts). */
export const READS_HEADER = 'x-colloquy-reads';
/** How a page was served: `hit`, `miss` (rendered and stored), `stale` or `bypass` (not cached). */
export const CACHE_STATUS_HEADER = 'x-colloquy-cache';
/** Seconds a shared cache (CDN) may keep a page before revalidating it (304 from us when unchanged). */
export const SHARED_MAX_AGE_SECONDS = 1;
/** Seconds a shared cache may still serve a page after that while it revalidates in the background. */
export const STALE_WHILE_REVALIDATE_SECONDS = 5;

export type CacheOutcome = 'hit' | 'miss' | 'stale' | 'bypass';

/** Paths that never render a page (the api proxy, health, assets, typeahead endpoints). */
const NOT_PAGES = ['/graphql', '/healthz'];
const NOT_PAGE_PREFIXES = ['/_app/', '/suggest/'];

/** Response headers an entry keeps (never `set-cookie`; the hook adds the security headers). */
const KEPT_HEADERS = new Set([
  'content-type',
  'content-language',
  'content-security-policy',
  'content-security-policy-report-only',
  'link',
  'x-robots-tag',
  'x-sveltekit-page',
]);

// ---------------------------------------------------------------------------------------------
// configuration

export interface PageCacheConfig {
  enabled: boolean;
  redisUrl: string;
  redisPrefix: string;
  /** upper bound on an entry's life in Redis, in seconds */
  ttlSeconds: number;
}

export const PAGE_CACHE_DEFAULTS = {
  redisUrl: 'redis://127.0.0.1:6479',
  redisPrefix: 'colloquy:',
  ttlSeconds: 300,
} as const;

/**
 * The page cache's settings from the environment (`REDIS_URL`, `REDIS_PREFIX`, `PAGE_CACHE`,
 * `PAGE_CACHE_TTL_SECONDS`; empty counts as unset). Throws one line naming a bad variable.
 */
export function parsePageCacheConfig(env: Record<string, string | undefined>): PageCacheConfig {
  const mode = env.PAGE_CACHE?.trim().toLowerCase() || 'on';
  if (mode !== 'on' && mode !== 'off') throw new Error(`PAGE_CACHE must be "on" or "off", got ${JSON.stringify(env.PAGE_CACHE)}`);
  const redisUrl = env.REDIS_URL?.trim() || PAGE_CACHE_DEFAULTS.redisUrl;
  let protocol = '';
  try {
    protocol = new URL(redisUrl).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(redisUrl)}`);
  }
  const rawTtl = env.PAGE_CACHE_TTL_SECONDS?.trim() || String(PAGE_CACHE_DEFAULTS.ttlSeconds);
  const ttlSeconds = Number(rawTtl);
  if (!/^\d+$/.test(rawTtl) || ttlSeconds < 1 || ttlSeconds > 86_400) {
    throw new Error(`PAGE_CACHE_TTL_SECONDS must be a whole number of seconds from 1 to 86400, got ${JSON.stringify(rawTtl)}`);
  }
  return {
    enabled: mode === 'on',
    redisUrl,
    // as the api reads it (server/src/config.ts): empty counts as unset, the value is not trimmed
    redisPrefix: env.REDIS_PREFIX || PAGE_CACHE_DEFAULTS.redisPrefix,
    ttlSeconds,
  };
}

// ---------------------------------------------------------------------------------------------
// requests and responses

export interface PageRequest {
  method: string;
  /** the route's pathname (SvelteKit's `event.url`, without a `__data.json` suffix) */
  pathname: string;
  /** a page route matched (`event.route.id`): unknown paths are not kept */
  routeMatched: boolean;
  /** the request carries a session cookie (a member: pages are rendered for them) */
  signedIn: boolean;
}

/** Whether an anonymous page request may be answered from (and stored in) the cache. */
export function isCacheableRequest(request: PageRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.signedIn || !request.routeMatched) return false;
  if (NOT_PAGES.includes(request.pathname)) return false;
  return !NOT_PAGE_PREFIXES.some((prefix) => request.pathname.startsWith(prefix));
}

export interface RenderedResponse {
  status: number;
  contentType: string;
  /** how many `set-cookie` headers it carries */
  setCookies: number;
  /** a client-side navigation's `__data.json` (JSON) rather than an HTML page */
  dataRequest: boolean;
  /** every api call of the render answered and named its reads */
  readsComplete: boolean;
}

/**
 * Whether a rendered response may be stored: a page (HTML, or a navigation's JSON data) with
 * status 200 or 404 (an unknown member's or tag's page depends on `list:users` / `list:tags`), no
 * cookies, and every api call of the render answered with the keys it read.
 */
export function isCacheableResponse(response: RenderedResponse): boolean {
  if (response.status !== 200 && response.status !== 404) return false;
  if (response.setCookies > 0 || !response.readsComplete) return false;
  const type = response.contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'text/html' || (response.dataRequest && type === 'application/json');
}

/** The headers of a rendered response that an entry keeps, lower-cased names. */
export function keptHeaders(headers: Iterable<[string, string]>): Array<[string, string]> {
  const kept: Array<[string, string]> = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (KEPT_HEADERS.has(lower)) kept.push([lower, value]);
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------
// keys, reads and freshness

/**
 * The entry's key hash: the build (a new deployment's pages name other assets), the origin (the
 * page's absolute links) and the request's path and query (a navigation's `__data.json` included).
 */
export function pageKeyHash(buildVersion: string, requestUrl: URL): string {
  return createHash('sha256').update(`${buildVersion}\n${requestUrl.origin}${requestUrl.pathname}${requestUrl.search}`).digest('hex');
}

/** What a render's api calls read; `complete` turns false when a call failed or named no reads. */
export interface ReadsCollector {
  keys: Set<string>;
  complete: boolean;
}

export function newReadsCollector(): ReadsCollector {
  return { keys: new Set(), complete: true };
}

/** Notes one api answer: its `x-colloquy-reads` header (null: missing), and whether it succeeded. */
export function collectReads(collector: ReadsCollector, header: string | null, ok: boolean): void {
  const keys = parseReadsHeader(header);
  if (!ok || keys === null) {
    collector.complete = false;
    return;
  }
  for (const key of keys) collector.keys.add(key);
}

/** The keys of an `x-colloquy-reads` header (null when the header is missing). */
export function parseReadsHeader(header: string | null): string[] | null {
  if (header === null) return null;
  return header
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
}

/** The keys an entry depends on: what the render read, and always the epoch. */
export function entryKeys(reads: Iterable<string>): string[] {
  return [...new Set([EPOCH, ...reads])].sort();
}

/** Fresh when every recorded version equals the current one (`current` in `Object.keys` order). */
export function isFresh(recorded: Readonly<Record<string, number>>, current: readonly number[]): boolean {
  const keys = Object.keys(recorded);
  if (keys.length === 0 || keys.length !== current.length) return false;
  return keys.every((key, i) => recorded[key] === current[i]);
}

/**
 * The versions an entry records for `keys`: those read before the render where known (a write
 * during the render then leaves the entry stale, never wrongly fresh), the others read after it.
 */
export function recordedVersions(
  keys: readonly string[],
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): Record<string, number> {
  const recorded: Record<string, number> = {};
  for (const key of keys) recorded[key] = before.get(key) ?? after.get(key) ?? 0;
  return recorded;
}

// ---------------------------------------------------------------------------------------------
// entries

export interface CachedPage {
  status: number;
  headers: Array<[string, string]>;
  body: string;
  etag: string;
  /** read-model key → version when the page was rendered */
  reads: Record<string, number>;
  /** epoch milliseconds */
  storedAt: number;
}

/** A strong validator of a page's bytes (and status and type). */
export function etagOf(status: number, headers: ReadonlyArray<[string, string]>, body: string): string {
  const type = headers.find(([name]) => name === 'content-type')?.[1] ?? '';
  const digest = createHash('sha256').update(`${status}\n${type}\n`).update(body).digest('base64url');
  return `"${digest.slice(0, 32)}"`;
}

/**
 * An entry as stored: one line of JSON (everything but the body), then the body's bytes as they
 * go out — a hit sends them without decoding or re-encoding a string (see front.ts).
 */
export function encodeEntry(page: CachedPage): Buffer {
  const { body, ...meta } = page;
  return Buffer.concat([Buffer.from(`${JSON.stringify(meta)}\n`), Buffer.from(body)]);
}

/** An entry's parts without decoding its body, or null when it is not one (an older format, garbage). */
export function parseEntryBytes(raw: Buffer | null): { meta: Omit<CachedPage, 'body'>; body: Buffer } | null {
  if (raw === null) return null;
  const newline = raw.indexOf(10);
  if (newline < 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw.subarray(0, newline).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Partial<CachedPage>;
  const validHeaders = Array.isArray(e.headers) && e.headers.every((h) => Array.isArray(h) && h.length === 2);
  const validReads =
    typeof e.reads === 'object' && e.reads !== null && Object.values(e.reads).every((v) => typeof v === 'number' && Number.isFinite(v));
  if (typeof e.status !== 'number' || typeof e.etag !== 'string' || !validHeaders || !validReads) return null;
  return {
    meta: { status: e.status, headers: e.headers!, etag: e.etag, reads: e.reads!, storedAt: Number(e.storedAt ?? 0) },
    body: raw.subarray(newline + 1),
  };
}

/** An entry read back from Redis, or null when it is not one (an older format, garbage). */
export function parseEntry(raw: Buffer | null): CachedPage | null {
  const parts = parseEntryBytes(raw);
  return parts ? { ...parts.meta, body: parts.body.toString('utf8') } : null;
}

// ---------------------------------------------------------------------------------------------
// response headers

/** Whether `If-None-Match` names this ETag (weak comparison, `*`, lists). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/** `Cache-Control` of an anonymous page served by the cache: a CDN may keep it briefly. */
export function publicCacheControl(): string {
  return `public, max-age=0, s-maxage=${SHARED_MAX_AGE_SECONDS}, stale-while-revalidate=${STALE_WHILE_REVALIDATE_SECONDS}`;
}

export interface ServedHeaders {
  /** header name → value to set on the response (lower-case names) */
  set: Array<[string, string]>;
  /** answer 304 Not Modified instead of the page */
  notModified: boolean;
}

/**
 * The caching headers of a page from the cache's path (hit, stale or freshly stored): the entry's
 * ETag (status 200 only: a 404 has no representation to validate), a public `Cache-Control` that
 * a CDN may honour, `Vary: Cookie` (members get their own pages), and the outcome.
 */
export function servedHeaders(page: Pick<CachedPage, 'status' | 'etag'>, outcome: CacheOutcome, ifNoneMatch: string | null): ServedHeaders {
  const set: Array<[string, string]> = [
    ['cache-control', publicCacheControl()],
    ['vary', 'Cookie'],
    [CACHE_STATUS_HEADER, outcome],
  ];
  if (page.status !== 200) return { set, notModified: false };
  set.push(['etag', page.etag]);
  return { set, notModified: etagMatches(ifNoneMatch, page.etag) };
}
