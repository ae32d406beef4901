// The pages table (pure): its cells, n/a lines, ratios and the round trips by answer count; the
// baselines' manifest of saved responses; the status checks of the load runs.
import { describe, expect, it } from 'vitest';
import { manifestOf, requestPath } from './baselines.js';
import type { OpScanReport } from './db-scans.js';
import { latencySummary, parseWrkOutput, unexpectedStatuses, type RunStats } from './load.js';
import { oneLine } from './pages.js';
import {
  formatRatio,
  formatRps,
  markdownTable,
  pageColumns,
  pageNotes,
  pageTableRows,
  roundTripsByAnswers,
  roundTripText,
  type PageRow,
} from './page-report.js';

function run(rps: number, p50: number, p99: number, connections = 10, errors = 0): RunStats {
  return {
    tool: 'autocannon',
    connections,
    seconds: 10,
    requests: rps * 10,
    rps,
    latencyMs: { p50, p90: p99, p99, max: p99, mean: p50 },
    errors,
    timeouts: 0,
    non2xx: 0,
    graphqlErrors: 0,
    statusCodes: {},
  };
}

function scan(op: string, roundTrips: number, pass: 'warm' | 'cold' = 'warm'): OpScanReport {
  return { op, pass, commands: roundTrips, roundTrips, scans: 0, shapes: [] };
}

const question: PageRow = {
  name: 'question (20 answers × 2 comments)',
  kind: 'page',
  request: 'GET /questions/Q1/how-to',
  status: 200,
  bytes: 61_440,
  singleMs: 8.2,
  uncached1: run(120, 7.94, 12.06, 1),
  uncachedN: run(180.4, 50, 90),
  cached: run(2_400, 3.4, 9.1),
  baseline: run(3_000, 2.9, 7),
  cacheStatus: 'hit',
  na: {},
  rssMb: {},
};

describe('ratios and figures', () => {
  it('writes "cached / express" as a multiple', () => {
    expect(formatRatio(2_400, 3_000)).toBe('0.80x');
    expect(formatRatio(30_000, 2_000)).toBe('15x');
    expect(formatRatio(1.5, 3_000)).toBe('0.00050x');
    expect(formatRatio(0, 3_000)).toBe('0.00x');
    expect(formatRatio(undefined, 3_000)).toBe('–');
    expect(formatRatio(100, 0)).toBe('–');
    expect(formatRatio(Number.NaN, 1)).toBe('–');
  });

  it('writes req/s whole (grouped) above 10, with two decimals below', () => {
    expect(formatRps(2_400.4)).toBe('2,400');
    expect(formatRps(4.567)).toBe('4.57');
    expect(formatRps(undefined)).toBe('–');
  });
});

describe('the pages table', () => {
  it('has one line per row with every run, the cache, the ratio and the round trips', () => {
    const rows = pageTableRows([question], [scan(question.name, 3)], 10);
    expect(pageColumns(10)).toEqual(Object.keys(rows[0]!));
    expect(rows[0]).toEqual({
      page: 'question (20 answers × 2 comments)',
      'status, KB': '200, 60.0',
      'uncached c=1 p50 / p99 ms': '7.9 / 12.1',
      'uncached c=10 req/s': '180',
      'cached c=10 req/s': '2,400',
      'cached p50 / p99 ms': '3.4 / 9.1',
      cache: 'hit',
      'express c=10 req/s': '3,000',
      'cached / express': '0.80x',
      errors: '0',
      'db round trips': '3',
    });
  });

  it('says n/a for what was not measured, and why below the table', () => {
    const noCache: PageRow = {
      ...question,
      name: 'question (GraphQL)',
      kind: 'graphql',
      cached: null,
      cacheStatus: undefined,
      uncachedN: run(150, 60, 95, 4),
      baseline: run(3_000, 2.9, 7, 10, 2),
      na: { cached: 'the api sends no x-colloquy-cache header: no GraphQL response cache in this build' },
    };
    const failed: PageRow = { ...question, name: 'tag', status: undefined, bytes: undefined, na: { row: 'pre-flight failed: HTTP 500' } };
    const [a, b] = pageTableRows([noCache, failed], null, 10);
    expect(a).toMatchObject({
      'uncached c=10 req/s': '150 (c=4)',
      'cached c=10 req/s': 'n/a',
      'cached p50 / p99 ms': 'n/a',
      cache: 'n/a',
      'cached / express': '–',
      errors: '2',
      'db round trips': 'n/a',
    });
    expect(b).toMatchObject({ 'status, KB': 'n/a', 'uncached c=1 p50 / p99 ms': 'n/a', 'cached / express': 'n/a', errors: '' });
    expect(pageNotes([question, noCache, failed])).toEqual([
      'question (GraphQL): cached n/a: the api sends no x-colloquy-cache header: no GraphQL response cache in this build',
      'tag: n/a: pre-flight failed: HTTP 500',
    ]);
  });

  it('keeps one line of a reason (an error page stays out of the report)', () => {
    expect(oneLine('HTTP 503: <!doctype html>\n<html lang="en">')).toBe('HTTP 503: <!doctype html>');
    expect(oneLine('x'.repeat(200))).toBe(`${'x'.repeat(159)}…`);
  });

  it('shows a cache answer without the header as "none"', () => {
    expect(pageTableRows([{ ...question, cacheStatus: null }], null, 10)[0]!.cache).toBe('none');
  });

  it('renders as Markdown, pipes escaped', () => {
    expect(markdownTable([{ a: 'x|y', b: 1_234 }], ['a', 'b'])).toEqual(['| a | b |', '| --- | ---: |', '| x\\|y | 1,234 |']);
  });
});

describe('database round trips', () => {
  it('of a page: its capture op, warm; "(first view)" when only the first was sent', () => {
    const scans = [scan('home', 2), scan('search', 5, 'cold')];
    expect(roundTripText('home', scans)).toBe('2');
    expect(roundTripText('search', scans)).toBe('5 (first view)');
    expect(roundTripText('space', scans)).toBe('–');
    expect(roundTripText('home', null)).toBe('n/a');
  });

  it('of the question pages by answer count: the same, or not', () => {
    const q = (n: number) => `question (${n} answers × 2 comments)`;
    const head = 'question page database round trips (uncached stack, one anonymous view after a warm-up view):';
    expect(roundTripsByAnswers([scan(q(30), 3), scan('home', 9), scan(q(10), 3), scan(q(20), 3)])).toBe(
      `${head} 10 answers: 3, 20 answers: 3, 30 answers: 3 — the same whatever the answer count`,
    );
    expect(roundTripsByAnswers([scan(q(10), 3), scan(q(30), 5)])).toBe(
      `${head} 10 answers: 3, 30 answers: 5 — NOT the same: it grows with the answer count`,
    );
    expect(roundTripsByAnswers([scan(q(20), 4)])).toBe(`${head} 20 answers: 4`);
    expect(roundTripsByAnswers([])).toBe(`${head} n/a: no question thread was captured`);
    expect(roundTripsByAnswers(null)).toBe(`${head} n/a: no capture in this run`);
  });
});

describe('the baselines’ saved responses', () => {
  it('are keyed by method and path with its query, one file each', () => {
    expect(requestPath('http://web:3200/search?q=a%20b#x')).toBe('/search?q=a%20b');
    const saved = [
      { method: 'GET' as const, path: '/', status: 200, contentType: 'text/html' },
      { method: 'GET' as const, path: '/users/nobody', status: 404, contentType: 'text/html' },
      { method: 'POST' as const, path: '/graphql', status: 200, contentType: 'application/json' },
    ];
    expect(manifestOf(saved)).toEqual([
      { method: 'GET', path: '/', status: 200, contentType: 'text/html', file: 'response-0.bin' },
      { method: 'GET', path: '/users/nobody', status: 404, contentType: 'text/html', file: 'response-1.bin' },
      { method: 'POST', path: '/graphql', status: 200, contentType: 'application/json', file: 'response-2.bin' },
    ]);
  });

  it('refuse two responses for one request', () => {
    const one = { method: 'POST' as const, path: '/graphql', status: 200, contentType: 'application/json' };
    expect(() => manifestOf([one, one])).toThrow('two saved responses for POST /graphql');
  });
});

describe('a row expecting another status than 2xx', () => {
  it('counts the answers without that status', () => {
    expect(unexpectedStatuses({ '404': 90, '500': 3, '200': 1 }, 404, 94)).toBe(4);
    expect(unexpectedStatuses({ '200': 90, '500': 3 }, undefined, 3)).toBe(3);
  });

  it("reads wrk's count of them", () => {
    const out = [
      'Running 10s test @ http://127.0.0.1:3201/users/nobody',
      '  Latency     5.00ms    1.00ms  20.00ms   90.00%',
      '  Latency Distribution',
      '     50%    4.50ms',
      '     99%   12.00ms',
      '  1000 requests in 10.00s, 1.00MB read',
      '  Non-2xx or 3xx responses: 1000',
      'Requests/sec:    100.00',
      'Unexpected status: 2',
    ].join('\n');
    expect(parseWrkOutput(out, 1)).toMatchObject({ requests: 1000, non2xx: 2, rps: 100, latencyMs: { p50: 4.5, p99: 12 } });
  });
});

describe('latencies of a run', () => {
  it('are kept to the fraction of a millisecond (nearest-rank percentiles)', () => {
    const times = Array.from({ length: 100 }, (_, i) => (i + 1) / 10); // 0.1 … 10.0 ms
    expect(latencySummary(times)).toEqual({ p50: 5, p90: 9, p99: 9.9, max: 10, mean: 5.05 });
    expect(latencySummary([7.94])).toEqual({ p50: 7.94, p90: 7.94, p99: 7.94, max: 7.94, mean: 7.94 });
    expect(latencySummary([]).p50).toBeNaN();
  });
});
