// One HTTP attempt of a delivery: Standard Webhooks headers and signature, no redirects (a 3xx is a
// failure), connect and total timeouts, the SSRF check on the address actually connected to, and a
// 2 KB excerpt of the response kept for the delivery log.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { hostOf, isPrivateAddress, safeLookup } from './webhook.ssrf.js';

export const USER_AGENT = 'Colloquy-Webhooks/1.0';
export const CONNECT_TIMEOUT_MS = 5_000;
export const TOTAL_TIMEOUT_MS = 10_000;
/** response body kept in the log */
export const EXCERPT_BYTES = 2_048;
/** response body read at most (the rest is dropped) */
const READ_BYTES = 64 * 1024;

export interface SendResult {
  ok: boolean;
  status: number | null;
  bodyExcerpt: string | null;
  durationMs: number;
  error: string | null;
}

/** The Standard Webhooks headers of a message (`webhook-id` stays the same across retries). */
export function signedHeaders(secret: string, messageId: string, body: string, at: Date = new Date()): Record<string, string> {
  const signature = new Webhook(secret).sign(messageId, at, body);
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

export interface SendOptions {
  allowPrivate: boolean;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
}

/** POSTs `body` to `target`; never throws (every failure is a result). */
export function send(target: URL, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const timers: { total?: NodeJS.Timeout; connect?: NodeJS.Timeout } = {};
    const finish = (result: Omit<SendResult, 'durationMs' | 'ok'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timers.total);
      clearTimeout(timers.connect);
      const ok = result.status !== null && result.status >= 200 && result.status < 300;
      resolve({ ...result, ok, durationMs: took() });
    };
    const host = hostOf(target);
    if (!options.allowPrivate && isIP(host) && isPrivateAddress(host)) {
      return finish({ status: null, bodyExcerpt: null, error: `refused: ${host} is a private, loopback or link-local address` });
    }
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: safeLookup(options.allowPrivate),
      agent: false,
    });
    timers.total = setTimeout(
      () => req.destroy(new Error(`timed out after ${options.totalTimeoutMs ?? TOTAL_TIMEOUT_MS} ms`)),
      options.totalTimeoutMs ?? TOTAL_TIMEOUT_MS,
    );
    timers.connect = setTimeout(
      () => req.destroy(new Error(`could not connect within ${options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS} ms`)),
      options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    );
    req.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(timers.connect);
      else socket.once('connect', () => clearTimeout(timers.connect));
    });
    req.on('error', (error) => finish({ status: null, bodyExcerpt: null, error: error.message }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
        const status = res.statusCode ?? null;
        const redirect = status !== null && status >= 300 && status < 400;
        finish({
          status,
          bodyExcerpt: excerpt,
          error: redirect
            ? `redirect to ${res.headers.location ?? '(no location)'} not followed`
            : status !== null && status >= 300
              ? `HTTP ${status}`
              : null,
        });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        if (size < EXCERPT_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size >= READ_BYTES) done();
      });
      res.on('end', done);
      res.on('error', done);
    });
    req.end(body);
  });
}
