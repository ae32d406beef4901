// npm run bench [-- --scale default|large] [--duration 10] [--rate 50] … (--help lists all)
//
// The benchmark harness (prints figures; never a test). On the bench profile's own ports
// (FerretDB 27317, Redis 6679, api 4200, web 3200), all on 127.0.0.1:
//   1. fresh data: drop the bench database, the bench search index and the bench Redis keys;
//      build; seed at the chosen scale (timed, rows/s);
//   2. api + worker + web from their production builds;
//   3. baselines in the same run: a bare node:http server and a minimal Express 5 route serving
//      the bytes of the anonymous question page, and our own `{ ping }` GraphQL query;
//   4. load per operation: max req/s (closed loop) and p50/p99 at a fixed rate, errors, peak RSS
//      per process; writes (postAnswer, vote) run together with question-page reads;
//   5. which database commands each operation sends and which FerretDB answers by scanning;
//   6. one table, also written to bench-results/<timestamp>.{json,md}.
// Everything it started is stopped at the end, on error and on Ctrl-C.
//
// main() runs the phases in order; each lives in scripts/bench/: options.ts (command line),
// session.ts (shared state, cleanup, Ctrl-C), prepare.ts (1, 2), fixtures.ts (what to request),
// reads.ts (3, 4: baselines and the tables of measured pages and GraphQL operations), measure.ts
// (how one row is measured), writes.ts (4: writes under read load), capture.ts (5), report.ts (6).
import { captureDatabaseCommands } from './bench/capture.js';
import { prepareFixtures } from './bench/fixtures.js';
import { Measurer } from './bench/measure.js';
import { parseOptions } from './bench/options.js';
import { prepareData, startBenchStack } from './bench/prepare.js';
import { baselineSpecs, measureReads, readSpecs, startBaselines } from './bench/reads.js';
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
    const stack = await startBenchStack(session, data);
    const fixtures = await prepareFixtures(session, stack, data.benchDir);
    const baselines = await startBaselines(session, fixtures.pageFile);
    const measurer = new Measurer(session);
    await measureReads(session, measurer, baselineSpecs(stack, baselines, fixtures), readSpecs(stack, fixtures));
    const writes = await measureWrites(session, measurer, stack, fixtures);
    session.lifetimePeakRssMb = session.sampler.lifetimePeaks();
    measurer.noteBusyBackground();
    await captureDatabaseCommands(session, data, stack, fixtures, writes);
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
    if (session.rows.length || session.seeding) printReport(session);
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
