// FerretDB 1.24's SQLite backend pushes a `{_id: value}` filter down as
// `WHERE _ferretdb_sjson->'$._id' = ?`, but the unique `_id` index it creates is on
// `_ferretdb_sjson->"_id"` — a different expression, which SQLite does not match — so every read,
// update and delete by _id scans its table (measured on 29k posts: 280 ms a lookup; with a
// matching index 0.1 ms). This adds the matching expression index to every collection table of
// the local FerretDB's SQLite files. SQLite maintains it on every write; FerretDB does not list
// it and drops it with the table. Only for the FerretDB the scripts run (never a MONGODB_URL).
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { profileDir, type Profile } from './services.js';

const require = createRequire(import.meta.url);

interface SqliteDb {
  prepare(sql: string): { all(): unknown[]; get(): unknown };
  exec(sql: string): void;
  close(): void;
}

/** FerretDB's collection → table catalog of one SQLite file; empty when it is not FerretDB's. */
function collectionTables(db: SqliteDb): Array<{ name: string; table: string }> {
  const hasCatalog = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_ferretdb_collections'`).all();
  if (hasCatalog.length === 0) return [];
  return (db.prepare(`SELECT name, table_name FROM _ferretdb_collections`).all() as Array<{ name: string; table_name: string }>)
    .filter((t) => /^[A-Za-z0-9_.-]+$/.test(t.table_name))
    .map((t) => ({ name: t.name, table: t.table_name }));
}

/** Adds the missing `_id` lookup indexes; returns how many were created. */
export function indexFerretdbIds(dataDir: string): number {
  if (!existsSync(dataDir)) return 0;
  const Database = require('better-sqlite3') as new (file: string, options: { timeout: number }) => SqliteDb;
  let created = 0;
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.sqlite'))) {
    const db = new Database(join(dataDir, file), { timeout: 15_000 });
    try {
      const tables = collectionTables(db);
      if (tables.length === 0) continue;
      const existing = new Set(
        (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).all() as Array<{ name: string }>).map((i) => i.name),
      );
      for (const { table } of tables) {
        const name = `${table}_colloquy_id_lookup`;
        if (existing.has(name)) continue;
        db.exec(`CREATE INDEX IF NOT EXISTS "${name}" ON "${table}" (_ferretdb_sjson->'$._id')`);
        created++;
      }
    } finally {
      db.close();
    }
  }
  return created;
}

/** The same for a profile's local FerretDB (nothing when MONGODB_URL points elsewhere). */
export function indexProfileFerretdbIds(profile: Profile): number {
  if (process.env.MONGODB_URL) return 0;
  return indexFerretdbIds(join(profileDir(profile), 'ferretdb', 'data'));
}

/**
 * Document counts per collection of one database of a local FerretDB, read from its SQLite file
 * (`count(*)` over an index: a second or two for millions of rows). FerretDB's own `count` reads
 * and decodes every document, which takes many minutes at the large bench scale. Null when the
 * file does not exist.
 */
export function countFerretdbDocuments(dataDir: string, database: string): Record<string, number> | null {
  const file = join(dataDir, `${database}.sqlite`);
  if (!existsSync(file)) return null;
  const Database = require('better-sqlite3') as new (file: string, options: { timeout: number; readonly: boolean }) => SqliteDb;
  const db = new Database(file, { timeout: 15_000, readonly: true });
  try {
    const out: Record<string, number> = {};
    for (const { name, table } of collectionTables(db)) {
      out[name] = (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    }
    return out;
  } finally {
    db.close();
  }
}
