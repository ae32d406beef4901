// The benchmark's report printed at the end of a run (text, also JSON and Markdown): the pages
// table (page-report.ts), then the api table (GraphQL operations, writes and baselines), the
// seeding, and the database commands.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable, type TableRow } from '../lib/progress.js';
import type { RunStats } from './load.js';
import type { OpScanReport } from './db-scans.js';
import { markdownTable, pageColumns, pageNotes, pageTableRows, roundTripsByAnswers, type PageRow } from './page-report.js';
import type { SeedResult } from './seeding.js';
import type { BenchSession } from './session.js';
import { repoRoot } from '../lib/paths.js';

export interface BenchRow {
  name: string;
  kind: 'baseline' | 'web' | 'graphql' | 'write';
  /** method and path (and query text for search) */
  target: string;
  closed: RunStats | null;
  fixed: RunStats | null;
  /** the requested fixed rate (the run used less when the server's maximum was below it) */
  nominalRate?: number;
  /** peak RSS (MiB) per process while this row ran */
  rssMb: Record<string, number>;
  /** response size of the pre-flight request */
  bytes?: number;
  /** closed-loop connections asked for (fewer were used when one request is slow) */
  nominalConnections?: number;
  /** latency of one request alone (the second of two pre-flight requests) */
  singleMs?: number;
  note?: string;
}

export interface BenchReport {
  startedAt: string;
  wallSeconds: number;
  options: Record<string, unknown>;
  machine: Record<string, unknown>;
  seeding: SeedResult | null;
  /** documents per collection once the data was ready */
  collections: Record<string, number> | null;
  pages: PageRow[];
  rows: BenchRow[];
  lifetimePeakRssMb: Record<string, number>;
  scans: OpScanReport[] | null;
  scanLines: string[];
  notes: string[];
}

export const BASELINES = ['node:http', 'express', 'ping'] as const;

const round = (n: number, digits = 0) => {
  if (!Number.isFinite(n)) return NaN;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

function errorsOf(row: BenchRow): { total: number; text: string } {
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let gql = 0;
  for (const s of [row.closed, row.fixed]) {
    if (!s) continue;
    errors += s.errors;
    timeouts += s.timeouts;
    non2xx += s.non2xx;
    gql += s.graphqlErrors;
  }
  const total = errors + timeouts + non2xx + gql;
  const parts = [
    errors ? `${errors} conn` : '',
    timeouts ? `${timeouts} timeout` : '',
    non2xx ? `${non2xx} non-2xx` : '',
    gql ? `${gql} gql` : '',
  ].filter(Boolean);
  return { total, text: total ? `${total} (${parts.join(', ')})` : '0' };
}

function rssText(row: BenchRow): string {
  const r = row.rssMb;
  if (row.kind === 'baseline' && row.name !== 'ping') {
    const v = r[row.name];
    return v !== undefined ? `${v}` : '';
  }
  return ['api', 'web', 'worker'].map((k) => (r[k] !== undefined ? String(r[k]) : '–')).join(' / ');
}

function ratioText(row: BenchRow, baselines: Record<string, number | undefined>): string {
  const rps = row.closed?.rps;
  if (rps === undefined || !Number.isFinite(rps)) return '';
  return BASELINES.map((b) => {
    const base = baselines[b];
    if (!base) return '–';
    const pct = (rps / base) * 100;
    return pct >= 10 ? `${pct.toFixed(0)}%` : pct >= 1 ? `${pct.toFixed(1)}%` : pct >= 0.1 ? `${pct.toFixed(2)}%` : `${pct.toFixed(3)}%`;
  }).join(' / ');
}

export function tableRows(rows: BenchRow[]): TableRow[] {
  const baselines: Record<string, number | undefined> = Object.fromEntries(
    BASELINES.map((b) => [b, rows.find((r) => r.name === b)?.closed?.rps]),
  );
  return rows.map((row) => {
    const fixed = row.fixed;
    const reached = fixed && fixed.rate !== undefined ? fixed.rps / fixed.rate : 1;
    const reduced = fixed?.rate !== undefined && row.nominalRate !== undefined && fixed.rate < row.nominalRate;
    const rateCell =
      fixed?.rate !== undefined
        ? `${fixed.rate}${reduced ? ` (max < ${row.nominalRate})` : ''}${reached < 0.95 ? ` (got ${round(fixed.rps, 1)})` : ''}`
        : '';
    const ms = (v: number | undefined) => (v === undefined ? '' : Number.isFinite(v) ? round(v, 1) : '–');
    const rps = row.closed?.rps;
    const reducedConnections =
      row.closed && row.closed.connections < (row.kind === 'write' && row.name !== 'question page under writes (web)' ? 0 : 10);
    const out: TableRow = {
      name: row.name,
      '1 req ms': ms(row.singleMs),
      'req/s':
        rps === undefined
          ? 'n/a'
          : `${rps < 10 ? round(rps, 2) : round(rps).toLocaleString('en-US')}${reducedConnections ? ` (c=${row.closed!.connections})` : ''}`,
      'p50 ms': fixed ? ms(fixed.latencyMs.p50) : '',
      'p99 ms': fixed ? ms(fixed.latencyMs.p99) : '',
      '@ req/s': rateCell,
      errors: errorsOf(row).text,
      'peak RSS MB api/web/worker': rssText(row),
      '% of node:http / express / ping': ratioText(row, baselines),
    };
    return out;
  });
}

export const COLUMNS = [
  'name',
  'req/s',
  'p50 ms',
  'p99 ms',
  '@ req/s',
  'errors',
  'peak RSS MB api/web/worker',
  '% of node:http / express / ping',
];

export function seedingLines(seeding: SeedResult | null): string[] {
  if (!seeding) return ['seeding: skipped (--reuse-data)'];
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const lines = seeding.steps.map(
    (s) =>
      `  ${s.name}: ${n(s.rows)} rows in ${s.seconds.toFixed(1)} s = ${n(s.rowsPerSecond)} rows/s${s.failed ? ` (FAILED, partial: ${s.failed})` : ''}${s.detail && !s.detail.startsWith('/') ? ` — ${s.detail}` : ''}`,
  );
  lines.unshift(`seeding: ${n(seeding.rows)} rows in ${seeding.seconds.toFixed(1)} s = ${n(seeding.rowsPerSecond)} rows/s`);
  for (const note of seeding.notes) lines.push(`  note: ${note}`);
  return lines;
}

export function renderText(report: BenchReport): string {
  return formatTable(tableRows(report.rows), COLUMNS);
}

/** "database: 102,345 posts (questions and answers), 18,000 members" (null: not counted). */
export function databaseLine(collections: Record<string, number> | null): string {
  if (!collections) return 'database: not counted';
  const n = (v: number | undefined) => (v ?? 0).toLocaleString('en-US');
  return `database: ${n(collections.posts)} posts (questions and answers), ${n(collections.users)} members, ${n(collections.comments)} comments`;
}

/** The pages table's lines (text), its n/a notes and the round trips by answer count. */
export function pagesSection(report: Pick<BenchReport, 'pages' | 'scans'>, connections: number): string[] {
  if (!report.pages.length) return ['pages: none measured (--only)'];
  return [
    formatTable(pageTableRows(report.pages, report.scans, connections), pageColumns(connections)).trimEnd(),
    ...pageNotes(report.pages).map((l) => `  ${l}`),
    roundTripsByAnswers(report.scans),
  ];
}

export function renderMarkdown(report: BenchReport, legend: string[], pageLegend: string[]): string {
  const connections = Number(report.options.connections);
  const o = report.options;
  return [
    `# Colloquy benchmark — ${report.startedAt}`,
    '',
    `Scale **${String(o.scale)}**, ${String(o.durationSec)} s per run, fixed rate ${String(o.rate)} req/s (writes ${String(o.writeRate)} req/s), ${String(o.connections)} connections (closed loop), load tool ${String(o.tool)}. Wall time ${Math.round(report.wallSeconds)} s.`,
    '',
    `Machine: ${Object.entries(report.machine)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ')}`,
    '',
    databaseLine(report.collections),
    '',
    '## Pages: uncached, cached and the minimal Express route serving the same bytes',
    '',
    ...markdownTable(pageTableRows(report.pages, report.scans, connections), pageColumns(connections), 2),
    '',
    ...pageNotes(report.pages).map((l) => `- ${l}`),
    `- ${roundTripsByAnswers(report.scans)}`,
    ...pageLegend.map((l) => `- ${l}`),
    '',
    '## GraphQL operations (uncached api), writes (cached stack) and baselines',
    '',
    ...markdownTable(tableRows(report.rows), COLUMNS),
    '',
    ...legend.map((l) => `- ${l}`),
    '',
    '## Seeding',
    '',
    ...seedingLines(report.seeding).map((l) => (l.startsWith('  ') ? `  - ${l.trim()}` : `- ${l}`)),
    '',
    '## What FerretDB answers by scanning',
    '',
    '```',
    ...report.scanLines,
    '```',
    '',
    ...(report.notes.length ? ['## Notes', '', ...report.notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
}

export function writeReport(dir: string, report: BenchReport, legend: string[], pageLegend: string[]): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  const json = join(dir, `${stamp}.json`);
  const md = join(dir, `${stamp}.md`);
  const pageTable = pageTableRows(report.pages, report.scans, Number(report.options.connections));
  writeFileSync(json, `${JSON.stringify({ ...report, pageTable, table: tableRows(report.rows) }, null, 2)}\n`);
  writeFileSync(md, renderMarkdown(report, legend, pageLegend));
  return { json, md };
}

/** How to read the pages table. */
export function pagesLegend(connections: number, durationSec: number, warmupSec: number, tool: string): string[] {
  return [
    `pages: each run a closed loop of ${durationSec} s (${tool}); the first run of a stack after ${warmupSec} s of warm-up; the servers idle in between.`,
    `uncached c=1: the uncached stack (api + web with the page cache and the GraphQL response cache off) with one connection: the latency of a page built from the read models.`,
    `uncached c=${connections}: the same with ${connections} connections (req/s); cached c=${connections}: the cached stack (the defaults) with ${connections} connections; cache: its x-colloquy-cache answer after the run (hit: served from the cache).`,
    `express: a minimal Express 5 route serving the bytes the cached stack answered (status, type and body saved once), ${connections} connections; cached / express: the cached req/s as a multiple of it (same run, same connections).`,
    'errors: connection errors, timeouts, answers with an unexpected status and GraphQL errors, all four runs together.',
    'db round trips: the messages the uncached stack sent to FerretDB for one anonymous view after a warm-up view (the wire capture below; "(first view)": slow, sent once).',
  ];
}

function formatWall(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m} min ${s} s`;
}

/** 6. the report: one table with its legend on the console, also written to bench-results/<timestamp>.{json,md}. */
export function printReport(session: BenchSession): void {
  const { options, startedAt, machine, seeding, collections, pages, rows, lifetimePeakRssMb, scans, scanLines, notes, closedTool } =
    session;
  const wallSeconds = (performance.now() - session.wallStart) / 1000;
  const report: BenchReport = {
    startedAt,
    wallSeconds,
    options: { ...options, tool: closedTool, fixedRateTool: options.rateTool },
    machine,
    seeding,
    collections,
    pages,
    rows,
    lifetimePeakRssMb,
    scans,
    scanLines,
    notes,
  };
  const legend = [
    `1 req ms: one request alone on an idle server (the second of two in a row).`,
    `req/s: closed loop for ${options.durationSec} s with ${options.connections} connections (${closedTool}), after ${options.warmupSec} s of warm-up; "(c=N)": only N connections, because one request alone is so slow that more would only time out (N = per-row timeout / (2 × 1 req); per-row timeout = max(${options.timeoutSec} s, 3 × 1 req)).`,
    `p50/p99 ms: at the fixed rate in "@ req/s" for ${options.durationSec} s (${options.rateTool === 'paced' ? 'open loop: each request sent on schedule, latency counted from its scheduled time' : 'autocannon overallRate'}); "R (max < ${options.rate})": the closed loop managed less than the requested rate, so latency was measured at R = half of what it managed (a run at a low rate lasts up to 30 s, for about 3 requests); "(got N)": the server answered only N req/s.`,
    `errors: connection errors, timeouts, non-2xx responses and GraphQL responses with errors, both runs together.`,
    'peak RSS MB: highest VmRSS sampled every 200 ms during the row (api / web / worker; the baseline server on baseline rows).',
    '% of …: req/s of the row as a percentage of the req/s of node:http, Express and the { ping } GraphQL query (same run).',
    `question page under writes, postAnswer and vote ran at the same time (closed loop: ${options.connections} + ${options.writeConnections} + ${options.writeConnections} connections; fixed: ${options.rate} + ${options.writeRate} + ${options.writeRate} req/s).`,
    `machine load when the run started: ${machine.loadavg1m} (1-min load average on ${machine.cores} cores); other processes on the machine compete with the benchmark.`,
  ];
  const pageLegend = pagesLegend(options.connections, options.durationSec, options.warmupSec, closedTool);
  const out = [
    '',
    `Colloquy benchmark — scale ${options.scale} — ${startedAt}`,
    ...seedingLines(seeding),
    databaseLine(collections),
    '',
    'Pages: uncached (PAGE_CACHE=off, RESPONSE_CACHE_TTL_SECONDS=0), cached (defaults) and the minimal Express route serving the same bytes',
    ...pagesSection(report, options.connections),
    '',
    ...pageLegend.map((l) => `  ${l}`),
    '',
    'GraphQL operations (uncached api), writes (cached stack) and baselines',
    renderText(report).trimEnd(),
    '',
    ...legend.map((l) => `  ${l}`),
    ...rows.filter((r) => r.note).map((r) => `  ${r.name}: ${r.note}`),
    '',
    `peak RSS over the whole run (VmHWM, MB): ${Object.entries(lifetimePeakRssMb)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    'Database commands per operation and which FerretDB answers by scanning (explain: filterPushdown):',
    ...scanLines.map((l) => `  ${l}`),
    ...(notes.length ? ['', ...notes.map((n) => `note: ${n}`)] : []),
  ];
  console.log(out.join('\n'));
  const files = writeReport(join(repoRoot, 'bench-results'), report, legend, pageLegend);
  console.log(`\nwritten: ${files.json}\n         ${files.md}`);
  console.log(`wall time: ${formatWall(wallSeconds)}`);
}
