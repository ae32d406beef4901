// Server-only GraphQL client for the api. Every call forwards the browser's cookies, the request
// id, the user agent and the client address, and re-issues cookies the api sets (sign in/out).
import { print } from '@0no-co/graphql.web';
import type { RequestEvent } from '@sveltejs/kit';
import { error as httpError } from '@sveltejs/kit';
import type { TadaDocumentNode } from 'gql.tada';
import { apiGraphqlUrl, apiTimeoutMs } from './config';
import { collectReads, READS_HEADER } from './page-cache-policy';
import { parseSetCookie } from './set-cookie';

/** One entry of a GraphQL response's top-level `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

export type ApiErrorKind = 'network' | 'timeout' | 'http' | 'graphql';

/** The api could not be reached, answered with a non-GraphQL failure, or returned `errors`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    readonly requestId: string,
    readonly status?: number,
    readonly errors: readonly GraphQLErrorEntry[] = [],
    /** Partial data that came with `errors`, if any. */
    readonly data?: unknown,
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The first `extensions.code` of the GraphQL errors (e.g. `UNAUTHENTICATED`), if any. */
  get code(): string | undefined {
    for (const e of this.errors) {
      const code = e.extensions?.['code'];
      if (typeof code === 'string') return code;
    }
    return undefined;
  }
}

/** The subset of a request event the client needs (works for loads, actions and endpoints). */
export type ApiEvent = Pick<RequestEvent, 'request' | 'cookies' | 'locals' | 'getClientAddress'>;

/** Variables are optional for operations without (required) variables. */
type VariablesArg<V> = Record<never, never> extends V ? [variables?: V] : [variables: V];

const printed = new WeakMap<object, string>();

function documentText(document: object): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document as Parameters<typeof print>[0]);
    printed.set(document, text);
  }
  return text;
}

function operationName(document: TadaDocumentNode<unknown, unknown>): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind === 'OperationDefinition') return definition.name?.value;
  }
  return undefined;
}

/** The `cookie` header to send upstream: the browser's cookies plus any set during this request. */
function cookieHeader(event: ApiEvent): string {
  return event.cookies
    .getAll({ decode: (value) => value })
    .filter((c) => c.value !== '')
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
}

function clientAddress(event: ApiEvent): string | undefined {
  try {
    return event.getClientAddress();
  } catch {
    return undefined;
  }
}

/** Headers forwarded to the api on every call (also used by the /graphql proxy). */
export function forwardedHeaders(event: ApiEvent, cookie = cookieHeader(event)): Headers {
  const headers = new Headers();
  if (cookie) headers.set('cookie', cookie);
  headers.set('x-request-id', event.locals.requestId);
  const userAgent = event.request.headers.get('user-agent');
  if (userAgent) headers.set('user-agent', userAgent);
  // only the address this server determined (adapter-node honours ADDRESS_HEADER/XFF_DEPTH behind
  // a proxy): a client's own X-Forwarded-For is never passed on, so it cannot pick its rate-limit key.
  // The api believes it because this server is its trusted hop (its TRUST_PROXY: loopback by
  // default, the web server on the same host), so each visitor spends their own budget there.
  const address = clientAddress(event);
  if (address) headers.set('x-forwarded-for', address);
  const url = new URL(event.request.url);
  headers.set('x-forwarded-proto', url.protocol.replace(':', ''));
  headers.set('x-forwarded-host', url.host);
  const language = event.request.headers.get('accept-language');
  if (language) headers.set('accept-language', language);
  return headers;
}

/** Re-issues the api's `Set-Cookie` headers to the browser via SvelteKit's cookies API. */
export function relayCookies(event: Pick<RequestEvent, 'cookies'>, response: Response): void {
  for (const header of response.headers.getSetCookie()) {
    const cookie = parseSetCookie(header);
    if (!cookie) continue;
    event.cookies.set(cookie.name, cookie.value, {
      path: cookie.path ?? '/',
      // The cookie belongs to the web origin, whatever host the api runs on.
      domain: undefined,
      httpOnly: cookie.httpOnly,
      secure: cookie.secure,
      sameSite: cookie.sameSite ?? 'lax',
      ...(cookie.maxAge !== undefined ? { maxAge: cookie.maxAge } : {}),
      ...(cookie.expires ? { expires: cookie.expires } : {}),
      encode: (value) => value,
    });
  }
}

function retryAfter(response: Response): number | undefined {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Runs a typed GraphQL operation against the api and returns its data. Throws `ApiError` when the
 * api is unreachable, times out, answers with a non-GraphQL failure, or returns `errors`.
 * Expected failures of mutations (payload `errors`) are data and are returned as such.
 */
export async function gql<Result, Variables>(
  event: ApiEvent,
  document: TadaDocumentNode<Result, Variables>,
  ...[variables]: VariablesArg<Variables>
): Promise<Result> {
  const requestId = event.locals.requestId;
  const headers = forwardedHeaders(event);
  headers.set('content-type', 'application/json');
  headers.set('accept', 'application/graphql-response+json, application/json;q=0.9');

  const name = operationName(document as TadaDocumentNode<unknown, unknown>);
  let response: Response;
  try {
    response = await fetch(apiGraphqlUrl(), {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: documentText(document), variables: variables ?? {}, operationName: name }),
      signal: AbortSignal.timeout(apiTimeoutMs()),
      redirect: 'manual',
    });
  } catch (cause) {
    if (event.locals.reads) collectReads(event.locals.reads, null, false);
    const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
    throw new ApiError(
      timedOut ? `The api did not answer ${name ?? 'the operation'} in time` : `The api is unreachable: ${String(cause)}`,
      timedOut ? 'timeout' : 'network',
      requestId,
      undefined,
      [],
      undefined,
      undefined,
      { cause },
    );
  }

  relayCookies(event, response);

  const contentType = response.headers.get('content-type') ?? '';
  let body: { data?: Result | null; errors?: GraphQLErrorEntry[] } | undefined;
  if (contentType.includes('json')) {
    try {
      body = (await response.json()) as typeof body;
    } catch (cause) {
      if (event.locals.reads) collectReads(event.locals.reads, null, false);
      throw new ApiError('The api returned malformed JSON', 'http', requestId, response.status, [], undefined, undefined, {
        cause,
      });
    }
  } else {
    await response.body?.cancel();
  }

  // an anonymous page render notes what the api read, for the page cache (a failed call: not kept)
  const ok = response.ok && !body?.errors?.length && body?.data != null;
  if (event.locals.reads) collectReads(event.locals.reads, response.headers.get(READS_HEADER), ok);

  if (body?.errors?.length) {
    throw new ApiError(
      body.errors.map((e) => e.message).join('; '),
      'graphql',
      requestId,
      response.status,
      body.errors,
      body.data ?? undefined,
      retryAfter(response),
    );
  }
  if (!response.ok || !body || body.data == null) {
    throw new ApiError(
      `The api answered ${response.status} ${response.statusText}`.trim(),
      'http',
      requestId,
      response.status,
      [],
      undefined,
      retryAfter(response),
    );
  }
  return body.data;
}

/**
 * Turns a failure of `gql()` inside a load function into the right HTTP error page:
 * rate limited → 429, api down → 503, anything else → 502. Non-ApiErrors are rethrown.
 */
export function apiFailure(err: unknown): never {
  if (err instanceof ApiError) {
    const expected = ['NOT_FOUND', 'VALIDATION', 'BAD_USER_INPUT', 'FORBIDDEN', 'UNAUTHENTICATED'].includes(err.code ?? '');
    console[expected ? 'warn' : 'error'](
      JSON.stringify({
        level: expected ? 'warn' : 'error',
        requestId: err.requestId,
        kind: err.kind,
        status: err.status,
        code: err.code,
        message: err.message,
      }),
    );
    if (err.status === 429 || err.code === 'RATE_LIMITED') {
      httpError(429, { message: 'Too many requests — please wait a moment and try again.', requestId: err.requestId });
    }
    if (err.code === 'NOT_FOUND') httpError(404, { message: 'Not found', requestId: err.requestId });
    if (err.code === 'VALIDATION' || err.code === 'BAD_USER_INPUT') {
      // e.g. a malformed or stale page cursor in the URL
      httpError(400, { message: 'This link is not valid (bad parameters).', requestId: err.requestId });
    }
    if (err.code === 'FORBIDDEN') httpError(403, { message: 'You do not have access to this page.', requestId: err.requestId });
    if (err.code === 'UNAUTHENTICATED') httpError(401, { message: 'Please sign in to see this page.', requestId: err.requestId });
    if (err.kind === 'network' || err.kind === 'timeout' || err.status === 503) {
      httpError(503, { message: 'The service is temporarily unavailable. Please try again shortly.', requestId: err.requestId });
    }
    httpError(502, { message: 'Something went wrong while loading this page.', requestId: err.requestId });
  }
  throw err;
}
