// The embedded search engine: SQLite FTS5 through better-sqlite3, in one database file under
// `dir`. The file survives restarts and several processes can use it at once in WAL mode (the api
// queries it, the worker writes it); every write is a short IMMEDIATE transaction.
//
// Layout (one "table set"; a reindex builds a second set with the `_new` suffix and swaps it in
// with one transaction of DROP + ALTER TABLE … RENAME, so readers see the old set or the new
// one, never half of either):
//   docs       one row per post: every SearchDocument field except the texts, plus `version`
//   fts        FTS5 over title, tags (space separated), body; its rowid is docs.rid
//   doc_tags   (rid, tag) for exact tag filters and tag facet counts
//   vocab      every indexable word seen, with its length (typo candidates)
//   vocab_del  deletion-neighbourhood keys → vocab ids (finds words within a typo or two fast)
//   fts_vocab  fts5vocab over `fts` (is a word in the index, and in how many documents)
//   meta       the live generation and the build in progress (shared by all processes)

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { ConflictError } from '../../lib/errors.js';
import { escapeHtml, leadingWords, markedToHtml } from '../../lib/plain-text.js';
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
}

// ---------------------------------------------------------------------------------------------
// Tokens, typo distance and the deletion neighbourhood

/** Lower-cases and removes diacritics, like FTS5's `unicode61 remove_diacritics 2`. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** Splits text into index tokens the way the FTS5 tokenizer below does (letters, digits, `+`, `#`). */
export function tokenize(text: string): string[] {
  return foldText(text)
    .split(/[^\p{L}\p{N}+#]+/u)
    .filter((t) => t.length > 0);
}

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

const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can cannot could did do does doing down during each few for from further get gets getting got had has have having he her ' +
    'here hers herself him himself his how i if in into is it its itself just let me more most my myself no nor not now of ' +
    'off on once only or other our ours ourselves out over own same she should so some such than that the their theirs ' +
    'them themselves then there these they this those through to too under until up use used using very via want was we ' +
    'were what when where which while who whom why will with would you your yours yourself yourselves'
  ).split(' '),
);

// ---------------------------------------------------------------------------------------------
// SQL

const TOKENIZER = `unicode61 remove_diacritics 2 tokenchars '+#'`;
/** bm25 column weights: title, tags, body */
const BM25 = 'bm25(fts, 10.0, 5.0, 1.0)';
/** highlight markers: control characters stripped from every indexed text, so only FTS5 emits them */
const OPEN = '\u0001';
const CLOSE = '\u0002';
const SNIPPET_TOKENS = 30;
const MAX_TERMS = 16;
const MAX_PHRASES = 8;
const MAX_TYPO_EXPANSIONS = 6;
const MAX_OFFSET = 10_000;
const MAX_BODY = 100_000;
/** a build whose heartbeat is older than this is considered abandoned */
const BUILD_STALE_MS = 120_000;

type Suffix = '' | '_new';

interface TableNames {
  docs: string;
  fts: string;
  tags: string;
  vocab: string;
  vocabDel: string;
}

function names(suffix: Suffix): TableNames {
  return { docs: `docs${suffix}`, fts: `fts${suffix}`, tags: `doc_tags${suffix}`, vocab: `vocab${suffix}`, vocabDel: `vocab_del${suffix}` };
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
    CREATE TABLE IF NOT EXISTS ${t.tags} (rid INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (rid, tag)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${t.vocab} (id INTEGER PRIMARY KEY, term TEXT NOT NULL, len INTEGER NOT NULL);
    CREATE UNIQUE INDEX IF NOT EXISTS ix_${gen}_vocab_term ON ${t.vocab}(term);
    CREATE TABLE IF NOT EXISTS ${t.vocabDel} (key TEXT NOT NULL, term_id INTEGER NOT NULL, PRIMARY KEY (key, term_id)) WITHOUT ROWID;
  `;
}

function createIndexesSql(t: TableNames, gen: string): string {
  return `
    CREATE INDEX IF NOT EXISTS ix_${gen}_docs_created ON ${t.docs}(created_at);
    CREATE INDEX IF NOT EXISTS ix_${gen}_docs_score ON ${t.docs}(score, created_at);
    CREATE INDEX IF NOT EXISTS ix_${gen}_docs_activity ON ${t.docs}(last_activity_at);
    CREATE INDEX IF NOT EXISTS ix_${gen}_docs_author ON ${t.docs}(author_id);
    CREATE INDEX IF NOT EXISTS ix_${gen}_docs_question ON ${t.docs}(question_id);
    CREATE INDEX IF NOT EXISTS ix_${gen}_tags_tag ON ${t.tags}(tag, rid);
  `;
}

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
  insertTag: Database.Statement<[number, string], unknown>;
  deleteTags: Database.Statement<[number], unknown>;
  insertTerm: Database.Statement<[string, number], unknown>;
  insertKey: Database.Statement<[string, number | bigint], unknown>;
  /** words known to be in this set's vocabulary (skips repeated INSERT OR IGNOREs) */
  knownTerms: Set<string>;
}

/** Removes the highlight markers (and other C0 controls except tab/newline) from indexed text. */
function clean(text: string, max = Number.POSITIVE_INFINITY): string {
  // eslint-disable-next-line no-control-regex
  const out = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ');
  return out.length > max ? out.slice(0, max) : out;
}

function normaliseTags(tags: string[]): string[] {
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

// ---------------------------------------------------------------------------------------------

export function createEmbeddedSearch(options: EmbeddedSearchOptions): SearchPort {
  const owner = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let db: Database.Database | null = null;
  let closed = false;
  const statements = new Map<string, Database.Statement>();
  let liveWriter: Writer | null = null;
  let liveGen: string | null = null;
  let buildWriter: { gen: string; writer: Writer } | null = null;

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
    conn.pragma('mmap_size = 268435456');
    conn.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
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

  function makeWriter(t: TableNames): Writer {
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
      insertTag: conn.prepare(`INSERT OR IGNORE INTO ${t.tags} (rid, tag) VALUES (?, ?)`),
      deleteTags: conn.prepare(`DELETE FROM ${t.tags} WHERE rid = ?`),
      insertTerm: conn.prepare(`INSERT OR IGNORE INTO ${t.vocab} (term, len) VALUES (?, ?)`),
      insertKey: conn.prepare(`INSERT OR IGNORE INTO ${t.vocabDel} (key, term_id) VALUES (?, ?)`),
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
      liveWriter = makeWriter(names(''));
      liveGen = gen;
    }
    const build = currentBuild();
    if (!build || Date.now() - build.heartbeat > BUILD_STALE_MS) {
      buildWriter = null;
      return [liveWriter];
    }
    if (!buildWriter || buildWriter.gen !== build.gen) buildWriter = { gen: build.gen, writer: makeWriter(names('_new')) };
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

  /** Writes one document into a table set unless the set holds a newer version. Returns whether it wrote. */
  function writeDoc(w: Writer, doc: SearchDocument, words: Set<string> | null): boolean {
    const existing = w.findDoc.get(doc.id);
    if (existing && existing.version > doc.version) return false;
    const title = clean(doc.title, 1000);
    const tags = normaliseTags(doc.tags);
    const tagText = tags.join(' ');
    const body = clean(doc.body, MAX_BODY);
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
      const old = w.readText.get(rid);
      textChanged = !old || old.title !== title || old.tags !== tagText || old.body !== body;
      if (textChanged) {
        w.deleteText.run(rid);
        w.deleteTags.run(rid);
      }
    } else {
      rid = Number(w.insertDoc.run(...values).lastInsertRowid);
    }
    if (textChanged) {
      w.insertText.run(rid, title, tagText, body);
      for (const tag of tags) w.insertTag.run(rid, tag);
      if (words) {
        for (const token of tokenize(`${title} ${body}`)) if (VOCAB_WORD.test(token)) words.add(token);
      }
    }
    return true;
  }

  function removeDoc(w: Writer, id: string): void {
    const existing = w.findDoc.get(id);
    if (!existing) return;
    w.deleteText.run(existing.rid);
    w.deleteTags.run(existing.rid);
    w.deleteDoc.run(existing.rid);
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
  // Query building

  /** Is the word in the live index, and in how many documents? */
  function docFrequency(word: string): number {
    return stmt<[string], { doc: number }>(`SELECT doc FROM fts_vocab WHERE term = ?`).get(word)?.doc ?? 0;
  }

  /** Vocabulary words within the allowed typo distance of `word`, most frequent first. */
  function typoCandidates(word: string, maxTypos: number): string[] {
    const len = Array.from(word).length;
    const keys = deletionKeys(word, maxTypos);
    const rows = stmt<[string, number, number], { term: string }>(
      `SELECT DISTINCT v.term FROM vocab_del k JOIN vocab v ON v.id = k.term_id
       WHERE k.key IN (SELECT value FROM json_each(?)) AND v.len BETWEEN ? AND ?`,
    ).all(JSON.stringify(keys), len - maxTypos, len + maxTypos);
    const scored: Array<{ term: string; distance: number; docs: number }> = [];
    for (const { term } of rows) {
      if (term === word) continue;
      const distance = typoDistance(word, term, maxTypos);
      if (distance > maxTypos) continue;
      // the vocabulary may keep words of deleted documents: only words the index still holds count
      const docs = docFrequency(term);
      if (docs > 0) scored.push({ term, distance, docs });
    }
    scored.sort((a, b) => a.distance - b.distance || b.docs - a.docs || (a.term < b.term ? -1 : 1));
    return scored.slice(0, MAX_TYPO_EXPANSIONS).map((s) => s.term);
  }

  /** The FTS5 MATCH expression for the query's text, or null when it has no text to match. */
  function matchExpression(q: SearchQuery): string | null {
    const parts: string[] = [];
    for (const phrase of q.phrases.slice(0, MAX_PHRASES)) {
      if (tokenize(phrase).length > 0) parts.push(ftsString(phrase));
    }
    const terms = q.terms.filter((t) => tokenize(t).length > 0).slice(0, MAX_TERMS);
    terms.forEach((term, i) => {
      const tokens = tokenize(term);
      const isLast = i === terms.length - 1;
      const alternatives: string[] = [];
      // prefix on the last term (not for a single character: that would match half the index)
      const prefix = isLast && (tokens.length > 1 || Array.from(tokens[0]!).length >= 2);
      alternatives.push(prefix ? `${ftsString(term)}*` : ftsString(term));
      if (tokens.length === 1) {
        const word = tokens[0]!;
        const typos = allowedTypos(word);
        if (typos > 0 && docFrequency(word) === 0) {
          for (const candidate of typoCandidates(word, typos)) alternatives.push(ftsString(candidate));
        }
      }
      parts.push(alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`);
    });
    return parts.length > 0 ? parts.join(' AND ') : null;
  }

  /** SQL conditions on `d` (docs) for the query's filters. */
  function filterSql(q: SearchQuery): { where: string[]; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    const list = (values: readonly unknown[]) => {
      params.push(...values);
      return values.map(() => '?').join(', ');
    };
    for (const tag of normaliseTags(q.tags)) {
      where.push(`d.rid IN (SELECT rid FROM doc_tags WHERE tag = ?)`);
      params.push(tag);
    }
    const excluded = normaliseTags(q.excludedTags);
    if (excluded.length > 0) where.push(`d.rid NOT IN (SELECT rid FROM doc_tags WHERE tag IN (${list(excluded)}))`);
    if (q.authorIds && q.authorIds.length > 0) where.push(`d.author_id IN (${list(q.authorIds)})`);
    let type = q.type;
    // answers:N is about questions; isaccepted:yes|no is about answers (as on Stack Overflow)
    if (q.answers !== undefined) {
      where.push(q.answers <= 0 ? `d.answer_count = 0` : `d.answer_count >= ?`);
      if (q.answers > 0) params.push(Math.trunc(q.answers));
      if (type === undefined) type = 'question';
      else if (type !== 'question') where.push('0');
    }
    if (q.isAccepted !== undefined) {
      where.push(`d.is_accepted = ?`);
      params.push(q.isAccepted ? 1 : 0);
      if (type === undefined) type = 'answer';
      else if (type !== 'answer') where.push('0');
    }
    if (type) {
      where.push(`d.type = ?`);
      params.push(type);
    }
    if (q.minScore !== undefined) {
      where.push(`d.score >= ?`);
      params.push(Math.trunc(q.minScore));
    }
    if (q.hasAccepted !== undefined) {
      where.push(`d.has_accepted = ?`);
      params.push(q.hasAccepted ? 1 : 0);
    }
    if (q.isClosed !== undefined) {
      where.push(`d.is_closed = ?`);
      params.push(q.isClosed ? 1 : 0);
    }
    if (q.spaces && q.spaces.length > 0) where.push(`d.space IN (${list(q.spaces)})`);
    if (q.createdFrom !== undefined) {
      where.push(`d.created_at >= ?`);
      params.push(Math.trunc(q.createdFrom));
    }
    if (q.createdTo !== undefined) {
      where.push(`d.created_at < ?`);
      params.push(Math.trunc(q.createdTo));
    }
    return { where, params };
  }

  function orderSql(sort: SearchQuery['sort'], hasText: boolean): string {
    switch (sort) {
      case 'newest':
        return `d.created_at DESC, d.rid DESC`;
      case 'votes':
        return `d.score DESC, d.created_at DESC, d.rid DESC`;
      case 'activity':
        return `d.last_activity_at DESC, d.rid DESC`;
      case 'relevance':
      default:
        return hasText ? `r ASC, d.score DESC, d.created_at DESC, d.rid DESC` : `d.score DESC, d.created_at DESC, d.rid DESC`;
    }
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

  /** Builds the hit for one row id: highlights when there is a MATCH expression, plain excerpts otherwise. */
  function loadHit(rid: number, match: string | null): SearchHit | null {
    const row = stmt<[number], DocRow>(`SELECT * FROM docs WHERE rid = ?`).get(rid);
    if (!row) return null;
    if (match) {
      // better-sqlite3 binds JS numbers as REAL, and FTS5 ignores a REAL `rowid =` next to MATCH
      // (it returns every match): hence the CAST.
      const h = stmt<[string, number], TextRow & { r: number; th: string; sn: string }>(
        `SELECT ${BM25} AS r, highlight(fts, 0, char(1), char(2)) AS th,
                snippet(fts, 2, char(1), char(2), '…', ${SNIPPET_TOKENS}) AS sn, title, tags, body
         FROM fts WHERE fts MATCH ? AND rowid = CAST(? AS INTEGER)`,
      ).get(match, rid);
      if (h) {
        return {
          id: row.id,
          type: row.type,
          questionId: row.question_id,
          titleHighlight: markedToHtml(h.th, OPEN, CLOSE),
          snippet: markedToHtml(h.sn, OPEN, CLOSE),
          relevance: -h.r,
          document: toDocument(row, h),
        };
      }
    }
    const text = stmt<[number], TextRow>(`SELECT title, tags, body FROM fts WHERE rowid = ?`).get(rid) ?? {
      title: '',
      tags: '',
      body: '',
    };
    return {
      id: row.id,
      type: row.type,
      questionId: row.question_id,
      titleHighlight: escapeHtml(text.title),
      snippet: escapeHtml(leadingWords(text.body, SNIPPET_TOKENS)),
      relevance: 0,
      document: toDocument(row, text),
    };
  }

  function facetCounts(from: string, params: unknown[]): { total: number; facets: SearchResultPage['facets'] } {
    const rows = stmt<unknown[], { k: string; v: string | null; c: number }>(
      `WITH m AS MATERIALIZED (SELECT d.rid, d.space, d.type, d.is_answered, d.has_accepted, d.is_closed ${from})
       SELECT 'total' AS k, NULL AS v, count(*) AS c FROM m
       UNION ALL SELECT 'answered', NULL, total(is_answered) FROM m
       UNION ALL SELECT 'accepted', NULL, total(has_accepted) FROM m
       UNION ALL SELECT 'closed', NULL, total(is_closed) FROM m
       UNION ALL SELECT 'type', type, count(*) FROM m GROUP BY type
       UNION ALL SELECT * FROM (SELECT 'space', space, count(*) AS c FROM m GROUP BY space ORDER BY c DESC, space LIMIT 20)
       UNION ALL SELECT * FROM (SELECT 'tags', t.tag, count(*) AS c FROM m JOIN doc_tags t ON t.rid = m.rid
                                GROUP BY t.tag ORDER BY c DESC, t.tag LIMIT 20)`,
    ).all(...params);
    const facets: SearchResultPage['facets'] = { tags: [], space: [], type: [], status: [] };
    let total = 0;
    const status: Record<string, number> = {};
    for (const r of rows) {
      const c = Number(r.c);
      if (r.k === 'total') total = c;
      else if (r.k === 'answered' || r.k === 'accepted' || r.k === 'closed') status[r.k] = c;
      else if (r.v !== null && c > 0) (facets[r.k as 'tags' | 'space' | 'type'] as FacetCount[]).push({ value: r.v, count: c });
    }
    status.unanswered = total - (status.answered ?? 0);
    facets.status = ['answered', 'unanswered', 'accepted', 'closed']
      .map((value) => ({ value, count: status[value] ?? 0 }))
      .filter((f) => f.count > 0)
      .sort((a, b) => b.count - a.count);
    facets.type.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    return { total, facets };
  }

  // -------------------------------------------------------------------------------------------
  // Reindex

  function dropSet(conn: Database.Database, t: TableNames): void {
    for (const table of [t.fts, t.docs, t.tags, t.vocab, t.vocabDel]) conn.exec(`DROP TABLE IF EXISTS ${table}`);
  }

  async function reindex(
    source: AsyncIterable<SearchDocument[]>,
    total: number,
    onProgress?: (p: ReindexProgress) => void,
  ): Promise<void> {
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
        conn.prepare(`INSERT OR REPLACE INTO meta(key, value) VALUES ('build', ?)`).run(JSON.stringify({ gen, owner, heartbeat: Date.now() }));
      })
      .immediate();
    statements.clear();
    const writer = makeWriter(next);
    buildWriter = { gen, writer };
    const heartbeat = conn.prepare(`UPDATE meta SET value = ? WHERE key = 'build'`);
    const stillOurs = (): void => {
      const build = currentBuild();
      if (!build || build.gen !== gen) throw new ConflictError('The search reindex was taken over by another process.');
    };

    try {
      let done = 0;
      onProgress?.({ done, total });
      const loadBatch = conn.transaction((docs: SearchDocument[]) => {
        stillOurs();
        const words = new Set<string>();
        for (const doc of latestPerId(docs)) writeDoc(writer, doc, words);
        addVocabulary(writer, words);
        heartbeat.run(JSON.stringify({ gen, owner, heartbeat: Date.now() }));
      });
      for await (const batch of source) {
        for (let i = 0; i < batch.length; i += 1000) loadBatch.immediate(batch.slice(i, i + 1000));
        done += batch.length;
        onProgress?.({ done, total: Math.max(total, done) });
        await nextTick(); // let queries (and mirrored upserts) in between batches
      }
      // secondary indexes after the bulk load, then merge the FTS segments for fast queries
      conn.transaction(() => conn.exec(createIndexesSql(next, gen))).immediate();
      conn.transaction(() => conn.prepare(`INSERT INTO ${next.fts}(${next.fts}) VALUES ('optimize')`).run()).immediate();
      // the swap: one transaction, so every reader sees either the old set or the new one
      conn
        .transaction(() => {
          stillOurs();
          const live = names('');
          dropSet(conn, live);
          conn.exec(`ALTER TABLE ${next.docs} RENAME TO ${live.docs}`);
          conn.exec(`ALTER TABLE ${next.fts} RENAME TO ${live.fts}`);
          conn.exec(`ALTER TABLE ${next.tags} RENAME TO ${live.tags}`);
          conn.exec(`ALTER TABLE ${next.vocab} RENAME TO ${live.vocab}`);
          conn.exec(`ALTER TABLE ${next.vocabDel} RENAME TO ${live.vocabDel}`);
          conn.prepare(`UPDATE meta SET value = ? WHERE key = 'live_gen'`).run(gen);
          conn.prepare(`DELETE FROM meta WHERE key = 'build'`).run();
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
        const chunk = batch.slice(i, i + 500);
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
      ensureInit();
      const limit = clampInt(q.limit, 1, 100);
      const offset = clampInt(q.offset, 0, MAX_OFFSET);
      const match = matchExpression(q);
      const { where, params } = filterSql(q);
      const conditions = match ? [`fts MATCH ?`, ...where] : where;
      const allParams = match ? [match, ...params] : params;
      const from = match
        ? `FROM fts JOIN docs d ON d.rid = fts.rowid WHERE ${conditions.join(' AND ')}`
        : `FROM docs d${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
      const rank = match && q.sort === 'relevance' ? `, ${BM25} AS r` : '';

      const page = stmt<unknown[], { rid: number }>(
        `SELECT d.rid${rank} ${from} ORDER BY ${orderSql(q.sort, rank !== '')} LIMIT ? OFFSET ?`,
      ).all(...allParams, limit, offset);

      let total: number;
      let facets: SearchResultPage['facets'] = { tags: [], space: [], type: [], status: [] };
      if (q.facets) {
        ({ total, facets } = facetCounts(from, allParams));
      } else if (page.length < limit && (offset === 0 || page.length > 0)) {
        total = offset + page.length; // the page is the last one: no need to count
      } else {
        total = stmt<unknown[], { n: number }>(`SELECT count(*) AS n ${from}`).get(...allParams)?.n ?? 0;
      }

      const hits: SearchHit[] = [];
      for (const { rid } of page) {
        const hit = loadHit(rid, match);
        if (hit) hits.push(hit);
      }
      return { total, hits, facets };
    },

    async similar(title, limit) {
      ensureInit();
      const words: string[] = [];
      for (const token of tokenize(title)) {
        if (token.length >= 2 && !STOP_WORDS.has(token) && !words.includes(token)) words.push(token);
      }
      if (words.length === 0) return [];
      const match = `title : (${words.slice(0, 12).map(ftsString).join(' OR ')})`;
      const rows = stmt<[string, number], { rid: number }>(
        `SELECT d.rid, bm25(fts, 1.0, 0.0, 0.0) AS r FROM fts JOIN docs d ON d.rid = fts.rowid
         WHERE fts MATCH ? AND d.type = 'question' ORDER BY r ASC, d.score DESC, d.rid DESC LIMIT ?`,
      ).all(match, clampInt(limit, 1, 50));
      const hits: SearchHit[] = [];
      for (const { rid } of rows) {
        const hit = loadHit(rid, match);
        if (hit) hits.push(hit);
      }
      return hits;
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
        const rows = stmt<[number], { rid: number; id: string }>(`SELECT rid, id FROM docs WHERE rid > ? ORDER BY rid LIMIT 1000`).all(after);
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
      db?.close();
      db = null;
    },
  };
  return port;
}
