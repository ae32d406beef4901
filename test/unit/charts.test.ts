// The analytics charts' pure helpers (web/src/lib/components/charts/chart.ts): scales, bar
// geometry and the figures' formats the page and its data tables show.
import { describe, expect, it } from 'vitest';
import { duration, groupedBars, niceMax, percent, stackShares } from '../../web/src/lib/components/charts/chart.js';

describe('chart helpers', () => {
  it('rounds axes up to 1, 2, 2.5 or 5 × 10^n', () => {
    expect([0, 1, 3, 7, 21, 240, 0.3].map(niceMax)).toEqual([1, 1, 5, 10, 25, 250, 0.5]);
  });

  it('draws grouped bars proportional to their values inside the box', () => {
    const [asked, answered] = groupedBars(
      ['d1', 'd2'],
      [
        { name: 'Asked', values: [4, 2], tone: 'accent' },
        { name: 'Answered', values: [3, null], tone: 'success' },
      ],
      200,
      100,
      4,
    );
    expect(asked!.map((b) => b.h)).toEqual([100, 50]);
    expect(answered!.map((b) => b.h)).toEqual([75, 0]);
    expect(asked![0]!.y).toBe(0);
    for (const b of [...asked!, ...answered!]) expect(b.x + b.w).toBeLessThanOrEqual(200);
    expect(answered![0]!.x).toBeGreaterThan(asked![0]!.x);
  });

  it('splits a whole into shares', () => {
    const s = stackShares([
      { name: 'Met', value: 1, tone: 'success' },
      { name: 'Breached', value: 3, tone: 'danger' },
    ]);
    expect(s.map((x) => [x.start, x.width])).toEqual([
      [0, 25],
      [25, 75],
    ]);
    expect(stackShares([{ name: 'Met', value: 0, tone: 'success' }])[0]!.width).toBe(0);
  });

  it('formats ratios and durations', () => {
    expect(percent(0.75)).toBe('75%');
    expect(percent(1 / 3)).toBe('33.3%');
    expect(percent(null)).toBe('—');
    expect(duration(90)).toBe('1 h 30 min');
    expect(duration(45)).toBe('45 min');
    expect(duration(120)).toBe('2 h');
    expect(duration(60 * 24 * 2 + 180)).toBe('2 d 3 h');
    expect(duration(null)).toBe('—');
  });
});
