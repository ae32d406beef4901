// The index writer: documents into a table set (docs, the full-text tables, tags, vocabulary)
// and the change log. Every write is a short IMMEDIATE transaction; while a reindex runs, a
// change goes to the live set and to the set being built.

import type Database from 'better-sqlite3';
import { normalizeTagNames } from '../../../lib/tag-name.js';
import type { SearchDocument } from '../search.port.js';
import { BUILD_STALE_MS, CHANGE_LOG_KEEP, names, type TableNames, type TextRow } from './schema.js';
import type { EmbeddedStore } from './store.js';
import { clean, pairText } from './tokens.js';
import { VOCAB_WORD, deletionKeys } from './typo.js';

const MAX_TITLE = 1000;
const MAX_BODY = 100_000;

/** Per table set: the statements that write it. */
export interface Writer {
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
export interface PreparedDoc {
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

export function makeWriter(conn: Database.Database, t: TableNames, live: boolean): Writer {
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

/** keeps, per id, the document with the highest version (a batch may repeat an id) */
export function latestPerId(docs: SearchDocument[]): SearchDocument[] {
  const byId = new Map<string, SearchDocument>();
  for (const d of docs) {
    const prev = byId.get(d.id);
    if (!prev || prev.version <= d.version) byId.set(d.id, d);
  }
  return [...byId.values()];
}

/** the docs row of a document, in insertDoc's column order */
function docValues(doc: SearchDocument): unknown[] {
  return [
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
}

export class IndexWriter {
  private liveWriter: Writer | null = null;
  private liveGen: string | null = null;
  private buildWriter: { gen: string; writer: Writer } | null = null;

  constructor(private readonly store: EmbeddedStore) {}

  /** The writers to apply a change to: the live set, and the set being built if a reindex runs. */
  writers(): Writer[] {
    const gen = this.store.liveGen();
    if (!this.liveWriter || this.liveGen !== gen) {
      // first use, or another process swapped in a new generation: fresh statements and caches
      this.liveWriter = makeWriter(this.store.open(), names(''), true);
      this.liveGen = gen;
    }
    const build = this.store.currentBuild();
    if (!build || Date.now() - build.heartbeat > BUILD_STALE_MS) {
      this.buildWriter = null;
      return [this.liveWriter];
    }
    if (!this.buildWriter || this.buildWriter.gen !== build.gen) {
      this.buildWriter = { gen: build.gen, writer: makeWriter(this.store.open(), names('_new'), false) };
    }
    return [this.liveWriter, this.buildWriter.writer];
  }

  /** this process starts building generation `gen`: returns the writer of the `_new` set */
  startBuild(gen: string): Writer {
    const writer = makeWriter(this.store.open(), names('_new'), false);
    this.buildWriter = { gen, writer };
    return writer;
  }

  /** forgets every writer (after a swap, or on close): the next write prepares fresh statements */
  reset(): void {
    this.buildWriter = null;
    this.liveWriter = null;
  }

  upsert(docs: SearchDocument[]): void {
    const conn = this.store.ensureInit();
    const batch = latestPerId(docs);
    for (let i = 0; i < batch.length; i += 500) {
      const chunk = this.prepareDocs(batch.slice(i, i + 500));
      conn
        .transaction(() => {
          for (const w of this.writers()) this.writeBatch(w, chunk);
        })
        .immediate();
    }
  }

  remove(ids: string[]): void {
    const conn = this.store.ensureInit();
    conn
      .transaction(() => {
        for (const w of this.writers()) for (const id of ids) this.removeDoc(w, id);
      })
      .immediate();
  }

  /** Cleans the texts of documents and tokenizes them exactly as FTS5 does (once for all sets). */
  prepareDocs(docs: SearchDocument[]): PreparedDoc[] {
    const texts: string[] = [];
    const prepared = docs.map((doc) => {
      const title = clean(doc.title, MAX_TITLE);
      const tags = normalizeTagNames(doc.tags);
      const tagText = tags.join(' ');
      const body = clean(doc.body, MAX_BODY);
      texts.push(title, tagText, body);
      return { doc, title, tags, tagText, body };
    });
    const tokens = this.store.exactTokens(texts);
    return prepared.map((p, i) => {
      const t: [string[], string[], string[]] = [tokens[3 * i]!, tokens[3 * i + 1]!, tokens[3 * i + 2]!];
      return { ...p, tokens: t, pairs: [pairText(t[0]), pairText(t[1]), pairText(t[2])] };
    });
  }

  /** Writes prepared documents into one set, then the new words into its typo vocabulary. */
  writeBatch(w: Writer, docs: readonly PreparedDoc[]): void {
    const words = new Set<string>();
    for (const doc of docs) this.writeDoc(w, doc, words);
    this.addVocabulary(w, words);
  }

  /** Writes one document into a table set unless the set holds a newer version. */
  private writeDoc(w: Writer, p: PreparedDoc, words: Set<string> | null): void {
    const { doc, title, tags, tagText, body } = p;
    const existing = w.findDoc.get(doc.id);
    if (existing && existing.version > doc.version) return;
    const values = docValues(doc);
    let rid: number;
    let textChanged = true;
    if (existing) {
      rid = existing.rid;
      w.updateDoc.run(...values, rid);
      // a vote or a new answer changes no text: leave the full-text index alone then
      const old = w.readText.get(rid);
      textChanged = !old || old.title !== title || old.tags !== tagText || old.body !== body;
      if (textChanged) {
        this.deleteIndexedText(w, rid, old);
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
    this.logChange(w, rid);
  }

  /**
   * Removes a row from the full-text tables. fts_pairs holds no text: it is given the pairs of the
   * text the row was indexed with (the same text `fts` keeps, tokenized the same way). A
   * contentless table could also delete by rowid alone (contentless_delete), but leaves tombstones
   * that every later query checks on every doclist entry (several times slower until a merge).
   */
  private deleteIndexedText(w: Writer, rid: number, old: TextRow | undefined): void {
    if (old) {
      const [title, tags, body] = this.store.exactTokens([old.title, old.tags, old.body]).map(pairText) as [string, string, string];
      w.deletePairs.run(rid, title, tags, body);
      w.deleteTitlePairs.run(rid, title, tags);
    }
    w.deleteText.run(rid);
    w.deleteTitle.run(rid);
  }

  private removeDoc(w: Writer, id: string): void {
    const existing = w.findDoc.get(id);
    if (!existing) return;
    this.deleteIndexedText(w, existing.rid, w.readText.get(existing.rid));
    w.deleteTags.run(existing.rid);
    w.deleteDoc.run(existing.rid);
    this.logChange(w, existing.rid);
  }

  /** Adds new words to a set's typo vocabulary. */
  private addVocabulary(w: Writer, words: Iterable<string>): void {
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

  private logChange(w: Writer, rid: number): void {
    if (!w.logChange) return;
    const seq = Number(w.logChange.run(rid).lastInsertRowid);
    // trim the log now and then; readers further behind than what is kept reload everything
    if (seq % 4096 === 0) this.store.stmt(`DELETE FROM changes WHERE seq <= ?`).run(seq - CHANGE_LOG_KEEP);
  }
}
