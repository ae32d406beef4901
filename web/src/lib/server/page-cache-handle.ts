// The page cache in SvelteKit's `handle` hook: anonymous GET/HEAD page requests are answered from
// Redis while the read models they used are unchanged (see page-cache.ts), without calling the
// api; every other request, and every request while Redis is unreachable, is rendered as usual.
import type { RequestEvent, ResolveOptions } from '@sveltejs/kit';
import { version } from '$app/environment';
import { Redis } from 'ioredis';
import { pageCacheConfig, SESSION_COOKIE } from './config';
import { PageCache, type Rendered, type Served } from './page-cache';
import {
  CACHE_STATUS_HEADER,
  isCacheableRequest,
  isCacheableResponse,
  keptHeaders,
  newReadsCollector,
  pageKeyHash,
  servedHeaders,
  type CachedPage,
} from './page-cache-policy';

type Resolve = (event: RequestEvent, opts?: ResolveOptions) => Response | Promise<Response>;

let client: { redis: Redis; cache: PageCache } | null | undefined;
let shared: Redis | undefined;

function log(level: 'info' | 'warn', message: string, extra: Record<string, unknown> = {}) {
  const line = JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...extra });
  if (level === 'warn') console.warn(line);
  else console.log(line);
}

/**
 * The web's Redis client (created on first use): the page cache's, and anonymous view counts'
 * (those even with PAGE_CACHE=off). Requests fail fast instead of queueing while Redis is away.
 */
function webRedis(): Redis {
  if (shared) return shared;
  const config = pageCacheConfig();
  const redis = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) log('warn', 'web: Redis is unreachable; pages are rendered without the cache', { error: error.message });
    down = true;
  });
  redis.on('ready', () => {
    if (down) log('info', 'web: Redis is back');
    down = false;
  });
  // adapter-node's graceful shutdown: let the process exit
  process.once('sveltekit:shutdown', () => redis.disconnect());
  return (shared = redis);
}

/** The process's page cache (created on first use), or null when PAGE_CACHE=off. */
function pageCache(): { redis: Redis; cache: PageCache } | null {
  if (client !== undefined) return client;
  const config = pageCacheConfig();
  if (!config.enabled) return (client = null);
  const redis = webRedis();
  const cache = new PageCache(redis, {
    prefix: config.redisPrefix,
    ttlSeconds: config.ttlSeconds,
    onError: (error) => log('warn', 'page cache: a Redis command failed; pages are rendered without the cache', { error: String(error) }),
  });
  return (client = { redis, cache });
}

/** Renders the page, and hands it to the cache when it may be kept (else the response as is). */
async function render(event: RequestEvent, resolve: Resolve): Promise<Rendered<Response>> {
  const reads = newReadsCollector();
  event.locals.reads = reads;
  const response = await resolve(event);
  const cacheable = isCacheableResponse({
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    setCookies: response.headers.getSetCookie().length,
    dataRequest: event.isDataRequest,
    readsComplete: reads.complete,
  });
  if (!cacheable) return { passed: response };
  return { page: { status: response.status, headers: keptHeaders(response.headers), body: await response.text(), reads: reads.keys } };
}

function toResponse(event: RequestEvent, served: Served<Response>): Response {
  if (!('page' in served)) return markBypass(served.passed);
  const page: CachedPage = served.page;
  const headers = new Headers(page.headers);
  if (served.outcome === 'bypass') {
    headers.set(CACHE_STATUS_HEADER, 'bypass');
    return new Response(event.request.method === 'HEAD' ? null : page.body, { status: page.status, headers });
  }
  const { set, notModified } = servedHeaders(page, served.outcome, event.request.headers.get('if-none-match'));
  for (const [name, value] of set) headers.set(name, value);
  if (notModified) {
    const kept = new Headers();
    for (const name of ['etag', 'cache-control', 'vary', CACHE_STATUS_HEADER]) kept.set(name, headers.get(name)!);
    return new Response(null, { status: 304, headers: kept });
  }
  return new Response(event.request.method === 'HEAD' ? null : page.body, { status: page.status, headers });
}

/** Marks a page response that the cache did not keep nor serve. */
function markBypass(response: Response): Response {
  response.headers.set(CACHE_STATUS_HEADER, 'bypass');
  return response;
}

/**
 * Answers a request through the page cache when it is an anonymous page view and the cache is
 * on and reachable; otherwise resolves it as usual (`x-colloquy-cache: bypass` on pages).
 */
export async function resolveWithPageCache(event: RequestEvent, resolve: Resolve): Promise<Response> {
  const request = {
    method: event.request.method,
    pathname: event.url.pathname,
    routeMatched: event.route.id !== null,
    signedIn: Boolean(event.cookies.get(SESSION_COOKIE)),
  };
  const page = isCacheableRequest({ ...request, signedIn: false });
  const cache = page && !request.signedIn ? pageCache() : null;
  if (!cache || cache.redis.status !== 'ready') {
    const response = await resolve(event);
    return page ? markBypass(response) : response;
  }
  const hash = pageKeyHash(version, new URL(event.request.url));
  const served = await cache.cache.serve(hash, () => render(event, resolve), { store: event.request.method === 'GET' });
  if ('page' in served && served.outcome !== 'bypass' && event.request.method === 'GET') await countCachedView(cache.redis, event);
  return toResponse(event, served);
}

const QUESTION_PAGE = /^\/questions\/([0-9a-f]{24})(?:\/|$)/;

/**
 * A question page served from the cache still counts its view, as the api's recordQuestionView
 * would (server/src/modules/post/post.views.ts: once per visitor and hour, buffered in Redis and
 * added to the posts by the worker) — without calling the api.
 */
async function countCachedView(redis: Redis, event: RequestEvent): Promise<void> {
  const id = QUESTION_PAGE.exec(event.url.pathname)?.[1];
  if (!id || event.isDataRequest) return;
  await countView(redis, event, id);
}

/**
 * An anonymous visitor's view of a question being rendered, counted here in Redis as the api would
 * count it (one api call fewer per page view); false when Redis is away or not connected yet —
 * the page then asks the api (recordQuestionView).
 */
export async function countAnonymousView(event: RequestEvent, questionId: string): Promise<boolean> {
  if (event.cookies.get(SESSION_COOKIE) || !/^[0-9a-f]{24}$/.test(questionId)) return false;
  const redis = webRedis();
  if (redis.status !== 'ready') return false;
  return countView(redis, event, questionId);
}

/** Counts one view per visitor (address + agent, as the api names anonymous viewers) and hour. */
async function countView(redis: Redis, event: RequestEvent, id: string): Promise<boolean> {
  const { redisPrefix } = pageCacheConfig();
  let address = 'unknown';
  try {
    address = event.getClientAddress();
  } catch {
    // no address (a test request): counted under 'unknown'
  }
  const who = `anon:${address}:${(event.request.headers.get('user-agent') ?? '').slice(0, 100)}`;
  try {
    if (await redis.set(`${redisPrefix}view:${id}:${who}`, '1', 'EX', 3600, 'NX'))
      await redis.hincrby(`${redisPrefix}views:pending`, id, 1);
    return true;
  } catch {
    return false; // Redis unreachable: the api is asked instead
  }
}
