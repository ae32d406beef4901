// The embedded search engine: SQLite FTS5 through better-sqlite3, in one database file under
// `dir`. The file survives restarts and several processes can use it at once in WAL mode (the api
// queries it, the worker writes it); every write is a short IMMEDIATE transaction.
//
// This file wires the parts in ./embedded/ into a SearchPort:
//   options.ts         options and the query pipeline's budgets
//   store.ts           the state a port keeps: connection, statements, attribute cache, scratch db
//   schema.ts          the file layout: table sets, generations, the swap (design notes there)
//   tokens.ts, typo.ts tokens exactly as FTS5 indexes them, word pairs, typo distance and keys
//   writer.ts          the index writer (documents, full-text tables, vocabulary, change log)
//   reindex.ts         building a new table set and swapping it in
//   query-compiler.ts  query text → FTS5 MATCH expressions (typo and prefix alternatives)
//   vocabulary.ts      the compiler's questions about words, answered from the index
//   attributes.ts, cache-refresh.ts  the in-memory columnar attribute cache
//   filter.ts          filters as a predicate over the cache, sort orders
//   matches.ts, ranking.ts  FTS5 matches, bm25, tiers, budgets and sampling
//   facets.ts          facet counts
//   hits.ts, scratch.ts  the page's hits and their highlights
//   query-runner.ts    the query pipeline (design notes there)

import type { SearchPort } from './search.port.js';
import type { EmbeddedSearchOptions } from './embedded/options.js';
import { QueryRunner, clampInt, similarTitleMatch } from './embedded/query-runner.js';
import { reindex } from './embedded/reindex.js';
import { EmbeddedStore } from './embedded/store.js';
import { IndexVocabulary } from './embedded/vocabulary.js';
import { IndexWriter } from './embedded/writer.js';

export type { EmbeddedSearchOptions, EmbeddedTuning } from './embedded/options.js';
export { allowedTypos, deletionKeys, typoDistance } from './embedded/typo.js';
export { asciiTokens, isAscii, pairPhrase, pairText } from './embedded/tokens.js';

export function createEmbeddedSearch(options: EmbeddedSearchOptions): SearchPort {
  const store = new EmbeddedStore(options);
  const writer = new IndexWriter(store);
  const runner = new QueryRunner(store, new IndexVocabulary(store));

  const port: SearchPort = {
    name: 'embedded',

    async init() {
      store.ensureInit();
    },

    async upsert(docs) {
      if (docs.length === 0) return;
      writer.upsert(docs);
    },

    async remove(ids) {
      if (ids.length === 0) return;
      writer.remove(ids);
    },

    async query(q) {
      const conn = store.ensureInit();
      // one read transaction: the cache refresh, the matches and the hits come from one snapshot
      return conn.transaction(() => runner.run(q))();
    },

    async similar(title, limit) {
      const conn = store.ensureInit();
      const match = similarTitleMatch(title);
      if (!match) return [];
      const n = clampInt(limit, 1, 50);
      return conn.transaction(() => runner.similar(match, n))();
    },

    async versions(ids) {
      store.ensureInit();
      const out = new Map<string, number>();
      const select = store.stmt<[string], { id: string; version: number }>(
        `SELECT id, version FROM docs WHERE id IN (SELECT value FROM json_each(?))`,
      );
      for (let i = 0; i < ids.length; i += 500) {
        for (const row of select.all(JSON.stringify(ids.slice(i, i + 500)))) out.set(row.id, row.version);
      }
      return out;
    },

    async *allIds() {
      store.ensureInit();
      let after = -1;
      for (;;) {
        const rows = store
          .stmt<[number], { rid: number; id: string }>(`SELECT rid, id FROM docs WHERE rid > ? ORDER BY rid LIMIT 1000`)
          .all(after);
        if (rows.length === 0) return;
        after = rows[rows.length - 1]!.rid;
        yield rows.map((r) => r.id);
        if (rows.length < 1000) return;
      }
    },

    reindex: (source, total, onProgress) => reindex(store, writer, source, total, onProgress),

    async count() {
      store.ensureInit();
      return store.stmt<[], { n: number }>(`SELECT count(*) AS n FROM docs`).get()?.n ?? 0;
    },

    async close() {
      if (store.closed) return;
      writer.reset();
      store.close();
    },
  };
  return port;
}
