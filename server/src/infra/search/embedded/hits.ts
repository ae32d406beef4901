// Loading a page of hits: documents and texts in two statements for the whole page, highlights
// from FTS5 highlight()/snippet() run on a private in-memory FTS5 table holding only the page's
// hits (see scratch.ts).

import { escapeHtml, leadingWords, markedToHtml } from '../../../lib/plain-text.js';
import type { SearchDocument, SearchHit } from '../search.port.js';
import type { DocRow, TextRow } from './schema.js';
import { SNIPPET_TOKENS } from './scratch.js';
import type { EmbeddedStore } from './store.js';
import { CLOSE, OPEN } from './tokens.js';

export function toDocument(row: DocRow, text: TextRow): SearchDocument {
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

/** the docs rows and texts of the given rowids, in the given order (rowids no longer indexed are left out) */
function loadRows(store: EmbeddedStore, rids: number[]): Array<{ rid: number; row: DocRow; text: TextRow }> {
  // two statements for the whole page (not two per hit)
  const list = JSON.stringify(rids);
  const docs = new Map<number, DocRow>();
  for (const row of store.stmt<[string], DocRow>(`SELECT * FROM docs WHERE rid IN (SELECT value FROM json_each(?))`).all(list))
    docs.set(row.rid, row);
  const texts = new Map<number, TextRow>();
  for (const row of store
    .stmt<[string], TextRow & { rid: number }>(
      `SELECT rowid AS rid, title, tags, body FROM fts WHERE rowid IN (SELECT value FROM json_each(?))`,
    )
    .all(list)) {
    texts.set(row.rid, row);
  }
  const loaded: Array<{ rid: number; row: DocRow; text: TextRow }> = [];
  for (const rid of rids) {
    const row = docs.get(rid);
    if (!row) continue;
    loaded.push({ rid, row, text: texts.get(rid) ?? { title: '', tags: '', body: '' } });
  }
  return loaded;
}

/** Loads hits (in the given order) with FTS5 highlights of `expr` (an `fts` MATCH expression), if any. */
export function loadHits(store: EmbeddedStore, rids: number[], expr: string | null, relevance: Map<number, number>): SearchHit[] {
  const loaded = loadRows(store, rids);
  const marks = expr
    ? store.scratch.highlights(
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
