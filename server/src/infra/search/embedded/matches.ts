// Reading matches from the live set's FTS5 tables: FTS5 returns the matching rowids only
// (group_concat, ~0.1 µs per match); bm25 is asked for only where it is affordable.

import type { Side } from './query-compiler.js';
import { intersectSorted, parseRowids } from './rowids.js';
import type { FtsTable } from './schema.js';
import type { EmbeddedStore } from './store.js';

/** rowid → bm25 for every row an expression matches in a table (use on small matches only) */
export function bm25Of(store: EmbeddedStore, table: FtsTable, expr: string, weights: string): Map<number, number> {
  const rows = store
    .stmt<[string], [number, number]>(`SELECT rowid, bm25(${table}, ${weights}) FROM ${table} WHERE ${table} MATCH ?`)
    .raw()
    .all(expr) as [number, number][];
  return new Map(rows);
}

/**
 * [rowid, bm25] of the first `limit` rows a side matches: one pass yields the matches with their
 * bm25 when they are few (more than `limit` rows means the caller must not use them).
 */
export function scoredMatches(store: EmbeddedStore, side: Side, limit: number): [number, number][] {
  return store
    .stmt<[string], [number, number]>(
      `SELECT rowid, bm25(${side.table}, ${side.weights}) FROM ${side.table} WHERE ${side.table} MATCH ? LIMIT ${limit}`,
    )
    .raw()
    .all(side.expr) as [number, number][];
}

/** the rowids (ascending) an expression matches in a table */
export function gcRowids(store: EmbeddedStore, table: FtsTable, expr: string): Int32Array {
  return parseRowids(
    store.stmt<[string], { ids: string | null }>(`SELECT group_concat(rowid) AS ids FROM ${table} WHERE ${table} MATCH ?`).get(expr)?.ids,
  );
}

/** the first `limit` rowids (ascending) an expression matches in a table */
export function gcRowidsCapped(store: EmbeddedStore, table: FtsTable, expr: string, limit: number): Int32Array {
  return parseRowids(
    store
      .stmt<[string], { ids: string | null }>(
        `SELECT group_concat(rowid) AS ids FROM (SELECT rowid FROM ${table} WHERE ${table} MATCH ? LIMIT ${limit})`,
      )
      .get(expr)?.ids,
  );
}

/** the rowids (ascending) an expression matches in a table within rowid windows (ascending, disjoint) */
export function gcRowidsIn(store: EmbeddedStore, table: FtsTable, expr: string, windows: Array<[number, number]>): Int32Array {
  // CAST: FTS5 only uses an INTEGER rowid bound (a JavaScript number is bound as a REAL)
  const gc = store.stmt<[string, number, number], { ids: string | null }>(
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
export function matchAll(sides: Side[], matchesOf: (side: Side) => Int32Array): { all: Int32Array; sizes: number[] } {
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

/** the documents carrying a tag (ascending rowids) */
export function tagRowids(store: EmbeddedStore, tag: string): Int32Array {
  return parseRowids(
    store.stmt<[string], { ids: string | null }>(`SELECT group_concat(rid) AS ids FROM doc_tags WHERE tag = ?`).get(tag)?.ids,
  );
}
