// Ranking text matches: bm25 ranks results exactly up to a budget; beyond it, in tiers (title
// and tags first); very broad relevance queries on a large index are answered from a sample of
// rowid windows (see QueryRunner, which flags such answers `approximate`).

import { byVotes } from './filter.js';
import { bm25Of, gcRowids, gcRowidsCapped, gcRowidsIn, matchAll } from './matches.js';
import type { Side } from './query-compiler.js';
import { topK } from './rowids.js';
import type { EmbeddedStore } from './store.js';

export interface Ranked {
  /** rowids in result order, at least `needed` of them when there are that many */
  order: number[];
  /** rowid → relevance (bigger is better) where the engine computed one */
  relevance: Map<number, number>;
}

export interface Sample {
  /** text matches in the sampled rowid windows, before filters */
  matched: number;
  /** filtered matches in the windows */
  kept: Int32Array;
  /** the share of the rowid space the windows cover */
  fraction: number;
  windows: Array<[number, number]>;
}

/**
 * bm25 of the sides (summed: bm25 is a sum over the query's phrases) for the sides that match at
 * most `limit` documents, or null when none does. A side matching more is left out of the sum:
 * scoring it would cost a few microseconds per match (its matches all match the other side's
 * narrower text, which decides the order then).
 */
export function sideScores(
  store: EmbeddedStore,
  sides: Side[],
  sizes: number[],
  limit: number,
  title: boolean,
): Map<number, number> | null {
  let scores: Map<number, number> | null = null;
  for (let i = 0; i < sides.length; i++) {
    const side = sides[i]!;
    const size = sizes[i];
    if (size === undefined || size > limit) continue;
    const one = title
      ? bm25Of(store, side.titleTable, side.titleExpr, side.titleWeights)
      : bm25Of(store, side.table, side.expr, side.weights);
    if (!scores) scores = one;
    else for (const [rid, score] of one) scores.set(rid, (scores.get(rid) ?? 0) + score);
  }
  return scores;
}

/**
 * Tier 1 of a tiered ranking: the matches holding every query part in the title or tags (such
 * documents match the whole text query: only the filters remain to be checked), with each side's
 * number of title matches, or an estimate above the cap (it tells how costly bm25 is). A huge
 * tier of a sampled query is only read within the sample windows (for a single part, the windows
 * tell first whether it is huge: then the tier is not read up to the cap; several parts in every
 * title are rarely that many).
 */
function titleTier(store: EmbeddedStore, sides: Side[], sampled: Pick<Sample, 'windows' | 'fraction'> | null) {
  const { titleTierCap } = store.tuning;
  const sizes: number[] = [];
  const { all: tier } = matchAll(sides, (side) => {
    const inWindows = sampled && side.parts === 1 ? gcRowidsIn(store, side.titleTable, side.titleExpr, sampled.windows) : null;
    if (sampled && inWindows && inWindows.length / sampled.fraction > titleTierCap) {
      sizes.push(inWindows.length / sampled.fraction);
      return inWindows;
    }
    const capped = gcRowidsCapped(store, side.titleTable, side.titleExpr, titleTierCap + 1);
    sizes.push(capped.length);
    if (capped.length <= titleTierCap) return capped;
    if (inWindows) return inWindows;
    return sampled ? gcRowidsIn(store, side.titleTable, side.titleExpr, sampled.windows) : gcRowids(store, side.titleTable, side.titleExpr);
  });
  return { tier, sizes };
}

/**
 * Orders text matches by relevance. Exact (bm25 over title 10, tags 5, body 1, ties by score
 * then newest) whenever the text matches at most tuning.rankFullLimit documents: `scores` then
 * holds every match's bm25. Beyond that, scoring every match with bm25() would cost tens of
 * milliseconds, so results come in two tiers: documents whose title or tags hold every query
 * part first (ranked by bm25 on title and tags when there are at most tuning.rankTitleLimit of
 * them, else by votes), then the other matches by votes. `pool` is the set to rank (all
 * filtered matches, or for a sampled query the filtered matches in the sample `windows`).
 */
export function rankByRelevance(
  store: EmbeddedStore,
  sides: Side[],
  pool: Int32Array,
  needed: number,
  keep: (rid: number) => boolean,
  scores: Map<number, number> | null,
  sampled: Pick<Sample, 'windows' | 'fraction'> | null,
): Ranked {
  const votes = byVotes(store.attrs);
  const relevance = new Map<number, number>();
  const withRank = (rank: Map<number, number>) => (a: number, b: number) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0) || votes(a, b);
  if (scores) {
    const order = topK(pool, needed, withRank(scores));
    for (const rid of order) relevance.set(rid, -(scores.get(rid) ?? 0));
    return { order, relevance };
  }
  const { tier, sizes } = titleTier(store, sides, sampled);
  const titled = tier.filter(keep);
  // bm25 costs a few microseconds per row it scores and has a fixed cost per statement (FTS5
  // counts each phrase's documents over the whole table), so it is only used when one statement
  // per side scores the side's whole title matches, and the tier is small
  const { rankTitleLimit } = store.tuning;
  const rank = tier.length <= rankTitleLimit ? sideScores(store, sides, sizes, rankTitleLimit, true) : null;
  const tier1 = topK(titled, needed, rank ? withRank(rank) : votes);
  if (rank) for (const rid of tier1) relevance.set(rid, -(rank.get(rid) ?? 0));
  if (tier1.length >= needed) return { order: tier1, relevance };
  const inTier1 = new Set(tier1);
  const rest = pool.filter((rid) => !inTier1.has(rid));
  return { order: tier1.concat(topK(rest, needed - tier1.length, votes)), relevance };
}

/**
 * The sample windows: tuning.sampleWindows rowid ranges spread over rowids 1..maxRid, each
 * covering its share of tuning.sampleFraction and ending at evenly spaced points (the last one at
 * the newest rowid); on a tiny index, windows that would overlap are left out.
 */
export function sampleWindows(maxRid: number, fraction: number, count: number): { windows: Array<[number, number]>; covered: number } {
  const span = Math.max(1, Math.floor((maxRid * fraction) / count));
  let covered = 0;
  const windows: Array<[number, number]> = [];
  for (let w = 0; w < count; w++) {
    const hi = Math.round((maxRid * (w + 1)) / count);
    const lo = Math.max(1, hi - span + 1);
    if (windows.length > 0 && lo <= windows[windows.length - 1]![1]) continue; // tiny index: no overlaps
    windows.push([lo, hi]);
    covered += hi - lo + 1;
  }
  return { windows, covered };
}

/**
 * Matches the text in tuning.sampleWindows rowid windows spread over the index (FTS5 seeks to
 * a rowid range cheaply), to estimate how many documents a broad query matches without walking
 * doclists of tens of thousands of entries.
 */
export function sample(store: EmbeddedStore, sides: Side[], keep: (rid: number) => boolean): Sample {
  const max = store.attrs.maxRid;
  const { windows, covered } = sampleWindows(max, store.tuning.sampleFraction, store.tuning.sampleWindows);
  const { all } = matchAll(sides, (side) => gcRowidsIn(store, side.table, side.expr, windows));
  return { matched: all.length, kept: all.filter(keep), fraction: covered / max, windows };
}
