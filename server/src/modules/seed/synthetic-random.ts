// The synthetic generator's randomness: one seeded PRNG (mulberry32) drives every choice, sampled
// through these distributions.
import { mulberry32 } from '../../lib/random.js';

export { mulberry32 };

/** Samples ranks 0..n-1 with P(k) ∝ 1/(k+1)^s (binary search over the cumulative weights). */
export class Zipf {
  private readonly cdf: Float64Array;
  constructor(
    readonly n: number,
    s: number,
  ) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      sum += 1 / Math.pow(k + 1, s);
      this.cdf[k] = sum;
    }
    for (let k = 0; k < n; k++) this.cdf[k]! /= sum;
  }
  sample(rand: () => number): number {
    const u = rand();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Geometric on {0, 1, 2, …} with the given mean. */
export function geometric(rand: () => number, mean: number): number {
  if (mean <= 0) return 0;
  const p = 1 / (1 + mean);
  return Math.floor(Math.log(1 - rand()) / Math.log(1 - p));
}

export function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}
