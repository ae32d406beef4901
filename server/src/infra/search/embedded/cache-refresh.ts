// Keeps the attribute cache (attributes.ts) in step with the file: call inside a read
// transaction, so it matches what queries see.

import { ATTR_COLUMNS, type AttrRow } from './schema.js';
import type { EmbeddedStore } from './store.js';

/** a reader this many changes behind (or more) reloads everything instead */
const MAX_REPLAYED_CHANGES = 20_000;

function reloadAttrs(store: EmbeddedStore, gen: string): void {
  const { attrs } = store;
  // the log's high-water mark (sqlite_sequence survives the log being emptied by a swap)
  const seq =
    store.stmt<[], { s: number }>(`SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0) AS s`).get()?.s ?? 0;
  // seq -1 until the load completes: a load that fails halfway is retried by the next query
  // instead of leaving a partial cache marked up to date
  attrs.reset(gen, -1);
  for (const row of store.stmt(`SELECT ${ATTR_COLUMNS} FROM docs`).raw().iterate()) attrs.set(row as AttrRow);
  for (const row of store.stmt(`SELECT rid, group_concat(tag, ' ') FROM doc_tags GROUP BY rid`).raw().iterate()) {
    const [rid, tags] = row as [number, string];
    attrs.setTags(rid, tags);
  }
  attrs.seq = seq;
}

/** Brings the attribute cache up to date: replays the change log, or reloads after a swap. */
export function refreshAttrs(store: EmbeddedStore): void {
  const { attrs } = store;
  const gen = store.liveGen();
  if (attrs.gen !== gen || attrs.seq < 0) return reloadAttrs(store, gen);
  const changed = store
    .stmt<[number], { seq: number; rid: number }>(`SELECT seq, rid FROM changes WHERE seq > ? ORDER BY seq LIMIT 20001`)
    .all(attrs.seq);
  if (changed.length === 0) return;
  const oldest = store.stmt<[], { s: number | null }>(`SELECT min(seq) AS s FROM changes`).get()?.s ?? 0;
  // too far behind (the log was trimmed past us) or too many changes: reload everything
  if (changed.length > MAX_REPLAYED_CHANGES || oldest > attrs.seq + 1) return reloadAttrs(store, gen);
  const seen = new Set<number>();
  for (const { rid } of changed) {
    if (seen.has(rid)) continue;
    seen.add(rid);
    const row = store.stmt<[number]>(`SELECT ${ATTR_COLUMNS} FROM docs WHERE rid = ?`).raw().get(rid) as AttrRow | undefined;
    if (!row) {
      attrs.delete(rid);
      continue;
    }
    attrs.set(row);
    const tags = store.stmt<[number], { t: string | null }>(`SELECT group_concat(tag, ' ') AS t FROM doc_tags WHERE rid = ?`).get(rid);
    attrs.setTags(rid, tags?.t ?? null);
  }
  attrs.seq = changed[changed.length - 1]!.seq;
}
