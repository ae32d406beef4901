// The pages table of the benchmark (pure): one row per page route and the GraphQL question query —
// uncached at one connection (p50/p99) and at N connections (req/s), cached at N connections
// (req/s, p50/p99, the cache's answer), the Express baseline serving the same bytes at N
// connections, "cached / express", and the database round trips of one uncached view (from the
// capture). Also the question pages' round trips by answer count.
import type { TableRow } from '../lib/progress.js';
import type { OpScanReport } from './db-scans.js';
import type { RunStats } from './load.js';

/** The four runs of a row. */
export type PageRunName = 'uncached1' | 'uncachedN' | 'cached' | 'baseline';

export interface PageRow {
  name: string;
  kind: 'page' | 'graphql';
  /** method and path (and the GraphQL operation) */
  request: string;
  /** status and size of the uncached stack's answer */
  status?: number;
  bytes?: number;
  /** one request alone on the uncached stack (the second of two) */
  singleMs?: number;
  /** closed loop, uncached stack, one connection */
  uncached1: RunStats | null;
  /** closed loop, uncached stack, N connections */
  uncachedN: RunStats | null;
  /** closed loop, cached stack, N connections */
  cached: RunStats | null;
  /** closed loop, the Express baseline serving the bytes saved from the cached stack, N connections */
  baseline: RunStats | null;
  /** the cache's answer (x-colloquy-cache) to a request after the cached run; null: no such header */
  cacheStatus?: string | null;
  /** why a run (or, under `row`, the whole row) was not measured */
  na: Partial<Record<PageRunName | 'row', string>>;
  /** peak RSS (MiB) per process while the row ran */
  rssMb: Record<string, number>;
}

/** "0.72x": how many times the denominator's figure the numerator is; "–" without both. */
export function formatRatio(numerator: number | undefined, denominator: number | undefined): string {
  if (numerator === undefined || denominator === undefined) return '–';
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator <= 0) return '–';
  const r = numerator / denominator;
  if (r >= 10) return `${r.toFixed(0)}x`;
  if (r >= 0.1 || r === 0) return `${r.toFixed(2)}x`;
  return `${r.toPrecision(2)}x`;
}

/** Requests per second: two decimals below 10, else whole and grouped. */
export function formatRps(rps: number | undefined): string {
  if (rps === undefined || !Number.isFinite(rps)) return '–';
  return rps < 10 ? rps.toFixed(2) : Math.round(rps).toLocaleString('en-US');
}

/** Milliseconds with one decimal. */
export function formatMs(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '–' : ms.toFixed(1);
}

/** "p50 / p99" of a run. */
export function latencyText(stats: RunStats | null): string {
  return stats ? `${formatMs(stats.latencyMs.p50)} / ${formatMs(stats.latencyMs.p99)}` : '–';
}

/** Connection errors, timeouts, answers with another status and GraphQL errors of a row's runs. */
export function pageErrors(row: PageRow): number {
  return [row.uncached1, row.uncachedN, row.cached, row.baseline].reduce(
    (n, s) => n + (s ? s.errors + s.timeouts + s.non2xx + s.graphqlErrors : 0),
    0,
  );
}

/** The round trips of one view of a page (the capture's op of the same name). */
export function roundTripText(name: string, scans: readonly OpScanReport[] | null): string {
  if (!scans) return 'n/a';
  const op = scans.find((r) => r.op === name);
  if (!op) return '–';
  return op.pass === 'warm' ? String(op.roundTrips) : `${op.roundTrips} (first view)`;
}

/** The columns of the pages table for `connections` closed-loop connections. */
export function pageColumns(connections: number): string[] {
  const c = `c=${connections}`;
  return [
    'page',
    'status, KB',
    'uncached c=1 p50 / p99 ms',
    `uncached ${c} req/s`,
    `cached ${c} req/s`,
    'cached p50 / p99 ms',
    'cache',
    `express ${c} req/s`,
    'cached / express',
    'errors',
    'db round trips',
  ];
}

/** The text cells of each row (in `pageColumns` order). */
export function pageTableRows(rows: readonly PageRow[], scans: readonly OpScanReport[] | null, connections: number): TableRow[] {
  const cols = pageColumns(connections);
  return rows.map((row) => {
    const na = (run: PageRunName) => (row.na.row || row.na[run] ? 'n/a' : undefined);
    const cells = [
      row.name,
      row.status !== undefined && row.bytes !== undefined ? `${row.status}, ${(row.bytes / 1024).toFixed(1)}` : 'n/a',
      na('uncached1') ?? latencyText(row.uncached1),
      na('uncachedN') ??
        `${formatRps(row.uncachedN?.rps)}${row.uncachedN && row.uncachedN.connections !== connections ? ` (c=${row.uncachedN.connections})` : ''}`,
      na('cached') ?? formatRps(row.cached?.rps),
      na('cached') ?? latencyText(row.cached),
      na('cached') ?? (row.cacheStatus === undefined ? '–' : (row.cacheStatus ?? 'none')),
      na('baseline') ?? formatRps(row.baseline?.rps),
      row.na.row ? 'n/a' : formatRatio(row.cached?.rps, row.baseline?.rps),
      row.na.row ? '' : String(pageErrors(row)),
      roundTripText(row.name, scans),
    ];
    return Object.fromEntries(cols.map((col, i) => [col, cells[i]!]));
  });
}

/** One line per row or run that was not measured: "<row>: cached n/a: <why>". */
export function pageNotes(rows: readonly PageRow[]): string[] {
  const label: Record<PageRunName, string> = {
    uncached1: 'uncached c=1',
    uncachedN: 'uncached c=N',
    cached: 'cached',
    baseline: 'express',
  };
  const lines: string[] = [];
  for (const row of rows) {
    if (row.na.row) {
      lines.push(`${row.name}: n/a: ${row.na.row}`);
      continue;
    }
    for (const run of Object.keys(label) as PageRunName[]) if (row.na[run]) lines.push(`${row.name}: ${label[run]} n/a: ${row.na[run]}`);
  }
  return lines;
}

/**
 * The question pages' round trips by answer count, from the capture ops named
 * "question (N answers × 2 comments)": the same count for every N, or not.
 */
export function roundTripsByAnswers(scans: readonly OpScanReport[] | null): string {
  const head = 'question page database round trips (uncached stack, one anonymous view after a warm-up view):';
  if (!scans) return `${head} n/a: no capture in this run`;
  const pages = scans
    .map((r) => ({ r, m: /^question \((\d+) answers × 2 comments\)$/.exec(r.op) }))
    .filter((x): x is { r: OpScanReport; m: RegExpExecArray } => x.m !== null)
    .map(({ r, m }) => ({ answers: Number(m[1]), trips: r.roundTrips, warm: r.pass === 'warm' }))
    .sort((a, b) => a.answers - b.answers);
  if (!pages.length) return `${head} n/a: no question thread was captured`;
  const list = pages.map((p) => `${p.answers} answers: ${p.trips}${p.warm ? '' : ' (first view)'}`).join(', ');
  if (pages.length < 2) return `${head} ${list}`;
  const same = pages.every((p) => p.trips === pages[0]!.trips);
  return `${head} ${list} — ${same ? 'the same whatever the answer count' : 'NOT the same: it grows with the answer count'}`;
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** A Markdown table of text rows; the first `leftColumns` columns left-aligned, the others right. */
export function markdownTable(rows: readonly TableRow[], columns: readonly string[], leftColumns = 1): string[] {
  const cell = (v: TableRow[string] | undefined) => mdEscape(typeof v === 'number' ? v.toLocaleString('en-US') : String(v ?? ''));
  return [
    `| ${columns.map(mdEscape).join(' | ')} |`,
    `| ${columns.map((_, i) => (i < leftColumns ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`),
  ];
}
