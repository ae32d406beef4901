// The local FerretDB's `_id` lookups go through an index (scripts/lib/ferretdb-ids.ts): FerretDB
// 1.24's own `_id` index is on another expression than the one its lookups use.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileDir } from '../../scripts/lib/services.js';
import { PostModel } from '../../server/src/modules/post/post.model.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as new (
  file: string,
  options?: { readonly?: boolean },
) => {
  prepare(sql: string): { all(...args: unknown[]): unknown[]; get(...args: unknown[]): unknown };
  close(): void;
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe.skipIf(!!process.env.MONGODB_URL)('FerretDB _id lookups', () => {
  it('use an index on the expression FerretDB queries, for every collection table', async () => {
    const file = join(profileDir('test'), 'ferretdb', 'data', `${mongoose.connection.name}.sqlite`);
    const db = new Database(file, { readonly: true });
    try {
      const tables = db.prepare(`SELECT name, table_name FROM _ferretdb_collections`).all() as Array<{ name: string; table_name: string }>;
      expect(tables.map((t) => t.name)).toContain('posts');
      const indexes = new Set(
        (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).all() as Array<{ name: string }>).map((i) => i.name),
      );
      for (const t of tables) expect(indexes.has(`${t.table_name}_colloquy_id_lookup`), t.name).toBe(true);
      const posts = tables.find((t) => t.name === 'posts')!.table_name;
      // the statement FerretDB 1.24 runs for find/update/delete by _id
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "${posts}" WHERE _ferretdb_sjson->'$._id' = ? LIMIT 1`)
        .all('"x"') as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX .*_colloquy_id_lookup/);
    } finally {
      db.close();
    }
    // FerretDB keeps answering through its own metadata, which does not list the extra index
    expect(await PostModel.findById(new mongoose.Types.ObjectId()).lean()).toBeNull();
    const listed = (await PostModel.collection.listIndexes().toArray()).map((i) => i.name as string);
    expect(listed).toContain('_id_');
    expect(listed.some((n) => n.includes('colloquy_id_lookup'))).toBe(false);
  });
});
