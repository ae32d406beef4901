// The embedded search engine: SQLite FTS5 through better-sqlite3, in one database file under
// `dir`. The file survives restarts and several processes can use it at once in WAL mode (the api
// queries it, the worker writes it); every write is a short IMMEDIATE transaction.
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
//
// A query: the text becomes FTS5 MATCH expressions (typo and prefix alternatives included): words
// on `fts`, phrases of two or more words on `fts_pairs` (the matches of both are intersected);
// FTS5 returns the matching rowids only (group_concat, ~0.1 µs per match); filters, sorts and
// facets run on an in-memory columnar cache of the few attributes they need (typed arrays by
// rowid); bm25 ranks results exactly up to a budget, and very broad relevance queries on a large
// index are answered from a sample (flagged `approximate`); highlights come from FTS5
// highlight()/snippet() run on a private in-memory FTS5 table holding only the page's hits.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { ConflictError } from '../../lib/errors.js';
import { SEARCH_STOP_WORDS as STOP_WORDS, escapeHtml, leadingWords, markedToHtml, searchTokens as tokenize } from '../../lib/plain-text.js';
import type {
  FacetCount,
  PostType,
  ReindexProgress,
  SearchDocument,
  SearchHit,
  SearchPort,
  SearchQuery,
  SearchResultPage,
} from './search.port.js';

export interface EmbeddedSearchOptions {
  /** folder holding `search.sqlite` (created if missing), or ':memory:' for a private in-memory index */
  dir: string | ':memory:';
  /** busy timeout in ms while another process holds the write lock (default 10 000) */
  busyTimeoutMs?: number;
  /** query pipeline budgets (tests only) */
  tuning?: Partial<EmbeddedTuning>;
}

// ---------------------------------------------------------------------------------------------
// Tokens, typo distance and the deletion neighbourhood

/** Restricted Damerau–Levenshtein (optimal string alignment) distance, giving up above `max`. */
export function typoDistance(a: string, b: string, max: number): number {
  const s = Array.from(a);
  const t = Array.from(b);
  const n = s.length;
  const m = t.length;
  if (Math.abs(n - m) > max) return max + 1;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/** Only a word's first characters take part in its deletion neighbourhood (bounds its size). */
const TYPO_PREFIX = 6;

/**
 * The deletion neighbourhood of a word's prefix: every string obtained by deleting up to
 * `maxDeletes` characters from its first TYPO_PREFIX characters. Two words within
 * Damerau–Levenshtein distance d share a key when each side may delete d characters (the
 * symmetric-delete method; truncating both to the same prefix length keeps that true), so typo
 * candidates come from a few indexed key lookups instead of a vocabulary scan. The real distance
 * is then checked on the candidates.
 */
export function deletionKeys(word: string, maxDeletes: number): string[] {
  const prefix = Array.from(word).slice(0, TYPO_PREFIX);
  const seen = new Set<string>([prefix.join('')]);
  let frontier = [prefix];
  for (let d = 0; d < maxDeletes; d++) {
    const next: string[][] = [];
    for (const chars of frontier) {
      if (chars.length <= 1) continue;
      for (let i = 0; i < chars.length; i++) {
        const del = chars.slice(0, i).concat(chars.slice(i + 1));
        const key = del.join('');
        if (!seen.has(key)) {
          seen.add(key);
          next.push(del);
        }
      }
    }
    frontier = next;
  }
  return [...seen];
}

/** Typos a query word may carry: none below 5 letters, 1 from 5 letters, 2 from 8. */
export function allowedTypos(word: string): number {
  if (!/^\p{L}[\p{L}\p{N}]*$/u.test(word)) return 0;
  const len = Array.from(word).length;
  return len >= 8 ? 2 : len >= 5 ? 1 : 0;
}

/** Words the vocabulary keeps for typo correction: 4–40 letters/digits starting with a letter. */
const VOCAB_WORD = /^\p{L}[\p{L}\p{N}]{3,39}$/u;

// ---------------------------------------------------------------------------------------------
// SQL

const TOKENIZER = `unicode61 remove_diacritics 2 tokenchars '+#'`;
/** bm25 column weights: title, tags, body (and title, tags on the title-only tables) */
const BM25_WEIGHTS = '10.0, 5.0, 1.0';
const BM25_TITLE_WEIGHTS = '10.0, 5.0';
/**
 * fts_pairs holds word pairs `a_b` made of TOKENIZER's tokens (which never contain `_`), already
 * folded: the ascii tokenizer keeps each pair whole and changes nothing else.
 */
const PAIRS_TOKENIZER = `ascii tokenchars '_+#'`;
/**
 * Words longer than this take no part in pairs (their pair is PAIR_GAP, which keeps positions
 * aligned); a phrase holding one is matched on `fts` (such a word is rare, so that is cheap).
 */
const PAIR_WORD_MAX = 100;
const PAIR_GAP = '_';
/** highlight markers: control characters stripped from every indexed text, so only FTS5 emits them */
const OPEN = '\u0001';
const CLOSE = '\u0002';
const SNIPPET_TOKENS = 30;
const MAX_TERMS = 16;
const MAX_PHRASES = 8;
const MAX_TYPO_EXPANSIONS = 6;
const MAX_OFFSET = 10_000;
const MAX_BODY = 100_000;
/** the table layout this code reads and writes; a file with another layout is rebuilt empty */
const LAYOUT_VERSION = '2';
/** a build whose heartbeat is older than this is considered abandoned */
const BUILD_STALE_MS = 120_000;
/** the change log keeps this many entries (a reader further behind reloads everything) */
const CHANGE_LOG_KEEP = 100_000;

/**
 * Budgets of the query pipeline. FTS5's bm25() costs a few microseconds per matching row and
 * walking a doclist about 0.1 µs per entry, so very broad queries on a large index are ranked in
 * tiers and answered from a sample (see rankByRelevance and runQuery). Tests shrink these.
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

const DEFAULT_TUNING: EmbeddedTuning = {
  rankFullLimit: 2_500,
  rankTitleLimit: 1_000,
  titleTierCap: 5_000,
  sampleMinIndex: 20_000,
  sampleFraction: 0.08,
  sampleWindows: 4,
  broadMatches: 10_000,
};

type Suffix = '' | '_new';

interface TableNames {
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

function names(suffix: Suffix): TableNames {
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
function createTablesSql(t: TableNames, gen: string): string {
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
const BULK_LOAD_TABLES = (t: TableNames): string[] => [t.fts, t.ftsTitle, t.pairs, t.titlePairs];

function createIndexesSql(t: TableNames, gen: string): string {
  return `
    CREATE INDEX IF NOT EXISTS ix_${gen}_docs_created ON ${t.docs}(created_at);
    CREATE INDEX IF NOT EXISTS ix_${gen}_tags_tag ON ${t.tags}(tag, rid);
  `;
}

/** the attribute columns the in-memory cache loads (filters, sorts, facets) */
const ATTR_COLUMNS =
  'rid, type, space, author_id, score, answer_count, is_answered, has_accepted, is_accepted, is_closed, created_at, last_activity_at';
type AttrRow = [number, string, string, string, number, number, number, number, number, number, number, number];

interface DocRow {
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

interface TextRow {
  title: string;
  tags: string;
  body: string;
}

interface BuildState {
  gen: string;
  owner: string;
  heartbeat: number;
}

/** Per table set: the statements that write it. */
interface Writer {
  names: TableNames;
  findDoc: Database.Statement<[string], { rid: number; version: number }>;
  insertDoc: Database.Statement<unknown[], unknown>;
  updateDoc: Database.Statement<unknown[], unknown>;
  deleteDoc: Database.Statement<[number], unknown>;
  readText: Database.Statement<[number], TextRow>;
  insertText: Database.Statement<[number, string, string, string], unknown>;
  deleteText: Database.Statement<[number], unknown>;
  insertTitle: Database.Statement<[number, string, string], unknown>;
  deleteTitle: Database.Statement<[number], unknown>;
  insertPairs: Database.Statement<[number, string, string, string], unknown>;
  /** FTS5's 'delete' command: a contentless table is told the texts a row was indexed with */
  deletePairs: Database.Statement<[number, string, string, string], unknown>;
  insertTitlePairs: Database.Statement<[number, string, string], unknown>;
  deleteTitlePairs: Database.Statement<[number, string, string], unknown>;
  insertTag: Database.Statement<[number, string], unknown>;
  deleteTags: Database.Statement<[number], unknown>;
  insertTerm: Database.Statement<[string, number], unknown>;
  insertKey: Database.Statement<[string, number | bigint], unknown>;
  /** appends to the change log (live set only: readers refresh their caches from it) */
  logChange: Database.Statement<[number], Database.RunResult> | null;
  /** words known to be in this set's vocabulary (skips repeated INSERT OR IGNOREs) */
  knownTerms: Set<string>;
}

/** A document ready to be written: cleaned texts and their tokens (computed once for every set). */
interface PreparedDoc {
  doc: SearchDocument;
  title: string;
  tags: string[];
  tagText: string;
  body: string;
  /** the index tokens of title, tags and body */
  tokens: [string[], string[], string[]];
  /** fts_pairs texts of title, tags and body */
  pairs: [string, string, string];
}

/** Removes the highlight markers (and other C0 controls except tab/newline) from indexed text. */
function clean(text: string, max = Number.POSITIVE_INFINITY): string {
  // eslint-disable-next-line no-control-regex
  const out = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ');
  return out.length > max ? out.slice(0, max) : out;
}

function normaliseTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    const t = tag.trim().toLowerCase().replace(/\s+/g, '-');
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** An FTS5 string: tokenized by FTS5 itself, so `node.js` becomes the phrase `node js`. */
function ftsString(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

/** Parses SQLite's group_concat of integer rowids ("3,17,42") without creating strings. */
let parseBuffer = new Int32Array(1024);

function parseRowids(list: string | null | undefined): Int32Array {
  if (!list) return new Int32Array(0);
  // one pass into a reused buffer (n rowids take at least 2n - 1 characters), then one copy of
  // the exact size
  const room = (list.length + 1) >> 1;
  if (parseBuffer.length < room) parseBuffer = new Int32Array(Math.max(room, parseBuffer.length * 2));
  const out = parseBuffer;
  let k = 0;
  let v = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c === 44) {
      out[k++] = v;
      v = 0;
    } else {
      v = v * 10 + (c - 48);
    }
  }
  out[k++] = v;
  return out.slice(0, k);
}

// ---------------------------------------------------------------------------------------------
// Exact tokens (word pairs must be made of the very tokens FTS5 indexes)

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\u0000-\u007f]*$/;
const ASCII_SEPARATORS = /[^a-z0-9+#]+/;

/**
 * TOKENIZER's tokens of an ASCII text. On ASCII, unicode61 keeps runs of letters, digits and the
 * tokenchars `+#`, lower-cased (diacritics do not occur), so this is exact; other texts are
 * tokenized by FTS5 itself (see `exactTokens` in the adapter).
 */
export function asciiTokens(text: string): string[] {
  const parts = text.toLowerCase().split(ASCII_SEPARATORS);
  let n = 0;
  for (const part of parts) if (part.length > 0) parts[n++] = part;
  parts.length = n;
  return parts;
}

export function isAscii(text: string): boolean {
  return ASCII_ONLY.test(text);
}

/** The fts_pairs text of one column's tokens: each adjacent pair as one token `a_b`. */
export function pairText(tokens: readonly string[]): string {
  if (tokens.length < 2) return '';
  let out = '';
  for (let i = 1; i < tokens.length; i++) {
    const a = tokens[i - 1]!;
    const b = tokens[i]!;
    if (i > 1) out += ' ';
    out += a.length > PAIR_WORD_MAX || b.length > PAIR_WORD_MAX ? PAIR_GAP : `${a}_${b}`;
  }
  return out;
}

/**
 * The fts_pairs phrase for a phrase's tokens (two or more), or null when a word is too long to be
 * paired. `"a b c"` on `fts` matches exactly where `"a_b b_c"` matches on fts_pairs: at a
 * position p of one column, a_b at p and b_c at p + 1 mean a, b, c at p, p + 1, p + 2.
 */
export function pairPhrase(tokens: readonly string[]): string | null {
  if (tokens.length < 2 || tokens.some((t) => t.length > PAIR_WORD_MAX)) return null;
  const pairs: string[] = [];
  for (let i = 1; i < tokens.length; i++) pairs.push(`${tokens[i - 1]!}_${tokens[i]!}`);
  return `"${pairs.join(' ')}"`;
}

/** Intersection of ascending rowid lists. */
function intersectSorted(a: Int32Array, b: Int32Array): Int32Array {
  if (a.length > b.length) [a, b] = [b, a];
  const out = new Int32Array(a.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < a.length && j < b.length; i++) {
    const v = a[i]!;
    if (b[j]! < v) {
      // gallop: the longer list is often much longer
      let step = 1;
      let hi = j + 1;
      while (hi < b.length && b[hi]! < v) {
        j = hi;
        step *= 2;
        hi = j + step;
      }
      hi = Math.min(hi, b.length);
      while (j < hi && b[j]! < v) {
        const mid = (j + hi) >> 1;
        if (b[mid]! < v) j = mid + 1;
        else hi = mid;
      }
    }
    if (j < b.length && b[j] === v) out[n++] = v;
  }
  return out.subarray(0, n);
}

// ---------------------------------------------------------------------------------------------
// The in-memory attribute cache
//
// Filters, sorts and facets need a few small attributes of every matching document. Reading them
// from SQLite costs about a microsecond per row, far too slow for queries matching most of the
// index, so each process keeps them in typed arrays indexed by rowid. The cache follows writes
// of every process through the `changes` log (rowids touched, in commit order) and reloads
// entirely when a reindex swaps in a new generation.

const F_PRESENT = 1;
const F_ANSWER = 2;
const F_ANSWERED = 4;
const F_HAS_ACCEPTED = 8;
const F_ACCEPTED = 16;
const F_CLOSED = 32;

class Interner {
  readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }
}

const NO_TAGS = new Int32Array(0);

class AttributeCache {
  gen = '';
  seq = -1;
  maxRid = 0;
  flags = new Uint8Array(0);
  score = new Int32Array(0);
  answers = new Int32Array(0);
  created = new Float64Array(0);
  activity = new Float64Array(0);
  space = new Int32Array(0);
  author = new Int32Array(0);
  tags: Int32Array[] = [];
  /** documents per tag id (picks the most selective tag of a query) */
  tagDocs: number[] = [];
  readonly spaces = new Interner();
  readonly authors = new Interner();
  readonly tagNames = new Interner();

  reset(gen: string, seq: number): void {
    this.gen = gen;
    this.seq = seq;
    this.maxRid = 0;
    this.flags = new Uint8Array(0);
    this.tags = [];
    this.tagDocs = [];
    this.grow(1024);
  }

  private grow(minCapacity: number): void {
    if (minCapacity < this.flags.length) return;
    const cap = Math.max(minCapacity + 1, Math.ceil(this.flags.length * 1.5), 1024);
    const copy = <T extends Uint8Array | Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(cap);
      next.set(old);
      return next;
    };
    this.flags = copy(this.flags, (n) => new Uint8Array(n));
    this.score = copy(this.score, (n) => new Int32Array(n));
    this.answers = copy(this.answers, (n) => new Int32Array(n));
    this.created = copy(this.created, (n) => new Float64Array(n));
    this.activity = copy(this.activity, (n) => new Float64Array(n));
    this.space = copy(this.space, (n) => new Int32Array(n));
    this.author = copy(this.author, (n) => new Int32Array(n));
  }

  set(row: AttrRow): void {
    const [rid, type, space, author, score, answers, answered, hasAccepted, accepted, closed, created, activity] = row;
    this.grow(rid);
    this.flags[rid] =
      F_PRESENT |
      (type === 'answer' ? F_ANSWER : 0) |
      (answered ? F_ANSWERED : 0) |
      (hasAccepted ? F_HAS_ACCEPTED : 0) |
      (accepted ? F_ACCEPTED : 0) |
      (closed ? F_CLOSED : 0);
    this.score[rid] = score;
    this.answers[rid] = answers;
    this.created[rid] = created;
    this.activity[rid] = activity;
    this.space[rid] = this.spaces.id(space);
    this.author[rid] = this.authors.id(author);
    if (rid > this.maxRid) this.maxRid = rid;
  }

  setTags(rid: number, tags: string | null): void {
    this.countTags(rid, -1);
    this.tags[rid] = tags ? Int32Array.from(tags.split(' '), (t) => this.tagNames.id(t)) : NO_TAGS;
    this.countTags(rid, 1);
  }

  delete(rid: number): void {
    if (rid < this.flags.length) this.flags[rid] = 0;
    this.countTags(rid, -1);
    this.tags[rid] = NO_TAGS;
  }

  private countTags(rid: number, delta: number): void {
    const tags = this.tags[rid];
    if (tags) for (const t of tags) this.tagDocs[t] = (this.tagDocs[t] ?? 0) + delta;
  }

  tagsOf(rid: number): Int32Array {
    return this.tags[rid] ?? NO_TAGS;
  }
}

// ---------------------------------------------------------------------------------------------

export function createEmbeddedSearch(options: EmbeddedSearchOptions): SearchPort {
  const owner = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let db: Database.Database | null = null;
  let closed = false;
  const statements = new Map<string, Database.Statement>();
  let liveWriter: Writer | null = null;
  let liveGen: string | null = null;
  let buildWriter: { gen: string; writer: Writer } | null = null;
  const attrs = new AttributeCache();
  const tuning: EmbeddedTuning = { ...DEFAULT_TUNING, ...options.tuning };

  function open(): Database.Database {
    if (closed) throw new Error('the embedded search index is closed');
    if (db) return db;
    let file = ':memory:';
    if (options.dir !== ':memory:') {
      mkdirSync(options.dir, { recursive: true });
      file = join(options.dir, 'search.sqlite');
    }
    const conn = new Database(file, { timeout: options.busyTimeoutMs ?? 10_000 });
    if (file !== ':memory:') conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
    conn.pragma('cache_size = -65536');
    conn.pragma('temp_store = MEMORY');
    conn.pragma('mmap_size = 1073741824');
    db = conn;
    return conn;
  }

  /** a cached prepared statement (statements re-prepare themselves after another process's swap) */
  function stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let s = statements.get(sql);
    if (!s) {
      s = open().prepare(sql);
      if (statements.size > 500) statements.clear();
      statements.set(sql, s);
    }
    return s as unknown as Database.Statement<P, R>;
  }

  let initialised = false;
  function ensureInit(): Database.Database {
    const conn = open();
    if (initialised) return conn;
    conn
      .transaction(() => {
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
      })
      .immediate();
    initialised = true;
    return conn;
  }

  function makeWriter(t: TableNames, live: boolean): Writer {
    const conn = open();
    return {
      names: t,
      findDoc: conn.prepare(`SELECT rid, version FROM ${t.docs} WHERE id = ?`),
      insertDoc: conn.prepare(
        `INSERT INTO ${t.docs} (id, type, question_id, space, author_id, author_handle, score, answer_count, is_answered,
           has_accepted, is_accepted, is_closed, created_at, last_activity_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateDoc: conn.prepare(
        `UPDATE ${t.docs} SET id = ?, type = ?, question_id = ?, space = ?, author_id = ?, author_handle = ?, score = ?,
           answer_count = ?, is_answered = ?, has_accepted = ?, is_accepted = ?, is_closed = ?, created_at = ?,
           last_activity_at = ?, version = ? WHERE rid = ?`,
      ),
      deleteDoc: conn.prepare(`DELETE FROM ${t.docs} WHERE rid = ?`),
      readText: conn.prepare(`SELECT title, tags, body FROM ${t.fts} WHERE rowid = ?`),
      insertText: conn.prepare(`INSERT INTO ${t.fts} (rowid, title, tags, body) VALUES (?, ?, ?, ?)`),
      deleteText: conn.prepare(`DELETE FROM ${t.fts} WHERE rowid = ?`),
      insertTitle: conn.prepare(`INSERT INTO ${t.ftsTitle} (rowid, title, tags) VALUES (?, ?, ?)`),
      deleteTitle: conn.prepare(`DELETE FROM ${t.ftsTitle} WHERE rowid = ?`),
      insertPairs: conn.prepare(`INSERT INTO ${t.pairs} (rowid, title, tags, body) VALUES (?, ?, ?, ?)`),
      deletePairs: conn.prepare(`INSERT INTO ${t.pairs} (${t.pairs}, rowid, title, tags, body) VALUES ('delete', ?, ?, ?, ?)`),
      insertTitlePairs: conn.prepare(`INSERT INTO ${t.titlePairs} (rowid, title, tags) VALUES (?, ?, ?)`),
      deleteTitlePairs: conn.prepare(`INSERT INTO ${t.titlePairs} (${t.titlePairs}, rowid, title, tags) VALUES ('delete', ?, ?, ?)`),
      insertTag: conn.prepare(`INSERT OR IGNORE INTO ${t.tags} (rid, tag) VALUES (?, ?)`),
      deleteTags: conn.prepare(`DELETE FROM ${t.tags} WHERE rid = ?`),
      insertTerm: conn.prepare(`INSERT OR IGNORE INTO ${t.vocab} (term, len) VALUES (?, ?)`),
      insertKey: conn.prepare(`INSERT OR IGNORE INTO ${t.vocabDel} (key, term_id) VALUES (?, ?)`),
      logChange: live ? conn.prepare(`INSERT INTO changes (rid) VALUES (?)`) : null,
      knownTerms: new Set(),
    };
  }

  function readMeta(key: string): string | undefined {
    return stmt<[string], { value: string }>(`SELECT value FROM meta WHERE key = ?`).get(key)?.value;
  }

  function currentBuild(): BuildState | null {
    const raw = readMeta('build');
    return raw ? (JSON.parse(raw) as BuildState) : null;
  }

  /** The writers to apply a change to: the live set, and the set being built if a reindex runs. */
  function writers(): Writer[] {
    const gen = readMeta('live_gen') ?? '0';
    if (!liveWriter || liveGen !== gen) {
      // first use, or another process swapped in a new generation: fresh statements and caches
      liveWriter = makeWriter(names(''), true);
      liveGen = gen;
    }
    const build = currentBuild();
    if (!build || Date.now() - build.heartbeat > BUILD_STALE_MS) {
      buildWriter = null;
      return [liveWriter];
    }
    if (!buildWriter || buildWriter.gen !== build.gen) buildWriter = { gen: build.gen, writer: makeWriter(names('_new'), false) };
    return [liveWriter, buildWriter.writer];
  }

  /** Adds new words to a set's typo vocabulary. */
  function addVocabulary(w: Writer, words: Iterable<string>): void {
    for (const word of words) {
      if (w.knownTerms.has(word)) continue;
      w.knownTerms.add(word);
      const len = Array.from(word).length;
      const info = w.insertTerm.run(word, len);
      if (info.changes === 0) continue; // another writer added it already
      const termId = info.lastInsertRowid;
      for (const key of deletionKeys(word, len >= 6 ? 2 : 1)) w.insertKey.run(key, termId);
    }
    if (w.knownTerms.size > 2_000_000) w.knownTerms.clear();
  }

  function logChange(w: Writer, rid: number): void {
    if (!w.logChange) return;
    const seq = Number(w.logChange.run(rid).lastInsertRowid);
    // trim the log now and then; readers further behind than what is kept reload everything
    if (seq % 4096 === 0) stmt(`DELETE FROM changes WHERE seq <= ?`).run(seq - CHANGE_LOG_KEEP);
  }

  /** Cleans the texts of documents and tokenizes them exactly as FTS5 does (once for all sets). */
  function prepareDocs(docs: SearchDocument[]): PreparedDoc[] {
    const texts: string[] = [];
    const prepared = docs.map((doc) => {
      const title = clean(doc.title, 1000);
      const tags = normaliseTags(doc.tags);
      const tagText = tags.join(' ');
      const body = clean(doc.body, MAX_BODY);
      texts.push(title, tagText, body);
      return { doc, title, tags, tagText, body };
    });
    const tokens = exactTokens(texts);
    return prepared.map((p, i) => {
      const t: [string[], string[], string[]] = [tokens[3 * i]!, tokens[3 * i + 1]!, tokens[3 * i + 2]!];
      return { ...p, tokens: t, pairs: [pairText(t[0]), pairText(t[1]), pairText(t[2])] };
    });
  }

  /** Writes one document into a table set unless the set holds a newer version. */
  function writeDoc(w: Writer, p: PreparedDoc, words: Set<string> | null): void {
    const { doc, title, tags, tagText, body } = p;
    const existing = w.findDoc.get(doc.id);
    if (existing && existing.version > doc.version) return;
    const values = [
      doc.id,
      doc.type,
      doc.questionId,
      doc.space,
      doc.authorId,
      doc.authorHandle,
      Math.trunc(doc.score),
      Math.trunc(doc.answerCount),
      doc.isAnswered ? 1 : 0,
      doc.hasAccepted ? 1 : 0,
      doc.isAccepted ? 1 : 0,
      doc.isClosed ? 1 : 0,
      Math.trunc(doc.createdAt),
      Math.trunc(doc.lastActivityAt),
      Math.trunc(doc.version),
    ];
    let rid: number;
    let textChanged = true;
    if (existing) {
      rid = existing.rid;
      w.updateDoc.run(...values, rid);
      // a vote or a new answer changes no text: leave the full-text index alone then
      const old = w.readText.get(rid);
      textChanged = !old || old.title !== title || old.tags !== tagText || old.body !== body;
      if (textChanged) {
        deleteIndexedText(w, rid, old);
        w.deleteTags.run(rid);
      }
    } else {
      rid = Number(w.insertDoc.run(...values).lastInsertRowid);
    }
    if (textChanged) {
      w.insertText.run(rid, title, tagText, body);
      w.insertTitle.run(rid, title, tagText);
      w.insertPairs.run(rid, p.pairs[0], p.pairs[1], p.pairs[2]);
      w.insertTitlePairs.run(rid, p.pairs[0], p.pairs[1]);
      for (const tag of tags) w.insertTag.run(rid, tag);
      if (words) {
        for (const column of p.tokens) for (const token of column) if (!words.has(token) && VOCAB_WORD.test(token)) words.add(token);
      }
    }
    logChange(w, rid);
  }

  /**
   * Removes a row from the full-text tables. fts_pairs holds no text: it is given the pairs of the
   * text the row was indexed with (the same text `fts` keeps, tokenized the same way). A
   * contentless table could also delete by rowid alone (contentless_delete), but leaves tombstones
   * that every later query checks on every doclist entry (several times slower until a merge).
   */
  function deleteIndexedText(w: Writer, rid: number, old: TextRow | undefined): void {
    if (old) {
      const [title, tags, body] = exactTokens([old.title, old.tags, old.body]).map(pairText) as [string, string, string];
      w.deletePairs.run(rid, title, tags, body);
      w.deleteTitlePairs.run(rid, title, tags);
    }
    w.deleteText.run(rid);
    w.deleteTitle.run(rid);
  }

  function removeDoc(w: Writer, id: string): void {
    const existing = w.findDoc.get(id);
    if (!existing) return;
    deleteIndexedText(w, existing.rid, w.readText.get(existing.rid));
    w.deleteTags.run(existing.rid);
    w.deleteDoc.run(existing.rid);
    logChange(w, existing.rid);
  }

  /** keeps, per id, the document with the highest version (a batch may repeat an id) */
  function latestPerId(docs: SearchDocument[]): SearchDocument[] {
    const byId = new Map<string, SearchDocument>();
    for (const d of docs) {
      const prev = byId.get(d.id);
      if (!prev || prev.version <= d.version) byId.set(d.id, d);
    }
    return [...byId.values()];
  }

  // -------------------------------------------------------------------------------------------
  // Attribute cache refresh (call inside a read transaction, so it matches what queries see)

  function reloadAttrs(gen: string): void {
    // the log's high-water mark (sqlite_sequence survives the log being emptied by a swap)
    const seq = stmt<[], { s: number }>(`SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0) AS s`).get()?.s ?? 0;
    attrs.reset(gen, seq);
    for (const row of stmt(`SELECT ${ATTR_COLUMNS} FROM docs`).raw().iterate()) attrs.set(row as AttrRow);
    for (const row of stmt(`SELECT rid, group_concat(tag, ' ') FROM doc_tags GROUP BY rid`).raw().iterate()) {
      const [rid, tags] = row as [number, string];
      attrs.setTags(rid, tags);
    }
  }

  function refreshAttrs(): void {
    const gen = readMeta('live_gen') ?? '0';
    if (attrs.gen !== gen || attrs.seq < 0) return reloadAttrs(gen);
    const changed = stmt<[number], { seq: number; rid: number }>(`SELECT seq, rid FROM changes WHERE seq > ? ORDER BY seq LIMIT 20001`).all(
      attrs.seq,
    );
    if (changed.length === 0) return;
    const oldest = stmt<[], { s: number | null }>(`SELECT min(seq) AS s FROM changes`).get()?.s ?? 0;
    // too far behind (the log was trimmed past us) or too many changes: reload everything
    if (changed.length > 20_000 || oldest > attrs.seq + 1) return reloadAttrs(gen);
    const seen = new Set<number>();
    for (const { rid } of changed) {
      if (seen.has(rid)) continue;
      seen.add(rid);
      const row = stmt<[number]>(`SELECT ${ATTR_COLUMNS} FROM docs WHERE rid = ?`).raw().get(rid) as AttrRow | undefined;
      if (!row) {
        attrs.delete(rid);
        continue;
      }
      attrs.set(row);
      const tags = stmt<[number], { t: string | null }>(`SELECT group_concat(tag, ' ') AS t FROM doc_tags WHERE rid = ?`).get(rid);
      attrs.setTags(rid, tags?.t ?? null);
    }
    attrs.seq = changed[changed.length - 1]!.seq;
  }

  // -------------------------------------------------------------------------------------------
  // Query building

  /** Is the word in the live full-text index? (a one-row probe, cheap even for common words) */
  function inIndex(word: string): boolean {
    return stmt<[string]>(`SELECT rowid FROM fts WHERE fts MATCH ? LIMIT 1`).get(ftsString(word)) !== undefined;
  }

  /** Vocabulary words within the allowed typo distance of `word`, most frequent first. */
  function typoCandidates(word: string, maxTypos: number): string[] {
    const len = Array.from(word).length;
    const keys = deletionKeys(word, maxTypos);
    const rows = stmt<[string, number, number], { term: string }>(
      `SELECT DISTINCT v.term FROM vocab_del k JOIN vocab v ON v.id = k.term_id
       WHERE k.key IN (SELECT value FROM json_each(?)) AND v.len BETWEEN ? AND ?`,
    ).all(JSON.stringify(keys), len - maxTypos, len + maxTypos);
    const close: Array<{ term: string; distance: number; docs: number }> = [];
    for (const { term } of rows) {
      if (term === word) continue;
      const distance = typoDistance(word, term, maxTypos);
      if (distance <= maxTypos) close.push({ term, distance, docs: 0 });
    }
    if (close.length > MAX_TYPO_EXPANSIONS) {
      // keep the closest, most common words (fts5vocab knows in how many documents each one is)
      const df = stmt<[string], { doc: number }>(`SELECT doc FROM fts_vocab WHERE term = ?`);
      for (const c of close) c.docs = df.get(c.term)?.doc ?? 0;
    }
    close.sort((a, b) => a.distance - b.distance || b.docs - a.docs || (a.term < b.term ? -1 : 1));
    // the vocabulary may keep words of deleted documents: only words the index still holds count
    const out: string[] = [];
    for (const c of close) {
      if (out.length >= MAX_TYPO_EXPANSIONS) break;
      if (c.docs > 0 || inIndex(c.term)) out.push(c.term);
    }
    return out;
  }

  /** Is `word` a known word? Our vocabulary first (indexed, cheap); fts5vocab settles the rest. */
  function knownWord(word: string): boolean {
    if (stmt<[string]>(`SELECT 1 FROM vocab WHERE term = ?`).get(word) !== undefined) return inIndex(word);
    return (stmt<[string], { doc: number }>(`SELECT doc FROM fts_vocab WHERE term = ?`).get(word)?.doc ?? 0) > 0;
  }

  /**
   * The index words a prefix stands for, from our vocabulary (a range scan of its unique index),
   * or null to let FTS5 expand `prefix*` itself. FTS5 materialises the merged doclist of a prefix
   * query in full on every evaluation, which is slow for common words and defeats rowid seeks;
   * an OR of a few exact words is evaluated lazily. Only used when the vocabulary is known to
   * hold every such word: prefixes of 4+ letters/digits starting with a letter.
   */
  function prefixWords(prefix: string): string[] | null {
    if (!/^\p{L}[\p{L}\p{N}]{3,38}$/u.test(prefix)) return null;
    const rows = stmt<[string, string], { term: string }>(`SELECT term FROM vocab WHERE term >= ? AND term < ? ORDER BY term LIMIT 25`).all(
      prefix,
      `${prefix}\u{10FFFF}`,
    );
    if (rows.length === 0 || rows.length > 24) return null;
    const words = rows.map((r) => r.term);
    // the vocabulary keeps words of deleted documents; FTS5 ignores words it does not hold
    return words.includes(prefix) ? words : [prefix, ...words];
  }

  interface TextQuery {
    /** the full MATCH expression in `fts` syntax: phrases and terms (for highlights) */
    expr: string;
    /** parts matched on `fts`: each one term's alternatives (with prefix and typo alternatives) or a one-word phrase */
    termParts: string[];
    /** parts matched on `fts_pairs`: phrases of two or more words, as word pairs */
    pairParts: string[];
  }

  /** The FTS5 MATCH expressions for the query's text, or null when it has no text to match. */
  function textQuery(q: SearchQuery): TextQuery | null {
    const parts: string[] = [];
    const termParts: string[] = [];
    const pairParts: string[] = [];
    for (const phrase of q.phrases.slice(0, MAX_PHRASES)) {
      if (tokenize(phrase).length === 0) continue;
      parts.push(ftsString(phrase));
      const pairs = pairPhrase(exactTokens([clean(phrase)])[0]!);
      if (pairs) pairParts.push(pairs);
      else termParts.push(ftsString(phrase));
    }
    const terms = q.terms.filter((t) => tokenize(t).length > 0).slice(0, MAX_TERMS);
    terms.forEach((term, i) => {
      const tokens = tokenize(term);
      const isLast = i === terms.length - 1;
      const alternatives: string[] = [];
      // prefix on the last term (not for a single character: that would match half the index)
      const prefix = isLast && (tokens.length > 1 || Array.from(tokens[0]!).length >= 2);
      const expanded = prefix && tokens.length === 1 ? prefixWords(tokens[0]!) : null;
      if (expanded) alternatives.push(...expanded.map(ftsString));
      else alternatives.push(prefix ? `${ftsString(term)}*` : ftsString(term));
      if (tokens.length === 1) {
        const word = tokens[0]!;
        const typos = allowedTypos(word);
        if (typos > 0 && !knownWord(word)) {
          for (const candidate of typoCandidates(word, typos)) alternatives.push(ftsString(candidate));
        }
      }
      const part = alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`;
      parts.push(part);
      termParts.push(part);
    });
    return parts.length > 0 ? { expr: parts.join(' AND '), termParts, pairParts } : null;
  }

  /**
   * One table's share of a text query. A query with phrases and words has two sides (fts_pairs and
   * fts): a document matches when it matches both.
   */
  interface Side {
    table: 'fts' | 'fts_pairs';
    expr: string;
    weights: string;
    /** the table and expression matching the side in title and tags only (relevance tiers) */
    titleTable: 'fts_title' | 'fts_title_pairs';
    titleExpr: string;
    titleWeights: string;
    /** the number of parts ANDed (the title tier of a single broad part is often huge) */
    parts: number;
  }

  /**
   * The sides of a text query, the (usually) more selective pairs first. For relevance, required
   * tags also narrow the words' match (`tagParts`, so that exact bm25 stays affordable; the cache
   * then checks the tags exactly).
   */
  function sidesOf(text: TextQuery, tagParts: string[]): Side[] {
    const sides: Side[] = [];
    if (text.pairParts.length > 0) {
      const expr = text.pairParts.join(' AND ');
      sides.push({
        table: 'fts_pairs',
        expr,
        weights: BM25_WEIGHTS,
        titleTable: 'fts_title_pairs',
        titleExpr: expr,
        titleWeights: BM25_TITLE_WEIGHTS,
        parts: text.pairParts.length,
      });
    }
    if (text.termParts.length > 0) {
      sides.push({
        table: 'fts',
        expr: [...text.termParts, ...tagParts].join(' AND '),
        weights: BM25_WEIGHTS,
        titleTable: 'fts_title',
        titleExpr: text.termParts.join(' AND '),
        titleWeights: BM25_TITLE_WEIGHTS,
        parts: text.termParts.length,
      });
    }
    return sides;
  }

  interface Filter {
    /** does the document pass every filter */
    keep: (rid: number) => boolean;
    /** the documents of the required tag carried by the fewest (the cheapest source of candidates), if any */
    candidates: Int32Array | null;
  }

  // Tag filters as rowid marks: one array read per candidate row. The arrays are reused across
  // queries (one query runs at a time); a fresh stamp per tag list replaces clearing them.
  let tagMarks = new Int32Array(0);
  let excludedMarks = new Int32Array(0);
  let stamp = 0;

  /** makes room for `stamps` new stamps over rowids below `size` (before a query uses any) */
  function reserveStamps(size: number, stamps: number): void {
    if (tagMarks.length < size || stamp + stamps >= 0x7fffffff) {
      tagMarks = new Int32Array(Math.max(size, Math.ceil(tagMarks.length * 1.25)));
      excludedMarks = new Int32Array(tagMarks.length);
      stamp = 0;
    }
  }

  /** A predicate over cached attributes for the query's filters; null when nothing can match. */
  function compileFilter(q: SearchQuery): Filter | null {
    const a = attrs;
    const tagRows = stmt<[string], { ids: string | null }>(`SELECT group_concat(rid) AS ids FROM doc_tags WHERE tag = ?`);
    // required tags: the rarest one first (the cache counts each tag's documents)
    const requiredTags = normaliseTags(q.tags);
    const countOf = (tag: string): number => {
      const id = a.tagNames.ids.get(tag);
      return id === undefined ? 0 : (a.tagDocs[id] ?? 0);
    };
    requiredTags.sort((x, y) => countOf(x) - countOf(y));
    if (requiredTags.length > 0 && countOf(requiredTags[0]!) <= 0) return null;
    const excludedTags = normaliseTags(q.excludedTags);
    const size = a.maxRid + 1;
    reserveStamps(size, requiredTags.length + 1);
    let required = 0;
    let candidates: Int32Array | null = null;
    for (const tag of requiredTags) {
      const mark = ++stamp;
      const marks = tagMarks;
      const ids = parseRowids(tagRows.get(tag)?.ids);
      candidates ??= ids;
      for (const rid of ids) if (rid < size && (required === 0 || marks[rid] === required)) marks[rid] = mark;
      required = mark;
    }
    let excluded = 0;
    for (const tag of excludedTags) {
      if (countOf(tag) <= 0) continue;
      if (excluded === 0) excluded = ++stamp;
      for (const rid of parseRowids(tagRows.get(tag)?.ids)) if (rid < size) excludedMarks[rid] = excluded;
    }
    const marks = tagMarks;
    const exMarks = excludedMarks;
    const idsOf = (interner: Interner, values: readonly string[] | undefined): Set<number> | null | 'none' => {
      if (!values || values.length === 0) return null;
      const set = new Set<number>();
      for (const v of values) {
        const id = interner.ids.get(v);
        if (id !== undefined) set.add(id);
      }
      return set.size > 0 ? set : 'none';
    };
    const authors = idsOf(a.authors, q.authorIds);
    const spaces = idsOf(a.spaces, q.spaces);
    if (authors === 'none' || spaces === 'none') return null;

    // flag tests: (flags & mask) === want
    let mask = F_PRESENT;
    let want = F_PRESENT;
    const require = (bit: number, on: boolean) => {
      mask |= bit;
      if (on) want |= bit;
    };
    let type = q.type;
    // answers:N is about questions; isaccepted:yes|no is about answers (as on Stack Overflow)
    if (q.answers !== undefined) {
      if (type === 'answer') return null;
      type = 'question';
    }
    if (q.isAccepted !== undefined) {
      if (type === 'question') return null;
      type = 'answer';
      require(F_ACCEPTED, q.isAccepted);
    }
    if (type) require(F_ANSWER, type === 'answer');
    if (q.hasAccepted !== undefined) require(F_HAS_ACCEPTED, q.hasAccepted);
    if (q.isClosed !== undefined) require(F_CLOSED, q.isClosed);
    const answers = q.answers === undefined ? undefined : Math.max(0, Math.trunc(q.answers));
    const minScore = q.minScore === undefined ? undefined : Math.trunc(q.minScore);
    const from = q.createdFrom;
    const to = q.createdTo;

    const keep = (rid: number): boolean => {
      if ((a.flags[rid]! & mask) !== want) return false;
      if (minScore !== undefined && a.score[rid]! < minScore) return false;
      if (answers !== undefined && (answers === 0 ? a.answers[rid]! !== 0 : a.answers[rid]! < answers)) return false;
      if (from !== undefined && a.created[rid]! < from) return false;
      if (to !== undefined && a.created[rid]! >= to) return false;
      if (spaces && !spaces.has(a.space[rid]!)) return false;
      if (authors && !authors.has(a.author[rid]!)) return false;
      if (required !== 0 && marks[rid] !== required) return false;
      if (excluded !== 0 && exMarks[rid] === excluded) return false;
      return true;
    };
    return { keep, candidates };
  }

  /** "a ranks before b" for the non-relevance orders (and relevance without text) */
  function comparator(sort: SearchQuery['sort']): (a: number, b: number) => number {
    const s = attrs;
    switch (sort) {
      case 'newest':
        return (a, b) => s.created[b]! - s.created[a]! || b - a;
      case 'activity':
        return (a, b) => s.activity[b]! - s.activity[a]! || b - a;
      case 'votes':
      case 'relevance':
      default:
        return (a, b) => s.score[b]! - s.score[a]! || s.created[b]! - s.created[a]! || b - a;
    }
  }

  /** The first k ids in comparator order (a bounded heap instead of sorting everything). */
  function topK(ids: ArrayLike<number>, k: number, cmp: (a: number, b: number) => number): number[] {
    const n = ids.length;
    if (k <= 0 || n === 0) return [];
    if (n <= 4 * k || n <= 2048) return Array.from(ids).sort(cmp).slice(0, k);
    // max-heap on "worst first" holding the best k seen so far
    const heap: number[] = [];
    const worse = (i: number, j: number) => cmp(heap[i]!, heap[j]!) > 0;
    const swap = (i: number, j: number) => {
      const t = heap[i]!;
      heap[i] = heap[j]!;
      heap[j] = t;
    };
    const down = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && worse(l, m)) m = l;
        if (r < heap.length && worse(r, m)) m = r;
        if (m === i) return;
        swap(i, m);
        i = m;
      }
    };
    for (let x = 0; x < n; x++) {
      const id = ids[x]!;
      if (heap.length < k) {
        heap.push(id);
        for (let i = heap.length - 1; i > 0;) {
          const p = (i - 1) >> 1;
          if (!worse(i, p)) break;
          swap(i, p);
          i = p;
        }
      } else if (cmp(id, heap[0]!) < 0) {
        heap[0] = id;
        down(0);
      }
    }
    return heap.sort(cmp);
  }

  /** the tiebreak after bm25: score, then newest */
  const byVotes = (a: number, b: number): number => attrs.score[b]! - attrs.score[a]! || attrs.created[b]! - attrs.created[a]! || b - a;

  type FtsTable = 'fts' | 'fts_title' | 'fts_pairs' | 'fts_title_pairs';

  /** rowid → bm25 for every row an expression matches in a table (use on small matches only) */
  function bm25Of(table: FtsTable, expr: string, weights: string): Map<number, number> {
    const rows = stmt<[string], [number, number]>(`SELECT rowid, bm25(${table}, ${weights}) FROM ${table} WHERE ${table} MATCH ?`)
      .raw()
      .all(expr) as [number, number][];
    return new Map(rows);
  }

  /** the rowids (ascending) an expression matches in a table */
  function gcRowids(table: FtsTable, expr: string): Int32Array {
    return parseRowids(
      stmt<[string], { ids: string | null }>(`SELECT group_concat(rowid) AS ids FROM ${table} WHERE ${table} MATCH ?`).get(expr)?.ids,
    );
  }

  /** the first `limit` rowids (ascending) an expression matches in a table */
  function gcRowidsCapped(table: FtsTable, expr: string, limit: number): Int32Array {
    return parseRowids(
      stmt<[string], { ids: string | null }>(
        `SELECT group_concat(rowid) AS ids FROM (SELECT rowid FROM ${table} WHERE ${table} MATCH ? LIMIT ${limit})`,
      ).get(expr)?.ids,
    );
  }

  /** the rowids (ascending) an expression matches in a table within rowid windows (ascending, disjoint) */
  function gcRowidsIn(table: FtsTable, expr: string, windows: Array<[number, number]>): Int32Array {
    // CAST: FTS5 only uses an INTEGER rowid bound (a JavaScript number is bound as a REAL)
    const gc = stmt<[string, number, number], { ids: string | null }>(
      `SELECT group_concat(rowid) AS ids FROM ${table} WHERE ${table} MATCH ? AND rowid BETWEEN CAST(? AS INTEGER) AND CAST(? AS INTEGER)`,
    );
    if (windows.length === 1) return parseRowids(gc.get(expr, windows[0]![0], windows[0]![1])?.ids);
    const parts = windows.map(([lo, hi]) => parseRowids(gc.get(expr, lo, hi)?.ids));
    const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    let n = 0;
    for (const part of parts) {
      out.set(part, n);
      n += part.length;
    }
    return out;
  }

  /** Intersects the sides' matches, most selective first; `matchesOf` reads one side's matches. */
  function matchAll(sides: Side[], matchesOf: (side: Side) => Int32Array): { all: Int32Array; sizes: number[] } {
    let all: Int32Array | null = null;
    const sizes: number[] = [];
    for (const side of sides) {
      const ids = matchesOf(side);
      sizes.push(ids.length);
      all = all ? intersectSorted(all, ids) : ids;
      if (all.length === 0) break;
    }
    return { all: all ?? new Int32Array(0), sizes };
  }

  /**
   * bm25 of the sides (summed: bm25 is a sum over the query's phrases) for the sides that match at
   * most `limit` documents, or null when none does. A side matching more is left out of the sum:
   * scoring it would cost a few microseconds per match (its matches all match the other side's
   * narrower text, which decides the order then).
   */
  function sideScores(sides: Side[], sizes: number[], limit: number, title: boolean): Map<number, number> | null {
    let scores: Map<number, number> | null = null;
    for (let i = 0; i < sides.length; i++) {
      const side = sides[i]!;
      const size = sizes[i];
      if (size === undefined || size > limit) continue;
      const one = title ? bm25Of(side.titleTable, side.titleExpr, side.titleWeights) : bm25Of(side.table, side.expr, side.weights);
      if (!scores) scores = one;
      else for (const [rid, score] of one) scores.set(rid, (scores.get(rid) ?? 0) + score);
    }
    return scores;
  }

  interface Ranked {
    /** rowids in result order, at least `needed` of them when there are that many */
    order: number[];
    /** rowid → relevance (bigger is better) where the engine computed one */
    relevance: Map<number, number>;
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
  function rankByRelevance(
    sides: Side[],
    pool: Int32Array,
    needed: number,
    keep: (rid: number) => boolean,
    scores: Map<number, number> | null,
    sampled: Pick<Sample, 'windows' | 'fraction'> | null,
  ): Ranked {
    const relevance = new Map<number, number>();
    const withRank = (rank: Map<number, number>) => (a: number, b: number) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0) || byVotes(a, b);
    if (scores) {
      const order = topK(pool, needed, withRank(scores));
      for (const rid of order) relevance.set(rid, -(scores.get(rid) ?? 0));
      return { order, relevance };
    }
    // tier 1: every part in the title or tags (such documents match the whole text query: only
    // the filters remain to be checked). A huge tier of a sampled query is only read within the
    // sample windows (for a single part, the windows tell first whether it is huge: then the
    // tier is not read up to the cap; several parts in every title are rarely that many).
    /** each side's number of title matches, or an estimate above the cap (it tells how costly bm25 is) */
    const sizes: number[] = [];
    const { all: tier } = matchAll(sides, (side) => {
      const inWindows = sampled && side.parts === 1 ? gcRowidsIn(side.titleTable, side.titleExpr, sampled.windows) : null;
      if (sampled && inWindows && inWindows.length / sampled.fraction > tuning.titleTierCap) {
        sizes.push(inWindows.length / sampled.fraction);
        return inWindows;
      }
      const capped = gcRowidsCapped(side.titleTable, side.titleExpr, tuning.titleTierCap + 1);
      sizes.push(capped.length);
      if (capped.length <= tuning.titleTierCap) return capped;
      if (inWindows) return inWindows;
      return sampled ? gcRowidsIn(side.titleTable, side.titleExpr, sampled.windows) : gcRowids(side.titleTable, side.titleExpr);
    });
    const titled = tier.filter(keep);
    // bm25 costs a few microseconds per row it scores and has a fixed cost per statement (FTS5
    // counts each phrase's documents over the whole table), so it is only used when one statement
    // per side scores the side's whole title matches, and the tier is small
    const rank = tier.length <= tuning.rankTitleLimit ? sideScores(sides, sizes, tuning.rankTitleLimit, true) : null;
    const tier1 = topK(titled, needed, rank ? withRank(rank) : byVotes);
    if (rank) for (const rid of tier1) relevance.set(rid, -(rank.get(rid) ?? 0));
    if (tier1.length >= needed) return { order: tier1, relevance };
    const inTier1 = new Set(tier1);
    const rest = pool.filter((rid) => !inTier1.has(rid));
    return { order: tier1.concat(topK(rest, needed - tier1.length, byVotes)), relevance };
  }

  interface Sample {
    /** text matches in the sampled rowid windows, before filters */
    matched: number;
    /** filtered matches in the windows */
    kept: Int32Array;
    /** the share of the rowid space the windows cover */
    fraction: number;
    windows: Array<[number, number]>;
  }

  /**
   * Matches the text in tuning.sampleWindows rowid windows spread over the index (FTS5 seeks to
   * a rowid range cheaply), to estimate how many documents a broad query matches without walking
   * doclists of tens of thousands of entries.
   */
  function sample(sides: Side[], keep: (rid: number) => boolean): Sample {
    const max = attrs.maxRid;
    const span = Math.max(1, Math.floor((max * tuning.sampleFraction) / tuning.sampleWindows));
    let covered = 0;
    const windows: Array<[number, number]> = [];
    for (let w = 0; w < tuning.sampleWindows; w++) {
      // windows end at evenly spaced points, the last one at the newest rowid
      const hi = Math.round((max * (w + 1)) / tuning.sampleWindows);
      const lo = Math.max(1, hi - span + 1);
      if (windows.length > 0 && lo <= windows[windows.length - 1]![1]) continue; // tiny index: no overlaps
      windows.push([lo, hi]);
      covered += hi - lo + 1;
    }
    const { all } = matchAll(sides, (side) => gcRowidsIn(side.table, side.expr, windows));
    return { matched: all.length, kept: all.filter(keep), fraction: covered / max, windows };
  }

  /** Loads hits (in the given order) with FTS5 highlights computed on a tiny in-memory index. */
  function loadHits(rids: number[], expr: string | null, relevance: Map<number, number>): SearchHit[] {
    const loaded: Array<{ rid: number; row: DocRow; text: TextRow }> = [];
    // two statements for the whole page (not two per hit)
    const list = JSON.stringify(rids);
    const docs = new Map<number, DocRow>();
    for (const row of stmt<[string], DocRow>(`SELECT * FROM docs WHERE rid IN (SELECT value FROM json_each(?))`).all(list))
      docs.set(row.rid, row);
    const texts = new Map<number, TextRow>();
    for (const row of stmt<[string], TextRow & { rid: number }>(
      `SELECT rowid AS rid, title, tags, body FROM fts WHERE rowid IN (SELECT value FROM json_each(?))`,
    ).all(list)) {
      texts.set(row.rid, row);
    }
    for (const rid of rids) {
      const row = docs.get(rid);
      if (!row) continue;
      loaded.push({ rid, row, text: texts.get(rid) ?? { title: '', tags: '', body: '' } });
    }
    const marks = expr
      ? highlights(
          loaded.map((l) => ({ rid: l.rid, ...l.text })),
          expr,
        )
      : new Map<number, [string, string]>();
    return loaded.map(({ rid, row, text }) => {
      const marked = marks.get(rid);
      return {
        id: row.id,
        type: row.type,
        questionId: row.question_id,
        titleHighlight: marked ? markedToHtml(marked[0], OPEN, CLOSE) : escapeHtml(text.title),
        snippet: marked ? markedToHtml(marked[1], OPEN, CLOSE) : escapeHtml(leadingWords(text.body, SNIPPET_TOKENS)),
        relevance: relevance.get(rid) ?? 0,
        document: toDocument(row, text),
      };
    });
  }

  // A private in-memory database for work on a few texts with FTS5's own tokenizer:
  // - highlights: highlighting a few hits against the full index means seeking through the
  //   doclists of every query word for each hit (milliseconds per hit for common words); an FTS5
  //   table holding just the hits gives the same highlight()/snippet() output for a fraction. It
  //   takes its text from an ordinary table (external content) and is rebuilt from it in one
  //   step ('rebuild' empties it without re-tokenizing the previous rows to delete them).
  // - exact tokens of non-ASCII texts (for fts_pairs), from an fts5vocab 'instance' table.
  interface Scratch {
    db: Database.Database;
    clearHlText: Database.Statement;
    insertHlText: Database.Statement<[number, string, string, string]>;
    rebuildHl: Database.Statement;
    selectHl: Database.Statement<[string]>;
    clearTok: Database.Statement;
    insertTok: Database.Statement<[number, string]>;
    selectTok: Database.Statement;
  }
  let scratch: Scratch | null = null;

  function scratchDb(): Scratch {
    if (scratch) return scratch;
    const mem = new Database(':memory:');
    mem.exec(`
      CREATE TABLE hl_text (id INTEGER PRIMARY KEY, title TEXT, tags TEXT, body TEXT);
      CREATE VIRTUAL TABLE hl USING fts5(title, tags, body, tokenize = "${TOKENIZER}", content = 'hl_text', content_rowid = 'id');
      CREATE VIRTUAL TABLE tok USING fts5(text, tokenize = "${TOKENIZER}", content = '');
      CREATE VIRTUAL TABLE tok_instance USING fts5vocab(tok, 'instance');
    `);
    scratch = {
      db: mem,
      clearHlText: mem.prepare(`DELETE FROM hl_text`),
      insertHlText: mem.prepare(`INSERT INTO hl_text (id, title, tags, body) VALUES (?, ?, ?, ?)`),
      rebuildHl: mem.prepare(`INSERT INTO hl(hl) VALUES ('rebuild')`),
      selectHl: mem
        .prepare(
          `SELECT rowid, highlight(hl, 0, char(1), char(2)), snippet(hl, 2, char(1), char(2), '…', ${SNIPPET_TOKENS}) FROM hl WHERE hl MATCH ?`,
        )
        .raw(),
      clearTok: mem.prepare(`INSERT INTO tok(tok) VALUES ('delete-all')`),
      insertTok: mem.prepare(`INSERT INTO tok (rowid, text) VALUES (?, ?)`),
      selectTok: mem.prepare(`SELECT doc, offset, term FROM tok_instance`).raw(),
    };
    return scratch;
  }

  function highlights(rows: Array<{ rid: number } & TextRow>, expr: string): Map<number, [string, string]> {
    const m = scratchDb();
    return m.db.transaction(() => {
      m.clearHlText.run();
      for (const r of rows) m.insertHlText.run(r.rid, r.title, r.tags, r.body);
      m.rebuildHl.run();
      const out = new Map<number, [string, string]>();
      for (const [rid, title, snip] of m.selectHl.all(expr) as [number, string, string][]) out.set(rid, [title, snip]);
      return out;
    })();
  }

  /**
   * The tokens FTS5 indexes for each text (TOKENIZER), in order. ASCII texts are split here (exact,
   * see asciiTokens); the others are tokenized by FTS5 itself through the scratch database.
   */
  function exactTokens(texts: readonly string[]): string[][] {
    const out: string[][] = new Array<string[]>(texts.length);
    let others: number[] | null = null;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      if (isAscii(text)) out[i] = asciiTokens(text);
      else (others ??= []).push(i);
    }
    if (others) {
      const m = scratchDb();
      const list = others;
      m.db.transaction(() => {
        m.clearTok.run();
        for (const i of list) {
          out[i] = [];
          m.insertTok.run(i + 1, texts[i]!);
        }
        for (const [doc, offset, term] of m.selectTok.iterate() as IterableIterator<[number, number, string]>) out[doc - 1]![offset] = term;
        m.clearTok.run();
      })();
      // positions are dense (unicode61 emits one token per position); never leave a hole anyway
      for (const i of list) {
        const tokens = out[i]!;
        for (let k = 0; k < tokens.length; k++) tokens[k] ??= PAIR_GAP;
      }
    }
    return out;
  }

  function facetCounts(matches: ArrayLike<number>): SearchResultPage['facets'] {
    const s = attrs;
    const tagCounts = new Int32Array(s.tagNames.names.length);
    const spaceCounts = new Int32Array(s.spaces.names.length);
    let answers = 0;
    let answered = 0;
    let accepted = 0;
    let closedCount = 0;
    for (let i = 0; i < matches.length; i++) {
      const rid = matches[i]!;
      const f = s.flags[rid]!;
      if (f & F_ANSWER) answers++;
      if (f & F_ANSWERED) answered++;
      if (f & F_HAS_ACCEPTED) accepted++;
      if (f & F_CLOSED) closedCount++;
      spaceCounts[s.space[rid]!]!++;
      for (const t of s.tagsOf(rid)) tagCounts[t]!++;
    }
    const top = (counts: Int32Array, labels: string[], n: number): FacetCount[] => {
      // only values counted at least as often as the n-th most frequent one can make the list
      // (thousands of tags: no object and no string comparison for each of them)
      let min = 1;
      const nonZero = counts.filter((c) => c > 0);
      if (nonZero.length > n) min = nonZero.sort()[nonZero.length - n]!;
      const out: FacetCount[] = [];
      for (let i = 0; i < counts.length; i++) if (counts[i]! >= min) out.push({ value: labels[i]!, count: counts[i]! });
      return out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, n);
    };
    const byCount = (list: FacetCount[]) =>
      list.filter((f) => f.count > 0).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    const total = matches.length;
    return {
      tags: top(tagCounts, s.tagNames.names, 20),
      space: top(spaceCounts, s.spaces.names, 20),
      type: byCount([
        { value: 'question', count: total - answers },
        { value: 'answer', count: answers },
      ]),
      status: byCount([
        { value: 'answered', count: answered },
        { value: 'unanswered', count: total - answered },
        { value: 'accepted', count: accepted },
        { value: 'closed', count: closedCount },
      ]),
    };
  }

  function toDocument(row: DocRow, text: TextRow): SearchDocument {
    return {
      id: row.id,
      type: row.type,
      questionId: row.question_id,
      title: text.title,
      body: text.body,
      tags: text.tags ? text.tags.split(' ') : [],
      space: row.space,
      authorId: row.author_id,
      authorHandle: row.author_handle,
      score: row.score,
      answerCount: row.answer_count,
      isAnswered: row.is_answered === 1,
      hasAccepted: row.has_accepted === 1,
      isAccepted: row.is_accepted === 1,
      isClosed: row.is_closed === 1,
      createdAt: row.created_at,
      lastActivityAt: row.last_activity_at,
      version: row.version,
    };
  }

  /** the matches of a query without text (reused: one query runs at a time) */
  let scan = new Int32Array(0);

  function runQuery(q: SearchQuery): SearchResultPage {
    refreshAttrs();
    const limit = clampInt(q.limit, 1, 100);
    const offset = clampInt(q.offset, 0, MAX_OFFSET);
    const needed = offset + limit;
    const noFacets = { tags: [], space: [], type: [], status: [] };
    const text = textQuery(q);
    const filter = compileFilter(q);
    if (!filter) return { total: 0, hits: [], facets: noFacets };
    const { keep } = filter;

    if (!text) {
      // the candidates: the documents of the rarest required tag, else every document
      let n = 0;
      let matches: Int32Array;
      if (filter.candidates) {
        const ids = filter.candidates;
        for (let i = 0; i < ids.length; i++) if (keep(ids[i]!)) ids[n++] = ids[i]!;
        matches = ids.subarray(0, n);
      } else {
        if (scan.length < attrs.maxRid) scan = new Int32Array(attrs.maxRid + 4096);
        for (let rid = 1; rid <= attrs.maxRid; rid++) if (keep(rid)) scan[n++] = rid;
        matches = scan.subarray(0, n);
      }
      const order = topK(matches, needed, comparator(q.sort));
      return { total: n, hits: loadHits(order.slice(offset), null, new Map()), facets: q.facets ? facetCounts(matches) : noFacets };
    }

    // For relevance, required tags also narrow the words' full-text match (so that exact bm25
    // stays affordable; the cache then checks the tags exactly). Other orders only need
    // membership, which the cache checks more cheaply than FTS5 would (a tag is often a common
    // word too).
    const tagParts = (q.sort === 'relevance' && text.termParts.length > 0 ? normaliseTags(q.tags) : [])
      .filter((t) => tokenize(t).length > 0)
      .map((t) => `{tags} : ${ftsString(t)}`);
    const sides = sidesOf(text, tagParts);

    // A broad relevance query on a large index is answered from a sample: estimated total and
    // facets, tiered ranking (see rankByRelevance). Everything else is exact.
    let expectSmall = q.sort === 'relevance';
    if (q.sort === 'relevance' && attrs.maxRid >= tuning.sampleMinIndex) {
      const s = sample(sides, keep);
      const estimated = s.matched / s.fraction;
      // (a one-pass bm25 that overflows wastes a whole evaluation: only when it most likely fits)
      expectSmall = estimated <= tuning.rankFullLimit;
      const estimatedKept = s.kept.length / s.fraction;
      if (estimated > tuning.broadMatches && estimatedKept > tuning.rankFullLimit) {
        const ranked = rankByRelevance(sides, s.kept, needed, keep, null, s);
        const total = Math.round(estimatedKept);
        let facets: SearchResultPage['facets'] = noFacets;
        if (q.facets) {
          const scale = (list: FacetCount[]) => list.map((f) => ({ value: f.value, count: Math.max(1, Math.round(f.count / s.fraction)) }));
          const sampled = facetCounts(s.kept);
          facets = { tags: scale(sampled.tags), space: scale(sampled.space), type: scale(sampled.type), status: scale(sampled.status) };
        }
        return { total, approximate: true, hits: loadHits(ranked.order.slice(offset), text.expr, ranked.relevance), facets };
      }
    }

    // Exact: every match. When few are expected, one pass yields the matches with their bm25.
    let all: Int32Array | null = null;
    let scores: Map<number, number> | null = null;
    if (expectSmall && sides.length === 1) {
      const side = sides[0]!;
      const rows = stmt<[string], [number, number]>(
        `SELECT rowid, bm25(${side.table}, ${side.weights}) FROM ${side.table} WHERE ${side.table} MATCH ? LIMIT ${tuning.rankFullLimit + 1}`,
      )
        .raw()
        .all(side.expr) as [number, number][];
      if (rows.length <= tuning.rankFullLimit) {
        scores = new Map(rows);
        all = Int32Array.from(rows, (r) => r[0]);
      }
    }
    if (!all) {
      const matched = matchAll(sides, (side) => gcRowids(side.table, side.expr));
      all = matched.all;
      if (q.sort === 'relevance' && all.length <= tuning.rankFullLimit)
        scores = sideScores(sides, matched.sizes, tuning.rankFullLimit, false);
    }
    let n = 0;
    for (let i = 0; i < all.length; i++) if (keep(all[i]!)) all[n++] = all[i]!;
    const matches = all.subarray(0, n);
    const ranked: Ranked =
      q.sort === 'relevance'
        ? rankByRelevance(sides, matches, needed, keep, scores, null)
        : { order: topK(matches, needed, comparator(q.sort)), relevance: new Map() };
    return {
      total: n,
      hits: loadHits(ranked.order.slice(offset), text.expr, ranked.relevance),
      facets: q.facets ? facetCounts(matches) : noFacets,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Reindex

  function dropSet(conn: Database.Database, t: TableNames): void {
    for (const table of [t.fts, t.ftsTitle, t.pairs, t.titlePairs, t.docs, t.tags, t.vocab, t.vocabDel])
      conn.exec(`DROP TABLE IF EXISTS ${table}`);
  }

  async function reindex(source: AsyncIterable<SearchDocument[]>, total: number, onProgress?: (p: ReindexProgress) => void): Promise<void> {
    const conn = ensureInit();
    const gen = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const next = names('_new');
    conn
      .transaction(() => {
        const build = currentBuild();
        if (build && build.owner !== owner && Date.now() - build.heartbeat < BUILD_STALE_MS) {
          throw new ConflictError('A search reindex is already running.');
        }
        dropSet(conn, next); // leftovers of an abandoned build
        conn.exec(createTablesSql(next, gen));
        // no incremental merging of FTS segments during the bulk load: one 'optimize' at the end
        // merges everything (fts_pairs has many distinct terms: merging them repeatedly costs)
        for (const table of BULK_LOAD_TABLES(next)) {
          conn.exec(`INSERT INTO ${table}(${table}, rank) VALUES ('automerge', 0)`);
          conn.exec(`INSERT INTO ${table}(${table}, rank) VALUES ('crisismerge', 64)`);
        }
        conn
          .prepare(`INSERT OR REPLACE INTO meta(key, value) VALUES ('build', ?)`)
          .run(JSON.stringify({ gen, owner, heartbeat: Date.now() }));
      })
      .immediate();
    statements.clear();
    const writer = makeWriter(next, false);
    buildWriter = { gen, writer };
    const heartbeat = conn.prepare(`UPDATE meta SET value = ? WHERE key = 'build'`);
    const stillOurs = (): void => {
      const build = currentBuild();
      if (!build || build.gen !== gen) throw new ConflictError('The search reindex was taken over by another process.');
    };

    try {
      let done = 0;
      onProgress?.({ done, total });
      const loadBatch = conn.transaction((docs: PreparedDoc[]) => {
        stillOurs();
        const words = new Set<string>();
        for (const doc of docs) writeDoc(writer, doc, words);
        addVocabulary(writer, words);
        heartbeat.run(JSON.stringify({ gen, owner, heartbeat: Date.now() }));
      });
      for await (const batch of source) {
        for (let i = 0; i < batch.length; i += 1000) loadBatch.immediate(prepareDocs(latestPerId(batch.slice(i, i + 1000))));
        done += batch.length;
        onProgress?.({ done, total: Math.max(total, done) });
        await nextTick(); // let queries (and mirrored upserts) in between batches
      }
      // secondary indexes after the bulk load, then merge the FTS segments for fast queries
      conn.transaction(() => conn.exec(createIndexesSql(next, gen))).immediate();
      for (const table of BULK_LOAD_TABLES(next)) {
        conn.transaction(() => conn.prepare(`INSERT INTO ${table}(${table}) VALUES ('optimize')`).run()).immediate();
      }
      // back to FTS5's default merging for the incremental writes to come
      conn
        .transaction(() => {
          for (const table of BULK_LOAD_TABLES(next)) {
            conn.exec(`INSERT INTO ${table}(${table}, rank) VALUES ('automerge', 4)`);
            conn.exec(`INSERT INTO ${table}(${table}, rank) VALUES ('crisismerge', 16)`);
          }
        })
        .immediate();
      // the swap: one transaction, so every reader sees either the old set or the new one
      conn
        .transaction(() => {
          stillOurs();
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
        })
        .immediate();
      onProgress?.({ done, total: Math.max(total, done) });
    } catch (err) {
      // abandon the half-built set (unless another process took the build over)
      try {
        conn
          .transaction(() => {
            if (currentBuild()?.gen === gen) {
              dropSet(conn, next);
              conn.prepare(`DELETE FROM meta WHERE key = 'build'`).run();
            }
          })
          .immediate();
      } catch {
        // the original error matters more
      }
      throw err;
    } finally {
      statements.clear();
      buildWriter = null;
      liveWriter = null;
      if (!closed && options.dir !== ':memory:') conn.pragma('wal_checkpoint(PASSIVE)');
    }
  }

  // -------------------------------------------------------------------------------------------

  const port: SearchPort = {
    name: 'embedded',

    async init() {
      ensureInit();
    },

    async upsert(docs) {
      if (docs.length === 0) return;
      const conn = ensureInit();
      const batch = latestPerId(docs);
      for (let i = 0; i < batch.length; i += 500) {
        const chunk = prepareDocs(batch.slice(i, i + 500));
        conn
          .transaction(() => {
            for (const w of writers()) {
              const words = new Set<string>();
              for (const doc of chunk) writeDoc(w, doc, words);
              addVocabulary(w, words);
            }
          })
          .immediate();
      }
    },

    async remove(ids) {
      if (ids.length === 0) return;
      const conn = ensureInit();
      conn
        .transaction(() => {
          for (const w of writers()) for (const id of ids) removeDoc(w, id);
        })
        .immediate();
    },

    async query(q) {
      const conn = ensureInit();
      // one read transaction: the cache refresh, the matches and the hits come from one snapshot
      return conn.transaction(runQuery)(q);
    },

    async similar(title, limit) {
      const conn = ensureInit();
      const words: string[] = [];
      for (const token of tokenize(title)) {
        if (token.length >= 2 && !STOP_WORDS.has(token) && !words.includes(token)) words.push(token);
      }
      if (words.length === 0) return [];
      const match = `title : (${words.slice(0, 12).map(ftsString).join(' OR ')})`;
      const n = clampInt(limit, 1, 50);
      return conn.transaction(() => {
        refreshAttrs();
        // bm25 on the title; a title of common words matches a lot, so score at most the most
        // recent tuning.rankFullLimit matches
        const rows = stmt<[string], [number, number]>(
          `SELECT rowid, bm25(fts_title, 1.0, 0.0) FROM fts_title WHERE fts_title MATCH ? ORDER BY rowid DESC LIMIT ${tuning.rankFullLimit}`,
        )
          .raw()
          .all(match) as [number, number][];
        const rank = new Map<number, number>();
        for (const [rid, r] of rows) if ((attrs.flags[rid]! & (F_PRESENT | F_ANSWER)) === F_PRESENT) rank.set(rid, r);
        const best = topK([...rank.keys()], n, (a, b) => rank.get(a)! - rank.get(b)! || byVotes(a, b));
        return loadHits(best, match, new Map(best.map((rid) => [rid, -rank.get(rid)!])));
      })();
    },

    async versions(ids) {
      ensureInit();
      const out = new Map<string, number>();
      const select = stmt<[string], { id: string; version: number }>(
        `SELECT id, version FROM docs WHERE id IN (SELECT value FROM json_each(?))`,
      );
      for (let i = 0; i < ids.length; i += 500) {
        for (const row of select.all(JSON.stringify(ids.slice(i, i + 500)))) out.set(row.id, row.version);
      }
      return out;
    },

    async *allIds() {
      ensureInit();
      let after = -1;
      for (;;) {
        const rows = stmt<[number], { rid: number; id: string }>(`SELECT rid, id FROM docs WHERE rid > ? ORDER BY rid LIMIT 1000`).all(
          after,
        );
        if (rows.length === 0) return;
        after = rows[rows.length - 1]!.rid;
        yield rows.map((r) => r.id);
        if (rows.length < 1000) return;
      }
    },

    reindex,

    async count() {
      ensureInit();
      return stmt<[], { n: number }>(`SELECT count(*) AS n FROM docs`).get()?.n ?? 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      statements.clear();
      liveWriter = null;
      buildWriter = null;
      scratch?.db.close();
      scratch = null;
      db?.close();
      db = null;
    },
  };
  return port;
}
