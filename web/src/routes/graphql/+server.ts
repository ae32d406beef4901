// Same-origin GraphQL endpoint: a thin pass-through to the api's /graphql, so browsers (and the
// page's own enhancements) talk to one origin with the session cookie. GraphiQL is whatever the api
// serves on GET with `accept: text/html` — in development only; nothing is added here.
import type { RequestEvent, RequestHandler } from './$types';
import { forwardedHeaders } from '$lib/server/api';
import { apiGraphqlUrl, apiTimeoutMs } from '$lib/server/config';

/** Request headers passed upstream besides the ones every api call forwards. */
const REQUEST_HEADERS = ['content-type', 'accept', 'authorization', 'x-graphql-client-name', 'x-graphql-client-version'];

/** Response headers passed back to the browser. */
const RESPONSE_HEADERS = [
  'content-type',
  'cache-control',
  'content-security-policy',
  'vary',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
  'x-request-id',
  'www-authenticate',
];

async function proxy(event: RequestEvent): Promise<Response> {
  const { request, url } = event;
  const headers = forwardedHeaders(event, request.headers.get('cookie') ?? '');
  for (const name of REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  const incomingId = request.headers.get('x-request-id');
  if (!incomingId) headers.set('x-request-id', event.locals.requestId);

  let upstream: Response;
  try {
    upstream = await fetch(apiGraphqlUrl() + url.search, {
      method: request.method,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer(),
      // subscriptions (SSE) stream for as long as the browser listens; other requests time out
      signal: request.headers.get('accept')?.includes('text/event-stream') ? request.signal : AbortSignal.timeout(apiTimeoutMs() * 3),
      redirect: 'manual',
    });
  } catch (cause) {
    console.error(JSON.stringify({ level: 'error', requestId: event.locals.requestId, msg: 'graphql proxy failed', error: String(cause) }));
    return new Response(
      JSON.stringify({ errors: [{ message: 'The API is temporarily unavailable.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }),
      { status: 503, headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '5' } },
    );
  }

  const out = new Headers();
  for (const name of RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value) out.set(name, value);
  }
  // Cookies belong to this origin, whatever host the api runs on: drop any Domain attribute.
  for (const cookie of upstream.headers.getSetCookie()) out.append('set-cookie', cookie.replace(/;\s*domain=[^;]*/gi, ''));
  // fetch() already decoded any content-encoding; the body is streamed back as is.
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers: out });
}

export const GET: RequestHandler = proxy;
export const POST: RequestHandler = proxy;
export const OPTIONS: RequestHandler = () => new Response(null, { status: 204, headers: { allow: 'GET, POST, OPTIONS' } });
