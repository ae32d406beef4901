// A private in-memory database for work on a few texts with FTS5's own tokenizer:
// - highlights: highlighting a few hits against the full index means seeking through the
//   doclists of every query word for each hit (milliseconds per hit for common words); an FTS5
//   table holding just the hits gives the same highlight()/snippet() output for a fraction. It
//   takes its text from an ordinary table (external content) and is rebuilt from it in one
//   step ('rebuild' empties it without re-tokenizing the previous rows to delete them).
// - exact tokens of non-ASCII texts (for fts_pairs), from an fts5vocab 'instance' table.

import Database from 'better-sqlite3';
import { TOKENIZER } from './tokens.js';

/** the length of a hit's body snippet, in tokens */
export const SNIPPET_TOKENS = 30;

/** A text to highlight: the hit's rowid and the texts of its three columns. */
export interface HighlightRow {
  rid: number;
  title: string;
  tags: string;
  body: string;
}

interface Handles {
  db: Database.Database;
  clearHlText: Database.Statement;
  insertHlText: Database.Statement<[number, string, string, string]>;
  rebuildHl: Database.Statement;
  selectHl: Database.Statement<[string]>;
  clearTok: Database.Statement;
  insertTok: Database.Statement<[number, string]>;
  selectTok: Database.Statement;
}

export class ScratchDb {
  private handles: Handles | null = null;

  private open(): Handles {
    if (this.handles) return this.handles;
    const mem = new Database(':memory:');
    mem.exec(`
      CREATE TABLE hl_text (id INTEGER PRIMARY KEY, title TEXT, tags TEXT, body TEXT);
      CREATE VIRTUAL TABLE hl USING fts5(title, tags, body, tokenize = "${TOKENIZER}", content = 'hl_text', content_rowid = 'id');
      CREATE VIRTUAL TABLE tok USING fts5(text, tokenize = "${TOKENIZER}", content = '');
      CREATE VIRTUAL TABLE tok_instance USING fts5vocab(tok, 'instance');
    `);
    this.handles = {
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
    return this.handles;
  }

  /**
   * rowid → [highlighted title, body snippet] for the rows `expr` (an `fts` MATCH expression)
   * matches, marked with char(1) … char(2) (OPEN, CLOSE).
   */
  highlights(rows: readonly HighlightRow[], expr: string): Map<number, [string, string]> {
    const m = this.open();
    return m.db.transaction(() => {
      m.clearHlText.run();
      for (const r of rows) m.insertHlText.run(r.rid, r.title, r.tags, r.body);
      m.rebuildHl.run();
      const out = new Map<number, [string, string]>();
      for (const [rid, title, snip] of m.selectHl.all(expr) as [number, string, string][]) out.set(rid, [title, snip]);
      return out;
    })();
  }

  /** FTS5's tokens of each text, by position (an Fts5Tokenizer). */
  tokenize(texts: readonly string[]): string[][] {
    const m = this.open();
    const out = texts.map((): string[] => []);
    m.db.transaction(() => {
      m.clearTok.run();
      texts.forEach((text, i) => m.insertTok.run(i + 1, text));
      for (const [doc, offset, term] of m.selectTok.iterate() as IterableIterator<[number, number, string]>) out[doc - 1]![offset] = term;
      m.clearTok.run();
    })();
    return out;
  }

  close(): void {
    this.handles?.db.close();
    this.handles = null;
  }
}
