// Phase 3 of the benchmark: the pages table. Each row (pageRowSpecs in reads.ts: every page route,
// then the GraphQL question query) is measured alone, one run at a time with the servers left to
// go idle in between:
//   uncached stack, closed loop, 1 connection  — p50/p99 (after a warm-up);
//   uncached stack, closed loop, N connections — req/s;
//   cached stack, closed loop, N connections   — req/s, p50/p99 (after a warm-up), and the cache's
//                                                answer (x-colloquy-cache) afterwards;
//   Express baseline, closed loop, N connections, serving the bytes saved from the cached stack.
// A cached stack without the cache (no x-colloquy-cache header) is not measured: its run says
// n/a and why.
import { requestPath, saveResponses, type SavedResponse } from './baselines.js';
import { runLoad, type RunStats, type Target } from './load.js';
import { describeTarget, type LoadPlan, type Measurer } from './measure.js';
import type { PageRow, PageRunName } from './page-report.js';
import type { BenchStacks } from './prepare.js';
import type { PageRowSpec } from './reads.js';
import { fmt, log, type BenchSession } from './session.js';

/** The first line of a reason, at most 160 characters (an error page's HTML stays out of the report). */
export function oneLine(why: string): string {
  const line = why.split('\n')[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/**
 * Saves what the cached stack answers to every row for the baselines; returns the manifest's
 * file. A row whose request fails gets its `baselineNa` (its other runs are still measured).
 */
export async function savePages(
  session: BenchSession,
  measurer: Measurer,
  stacks: BenchStacks,
  specs: PageRowSpec[],
  dir: string,
): Promise<string> {
  const saved: SavedResponse[] = [];
  for (const spec of specs) {
    if (spec.na) continue;
    const target = spec.target(stacks.cached[spec.side]);
    const answer = await measurer.probe(target);
    if (!answer.ok) {
      spec.baselineNa = `nothing to serve: the cached stack's answer failed when the responses were saved (${oneLine(answer.why)})`;
      log(`  ✗ ${spec.name}: ${spec.baselineNa}`);
      continue;
    }
    saved.push({
      method: target.method,
      path: requestPath(target.url),
      status: answer.status,
      contentType: answer.contentType,
      body: answer.body,
    });
  }
  const manifest = saveResponses(dir, saved);
  log(`saved ${saved.length} responses of the cached stack (${fmt(saved.reduce((n, r) => n + r.body.length, 0))} bytes) for the baselines`);
  return manifest;
}

type RunResult = { stats: RunStats } | { why: string };

/** One closed-loop run (after a warm-up when asked); a failing load tool is a reason, not a crash. */
async function closedRun(session: BenchSession, target: Target, connections: number, plan: LoadPlan, warmup: boolean): Promise<RunResult> {
  const { options, preferWrk, abort } = session;
  const load = { connections, timeoutSec: plan.timeoutSec, preferWrk, signal: abort.signal };
  try {
    if (warmup && plan.warmup) await runLoad(target, { ...load, durationSec: options.warmupSec });
    session.checkAborted();
    const stats = await runLoad(target, { ...load, durationSec: options.durationSec });
    session.checkAborted();
    return { stats };
  } catch (error) {
    session.checkAborted();
    return { why: `the load run failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function logRun(label: string, r: RunResult): void {
  if ('why' in r) {
    log(`  ${label}: n/a: ${r.why}`);
    return;
  }
  const s = r.stats;
  const errors = s.errors + s.timeouts + s.non2xx + s.graphqlErrors;
  log(
    `  ${label}: ${fmt(s.rps, s.rps < 10 ? 2 : 0)} req/s (${s.connections} conn.), p50 ${fmt(s.latencyMs.p50, 1)} ms, p99 ${fmt(s.latencyMs.p99, 1)} ms; errors ${errors}`,
  );
}

/** Stores a run's figures, or its reason, in the row. */
function keep(row: PageRow, run: PageRunName, r: RunResult): void {
  if ('why' in r) row.na[run] = r.why;
  else row[run] = r.stats;
}

/** Why the cached stack's runs of a row are n/a when its answer carries no cache header. */
function noCacheWhy(spec: PageRowSpec): string {
  return spec.kind === 'page'
    ? 'the web sends no x-colloquy-cache header: no page cache in this build'
    : 'the api sends no x-colloquy-cache header: no GraphQL response cache in this build';
}

/** The cached stack's run of a row: pre-flight (its cache header), warm-up, closed loop, the cache's answer after. */
async function measureCached(
  session: BenchSession,
  measurer: Measurer,
  spec: PageRowSpec,
  target: Target,
  row: PageRow,
  connections: number,
): Promise<void> {
  const pre = await measurer.probe(target);
  if (!pre.ok) {
    row.na.cached = `pre-flight failed: ${oneLine(pre.why)}`;
    log(`  cached: n/a: ${row.na.cached}`);
    return;
  }
  if (pre.cache === null) {
    row.na.cached = noCacheWhy(spec);
    log(`  cached: n/a: ${row.na.cached}`);
    return;
  }
  const run = await closedRun(session, target, connections, measurer.planFor(pre.ms, connections), true);
  keep(row, 'cached', run);
  const after = await measurer.probe(target);
  row.cacheStatus = after.ok ? after.cache : null;
  logRun(`cached c=${connections} (x-colloquy-cache: ${row.cacheStatus ?? 'none'})`, run);
}

/** One row of the pages table: the uncached runs, the cached run, the baseline run. */
async function measurePageRow(
  session: BenchSession,
  measurer: Measurer,
  stacks: BenchStacks,
  baselineOrigin: string,
  spec: PageRowSpec,
): Promise<PageRow> {
  const { options, sampler } = session;
  const uncached = spec.target(stacks.uncached[spec.side]);
  const row: PageRow = {
    name: spec.name,
    kind: spec.kind,
    request: describeTarget(uncached),
    uncached1: null,
    uncachedN: null,
    cached: null,
    baseline: null,
    na: {},
    rssMb: {},
  };
  log(`${spec.name} (pages table) …`);
  if (spec.na) {
    row.na.row = spec.na;
    log(`  n/a: ${spec.na}`);
    return row;
  }
  await measurer.settle();
  const pre = await measurer.probe(uncached);
  if (!pre.ok) {
    row.na.row = `pre-flight failed: ${oneLine(pre.why)}`;
    log(`  ✗ ${row.na.row}`);
    return row;
  }
  Object.assign(row, { status: pre.status, bytes: pre.bytes, singleMs: pre.ms });
  const plan = measurer.planFor(pre.ms, options.connections);
  if (plan.skip) {
    row.na.row = plan.skip;
    log(`  ${plan.skip}`);
    return row;
  }
  sampler.takeWindow();
  const one = await closedRun(session, uncached, 1, plan, true);
  keep(row, 'uncached1', one);
  logRun('uncached c=1', one);
  await measurer.settle();
  const many = await closedRun(session, uncached, plan.connections, plan, false);
  keep(row, 'uncachedN', many);
  logRun(`uncached c=${plan.connections}`, many);
  await measurer.settle();
  await measureCached(session, measurer, spec, spec.target(stacks.cached[spec.side]), row, options.connections);
  await measurer.settle();
  const baselineTarget = spec.target(baselineOrigin);
  // the baseline always gets its warm-up (the uncached page's plan skips it for a slow page)
  const basePlan = { ...plan, warmup: options.warmupSec > 0 };
  const base: RunResult = spec.baselineNa
    ? { why: spec.baselineNa }
    : await closedRun(session, { ...baselineTarget, name: `express: ${spec.name}` }, options.connections, basePlan, true);
  keep(row, 'baseline', base);
  logRun(`express c=${options.connections}`, base);
  row.rssMb = sampler.takeWindow();
  return row;
}

/** 3. the pages table: every selected (`--only`) row, into `session.pages`. */
export async function measurePages(
  session: BenchSession,
  measurer: Measurer,
  stacks: BenchStacks,
  expressOrigin: string,
  specs: PageRowSpec[],
): Promise<void> {
  for (const spec of specs) {
    if (!session.selected(spec.name)) continue;
    session.checkAborted();
    session.pages.push(await measurePageRow(session, measurer, stacks, expressOrigin, spec));
  }
}
