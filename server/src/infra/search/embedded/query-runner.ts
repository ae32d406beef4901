// A query: the text becomes FTS5 MATCH expressions (typo and prefix alternatives included, see
// query-compiler.ts): words on `fts`, phrases of two or more words on `fts_pairs` (the matches
// of both are intersected); FTS5 returns the matching rowids only (group_concat, ~0.1 µs per
// match); filters, sorts and facets run on an in-memory columnar cache of the few attributes
// they need (typed arrays by rowid, see attributes.ts); bm25 ranks results exactly up to a
// budget, and very broad relevance queries on a large index are answered from a sample (flagged
// `approximate`, see ranking.ts); highlights come from FTS5 highlight()/snippet() run on a
// private in-memory FTS5 table holding only the page's hits (see hits.ts).

import { SEARCH_STOP_WORDS as STOP_WORDS, searchTokens as tokenize } from '../../../lib/plain-text.js';
import type { SearchHit, SearchQuery, SearchResultPage } from '../search.port.js';
import { F_ANSWER, F_PRESENT } from './attributes.js';
import { refreshAttrs } from './cache-refresh.js';
import { NO_FACETS, facetCounts, scaleFacets } from './facets.js';
import { TagMarks, byVotes, comparator, compileFilter, type Filter } from './filter.js';
import { loadHits } from './hits.js';
import { gcRowids, matchAll, scoredMatches, tagRowids } from './matches.js';
import { compileTextQuery, relevanceTagParts, sidesOf, type Side, type TextQuery, type Vocabulary } from './query-compiler.js';
import { rankByRelevance, sample, sideScores, type Ranked } from './ranking.js';
import { topK } from './rowids.js';
import type { EmbeddedStore } from './store.js';
import { ftsString } from './tokens.js';

const MAX_OFFSET = 10_000;

export function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

const noFacets = (): SearchResultPage['facets'] => ({ ...NO_FACETS });

/** the page window of a query: the hits to skip and how many ranked hits the page needs */
interface Window {
  offset: number;
  needed: number;
}

export class QueryRunner {
  private readonly marks = new TagMarks();
  /** the matches of a query without text (reused: one query runs at a time) */
  private scan = new Int32Array(0);

  constructor(
    private readonly store: EmbeddedStore,
    private readonly vocab: Vocabulary,
  ) {}

  /** Runs a query (call inside a read transaction: the cache, the matches and the hits come from one snapshot). */
  run(q: SearchQuery): SearchResultPage {
    const { store } = this;
    refreshAttrs(store);
    const limit = clampInt(q.limit, 1, 100);
    const offset = clampInt(q.offset, 0, MAX_OFFSET);
    const page: Window = { offset, needed: offset + limit };
    const text = compileTextQuery(q, this.vocab, (texts) => store.exactTokens(texts));
    const filter = compileFilter(q, store.attrs, this.marks, (tag) => tagRowids(store, tag));
    if (!filter) return { total: 0, hits: [], facets: noFacets() };
    if (!text) return this.withoutText(q, filter, page);

    const sides = sidesOf(text, relevanceTagParts(q, text));
    // A broad relevance query on a large index is answered from a sample: estimated total and
    // facets, tiered ranking (see rankByRelevance). Everything else is exact.
    let expectSmall = q.sort === 'relevance';
    if (q.sort === 'relevance' && store.attrs.maxRid >= store.tuning.sampleMinIndex) {
      const sampled = this.fromSample(q, text, sides, filter.keep, page);
      if ('page' in sampled) return sampled.page;
      expectSmall = sampled.expectSmall;
    }
    return this.exact(q, text, sides, filter.keep, page, expectSmall);
  }

  /** A query without text: the candidates are the documents of the rarest required tag, else every document. */
  private withoutText(q: SearchQuery, filter: Filter, page: Window): SearchResultPage {
    const { attrs } = this.store;
    const { keep } = filter;
    let n = 0;
    let matches: Int32Array;
    if (filter.candidates) {
      const ids = filter.candidates;
      for (let i = 0; i < ids.length; i++) if (keep(ids[i]!)) ids[n++] = ids[i]!;
      matches = ids.subarray(0, n);
    } else {
      if (this.scan.length < attrs.maxRid) this.scan = new Int32Array(attrs.maxRid + 4096);
      const scan = this.scan;
      for (let rid = 1; rid <= attrs.maxRid; rid++) if (keep(rid)) scan[n++] = rid;
      matches = scan.subarray(0, n);
    }
    const order = topK(matches, page.needed, comparator(q.sort, attrs));
    return {
      total: n,
      hits: loadHits(this.store, order.slice(page.offset), null, new Map()),
      facets: q.facets ? facetCounts(attrs, matches) : noFacets(),
    };
  }

  /**
   * Estimates the matches from a sample: a broad query is answered from it (`page`); otherwise
   * tells whether the exact path should expect few enough matches for a one-pass bm25.
   */
  private fromSample(
    q: SearchQuery,
    text: TextQuery,
    sides: Side[],
    keep: (rid: number) => boolean,
    page: Window,
  ): { page: SearchResultPage } | { expectSmall: boolean } {
    const { store } = this;
    const { tuning } = store;
    const s = sample(store, sides, keep);
    const estimated = s.matched / s.fraction;
    const estimatedKept = s.kept.length / s.fraction;
    if (estimated > tuning.broadMatches && estimatedKept > tuning.rankFullLimit) {
      const ranked = rankByRelevance(store, sides, s.kept, page.needed, keep, null, s);
      return {
        page: {
          total: Math.round(estimatedKept),
          approximate: true,
          hits: loadHits(store, ranked.order.slice(page.offset), text.expr, ranked.relevance),
          facets: q.facets ? scaleFacets(facetCounts(store.attrs, s.kept), s.fraction) : noFacets(),
        },
      };
    }
    // (a one-pass bm25 that overflows wastes a whole evaluation: only when it most likely fits)
    return { expectSmall: estimated <= tuning.rankFullLimit };
  }

  /** Exact: every match. When few are expected, one pass yields the matches with their bm25. */
  private exact(
    q: SearchQuery,
    text: TextQuery,
    sides: Side[],
    keep: (rid: number) => boolean,
    page: Window,
    expectSmall: boolean,
  ): SearchResultPage {
    const { store } = this;
    const { rankFullLimit } = store.tuning;
    let all: Int32Array | null = null;
    let scores: Map<number, number> | null = null;
    if (expectSmall && sides.length === 1) {
      const rows = scoredMatches(store, sides[0]!, rankFullLimit + 1);
      if (rows.length <= rankFullLimit) {
        scores = new Map(rows);
        all = Int32Array.from(rows, (r) => r[0]);
      }
    }
    if (!all) {
      const matched = matchAll(sides, (side) => gcRowids(store, side.table, side.expr));
      all = matched.all;
      if (q.sort === 'relevance' && all.length <= rankFullLimit) scores = sideScores(store, sides, matched.sizes, rankFullLimit, false);
    }
    let n = 0;
    for (let i = 0; i < all.length; i++) if (keep(all[i]!)) all[n++] = all[i]!;
    const matches = all.subarray(0, n);
    const ranked: Ranked =
      q.sort === 'relevance'
        ? rankByRelevance(store, sides, matches, page.needed, keep, scores, null)
        : { order: topK(matches, page.needed, comparator(q.sort, store.attrs)), relevance: new Map() };
    return {
      total: n,
      hits: loadHits(store, ranked.order.slice(page.offset), text.expr, ranked.relevance),
      facets: q.facets ? facetCounts(store.attrs, matches) : noFacets(),
    };
  }

  /**
   * Questions matching a title MATCH expression (see similarTitleMatch), best first by bm25 on the
   * title (call inside a read transaction).
   */
  similar(match: string, limit: number): SearchHit[] {
    const { store } = this;
    refreshAttrs(store);
    // bm25 on the title; a title of common words matches a lot, so score at most the most
    // recent tuning.rankFullLimit matches
    const rows = store
      .stmt<[string], [number, number]>(
        `SELECT rowid, bm25(fts_title, 1.0, 0.0) FROM fts_title WHERE fts_title MATCH ? ORDER BY rowid DESC LIMIT ${store.tuning.rankFullLimit}`,
      )
      .raw()
      .all(match) as [number, number][];
    const rank = new Map<number, number>();
    for (const [rid, r] of rows) if ((store.attrs.flags[rid]! & (F_PRESENT | F_ANSWER)) === F_PRESENT) rank.set(rid, r);
    const votes = byVotes(store.attrs);
    const best = topK([...rank.keys()], limit, (a, b) => rank.get(a)! - rank.get(b)! || votes(a, b));
    return loadHits(store, best, match, new Map(best.map((rid) => [rid, -rank.get(rid)!])));
  }
}

/** The MATCH expression finding titles that share words with `title` (stop words aside), or null. */
export function similarTitleMatch(title: string): string | null {
  const words: string[] = [];
  for (const token of tokenize(title)) {
    if (token.length >= 2 && !STOP_WORDS.has(token) && !words.includes(token)) words.push(token);
  }
  if (words.length === 0) return null;
  return `title : (${words.slice(0, 12).map(ftsString).join(' OR ')})`;
}
