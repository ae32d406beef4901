import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../lib/random.js';
import { sampleWindows } from './ranking.js';
import { intersectSorted, parseRowids, topK } from './rowids.js';

const rand = mulberry32(3);
/** an ascending list of distinct rowids below `max`, each present with probability p */
const randomList = (max: number, p: number): Int32Array => {
  const out: number[] = [];
  for (let rid = 1; rid < max; rid++) if (rand() < p) out.push(rid);
  return Int32Array.from(out);
};

describe('embedded search: rowid lists', () => {
  it("parses SQLite's group_concat of rowids", () => {
    expect([...parseRowids('3,17,42')]).toEqual([3, 17, 42]);
    expect([...parseRowids('7')]).toEqual([7]);
    expect([...parseRowids(null)]).toEqual([]);
    expect([...parseRowids('')]).toEqual([]);
    const many = Array.from({ length: 5000 }, (_, i) => i * 997 + 1);
    expect([...parseRowids(many.join(','))]).toEqual(many);
    // the buffer is reused: an earlier, longer list leaves nothing behind
    expect([...parseRowids('1,2')]).toEqual([1, 2]);
  });

  it('intersects ascending lists, whatever their lengths', () => {
    for (const [pa, pb] of [
      [0.5, 0.5],
      [0.01, 0.9],
      [0.9, 0.002],
      [0, 0.5],
    ] as const) {
      const a = randomList(20_000, pa);
      const b = randomList(20_000, pb);
      const inB = new Set(b);
      expect([...intersectSorted(a, b)]).toEqual([...a].filter((x) => inB.has(x)));
      expect([...intersectSorted(b, a)]).toEqual([...a].filter((x) => inB.has(x)));
    }
  });

  it('keeps the first k in comparator order, as a full sort would (heap path included)', () => {
    const score = Array.from({ length: 10_001 }, () => Math.floor(rand() * 50));
    const cmp = (a: number, b: number) => score[b]! - score[a]! || a - b;
    for (const n of [10, 3000, 10_000]) {
      const ids = Array.from({ length: n }, (_, i) => i + 1);
      for (const k of [0, 1, 20, 500, n + 5]) {
        expect(topK(ids, k, cmp)).toEqual([...ids].sort(cmp).slice(0, k));
      }
    }
  });

  it('spreads sample windows over the rowid space, the last one ending at the newest rowid', () => {
    expect(sampleWindows(1000, 0.08, 4)).toEqual({
      windows: [
        [231, 250],
        [481, 500],
        [731, 750],
        [981, 1000],
      ],
      covered: 80,
    });
    // a tiny index: windows never overlap
    expect(sampleWindows(3, 0.5, 4)).toEqual({
      windows: [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
      covered: 3,
    });
  });
});
