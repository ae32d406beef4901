// The index file's layout: table sets, generations and the swap.
//
// Layout (one "table set"; a reindex builds a second set with the `_new` suffix and swaps it in
// with one transaction of DROP + ALTER TABLE … RENAME, so readers see the old set or the new
// one, never half of either):
//   docs       one row per post: every SearchDocument field except the texts, plus `version`
//   fts        FTS5 over title, tags (space separated), body; its rowid is docs.rid
//   fts_title  FTS5 over title and tags only (small doclists: relevance tiers, similar titles)
//   fts_pairs  FTS5 over the same columns as word pairs: "a b c" is indexed as the tokens `a_b b_c`
//              at the positions of `a` and `b` (contentless). Phrases are matched here, exactly:
//              "a b c" matches where `"a_b b_c"` does. The positional check of a phrase of very
//              common words on `fts` walks doclists spanning the whole index (30–100 ms for 100k
//              posts); their pairs are much rarer, so it costs a few milliseconds at most. The
//              price: writing a post tokenizes it twice more and indexes ~one pair per word (about
//              twice the CPU of indexing without pairs, and ~45% more disk)
//   fts_title_pairs  word pairs of title and tags only (relevance tiers of phrases)
//   doc_tags   (rid, tag) for exact tag filters and tag facet counts
//   vocab      every indexable word seen, with its length (typo candidates, prefix expansion)
//   vocab_del  deletion-neighbourhood keys → vocab ids (finds words within a typo or two fast)
// Shared by all sets:
//   fts_vocab  fts5vocab over `fts` (is a word in the index, and in how many documents)
//   meta       the live generation and the build in progress
//   changes    rowids touched by each write, in commit order (keeps other processes' caches fresh)

import type Database from 'better-sqlite3';
import type { PostType } from '../search.port.js';
import { PAIRS_TOKENIZER, TOKENIZER } from './tokens.js';

/** the table layout this code reads and writes; a file with another layout is rebuilt empty */
export const LAYOUT_VERSION = '2';
/** a build whose heartbeat is older than this is considered abandoned */
export const BUILD_STALE_MS = 120_000;
/** the change log keeps this many entries (a reader further behind reloads everything) */
export const CHANGE_LOG_KEEP = 100_000;
/** bm25 column weights: title, tags, body (and title, tags on the title-only tables) */
export const BM25_WEIGHTS = '10.0, 5.0, 1.0';
export const BM25_TITLE_WEIGHTS = '10.0, 5.0';

/** the live set's full-text tables (queries only read the live set) */
export type FtsTable = 'fts' | 'fts_title' | 'fts_pairs' | 'fts_title_pairs';

type Suffix = '' | '_new';

export interface TableNames {
  docs: string;
  fts: string;
  /** title and tags only: small doclists, for cheap relevance tiers and similar titles */
  ftsTitle: string;
  /** word pairs of title, tags and body (exact phrases) */
  pairs: string;
  /** word pairs of title and tags */
  titlePairs: string;
  tags: string;
  vocab: string;
  vocabDel: string;
}

export function names(suffix: Suffix): TableNames {
  return {
    docs: `docs${suffix}`,
    fts: `fts${suffix}`,
    ftsTitle: `fts_title${suffix}`,
    pairs: `fts_pairs${suffix}`,
    titlePairs: `fts_title_pairs${suffix}`,
    tags: `doc_tags${suffix}`,
    vocab: `vocab${suffix}`,
    vocabDel: `vocab_del${suffix}`,
  };
}

/** Tables of one set. Secondary indexes are created separately (after a bulk load for a build). */
export function createTablesSql(t: TableNames, gen: string): string {
  return `
    CREATE TABLE IF NOT EXISTS ${t.docs} (
      rid INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      type TEXT NOT NULL,
      question_id TEXT NOT NULL,
      space TEXT NOT NULL,
      author_id TEXT NOT NULL,
      author_handle TEXT NOT NULL,
      score INTEGER NOT NULL,
      answer_count INTEGER NOT NULL,
      is_answered INTEGER NOT NULL,
      has_accepted INTEGER NOT NULL,
      is_accepted INTEGER NOT NULL,
      is_closed INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      last_activity_at INTEGER NOT NULL,
      version INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX IF NOT EXISTS ix_${gen}_docs_id ON ${t.docs}(id);
    CREATE VIRTUAL TABLE IF NOT EXISTS ${t.fts} USING fts5(title, tags, body, tokenize = "${TOKENIZER}", prefix = '2 3');
    CREATE VIRTUAL TABLE IF NOT EXISTS ${t.ftsTitle} USING fts5(title, tags, tokenize = "${TOKENIZER}", prefix = '2 3');
    CREATE VIRTUAL TABLE IF NOT EXISTS ${t.pairs} USING fts5(title, tags, body, tokenize = "${PAIRS_TOKENIZER}", content = '');
    CREATE VIRTUAL TABLE IF NOT EXISTS ${t.titlePairs} USING fts5(title, tags, tokenize = "${PAIRS_TOKENIZER}", content = '');
    CREATE TABLE IF NOT EXISTS ${t.tags} (rid INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (rid, tag)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${t.vocab} (id INTEGER PRIMARY KEY, term TEXT NOT NULL, len INTEGER NOT NULL);
    CREATE UNIQUE INDEX IF NOT EXISTS ix_${gen}_vocab_term ON ${t.vocab}(term);
    CREATE TABLE IF NOT EXISTS ${t.vocabDel} (key TEXT NOT NULL, term_id INTEGER NOT NULL, PRIMARY KEY (key, term_id)) WITHOUT ROWID;
  `;
}

/** FTS5 tables of a set that a reindex bulk-loads without incremental merges */
export const BULK_LOAD_TABLES = (t: TableNames): string[] => [t.fts, t.ftsTitle, t.pairs, t.titlePairs];

export function createIndexesSql(t: TableNames, gen: string): string {
  return `
    CREATE INDEX IF NOT EXISTS ix_${gen}_docs_created ON ${t.docs}(created_at);
    CREATE INDEX IF NOT EXISTS ix_${gen}_tags_tag ON ${t.tags}(tag, rid);
  `;
}

/** the attribute columns the in-memory cache loads (filters, sorts, facets) */
export const ATTR_COLUMNS =
  'rid, type, space, author_id, score, answer_count, is_answered, has_accepted, is_accepted, is_closed, created_at, last_activity_at';
export type AttrRow = [number, string, string, string, number, number, number, number, number, number, number, number];

export interface DocRow {
  rid: number;
  id: string;
  type: PostType;
  question_id: string;
  space: string;
  author_id: string;
  author_handle: string;
  score: number;
  answer_count: number;
  is_answered: number;
  has_accepted: number;
  is_accepted: number;
  is_closed: number;
  created_at: number;
  last_activity_at: number;
  version: number;
}

export interface TextRow {
  title: string;
  tags: string;
  body: string;
}

/** meta 'build': the reindex in progress */
export interface BuildState {
  gen: string;
  owner: string;
  heartbeat: number;
}

/**
 * Creates the shared tables and generation 0 if missing; an index file of another layout is
 * emptied first. Runs inside an IMMEDIATE transaction (see EmbeddedStore.ensureInit).
 */
export function initialiseFile(conn: Database.Database): void {
  conn.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const stamped = conn.prepare(`SELECT value FROM meta WHERE key = 'layout'`).pluck().get() as string | undefined;
  const hasTable = (like: string) =>
    conn.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name LIKE ?`).get(like) !== undefined;
  // files written before layouts were stamped (layout 1) have documents but no title tables
  const layout = hasTable('docs%') && !hasTable('fts_title%') ? '1' : stamped;
  if (layout !== undefined && layout !== LAYOUT_VERSION) {
    // an index file of another layout: the index is derived data, start empty (the sweep or
    // a reindex fills it again)
    const virtual = conn
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'`)
      .pluck()
      .all() as string[];
    for (const name of virtual) conn.exec(`DROP TABLE IF EXISTS "${name}"`);
    const plain = conn
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'meta'`)
      .pluck()
      .all() as string[];
    for (const name of plain) conn.exec(`DROP TABLE IF EXISTS "${name}"`);
    conn.exec(`DELETE FROM meta`);
  }
  conn.prepare(`INSERT OR REPLACE INTO meta(key, value) VALUES ('layout', ?)`).run(LAYOUT_VERSION);
  conn.exec(`CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, rid INTEGER NOT NULL)`);
  // the first process creates generation 0; after a reindex the live set has other index names
  const exists = conn.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'docs'`).get();
  if (!exists) {
    conn.exec(createTablesSql(names(''), '0'));
    conn.exec(createIndexesSql(names(''), '0'));
  }
  conn.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab('fts', 'row')`);
  conn.prepare(`INSERT OR IGNORE INTO meta(key, value) VALUES ('live_gen', '0')`).run();
}

export function dropSet(conn: Database.Database, t: TableNames): void {
  for (const table of [t.fts, t.ftsTitle, t.pairs, t.titlePairs, t.docs, t.tags, t.vocab, t.vocabDel])
    conn.exec(`DROP TABLE IF EXISTS ${table}`);
}

/**
 * Segment merging of a set's FTS5 tables: 'bulk' turns incremental merges off for a reindex's
 * bulk load (one 'optimize' at the end merges everything; fts_pairs has many distinct terms:
 * merging them repeatedly costs), 'incremental' restores FTS5's defaults for the writes to come.
 */
export function setMerging(conn: Database.Database, t: TableNames, mode: 'bulk' | 'incremental'): void {
  const [automerge, crisismerge] = mode === 'bulk' ? [0, 64] : [4, 16];
  for (const table of BULK_LOAD_TABLES(t)) {
    conn.exec(`INSERT INTO ${table}(${table}, rank) VALUES ('automerge', ${automerge})`);
    conn.exec(`INSERT INTO ${table}(${table}, rank) VALUES ('crisismerge', ${crisismerge})`);
  }
}

/**
 * Replaces the live set by the `_new` set of generation `gen` (inside one transaction, so every
 * reader sees either the old set or the new one).
 */
export function swapInNewSet(conn: Database.Database, gen: string): void {
  const next = names('_new');
  const live = names('');
  dropSet(conn, live);
  conn.exec(`ALTER TABLE ${next.docs} RENAME TO ${live.docs}`);
  conn.exec(`ALTER TABLE ${next.fts} RENAME TO ${live.fts}`);
  conn.exec(`ALTER TABLE ${next.ftsTitle} RENAME TO ${live.ftsTitle}`);
  conn.exec(`ALTER TABLE ${next.pairs} RENAME TO ${live.pairs}`);
  conn.exec(`ALTER TABLE ${next.titlePairs} RENAME TO ${live.titlePairs}`);
  conn.exec(`ALTER TABLE ${next.tags} RENAME TO ${live.tags}`);
  conn.exec(`ALTER TABLE ${next.vocab} RENAME TO ${live.vocab}`);
  conn.exec(`ALTER TABLE ${next.vocabDel} RENAME TO ${live.vocabDel}`);
  conn.prepare(`UPDATE meta SET value = ? WHERE key = 'live_gen'`).run(gen);
  conn.prepare(`DELETE FROM meta WHERE key = 'build'`).run();
  // readers reload their caches for the new generation: the old log is of no use
  conn.exec(`DELETE FROM changes`);
}
