// How the benchmark measures one operation (a row of the table): a pre-flight of two requests
// (the second one's time is the unloaded latency), warm-up, a closed-loop run (max req/s), then
// a fixed-rate run (p50/p99), with the servers left to go idle between runs.
import { runAutocannon, runLoad, type RunStats, type Target } from './load.js';
import { runPaced } from './paced.js';
import { waitIdle } from './proc.js';
import type { BenchRow } from './report.js';
import { fmt, log, MAX_SINGLE_SEC, PREFLIGHT_TIMEOUT_SEC, UNCACHED_SUFFIX, type BenchSession } from './session.js';

/**
 * One row to measure: its kind, its request, the stack it is sent to (whose api and web RSS it
 * reports; default the cached one) or (baselines) the one process whose RSS it reports.
 */
export type Spec = { kind: BenchRow['kind']; target: Target; rssOf?: string; stack?: 'cached' | 'uncached' };

/** The answer to one request alone: its size and time, status and cache outcome header (null: none). */
export type Preflight =
  | { ok: true; bytes: number; ms: number; status: number; cache: string | null; body: Buffer; contentType: string }
  | { ok: false; why: string };

/** The response header of the web's page cache and of the api's response cache. */
export const CACHE_STATUS_HEADER = 'x-colloquy-cache';

/** The processes whose RSS a row reports (api, web, worker, ferretdb), by their sampler names for a stack. */
export function rssNames(stack: Spec['stack']): Record<string, string> {
  const suffix = stack === 'uncached' ? UNCACHED_SUFFIX : '';
  return { api: `api${suffix}`, web: `web${suffix}`, worker: 'worker', ferretdb: 'ferretdb' };
}

/** Whether a response's status is what the request expects (its `expectStatus`, else any 2xx). */
export function statusExpected(target: Pick<Target, 'expectStatus'>, status: number): boolean {
  return target.expectStatus !== undefined ? status === target.expectStatus : status >= 200 && status < 300;
}

/** How to load an operation: skipped (why), per-request timeout, connections, warm-up or not. */
export interface LoadPlan {
  skip: string | undefined;
  timeoutSec: number;
  connections: number;
  warmup: boolean;
}

/** A sampler window's peaks of a stack's api, web, worker and FerretDB, under those four names. */
export function rssOfStack(window: Record<string, number>, stack: Spec['stack']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, sampled] of Object.entries(rssNames(stack))) if (window[sampled] !== undefined) out[name] = window[sampled]!;
  return out;
}

/** The request of a row, for the report: method and path (and the GraphQL operation and variables). */
export function describeTarget(t: Target): string {
  const path = new URL(t.url).pathname;
  if (!t.graphql) return `${t.method} ${path}`;
  if (t.next) return `${t.method} ${path} (a new mutation per request)`;
  const body = JSON.parse(t.body ?? '{}') as { query?: string; variables?: unknown };
  const op = /^(query|mutation)\s*(\w*)/.exec(body.query?.trim() ?? '')?.[2] || body.query?.trim().slice(0, 20);
  return `${t.method} ${path} ${op ?? ''} ${body.variables ? JSON.stringify(body.variables) : ''}`.trim();
}

export class Measurer {
  /** waits after which FerretDB + worker were still busy */
  private busyBackground = 0;
  private settles = 0;

  constructor(private readonly session: BenchSession) {}

  private async preflight(target: Target): Promise<Preflight> {
    try {
      const spec = target.next ? target.next() : { method: target.method, body: target.body, headers: target.headers };
      const t0 = performance.now();
      const res = await fetch(target.url, {
        method: spec.method,
        redirect: 'manual',
        headers: { ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}), ...target.headers, ...spec.headers },
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        signal: AbortSignal.any([AbortSignal.timeout(PREFLIGHT_TIMEOUT_SEC * 1000), this.session.abort.signal]),
      });
      const body = Buffer.from(await res.arrayBuffer());
      const ms = performance.now() - t0;
      const text = () => body.toString('utf8');
      if (!statusExpected(target, res.status))
        return {
          ok: false,
          why: `HTTP ${res.status}${target.expectStatus !== undefined ? ` (expected ${target.expectStatus})` : ''}: ${text().slice(0, 200)}`,
        };
      if (target.graphql && text().includes('"errors":[{')) return { ok: false, why: `GraphQL errors: ${text().slice(0, 300)}` };
      return {
        ok: true,
        bytes: body.length,
        ms,
        status: res.status,
        cache: res.headers.get(CACHE_STATUS_HEADER),
        body,
        contentType: res.headers.get('content-type') ?? '',
      };
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') return { ok: false, why: `no answer within ${PREFLIGHT_TIMEOUT_SEC} s` };
      return { ok: false, why: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * Two requests, one after the other: the second one's time is the unloaded latency (a first
   * request can be slow only because caches are cold, e.g. the search engine's attribute cache
   * on a million documents).
   */
  async probe(target: Target): Promise<Preflight> {
    const first = await this.preflight(target);
    if (!first.ok) return first;
    const second = await this.preflight(target);
    if (second.ok && first.ms > MAX_SINGLE_SEC * 1000)
      log(`  the first request took ${fmt(first.ms / 1000, 1)} s (cold), the second ${fmt(second.ms, 1)} ms`);
    return second;
  }

  /**
   * How to load an operation given how long one request takes alone (a slow operation at full
   * concurrency only produces timeouts, and leaves minutes of queued work behind).
   */
  planFor(singleMs: number, connections: number): LoadPlan {
    const { options } = this.session;
    const singleSec = singleMs / 1000;
    const timeoutSec = Math.max(options.timeoutSec, Math.ceil(3 * singleSec));
    return {
      skip:
        singleSec > MAX_SINGLE_SEC ? `one request alone takes ${singleSec.toFixed(1)} s (> ${MAX_SINGLE_SEC} s): not loaded` : undefined,
      timeoutSec,
      connections: Math.max(1, Math.min(connections, Math.floor(timeoutSec / (2 * singleSec)))),
      warmup: options.warmupSec > 0 && singleMs < 500,
    };
  }

  /**
   * The fixed-rate run: the requested rate, unless the closed loop showed the server cannot
   * sustain it — then half of what it managed (a queue growing without bound measures nothing
   * but the length of the run). Long enough for a few requests at low rates (at most 60 s).
   */
  fixedRun(target: Target, wanted: number, closed: RunStats | null, singleMs: number, timeoutSec: number): Promise<RunStats> {
    const { options, abort } = this.session;
    const capacity = closed && closed.requests > 0 ? closed.rps : 1000 / singleMs;
    const rate = capacity < wanted ? Math.max(0.05, Math.floor(capacity * 50) / 100) : wanted;
    const durationSec = Math.max(options.durationSec, Math.min(30, Math.ceil(3 / rate)));
    return options.rateTool === 'paced'
      ? runPaced(target, { rate, durationSec, timeoutSec, signal: abort.signal })
      : runAutocannon(target, {
          connections: Math.max(1, Math.min(options.connections, Math.ceil(rate))),
          durationSec,
          rate,
          timeoutSec,
          signal: abort.signal,
        });
  }

  /**
   * Waits for the work a run left behind: the request handlers (api, web) first, then FerretDB
   * and the worker — which may never go idle: the worker's periodic search sweep reads the
   * database in the background — for a bounded time (counted and reported, not waited out).
   */
  async settle(): Promise<void> {
    const { sampler, abort } = this.session;
    this.settles++;
    const pid = (n: string) => sampler.pid(n);
    const front = await waitIdle(
      [pid('api'), pid('web'), pid(`api${UNCACHED_SUFFIX}`), pid(`web${UNCACHED_SUFFIX}`)].filter((p): p is number => p !== undefined),
      { timeoutMs: 30_000, signal: abort.signal },
    );
    const back = await waitIdle(
      [pid('ferretdb'), pid('worker')].filter((p): p is number => p !== undefined),
      { timeoutMs: 10_000, signal: abort.signal },
    );
    if (back.cores >= 0.15) this.busyBackground++;
    if (front.waitedMs + back.waitedMs > 3_000)
      log(
        `  (waited ${((front.waitedMs + back.waitedMs) / 1000).toFixed(1)} s for the servers to go idle${back.cores >= 0.15 ? `; FerretDB + worker still ${back.cores.toFixed(2)} cores busy` : ''})`,
      );
  }

  /** The row's line in the log. */
  describe(name: string, closed: RunStats | null, fixed: RunStats | null, singleMs: number): void {
    const errs = [closed, fixed].reduce((n, s) => n + (s ? s.errors + s.timeouts + s.non2xx + s.graphqlErrors : 0), 0);
    log(
      `  ${name}: alone ${fmt(singleMs, 1)} ms; ${closed ? `${fmt(closed.rps, closed.rps < 10 ? 2 : 0)} req/s (${closed.connections} conn.)` : '–'}${fixed ? `; p50 ${fmt(fixed.latencyMs.p50, 1)} ms, p99 ${fmt(fixed.latencyMs.p99, 1)} ms at ${fixed.rate} req/s (${fmt(fixed.rps, 1)} answered/s)` : ''}; errors ${errs}`,
    );
  }

  /** One operation alone: pre-flight, warm-up, closed loop, fixed rate; its row is added. */
  async measure(spec: Spec): Promise<void> {
    const { options, sampler, rows, abort, preferWrk } = this.session;
    this.session.checkAborted();
    const { target } = spec;
    log(`${target.name} …`);
    await this.settle();
    const pre = await this.probe(target);
    if (!pre.ok) {
      log(`  ✗ pre-flight request failed: ${pre.why}`);
      rows.push({
        name: target.name,
        kind: spec.kind,
        target: describeTarget(target),
        closed: null,
        fixed: null,
        rssMb: {},
        note: `pre-flight failed: ${pre.why}`,
      });
      return;
    }
    const plan = this.planFor(pre.ms, options.connections);
    const base = {
      name: target.name,
      kind: spec.kind,
      target: describeTarget(target),
      bytes: pre.bytes,
      singleMs: pre.ms,
      nominalRate: options.rate,
      nominalConnections: options.connections,
    };
    if (plan.skip) {
      log(`  ${plan.skip}`);
      rows.push({ ...base, closed: null, fixed: null, rssMb: {}, note: plan.skip });
      return;
    }
    sampler.takeWindow();
    const load = { connections: plan.connections, timeoutSec: plan.timeoutSec, preferWrk, signal: abort.signal };
    if (plan.warmup) await runLoad(target, { ...load, durationSec: options.warmupSec });
    this.session.checkAborted();
    const closed = await runLoad(target, { ...load, durationSec: options.durationSec });
    this.session.checkAborted();
    await this.settle();
    const fixed = await this.fixedRun(target, options.rate, closed, pre.ms, plan.timeoutSec);
    this.session.checkAborted();
    const window = sampler.takeWindow();
    const rssMb = spec.rssOf ? { [spec.rssOf]: window[spec.rssOf]! } : rssOfStack(window, spec.stack);
    rows.push({ ...base, closed, fixed, rssMb });
    this.describe(target.name, closed, fixed, pre.ms);
  }

  /** A note when FerretDB + worker were still busy after some of the waits between runs. */
  noteBusyBackground(): void {
    if (this.busyBackground)
      this.session.notes.push(
        `FerretDB + worker were still busy (≥ 0.15 cores, e.g. the worker's search sweep) after ${this.busyBackground} of ${this.settles} waits between runs: those runs shared the machine with that background work`,
      );
  }
}
