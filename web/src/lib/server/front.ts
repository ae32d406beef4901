// The web process's HTTP front (built to build/front.js by scripts/build-front.js; `npm start -w
// web`, the stacks and the image run it): an anonymous page view whose cached copy is fresh is
// answered here, straight from Redis as stored bytes — no SvelteKit request, no render, no api
// call. Everything else (members, misses, stale copies, data requests, assets, forms) goes to
// SvelteKit's handler (adapter-node's build/handler.js), whose `handle` hook renders, stores and
// protects against stampedes (page-cache-handle.ts). Both sides use the same key, entry format and
// headers (page-cache-policy.ts), so a page looks the same whichever side served it.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import process from 'node:process';
import { Redis } from 'ioredis';
import { METRICS_CONTENT_TYPE, createWebMetrics, type WebMetrics } from './metrics.js';
import { PageCache } from './page-cache.js';
import { CACHE_STATUS_HEADER, isCacheableRequest, pageKeyHash, parsePageCacheConfig, servedHeaders } from './page-cache-policy.js';

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const SESSION_COOKIE = 'colloquy_session';
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const QUESTION_PAGE = /^\/questions\/([0-9a-f]{24})(?:\/|$)/;

/** The security headers every page gets (as hooks.server.ts sets them on rendered pages). */
export const SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'strict-origin-when-cross-origin'],
  ['x-frame-options', 'DENY'],
  ['permissions-policy', 'camera=(), microphone=(), geolocation=()'],
];

export interface FrontOptions {
  env: Record<string, string | undefined>;
  /** SvelteKit's build version (build/client/_app/version.json): part of every page's key */
  buildVersion: string;
  handler: Handler;
  /** counts every request and answers GET /metrics (startFront gives one; tests may leave it out) */
  metrics?: WebMetrics;
}

/** Whether the Cookie header carries a session (a member: their page is rendered for them). */
function hasSession(cookie: string | undefined): boolean {
  if (!cookie) return false;
  return cookie.split(';').some((part) => {
    const eq = part.indexOf('=');
    return eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE && part.slice(eq + 1).trim() !== '';
  });
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || '';

/** The request's origin exactly as adapter-node derives it (ORIGIN, else the protocol/host/port headers). */
export function originOf(env: FrontOptions['env'], headers: IncomingMessage['headers']): string | null {
  if (env.ORIGIN) {
    try {
      return new URL(env.ORIGIN.trim()).origin;
    } catch {
      return null;
    }
  }
  const protocolHeader = (env.PROTOCOL_HEADER ?? '').toLowerCase();
  const hostHeader = (env.HOST_HEADER ?? '').toLowerCase();
  const portHeader = (env.PORT_HEADER ?? '').toLowerCase();
  const protocol = (protocolHeader && first(headers[protocolHeader])) || 'https';
  const host = (hostHeader && first(headers[hostHeader])) || first(headers.host);
  if (!host || protocol.includes(':')) return null;
  const port = portHeader ? first(headers[portHeader]) : '';
  try {
    return new URL(`${protocol}://${host}${port ? `:${port}` : ''}`).origin;
  } catch {
    return null;
  }
}

/** The visitor's address as adapter-node's getClientAddress() tells it. */
function clientAddress(env: FrontOptions['env'], req: IncomingMessage): string {
  const header = (env.ADDRESS_HEADER ?? '').toLowerCase();
  if (!header) return req.socket.remoteAddress ?? 'unknown';
  const value = req.headers[header];
  const raw = Array.isArray(value) ? value.join(',') : (value ?? '');
  if (header !== 'x-forwarded-for') return raw.trim() || 'unknown';
  const addresses = raw.split(',').map((a) => a.trim());
  const depth = Number.parseInt(env.XFF_DEPTH ?? '1', 10);
  return addresses[addresses.length - depth] ?? 'unknown';
}

/**
 * The request handler: a fresh cached page for an anonymous GET/HEAD, else SvelteKit. Exported
 * for tests; `startFront` serves it.
 */
export function createFront(options: FrontOptions): { handle: (req: IncomingMessage, res: ServerResponse) => void; close(): void } {
  const { env, buildVersion, handler, metrics } = options;
  const config = parsePageCacheConfig(env);
  const notFound = (res: ServerResponse) => () => {
    res.statusCode = 404;
    res.end('Not found');
  };
  if (!config.enabled) return { handle: measured(metrics, (req, res) => handler(req, res, notFound(res))), close: () => undefined };
  // as the hook's client: fail fast instead of queueing while Redis is away (the page is rendered)
  const redis = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on('error', () => undefined); // the hook's own client reports outages
  const cache = new PageCache(redis, { prefix: config.redisPrefix, ttlSeconds: config.ttlSeconds });

  const countView = async (req: IncomingMessage, pathname: string) => {
    const id = QUESTION_PAGE.exec(pathname)?.[1];
    if (!id) return;
    const who = `anon:${clientAddress(env, req)}:${String(req.headers['user-agent'] ?? '').slice(0, 100)}`;
    try {
      if (await redis.set(`${config.redisPrefix}view:${id}:${who}`, '1', 'EX', 3600, 'NX'))
        await redis.hincrby(`${config.redisPrefix}views:pending`, id, 1);
    } catch {
      // Redis unreachable: this view goes uncounted, as on the api
    }
  };

  const tryCache = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const method = req.method ?? 'GET';
    if ((method !== 'GET' && method !== 'HEAD') || redis.status !== 'ready' || hasSession(req.headers.cookie)) return false;
    const origin = originOf(env, req.headers);
    if (!origin || !req.url) return false;
    let url: URL;
    try {
      url = new URL(req.url, origin);
    } catch {
      return false;
    }
    if (!isCacheableRequest({ method, pathname: url.pathname, routeMatched: true, signedIn: false })) return false;
    const entry = await cache.fresh(pageKeyHash(buildVersion, url));
    if (!entry) return false;
    const incoming = first(req.headers['x-request-id']);
    const headers: Record<string, string> = {};
    for (const [name, value] of entry.meta.headers) headers[name] = value;
    for (const [name, value] of SECURITY_HEADERS) headers[name] ??= value;
    headers['x-request-id'] = SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const ifNoneMatch = req.headers['if-none-match'] ?? null;
    const served = servedHeaders(entry.meta, 'hit', ifNoneMatch);
    for (const [name, value] of served.set) headers[name] = value;
    if (served.notModified) {
      const kept: Record<string, string> = {};
      for (const name of ['etag', 'cache-control', 'vary', CACHE_STATUS_HEADER, 'x-request-id'])
        if (headers[name]) kept[name] = headers[name];
      servedFromCache.add(res);
      res.writeHead(304, kept);
      res.end();
      return true;
    }
    headers['content-length'] = String(entry.body.length);
    servedFromCache.add(res);
    res.writeHead(entry.meta.status, headers);
    res.end(method === 'HEAD' ? undefined : entry.body);
    // the view counts once the page is on its way (a failure loses only this view)
    if (method === 'GET' && !url.pathname.endsWith('/__data.json')) void countView(req, url.pathname);
    return true;
  };

  return {
    handle: measured(metrics, (req, res) => {
      tryCache(req, res).then(
        (done) => {
          if (!done) handler(req, res, notFound(res));
        },
        () => handler(req, res, notFound(res)),
      );
    }),
    close: () => redis.disconnect(),
  };
}

/** Responses the front answered from the page cache (their headers never pass through setHeader). */
const servedFromCache = new WeakSet<ServerResponse>();

/**
 * `handle`, measured: every request's route, status and duration (and the page cache's outcome,
 * from the `x-colloquy-cache` header SvelteKit's side sets or a hit here) once it is answered;
 * GET /metrics answered with the Prometheus text (nginx keeps it off the public entry).
 */
function measured(metrics: WebMetrics | undefined, handle: (req: IncomingMessage, res: ServerResponse) => void) {
  if (!metrics) return handle;
  return (req: IncomingMessage, res: ServerResponse) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = metrics.render();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const started = process.hrtime.bigint();
    let counted = false;
    const count = () => {
      if (counted) return;
      counted = true;
      const header = res.getHeader(CACHE_STATUS_HEADER);
      metrics.observeRequest({
        method: req.method ?? 'GET',
        pathname,
        // a visitor who went away before the answer was complete: nginx's 499
        status: res.writableFinished ? res.statusCode : 499,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        cache: servedFromCache.has(res) ? 'hit' : typeof header === 'string' ? header : null,
      });
    };
    res.once('finish', count);
    res.once('close', count);
    handle(req, res);
  };
}

/** Listens on HOST/PORT as adapter-node's own server does, with its graceful shutdown. */
export async function startFront(buildDir: URL): Promise<void> {
  const env = process.env;
  const { handler } = (await import(new URL('handler.js', buildDir).href)) as { handler: Handler };
  const { version } = JSON.parse(readFileSync(new URL('client/_app/version.json', buildDir), 'utf8')) as { version: string };
  const metrics = createWebMetrics();
  const front = createFront({ env, buildVersion: version, handler, metrics });
  const server = http.createServer(front.handle);
  const seconds = (name: string) => (env[name] ? Number(env[name]) * 1000 : undefined);
  server.keepAliveTimeout = seconds('KEEP_ALIVE_TIMEOUT') ?? server.keepAliveTimeout;
  server.headersTimeout = seconds('HEADERS_TIMEOUT') ?? server.headersTimeout;
  const host = env.HOST ?? '0.0.0.0';
  const port = Number(env.PORT ?? 3000);
  server.listen(port, host, () => console.log(`Listening on http://${host}:${port}`));
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping) return;
    stopping = true;
    server.closeIdleConnections();
    server.close(() => {
      front.close();
      metrics.close();
      process.emit('sveltekit:shutdown' as 'beforeExit', reason as unknown as number);
    });
    setTimeout(() => server.closeAllConnections(), Number(env.SHUTDOWN_TIMEOUT ?? 30) * 1000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
