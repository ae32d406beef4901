// One benchmark run's shared state: options, log and notes, what to clean up, the abort signal
// (Ctrl-C), the RSS sampler, and what the report is made of (rows, seeding, scans).
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { OpScanReport } from './db-scans.js';
import type { PageRow } from './page-report.js';
import { wrkAvailable } from './load.js';
import type { Options } from './options.js';
import { RssSampler } from './proc.js';
import type { BenchRow } from './report.js';
import type { SeedResult } from './seeding.js';

export const log = (line: string) => console.log(`[bench] ${line}`);

/** The sampler's suffix of the uncached stack's processes ("api:uncached", "web:uncached"). */
export const UNCACHED_SUFFIX = ':uncached';

/** an operation slower than this alone is not put under load */
export const MAX_SINGLE_SEC = 5;
/** a single request is abandoned after this long */
export const PREFLIGHT_TIMEOUT_SEC = 60;
export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';

/** Cleanup steps, run once each in reverse order of registration. */
export class Cleanup {
  private readonly steps: Array<{ what: string; run: () => Promise<unknown> | unknown }> = [];
  add(what: string, run: () => Promise<unknown> | unknown): void {
    this.steps.push({ what, run });
  }
  async runAll(): Promise<void> {
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        console.error(`[bench] cleanup "${step.what}" failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

export class Aborted extends Error {
  constructor() {
    super('interrupted');
  }
}

export class BenchSession {
  readonly wallStart = performance.now();
  readonly startedAt = new Date().toISOString();
  readonly notes: string[] = [];
  readonly cleanup = new Cleanup();
  readonly abort = new AbortController();
  readonly sampler = new RssSampler(200);
  readonly rows: BenchRow[] = [];
  /** the pages table (pages.ts) */
  readonly pages: PageRow[] = [];
  /** documents per collection once the data was ready (seeded or reused, fixtures included) */
  collections: Record<string, number> | null = null;
  seeding: SeedResult | null = null;
  scans: OpScanReport[] | null = null;
  scanLines: string[] = [];
  lifetimePeakRssMb: Record<string, number> = {};
  readonly preferWrk = wrkAvailable();
  readonly closedTool = this.preferWrk ? 'wrk (autocannon for writes)' : 'autocannon';
  readonly machine = {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    freeGiB: Math.round(freemem() / 2 ** 30),
    loadavg1m: Number(loadavg()[0]!.toFixed(2)),
    node: process.version,
  };

  constructor(readonly options: Options) {}

  /** The first Ctrl-C (or SIGTERM) aborts the run; the second cleans up at once and exits. */
  handleSignals(): void {
    let interrupts = 0;
    const onSignal = (signal: string) => {
      interrupts++;
      if (interrupts === 1) {
        log(`${signal}: stopping everything this run started …`);
        this.abort.abort();
      } else {
        log(`${signal} again: cleaning up now`);
        void this.cleanup.runAll().finally(() => process.exit(130));
      }
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
  }

  /** The bench only ever uses its own local services: never a database named by the environment. */
  ignoreEnvironmentServices(): void {
    for (const variable of ['MONGODB_URL', 'REDIS_URL', 'TYPESENSE_URL']) {
      if (process.env[variable]) {
        this.notes.push(`${variable} is set in the environment and was ignored: the bench uses its own local services`);
        delete process.env[variable];
      }
    }
  }

  checkAborted(): void {
    if (this.abort.signal.aborted) throw new Aborted();
  }

  /** `--only`: the operations whose name contains one of the given words (all without it). */
  selected(name: string): boolean {
    return !this.options.only.length || this.options.only.some((o) => name.toLowerCase().includes(o));
  }
}
