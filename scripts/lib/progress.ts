// Terminal progress reporting and text tables for the command-line scripts (imports, seeding,
// benchmarks). Dependency-free.
//
// On a TTY the progress line is redrawn in place (\r) at most every 100 ms:
//   Posts  [██████████░░░░░░░░░░]  48.1%  877 KiB / 1.7 MiB  2.1 MiB/s  ETA 0:01  615 rows
// Elsewhere (CI logs, pipes) a plain line is printed every ~10 % and at the end:
//   Posts: 50% (912 KiB / 1.7 MiB, 2.1 MiB/s, ETA 0:01) 615 rows

/** Where progress and tables are written: process.stderr/stdout, or a test double. */
export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** terminal width (TTY only) */
  columns?: number;
}

export interface ProgressOptions {
  label: string;
  /** the amount that means done; 0 when unknown (no percentage, bar or ETA then) */
  total: number;
  unit: 'rows' | 'bytes';
  /** default process.stderr */
  stream?: Output;
  /** clock in milliseconds (tests); default performance.now */
  now?: () => number;
}

export interface Progress {
  /** `done` so far (absolute, not an increment); `extra` is appended to the line (e.g. "615 rows") */
  update(done: number, extra?: string): void;
  /** prints the final line; later calls (and updates) are ignored */
  finish(extra?: string): void;
}

const REDRAW_MS = 100;
/** rates (and ETAs) are shown once this much time has passed */
const MIN_RATE_MS = 250;
/** without a known total, a non-TTY line is printed this often */
const PLAIN_INTERVAL_MS = 10_000;

export function createProgress(options: ProgressOptions): Progress {
  const { label, unit } = options;
  const total = Number.isFinite(options.total) && options.total > 0 ? options.total : 0;
  const stream: Output = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const started = now();
  let done = 0;
  let extra = '';
  let lastDraw = -Infinity;
  let lastStep = 0; // tenths printed so far (non-TTY)
  let finished = false;

  const amount = (n: number) => (unit === 'bytes' ? formatBytes(n) : formatCount(n));
  // the first few updates give no meaningful rate (and so no ETA)
  const rateOf = (elapsedMs: number) => (elapsedMs >= MIN_RATE_MS && done > 0 ? (done / elapsedMs) * 1000 : 0);
  const perSecond = unit === 'bytes' ? '/s' : ' rows/s';
  const rateText = (rate: number) =>
    rate > 0 ? `${unit === 'bytes' ? formatBytes(rate) : formatCount(Math.round(rate))}${perSecond}` : `…${perSecond}`;
  const fraction = () => (total > 0 ? Math.min(1, Math.max(0, done / total)) : 0);
  const eta = (rate: number) => (total > 0 && rate > 0 ? formatDuration(Math.max(0, total - done) / rate) : '?');
  const doneText = () => (total > 0 ? `${amount(done)} / ${amount(total)}` : amount(done));
  const unitSuffix = unit === 'rows' ? ' rows' : '';
  // fixed for the whole run so that the line does not jitter; room is left for ~70 characters of text
  const barWidth = Math.max(10, Math.min(30, (stream.columns ?? 100) - label.length - 75));

  function ttyLine(): string {
    const rate = rateOf(now() - started);
    const parts: string[] = [];
    if (total > 0) parts.push(`${(fraction() * 100).toFixed(1).padStart(5)}%`);
    parts.push(`${doneText()}${unitSuffix}`, rateText(rate));
    if (total > 0) parts.push(`ETA ${eta(rate)}`);
    if (extra) parts.push(extra);
    const tail = parts.join('  ');
    if (total <= 0) return `${label}  ${tail}`;
    const filled = Math.round(fraction() * barWidth);
    return `${label}  [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]  ${tail}`;
  }

  function plainLine(): string {
    const rate = rateOf(now() - started);
    const details = [`${doneText()}${unitSuffix}`, rateText(rate)];
    if (total > 0) details.push(`ETA ${eta(rate)}`);
    const head = total > 0 ? `${label}: ${Math.floor(fraction() * 100)}%` : `${label}:`;
    return `${head} (${details.join(', ')})${extra ? ` ${extra}` : ''}`;
  }

  function drawTty(): void {
    const line = ttyLine();
    const width = stream.columns ?? 0;
    // never wrap: a wrapped line cannot be redrawn with \r
    stream.write(`\r${width > 1 && line.length >= width ? line.slice(0, width - 1) : line}\x1b[K`);
  }

  return {
    update(value: number, more?: string): void {
      if (finished) return;
      done = value;
      if (more !== undefined) extra = more;
      const t = now();
      if (tty) {
        if (t - lastDraw < REDRAW_MS) return;
        lastDraw = t;
        drawTty();
        return;
      }
      if (total > 0) {
        const step = Math.floor(fraction() * 10);
        if (step > lastStep && step < 10) {
          lastStep = step;
          stream.write(`${plainLine()}\n`);
        }
      } else if (t - (lastDraw === -Infinity ? started : lastDraw) >= PLAIN_INTERVAL_MS) {
        lastDraw = t;
        stream.write(`${plainLine()}\n`);
      }
    },
    finish(more?: string): void {
      if (finished) return;
      finished = true;
      if (more !== undefined) extra = more;
      const elapsedMs = now() - started;
      const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
      const line = `${label}: done, ${amount(done)}${unitSuffix} in ${formatDuration(elapsedMs / 1000)} (${rateText(rate)})${extra ? ` ${extra}` : ''}`;
      stream.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** 1234567 → "1,234,567" */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(n);
}

/** 1536 → "1.5 KiB" */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(value)} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[i]}`;
}

/** seconds → "0:05", "12:34", "1:02:03"; under 10 s with a decimal: "3.2 s" */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

// ---------------------------------------------------------------------------------------------
// Tables

export type TableRow = Record<string, string | number>;

/**
 * An aligned text table: a header, a rule, one line per row. Numbers are right-aligned and
 * grouped ("12,345"), strings left-aligned; a missing cell is empty. `columns` picks and orders the
 * columns (default: every key, in order of first appearance).
 */
export function formatTable(rows: readonly TableRow[], columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (cols.length === 0) return '';
  const cell = (value: string | number | undefined) => (value === undefined ? '' : typeof value === 'number' ? formatCount(value) : value);
  const numeric = cols.map((col) => rows.some((row) => typeof row[col] === 'number') && rows.every((row) => typeof row[col] !== 'string'));
  const body = rows.map((row) => cols.map((col) => cell(row[col])));
  const widths = cols.map((col, i) => Math.max(col.length, ...body.map((cells) => cells[i]!.length)));
  const render = (cells: readonly string[]) =>
    cells
      .map((text, i) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [render(cols), render(widths.map((w) => '-'.repeat(w))), ...body.map(render)].join('\n') + '\n';
}

/** Prints formatTable(rows, columns) to `stream` (default stdout). */
export function printTable(rows: readonly TableRow[], columns?: readonly string[], stream: Output = process.stdout): void {
  stream.write(formatTable(rows, columns));
}
