// npm run bench [-- --scale default|large] [--duration 10] [--rate 50] … (--help lists all)
//
// The benchmark harness (prints figures; never a test). On the bench profile's own ports
// (FerretDB 27317, Redis 6679; cached stack api 4200, web 3200; uncached stack api 4201, web
// 3201), all on 127.0.0.1:
//   1. fresh data: drop the bench database, the bench search index and the bench Redis keys;
//      build; seed at the chosen scale (timed, rows/s); then three question threads of 10, 20
//      and 30 answers × 2 comments (scripts/budget-fixture.ts);
//   2. two stacks from their production builds on the same database and Redis: "cached" (api +
//      worker + web as deployed: page cache and GraphQL response cache on) and "uncached" (api +
//      web with PAGE_CACHE=off and RESPONSE_CACHE_TTL_SECONDS=0), measured one at a time;
//   3. the pages table: every page route and the GraphQL question query, uncached (1 and N
//      connections), cached (N connections) and next to a minimal Express route serving the same
//      bytes (saved once from the cached stack), all closed loop;
//   4. the api table: baselines (bare node:http and Express serving the question page, `{ ping }`),
//      then each GraphQL operation on the uncached api — max req/s (closed loop) and p50/p99 at a
//      fixed rate, errors, peak RSS per process; writes (postAnswer, vote) under question-page
//      reads on the cached stack;
//   5. which database commands each operation sends (round trips per page: an uncached view after
//      a warm-up view) and which FerretDB answers by scanning;
//   6. the tables, also written to bench-results/<timestamp>.{json,md}.
// Everything it started is stopped at the end, on error and on Ctrl-C.
//
// main() runs the phases in order; each lives in scripts/bench/: options.ts (command line),
// session.ts (shared state, cleanup, Ctrl-C), prepare.ts (1, 2), fixtures.ts (what to request),
// reads.ts (the tables of measured pages and GraphQL operations, baselines), pages.ts (3),
// measure.ts (how one api-table row is measured), writes.ts (4: writes under read load),
// capture.ts (5), report.ts and page-report.ts (6).
import { join } from 'node:path';
import { captureDatabaseCommands } from './bench/capture.js';
import { prepareFixtures } from './bench/fixtures.js';
import { Measurer } from './bench/measure.js';
import { parseOptions } from './bench/options.js';
import { measurePages, savePages } from './bench/pages.js';
import { prepareData, settleStartup, startBenchStacks } from './bench/prepare.js';
import { baselineSpecs, measureReads, pageRowSpecs, readSpecs, startBaselines } from './bench/reads.js';
import { printReport } from './bench/report.js';
import { Aborted, BenchSession, log } from './bench/session.js';
import { measureWrites } from './bench/writes.js';
import { ServiceError } from './lib/services.js';

async function main(): Promise<number> {
  const session = new BenchSession(parseOptions(process.argv.slice(2)));
  session.handleSignals();
  session.ignoreEnvironmentServices();
  try {
    const data = await prepareData(session);
    const stacks = await startBenchStacks(session, data);
    await settleStartup(session);
    const fixtures = await prepareFixtures(session, stacks.cached, data.threads);
    const measurer = new Measurer(session);
    const pageRows = pageRowSpecs(fixtures);
    const manifest = await savePages(session, measurer, stacks, pageRows, join(data.benchDir, 'saved-responses'));
    const baselines = await startBaselines(session, manifest);
    await measurePages(session, measurer, stacks, baselines[1].url, pageRows);
    await measureReads(session, measurer, baselineSpecs(stacks.uncached, baselines, fixtures), readSpecs(stacks.uncached, fixtures));
    const writes = await measureWrites(session, measurer, stacks.cached, fixtures);
    session.lifetimePeakRssMb = session.sampler.lifetimePeaks();
    measurer.noteBusyBackground();
    await captureDatabaseCommands(session, data, stacks, fixtures, writes);
    return 0;
  } catch (error) {
    if (error instanceof Aborted || session.abort.signal.aborted) {
      log('interrupted');
      return 130;
    }
    throw error;
  } finally {
    session.sampler.stop();
    if (!Object.keys(session.lifetimePeakRssMb).length) session.lifetimePeakRssMb = session.sampler.lifetimePeaks();
    await session.cleanup.runAll();
    if (session.rows.length || session.pages.length || session.seeding) printReport(session);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ServiceError) console.error(`✗ ${error.message}${error.hint ? `\n  → ${error.hint}` : ''}`);
    else console.error(`✗ ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
