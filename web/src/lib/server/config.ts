// Runtime configuration of the web process, read lazily at request time so one build serves
// every environment. The only place in web/ that reads the environment.
import { env } from '$env/dynamic/private';
import { env as publicEnv } from '$env/dynamic/public';
import { parsePageCacheConfig, type PageCacheConfig } from './page-cache-policy';

/** Name of the HttpOnly session cookie that the api sets and reads. */
export const SESSION_COOKIE = 'colloquy_session';

let cachedApiUrl: string | undefined;

/** Base URL of the api without a trailing slash (env `API_URL`, default `http://127.0.0.1:4000`). */
export function apiUrl(): string {
  if (cachedApiUrl) return cachedApiUrl;
  const raw = env.API_URL?.trim() || 'http://127.0.0.1:4000';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`API_URL is not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`API_URL must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  cachedApiUrl = url.origin + url.pathname.replace(/\/+$/, '');
  return cachedApiUrl;
}

/** The api's GraphQL endpoint. */
export function apiGraphqlUrl(): string {
  return `${apiUrl()}/graphql`;
}

/** Milliseconds before a call to the api is abandoned (env `API_TIMEOUT_MS`, default 10 s). */
export function apiTimeoutMs(): number {
  const value = Number(env.API_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : 10_000;
}

/** The site's display name (env `PUBLIC_SITE_NAME`, default "Colloquy"). */
export function siteName(): string {
  return publicEnv.PUBLIC_SITE_NAME?.trim() || 'Colloquy';
}

let cachedPageCache: PageCacheConfig | undefined;

/**
 * The anonymous page cache's settings: `PAGE_CACHE` (`on` by default, `off`), `REDIS_URL` and
 * `REDIS_PREFIX` (the api's Redis and prefix: the read-model versions live there; defaults
 * `redis://127.0.0.1:6479`, `colloquy:`), `PAGE_CACHE_TTL_SECONDS` (default 300).
 */
export function pageCacheConfig(): PageCacheConfig {
  cachedPageCache ??= parsePageCacheConfig(env);
  return cachedPageCache;
}
