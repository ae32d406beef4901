// Load generation: autocannon (always available) or wrk (when installed, for closed-loop runs of
// fixed requests). Two kinds of run per target:
//   closed loop — N connections, each sends its next request as soon as the previous answered:
//                 the maximum throughput (req/s);
//   fixed rate  — autocannon's `overallRate`: latency (p50/p99) at a given request rate.
// Latencies are the raw response times, each as autocannon measured it (its 'response' event; its
// histogram keeps whole milliseconds only): autocannon 8's coordinated-omission correction records
// `responseTime` with an expected interval of ceil(1 / rate) — 1 ms, not 1000 / rate ms — which
// adds ~one synthetic sample per millisecond of every response and pulls p50 down (a 20 ms
// server reads p50 = 14 ms). So it is switched off (`ignoreCoordinatedOmission`), and a run that
// did not reach its rate is flagged instead (its latencies then understate the queueing).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface RequestSpec {
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
}

export interface Target {
  name: string;
  /** full URL (origin and path) */
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** a fresh request per send (writes): overrides method/body/headers */
  next?: () => RequestSpec;
  /** a GraphQL endpoint: 200 responses carrying errors count as errors */
  graphql?: boolean;
  /** the status every answer must have (an unknown member's page: 404); default any 2xx */
  expectStatus?: number;
}

/** Answers whose status is not the expected one (`expectStatus`, else not 2xx), from per-status counts. */
export function unexpectedStatuses(codes: Record<string, number>, expectStatus: number | undefined, fallback: number): number {
  if (expectStatus === undefined) return fallback;
  return Object.entries(codes).reduce((n, [code, count]) => (Number(code) === expectStatus ? n : n + count), 0);
}

export interface RunStats {
  tool: 'autocannon' | 'wrk' | 'paced';
  connections: number;
  /** requested rate (fixed-rate runs) */
  rate?: number;
  seconds: number;
  requests: number;
  /** completed responses per second */
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** connection errors and timeouts */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** GraphQL responses with errors (autocannon only) */
  graphqlErrors: number;
  statusCodes: Record<string, number>;
}

const GRAPHQL_ERROR = '"errors":[{';

export function wrkAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0;
}

export interface RunOptions {
  connections: number;
  durationSec: number;
  /** fixed rate (req/s over all connections); closed loop when absent */
  rate?: number;
  timeoutSec?: number;
  /** use wrk for closed-loop runs of fixed requests */
  preferWrk?: boolean;
  signal?: AbortSignal;
}

export async function runLoad(target: Target, options: RunOptions): Promise<RunStats> {
  if (options.preferWrk && options.rate === undefined && !target.next) return runWrk(target, options);
  return runAutocannon(target, options);
}

export function runAutocannon(target: Target, options: RunOptions): Promise<RunStats> {
  const url = new URL(target.url);
  const headers = { ...(target.body !== undefined ? { 'content-type': 'application/json' } : {}), ...target.headers };
  const opts: autocannon.Options = {
    url: target.url,
    connections: options.connections,
    duration: options.durationSec,
    timeout: options.timeoutSec ?? 10,
    method: target.method,
    headers,
    ...(target.body !== undefined ? { body: target.body } : {}),
    ...(options.rate !== undefined ? { overallRate: options.rate, ignoreCoordinatedOmission: true } : {}),
    ...(target.graphql ? { verifyBody: (body: unknown) => typeof body !== 'string' || !body.includes(GRAPHQL_ERROR) } : {}),
  };
  if (target.next) {
    const next = target.next;
    opts.requests = [
      {
        method: target.method,
        path: url.pathname + url.search,
        setupRequest: (request) => {
          const spec = next();
          return {
            ...request,
            method: spec.method,
            body: spec.body,
            headers: { ...request.headers, ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}), ...spec.headers },
          };
        },
      },
    ];
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // every response's time as measured (autocannon's histogram keeps whole milliseconds only)
    const latencies: number[] = [];
    const instance = autocannon(opts, (error, result) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (error) return reject(error);
      const seconds = (performance.now() - started) / 1000;
      const codes: Record<string, number> = {};
      for (const [code, v] of Object.entries(
        (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {},
      )) {
        codes[code] = v.count;
      }
      const completed = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
      const elapsed = Math.max(1e-3, result.duration || seconds);
      resolve({
        tool: 'autocannon',
        connections: options.connections,
        ...(options.rate !== undefined ? { rate: options.rate } : {}),
        seconds: elapsed,
        requests: completed,
        rps: completed / elapsed,
        latencyMs: latencies.length ? latencySummary(latencies) : result.latency,
        errors: result.errors - result.timeouts,
        timeouts: result.timeouts,
        non2xx: unexpectedStatuses(codes, target.expectStatus, result.non2xx),
        graphqlErrors: result.mismatches ?? 0,
        statusCodes: codes,
      });
    });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
    const onAbort = () => instance.stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** p50/p90/p99 (nearest rank), max and mean of response times in ms. */
export function latencySummary(times: readonly number[]): RunStats['latencyMs'] {
  if (!times.length) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1)!, mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

// ---------------------------------------------------------------------------------------------
// wrk

function luaLongString(text: string): string {
  let level = '';
  while (text.includes(`]${level}]`)) level += '=';
  return `[${level}[${text}]${level}]`;
}

/** A quoted Lua string for a header name or value (printable ASCII). */
function luaString(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '')}"`;
}

/** "1.23ms" → 1.23, "850.00us" → 0.85, "2.01s" → 2010 */
function wrkTimeMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

/** Parses `wrk --latency` output. */
export function parseWrkOutput(output: string, connections: number): RunStats {
  const num = (re: RegExp) => Number(re.exec(output)?.[1] ?? NaN);
  const percentile = (p: string) => wrkTimeMs(new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(output)?.[1] ?? '');
  const requests = num(/(\d+) requests in/);
  const seconds = wrkTimeMs(/requests in ([\d.]+\w+),/.exec(output)?.[1] ?? '') / 1000;
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const timeouts = socket ? Number(socket[4]) : 0;
  const errors = socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) : 0;
  // a row expecting another status counts the answers without it (the script's response())
  const unexpected = num(/Unexpected status: (\d+)/);
  const non2xx = Number.isFinite(unexpected) ? unexpected : num(/Non-2xx or 3xx responses: (\d+)/);
  const latencyLine = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(output);
  return {
    tool: 'wrk',
    connections,
    seconds,
    requests,
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    latencyMs: {
      p50: percentile('50'),
      p90: percentile('90'),
      p99: percentile('99'),
      max: latencyLine ? wrkTimeMs(latencyLine[3]!) : NaN,
      mean: latencyLine ? wrkTimeMs(latencyLine[1]!) : NaN,
    },
    errors,
    timeouts,
    non2xx: Number.isFinite(non2xx) ? non2xx : 0,
    graphqlErrors: Number(/GraphQL errors: (\d+)/.exec(output)?.[1] ?? 0),
    statusCodes: {},
  };
}

/** wrk script lines counting the answers whose status is not `expected` ("Unexpected status: N"). */
function wrkStatusCheck(expected: number): string[] {
  return [
    'local threads = {}',
    'function setup(thread) table.insert(threads, thread) end',
    'function init(args) unexpected = 0 end',
    `function response(status, headers, body) if status ~= ${Math.trunc(expected)} then unexpected = unexpected + 1 end end`,
    'function done(summary, latency, requests)',
    '  local n = 0',
    '  for _, t in ipairs(threads) do n = n + (t:get("unexpected") or 0) end',
    '  io.write(string.format("Unexpected status: %d\\n", n))',
    'end',
  ];
}

export function runWrk(target: Target, options: RunOptions): Promise<RunStats> {
  const dir = mkdtempSync(join(tmpdir(), 'colloquy-wrk-'));
  const script = join(dir, 'request.lua');
  const headers = { ...(target.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...target.headers };
  writeFileSync(
    script,
    [
      `wrk.method = "${target.method}"`,
      ...(target.body !== undefined ? [`wrk.body = ${luaLongString(target.body)}`] : []),
      ...Object.entries(headers).map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`),
      ...(target.expectStatus !== undefined ? wrkStatusCheck(target.expectStatus) : []),
      // GraphQL answers 200 with errors in the body: count those (only then, it costs a little)
      ...(target.graphql && target.expectStatus === undefined
        ? [
            'local threads = {}',
            'function setup(thread) table.insert(threads, thread) end',
            'function init(args) gqlerrors = 0 end',
            `function response(status, headers, body) if body and body:find(${luaString(GRAPHQL_ERROR)}, 1, true) then gqlerrors = gqlerrors + 1 end end`,
            'function done(summary, latency, requests)',
            '  local n = 0',
            '  for _, t in ipairs(threads) do n = n + (t:get("gqlerrors") or 0) end',
            '  io.write(string.format("GraphQL errors: %d\\n", n))',
            'end',
          ]
        : []),
    ].join('\n') + '\n',
  );
  const threads = Math.max(1, Math.min(2, options.connections));
  const args = [
    '-t',
    String(threads),
    '-c',
    String(options.connections),
    '-d',
    `${options.durationSec}s`,
    '--timeout',
    `${options.timeoutSec ?? 10}s`,
    '--latency',
    '-s',
    script,
    target.url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const onAbort = () => child.kill('SIGINT');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`wrk exited with ${code}: ${out.trim()}`));
      const stats = parseWrkOutput(out, options.connections);
      if (!Number.isFinite(stats.rps)) return reject(new Error(`could not read wrk's output:\n${out}`));
      resolve(stats);
    });
  });
}
