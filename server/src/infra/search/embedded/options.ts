// The embedded engine's options and the budgets of its query pipeline.

export interface EmbeddedSearchOptions {
  /** folder holding `search.sqlite` (created if missing), or ':memory:' for a private in-memory index */
  dir: string | ':memory:';
  /** busy timeout in ms while another process holds the write lock (default 10 000) */
  busyTimeoutMs?: number;
  /** query pipeline budgets (tests only) */
  tuning?: Partial<EmbeddedTuning>;
}

/**
 * Budgets of the query pipeline. FTS5's bm25() costs a few microseconds per matching row and
 * walking a doclist about 0.1 µs per entry, so very broad queries on a large index are ranked in
 * tiers and answered from a sample (see rankByRelevance in ranking.ts and QueryRunner in
 * query-runner.ts). Tests shrink these.
 */
export interface EmbeddedTuning {
  /** at most this many text matches: score them all with bm25 (exact ranking) */
  rankFullLimit: number;
  /** tiered ranking: the title/tags tier is ranked by bm25 up to this size, by votes beyond */
  rankTitleLimit: number;
  /** tiered ranking on a sample: a title/tags tier larger than this is only read within the sample */
  titleTierCap: number;
  /** sampling applies from this index size (rowid space) */
  sampleMinIndex: number;
  /** the sample: this share of the rowid space, in this many windows */
  sampleFraction: number;
  sampleWindows: number;
  /** a relevance query is answered from the sample when it matches about this many documents */
  broadMatches: number;
}

export const DEFAULT_TUNING: EmbeddedTuning = {
  rankFullLimit: 2_500,
  rankTitleLimit: 1_000,
  titleTierCap: 5_000,
  sampleMinIndex: 20_000,
  sampleFraction: 0.08,
  sampleWindows: 4,
  broadMatches: 10_000,
};
