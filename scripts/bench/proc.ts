// /proc readers for the benchmark: memory (peak RSS per process) and CPU time (to wait until the
// system is idle between runs). Linux only; elsewhere every reading is undefined.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** VmRSS and VmHWM (peak RSS over the process's life) in KiB. */
export function readMemory(pid: number): { rssKb: number; hwmKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const rssKb = field('VmRSS');
    const hwmKb = field('VmHWM');
    return Number.isFinite(rssKb) ? { rssKb, hwmKb: Number.isFinite(hwmKb) ? hwmKb : rssKb } : undefined;
  } catch {
    return undefined;
  }
}

/** user + system CPU time of a process, in clock ticks (USER_HZ, 100 on Linux). */
export function readCpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may contain spaces: fields are counted after its closing ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]); // utime, stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}

const TICKS_PER_SECOND = 100;

/**
 * Waits until the given processes together use less than `maxCores` CPU over a 500 ms window
 * (a slow run leaves queued work behind: the next run must not pay for it). Gives up after
 * `timeoutMs` and says how busy they still were.
 */
export async function waitIdle(
  pids: number[],
  options: { maxCores?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ waitedMs: number; cores: number }> {
  const maxCores = options.maxCores ?? 0.15;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const started = Date.now();
  const total = () => pids.reduce((sum, pid) => sum + (readCpuTicks(pid) ?? 0), 0);
  let cores = 0;
  for (;;) {
    const t0 = total();
    const s0 = performance.now();
    await sleep(500);
    cores = (total() - t0) / TICKS_PER_SECOND / ((performance.now() - s0) / 1000);
    if (cores < maxCores || Date.now() > deadline || options.signal?.aborted) return { waitedMs: Date.now() - started, cores };
  }
}

/**
 * Samples the resident memory of named processes every `intervalMs` (VmRSS), keeping the peak
 * per process for the current window; `takeWindow()` returns the window's peaks (MiB) and
 * starts a new one.
 */
export class RssSampler {
  private readonly pids = new Map<string, number>();
  private peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 200) {}

  watch(name: string, pid: number | undefined): void {
    if (pid !== undefined) this.pids.set(name, pid);
  }

  unwatch(name: string): void {
    this.pids.delete(name);
  }

  pid(name: string): number | undefined {
    return this.pids.get(name);
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    for (const [name, pid] of this.pids) {
      const mem = readMemory(pid);
      if (mem) this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, mem.rssKb));
    }
  }

  /** peak RSS (MiB) per watched process since the previous call */
  takeWindow(): Record<string, number> {
    this.sample();
    const out: Record<string, number> = {};
    for (const [name, kb] of this.peaks) out[name] = Math.round(kb / 1024);
    this.peaks = new Map();
    return out;
  }

  /** VmHWM (MiB): the peak over each process's whole life */
  lifetimePeaks(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of this.pids) {
      const mem = readMemory(pid);
      if (mem) out[name] = Math.round(mem.hwmKb / 1024);
    }
    return out;
  }
}

/** A process and all its descendants (Linux: /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      let children = '';
      try {
        children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of children.split(' ').filter(Boolean)) walk(Number(c));
    }
  };
  walk(pid);
  return out;
}

/**
 * Calls `onStall` once when the given processes together used no CPU for `quietMs` (a
 * deadlock: everybody waits). Returns a function that stops watching.
 */
export function watchStall(pids: () => number[], quietMs: number, onStall: () => void): () => void {
  let lastTicks = -1;
  let quietSince = Date.now();
  const timer = setInterval(() => {
    const ticks = pids().reduce((sum, pid) => sum + (readCpuTicks(pid) ?? 0), 0);
    if (ticks !== lastTicks) {
      lastTicks = ticks;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      clearInterval(timer);
      onStall();
    }
  }, 5_000);
  timer.unref();
  return () => clearInterval(timer);
}
