// The search port: what the application needs from a search engine. Two adapters implement it:
// Typesense (production, when TYPESENSE_URL is set) and an embedded engine (the default).
// MongoDB stays the source of truth; an index can always be rebuilt from it.

import type { PostType } from '../../lib/search-query.js';

export type { PostType };

/** One searchable post, flattened for the index. */
export interface SearchDocument {
  /** the post's id (24-hex ObjectId string) */
  id: string;
  type: PostType;
  /** the question this post belongs to (its own id for a question) */
  questionId: string;
  /** the question's title (answers carry their question's title) */
  title: string;
  /** plain text of the Markdown body (no markup) */
  body: string;
  tags: string[];
  /** space slug */
  space: string;
  authorId: string;
  authorHandle: string;
  score: number;
  answerCount: number;
  /** question: has an answer with score > 0 or an accepted answer; answer: its question is answered */
  isAnswered: boolean;
  /** question: has an accepted answer (answers: their question has one) */
  hasAccepted: boolean;
  /** answer: it is the accepted answer (always false for questions) */
  isAccepted: boolean;
  isClosed: boolean;
  /** epoch milliseconds */
  createdAt: number;
  lastActivityAt: number;
  /** the post's search version; the index keeps the version it holds */
  version: number;
}

export type SearchSort = 'relevance' | 'newest' | 'votes' | 'activity';

/** A structured query (the query-language parser produces most of it). */
export interface SearchQuery {
  /** free-text terms (typo tolerant; the last term also matches as a prefix) */
  terms: string[];
  /** exact phrases, each must appear */
  phrases: string[];
  /** every tag must be present */
  tags: string[];
  /** none of these tags may be present */
  excludedTags: string[];
  authorIds?: string[];
  type?: PostType;
  /** score >= minScore */
  minScore?: number;
  /** answers:N — questions with answerCount >= N; answers:0 — exactly 0 */
  answers?: number;
  isAccepted?: boolean;
  hasAccepted?: boolean;
  isClosed?: boolean;
  spaces?: string[];
  /** createdAt range, epoch ms, inclusive from / exclusive to */
  createdFrom?: number;
  createdTo?: number;
  sort: SearchSort;
  /** page size 1..100 */
  limit: number;
  /** number of hits to skip (search pages are addressed by an opaque cursor over this) */
  offset: number;
  /** compute facet counts (tags, space, type, status) */
  facets: boolean;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface SearchHit {
  id: string;
  type: PostType;
  questionId: string;
  /** title with matches wrapped in <mark>…</mark>; other text HTML-escaped */
  titleHighlight: string;
  /** a short excerpt of the body around the matches, same markup rules */
  snippet: string;
  /** the engine's relevance score (bigger is better; only comparable within one result) */
  relevance: number;
  document: SearchDocument;
}

export interface SearchResultPage {
  total: number;
  /**
   * true when `total` and the facet counts are estimates (the embedded engine samples very broad
   * relevance queries on large indexes; show "about N results"). Absent or false: exact.
   */
  approximate?: boolean;
  hits: SearchHit[];
  facets: {
    tags: FacetCount[];
    space: FacetCount[];
    type: FacetCount[];
    /** status values: answered, unanswered, accepted, closed */
    status: FacetCount[];
  };
}

export interface ReindexProgress {
  done: number;
  total: number;
}

export interface SearchPort {
  readonly name: 'typesense' | 'embedded';
  /** prepares collections/tables (idempotent) */
  init(): Promise<void>;
  /** inserts or replaces documents; a document with a lower version than the stored one is ignored */
  upsert(docs: SearchDocument[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  query(query: SearchQuery): Promise<SearchResultPage>;
  /** questions whose titles look like this one (duplicate detection while asking) */
  similar(title: string, limit: number): Promise<SearchHit[]>;
  /** the versions the index holds for these ids (absent ids are missing from the index) */
  versions(ids: string[]): Promise<Map<string, number>>;
  /** every id the index holds (for the convergence sweep: stale entries get removed) */
  allIds(): AsyncIterable<string[]>;
  /** builds a fresh index from a full scan and swaps it in atomically (zero downtime) */
  reindex(source: AsyncIterable<SearchDocument[]>, total: number, onProgress?: (p: ReindexProgress) => void): Promise<void>;
  count(): Promise<number>;
  close(): Promise<void>;
}
