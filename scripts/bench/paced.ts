// Fixed-rate (open-loop) load: request i is due at start + i / rate and is sent then, whether or
// not earlier requests have answered; its latency is measured from when it was DUE, so a server
// that falls behind shows it in the percentiles instead of silently lowering the rate
// (coordinated omission). Keep-alive sockets are reused; a new one is opened when all are busy.
//
// Why not autocannon's `overallRate` (available with --rate-tool autocannon): it gives each
// connection a per-second quota that resets on a 1 s interval (Client.prototype._doRequest,
// `reqsMadeThisSecond`), so requests leave in bursts at the top of every second — at "50 req/s"
// with 10 connections, 10 concurrent requests at once, then idle — and its latency correction
// is mis-scaled (see load.ts).
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestSpec, RunStats, Target } from './load.js';

const GRAPHQL_ERROR = '"errors":[{';

export interface PacedOptions {
  rate: number;
  durationSec: number;
  timeoutSec?: number;
  /** requests in flight beyond this are not sent and count as errors (protects the client) */
  maxInFlight?: number;
  signal?: AbortSignal;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function runPaced(target: Target, options: PacedOptions): Promise<RunStats> {
  const url = new URL(target.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const timeoutMs = (options.timeoutSec ?? 10) * 1000;
  const maxInFlight = options.maxInFlight ?? 512;
  const total = Math.max(1, Math.round(options.rate * options.durationSec));
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let graphqlErrors = 0;
  let completed = 0;
  let inFlight = 0;
  let lastDone = 0;
  const pending = new Set<Promise<void>>();

  const send = (spec: RequestSpec, due: number) => {
    const body = spec.body !== undefined ? Buffer.from(spec.body) : undefined;
    const headers: Record<string, string> = {
      ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
      ...spec.headers,
    };
    inFlight++;
    const done = new Promise<void>((resolve) => {
      let finished = false;
      const finish = (kind: 'ok' | 'error' | 'timeout', status?: number, text?: string) => {
        if (finished) return;
        finished = true;
        inFlight--;
        lastDone = performance.now();
        if (kind === 'timeout') timeouts++;
        else if (kind === 'error') errors++;
        else {
          completed++;
          statusCodes[String(status)] = (statusCodes[String(status)] ?? 0) + 1;
          if (target.expectStatus !== undefined ? status === target.expectStatus : status! >= 200 && status! < 300) {
            latencies.push(performance.now() - due);
            if (target.graphql && text?.includes(GRAPHQL_ERROR)) graphqlErrors++;
          } else non2xx++;
        }
        resolve();
      };
      const req = http.request(
        { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: spec.method, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            if (target.graphql) chunks.push(c);
          });
          res.on('end', () => finish('ok', res.statusCode, target.graphql ? Buffer.concat(chunks).toString() : undefined));
          res.on('error', () => finish('error'));
        },
      );
      let settled = false;
      const once = (kind: 'error' | 'timeout') => {
        if (settled) return;
        settled = true;
        req.destroy();
        finish(kind);
      };
      req.setTimeout(timeoutMs, () => once('timeout'));
      req.on('error', () => once('error'));
      req.on('response', () => {
        settled = true;
      });
      if (body) req.write(body);
      req.end();
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  const fixed: RequestSpec = {
    method: target.method,
    ...(target.body !== undefined ? { body: target.body } : {}),
    ...(target.headers ? { headers: target.headers } : {}),
  };
  const started = performance.now();
  const interval = 1000 / options.rate;
  for (let i = 0; i < total; i++) {
    if (options.signal?.aborted) break;
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (inFlight >= maxInFlight) {
      errors++;
      continue;
    }
    const spec = target.next ? target.next() : fixed;
    send({ ...spec, headers: { ...target.headers, ...spec.headers } }, due);
  }
  await Promise.all([...pending]);
  agent.destroy();
  const elapsedSec = Math.max(options.durationSec, ((lastDone || performance.now()) - started) / 1000);
  latencies.sort((a, b) => a - b);
  const mean = latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : NaN;
  return {
    tool: 'paced',
    connections: 0,
    rate: options.rate,
    seconds: elapsedSec,
    requests: completed,
    rps: completed / elapsedSec,
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? NaN,
      mean,
    },
    errors,
    timeouts,
    non2xx,
    graphqlErrors,
    statusCodes,
  };
}
