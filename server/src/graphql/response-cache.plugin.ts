// The GraphQL response cache (@graphql-yoga/plugin-response-cache) over the Redis store of
// response-cache.ts. Only anonymous queries are cached: a request from a signed-in member or an
// API token, a mutation and a subscription never read nor fill it, so no response can carry one
// viewer's data to another. Every anonymous visitor shares one entry per query and variables
// (session: none). Entries live RESPONSE_CACHE_TTL_SECONDS at most; writes retire them at once
// (exact invalidation by entity, see response-cache.ts), the TTL only bounds what is not a write:
// a question's pending view count. Search, duplicate suggestions and Markdown previews are never
// cached (they change with every indexing, and are per keystroke), nor is `rateLimit` (each
// request's own budget).
//
// The plugin's own invalidation by mutation results is off: every write, from any process (api,
// worker, scripts), already invalidates through the read-model versions it bumps, which also
// covers lists and counts a mutation result cannot name.
//
// Responses tell how they were served in `x-colloquy-cache` (`hit` / `miss`), and a cached
// response keeps its `x-colloquy-reads` header (the web's page cache needs it on hits too).
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { readsOf } from './request-scoped.js';
import { CACHE_HEADER, READS_HEADER, type ResponseCacheStore } from '../infra/response-cache.js';
import { EPOCH } from '../infra/versions.js';

/** Query fields that are never cached (TTL 0). */
export const UNCACHED_FIELDS = ['Query.search', 'Query.similarQuestions', 'Query.markdownPreview', 'Query.rateLimit'] as const;

/** What the plugin sees of a context: the server's (req/res), yoga's (params) or ours (viewer too). */
interface CacheableContext {
  request?: Request;
  params?: { query?: unknown };
  viewer?: Context['viewer'];
  res?: { locals?: { limits?: { auth?: { viewer?: unknown; invalidBearer?: string } } } };
}

/** each request's query text, noted before the cache plugin looks (its context has no params yet) */
const queries = new WeakMap<Request, unknown>();

/**
 * Whether a request may use the cache: a query (the document names no mutation or subscription:
 * a word match, which can only err towards not caching) from an anonymous visitor (known before
 * yoga runs, from the /graphql middleware's authentication, and in the execution context).
 */
export function anonymousQuery(context: CacheableContext, request?: Request): boolean {
  const req = request ?? context.request;
  const query = context.params?.query ?? (req ? queries.get(req) : undefined);
  if (typeof query !== 'string' || /\b(mutation|subscription)\b/.test(query)) return false;
  if ('viewer' in context) return context.viewer === null;
  const auth = context.res?.locals?.limits?.auth;
  return !!auth && auth.viewer === null && !auth.invalidBearer;
}

function withHeaders(result: ExecutionResult, headers: Record<string, string>): ExecutionResult {
  const extensions = result.extensions ?? {};
  const http = (extensions.http ?? {}) as { headers?: Record<string, string> };
  return { ...result, extensions: { ...extensions, http: { ...http, headers: { ...http.headers, ...headers } } } };
}

/**
 * Notes each request's query text, and puts the read-model keys a computed anonymous response
 * used into its own headers (kept with it when it is cached: the store files it under their
 * entities too), marking it a miss. Runs before the cache plugin's own hooks.
 */
function readsIntoResponsePlugin(): Plugin<Context> {
  return {
    onParams({ params, request }) {
      queries.set(request, params.query);
    },
    onExecute({ args }) {
      const ctx = args.contextValue;
      if (!anonymousQuery(ctx as CacheableContext)) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const single = result as ExecutionResult;
          const headers = (single.extensions?.http as { headers?: Record<string, string> } | undefined)?.headers;
          if (headers?.[CACHE_HEADER] === 'hit') return; // served from the cache: it has its own
          setResult(withHeaders(single, { [READS_HEADER]: [EPOCH, ...readsOf(ctx)].join(','), [CACHE_HEADER]: 'miss' }));
        },
      };
    },
  };
}

/** The plugins that cache anonymous query responses in `store` for `ttlSeconds` at most. */
export function responseCachePlugins(store: ResponseCacheStore, ttlSeconds: number): Plugin[] {
  return [
    readsIntoResponsePlugin() as Plugin,
    useResponseCache<CacheableContext>({
      cache: store.cache,
      session: () => null,
      enabled: (request, context) => anonymousQuery(context, request),
      ttl: ttlSeconds * 1000,
      ttlPerSchemaCoordinate: Object.fromEntries(UNCACHED_FIELDS.map((field) => [field, 0])),
      invalidateViaMutation: false,
      includeExtensionMetadata: false,
    }),
  ];
}
