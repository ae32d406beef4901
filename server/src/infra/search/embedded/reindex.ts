// A reindex: builds a second table set (`_new`) from the source while the live set keeps
// answering queries and taking writes (mirrored into the new set, see IndexWriter.writers), then
// swaps it in with one transaction. One build at a time across processes: meta 'build' names its
// owner and carries a heartbeat; a build whose heartbeat is stale may be taken over.

import { setImmediate as nextTick } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { ConflictError } from '../../../lib/errors.js';
import type { ReindexProgress, SearchDocument } from '../search.port.js';
import { BUILD_STALE_MS, BULK_LOAD_TABLES, createIndexesSql, createTablesSql, dropSet, names, setMerging, swapInNewSet } from './schema.js';
import type { EmbeddedStore } from './store.js';
import { latestPerId, type IndexWriter, type PreparedDoc } from './writer.js';

/** Claims the build for this process and creates the empty `_new` set (no merging while loading). */
function beginBuild(store: EmbeddedStore, conn: Database.Database, gen: string): void {
  const next = names('_new');
  conn
    .transaction(() => {
      const build = store.currentBuild();
      if (build && build.owner !== store.owner && Date.now() - build.heartbeat < BUILD_STALE_MS) {
        throw new ConflictError('A search reindex is already running.');
      }
      dropSet(conn, next); // leftovers of an abandoned build
      conn.exec(createTablesSql(next, gen));
      // no incremental merging of FTS segments during the bulk load: one 'optimize' at the end
      // merges everything (fts_pairs has many distinct terms: merging them repeatedly costs)
      setMerging(conn, next, 'bulk');
      conn
        .prepare(`INSERT OR REPLACE INTO meta(key, value) VALUES ('build', ?)`)
        .run(JSON.stringify({ gen, owner: store.owner, heartbeat: Date.now() }));
    })
    .immediate();
}

/** Secondary indexes after the bulk load, then merged FTS segments for fast queries. */
function finishBuild(conn: Database.Database, gen: string): void {
  const next = names('_new');
  conn.transaction(() => conn.exec(createIndexesSql(next, gen))).immediate();
  for (const table of BULK_LOAD_TABLES(next)) {
    conn.transaction(() => conn.prepare(`INSERT INTO ${table}(${table}) VALUES ('optimize')`).run()).immediate();
  }
  // back to FTS5's default merging for the incremental writes to come
  conn.transaction(() => setMerging(conn, next, 'incremental')).immediate();
}

/** Abandons the half-built set (unless another process took the build over). */
function abandonBuild(store: EmbeddedStore, conn: Database.Database, gen: string): void {
  try {
    conn
      .transaction(() => {
        if (store.currentBuild()?.gen === gen) {
          dropSet(conn, names('_new'));
          conn.prepare(`DELETE FROM meta WHERE key = 'build'`).run();
        }
      })
      .immediate();
  } catch {
    // the original error matters more
  }
}

export async function reindex(
  store: EmbeddedStore,
  writer: IndexWriter,
  source: AsyncIterable<SearchDocument[]>,
  total: number,
  onProgress?: (p: ReindexProgress) => void,
): Promise<void> {
  const conn = store.ensureInit();
  const gen = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  beginBuild(store, conn, gen);
  store.clearStatements();
  const target = writer.startBuild(gen);
  const heartbeat = conn.prepare(`UPDATE meta SET value = ? WHERE key = 'build'`);
  const stillOurs = (): void => {
    const build = store.currentBuild();
    if (!build || build.gen !== gen) throw new ConflictError('The search reindex was taken over by another process.');
  };

  try {
    let done = 0;
    onProgress?.({ done, total });
    const loadBatch = conn.transaction((docs: PreparedDoc[]) => {
      stillOurs();
      writer.writeBatch(target, docs);
      heartbeat.run(JSON.stringify({ gen, owner: store.owner, heartbeat: Date.now() }));
    });
    for await (const batch of source) {
      for (let i = 0; i < batch.length; i += 1000) loadBatch.immediate(writer.prepareDocs(latestPerId(batch.slice(i, i + 1000))));
      done += batch.length;
      onProgress?.({ done, total: Math.max(total, done) });
      await nextTick(); // let queries (and mirrored upserts) in between batches
    }
    finishBuild(conn, gen);
    // the swap: one transaction, so every reader sees either the old set or the new one
    conn
      .transaction(() => {
        stillOurs();
        swapInNewSet(conn, gen);
      })
      .immediate();
    onProgress?.({ done, total: Math.max(total, done) });
  } catch (err) {
    abandonBuild(store, conn, gen);
    throw err;
  } finally {
    store.clearStatements();
    writer.reset();
    if (!store.closed && store.options.dir !== ':memory:') conn.pragma('wal_checkpoint(PASSIVE)');
  }
}
