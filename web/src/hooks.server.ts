import type { Handle, HandleServerError } from '@sveltejs/kit';
import { ApiError } from '$lib/server/api';
import { SESSION_COOKIE } from '$lib/server/config';
import { resolveWithPageCache } from '$lib/server/page-cache-handle';
import { loadViewer } from '$lib/server/viewer';

/** Incoming ids are reused only when they look like ids (no header injection, bounded size). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Routes that never render a page and need no viewer. */
function needsViewer(pathname: string): boolean {
  return !(pathname === '/graphql' || pathname === '/healthz' || pathname.startsWith('/suggest/') || pathname.startsWith('/_app/'));
}

function log(level: 'info' | 'warn' | 'error', requestId: string, message: string, extra: Record<string, unknown> = {}) {
  const line = JSON.stringify({ level, time: new Date().toISOString(), requestId, msg: message, ...extra });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

export const handle: Handle = async ({ event, resolve }) => {
  const incoming = event.request.headers.get('x-request-id');
  event.locals.requestId = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  event.locals.viewer = null;

  if (needsViewer(event.url.pathname) && event.cookies.get(SESSION_COOKIE)) {
    try {
      event.locals.viewer = await loadViewer(event);
    } catch (err) {
      // A failing api must not take every page down with it: render signed out, log it.
      log('warn', event.locals.requestId, 'viewer lookup failed', {
        error: err instanceof ApiError ? { kind: err.kind, status: err.status, message: err.message } : String(err),
      });
    }
  }

  // anonymous page views: from the page cache while what they show is unchanged (no api call)
  const response = await resolveWithPageCache(event, resolve);

  const headers = response.headers;
  headers.set('x-request-id', event.locals.requestId);
  if (!headers.has('x-content-type-options')) headers.set('x-content-type-options', 'nosniff');
  if (!headers.has('referrer-policy')) headers.set('referrer-policy', 'strict-origin-when-cross-origin');
  if (!headers.has('x-frame-options')) headers.set('x-frame-options', 'DENY');
  if (!headers.has('permissions-policy')) headers.set('permissions-policy', 'camera=(), microphone=(), geolocation=()');
  // Pages depend on the session cookie: never let a shared cache serve one member's page to another
  // (anonymous pages get a public Cache-Control from the page cache, with Vary: Cookie).
  const page = event.isDataRequest || (headers.get('content-type') ?? '').startsWith('text/html');
  if (page && (event.locals.viewer || event.cookies.get(SESSION_COOKIE))) {
    headers.set('cache-control', 'private, no-store');
  }
  return response;
};

export const handleError: HandleServerError = ({ error, event, status, message }) => {
  const requestId = event.locals.requestId ?? crypto.randomUUID();
  if (status !== 404) {
    log('error', requestId, 'unhandled error', {
      status,
      method: event.request.method,
      path: event.url.pathname,
      error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
    });
  }
  return { message: status === 404 ? 'Not found' : message, requestId };
};
