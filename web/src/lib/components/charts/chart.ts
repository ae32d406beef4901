// Pure helpers of the server-rendered SVG charts (no JavaScript needed to show them): scales,
// tick values and the number formats the charts and their data tables share.

export type Tone = 'accent' | 'success' | 'danger' | 'warning' | 'muted';

export interface Series {
  name: string;
  /** one value per label; null: no value that day (drawn as nothing, shown as "—") */
  values: ReadonlyArray<number | null>;
  tone: Tone;
}

export interface Segment {
  name: string;
  value: number;
  tone: Tone;
}

/** A "nice" upper bound for an axis (1, 2, 2.5, 5 × 10^n) at or above the largest value. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const exp = Math.floor(Math.log10(max));
  const base = 10 ** exp;
  for (const m of [1, 2, 2.5, 5, 10]) if (m * base >= max) return m * base;
  return 10 * base;
}

/** Bars of grouped series in a `width` × `height` box: x, y, w, h per series and label. */
export function groupedBars(
  labels: readonly string[],
  series: readonly Series[],
  width: number,
  height: number,
  max: number,
): Array<Array<{ x: number; y: number; w: number; h: number; value: number | null }>> {
  const n = Math.max(1, labels.length);
  const slot = width / n;
  const gap = Math.min(slot * 0.2, 8);
  const bar = Math.max(0.5, (slot - gap) / Math.max(1, series.length));
  return series.map((s, si) =>
    labels.map((_, i) => {
      const value = s.values[i] ?? null;
      const h = value === null || max <= 0 ? 0 : (Math.max(0, value) / max) * height;
      return { x: i * slot + gap / 2 + si * bar, y: height - h, w: bar, h, value };
    }),
  );
}

/** Shares of a whole for a 100% bar (pure): each segment's start and width, in percent. */
export function stackShares(segments: readonly Segment[]): Array<Segment & { start: number; width: number }> {
  const total = segments.reduce((n, s) => n + Math.max(0, s.value), 0);
  let at = 0;
  return segments.map((s) => {
    const width = total ? (Math.max(0, s.value) / total) * 100 : 0;
    const out = { ...s, start: at, width };
    at += width;
    return out;
  });
}

/** A ratio as a percentage with one decimal ("75%", "33.3%"); "—" without one. */
export function percent(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  const p = Math.round(r * 1000) / 10;
  return `${p}%`;
}

/** Minutes as a duration ("45 min", "1 h 30 min", "2 d 3 h"); "—" without one. */
export function duration(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return '—';
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) {
    const h = Math.floor(m / 60);
    const rest = m % 60;
    return rest ? `${h} h ${rest} min` : `${h} h`;
  }
  const d = Math.floor(m / (24 * 60));
  const h = Math.floor((m % (24 * 60)) / 60);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** A value for a data table cell. */
export function cell(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : String(Math.round(v * 100) / 100);
}

/** The colour of each tone (theme variables), for the bars and the legend's swatches. */
export const TONE_COLOR: Record<Tone, string> = {
  accent: 'var(--accent)',
  success: 'var(--success)',
  danger: 'var(--danger)',
  warning: 'var(--warning)',
  muted: 'var(--fg-subtle)',
};
