import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedSearch } from './embedded.adapter.js';
import { makeDoc, makeQuery, oid, searchConformanceSuite } from './search.conformance.js';
import type { SearchDocument, SearchPort } from './search.port.js';

// The embedded engine through its port: the conformance suite, several processes on one file,
// reindexing, and the budgets of broad queries. Phrases and tag filters: embedded.phrases.test.ts;
// the separately testable parts: embedded/*.test.ts.

const root = mkdtempSync(join(tmpdir(), 'colloquy-search-'));
let counter = 0;
const freshDir = () => join(root, `index-${++counter}`);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

searchConformanceSuite('embedded (file)', async () => createEmbeddedSearch({ dir: freshDir() }));
searchConformanceSuite('embedded (:memory:)', async () => createEmbeddedSearch({ dir: ':memory:' }));

describe('embedded search: several processes on one directory', () => {
  it('a reader sees what a writer indexes, and both survive a reopen', async () => {
    const dir = freshDir();
    const writer = createEmbeddedSearch({ dir });
    const reader = createEmbeddedSearch({ dir });
    await writer.init();
    await reader.init();
    try {
      await writer.upsert([makeDoc({ id: oid(1), title: 'Shared kookaburra index', tags: ['birds'] })]);
      const page = await reader.query(makeQuery({ terms: ['kookaburra'], facets: true }));
      expect(page.hits.map((h) => h.id)).toEqual([oid(1)]);
      expect(page.facets.tags).toEqual([{ value: 'birds', count: 1 }]);

      await writer.upsert([makeDoc({ id: oid(1), title: 'Shared kookaburra index, edited', version: 2 })]);
      expect((await reader.versions([oid(1)])).get(oid(1))).toBe(2);
      // typo vocabulary written by one process is used by the other
      expect((await reader.query(makeQuery({ terms: ['kookabura'] }))).total).toBe(1);

      await writer.remove([oid(1)]);
      expect(await reader.count()).toBe(0);
      await writer.upsert([makeDoc({ id: oid(2), title: 'Persistent galah post' })]);
    } finally {
      await writer.close();
      await reader.close();
    }
    const reopened = createEmbeddedSearch({ dir });
    try {
      expect((await reopened.query(makeQuery({ terms: ['galah'] }))).total).toBe(1);
    } finally {
      await reopened.close();
    }
  });

  it('a reindex in one process is seen by the other, whose cached statements keep working', async () => {
    const dir = freshDir();
    const a = createEmbeddedSearch({ dir });
    const b = createEmbeddedSearch({ dir });
    try {
      await a.init();
      await a.upsert([makeDoc({ id: oid(1), title: 'Before the swap' })]);
      expect((await b.query(makeQuery({ terms: ['before'] }))).total).toBe(1);
      await b.upsert([makeDoc({ id: oid(5), title: 'Written by b before' })]);

      async function* source(): AsyncIterable<SearchDocument[]> {
        yield [makeDoc({ id: oid(2), title: 'After the swap' })];
        // a write from the other process while the build runs reaches the new index too
        await b.upsert([makeDoc({ id: oid(3), title: 'Written during the rebuild' })]);
        yield [makeDoc({ id: oid(4), title: 'Another rebuilt post' })];
      }
      await a.reindex(source(), 2);

      expect((await b.query(makeQuery({ terms: ['before'] }))).total).toBe(0);
      expect((await b.query(makeQuery({ terms: ['after'] }))).total).toBe(1);
      expect((await b.query(makeQuery({ terms: ['rebuild'] }))).total).toBe(1);
      expect(await b.count()).toBe(3);
      await b.upsert([makeDoc({ id: oid(6), title: 'Written by b after' })]);
      expect((await a.query(makeQuery({ terms: ['written'] }))).hits.map((h) => h.id).sort()).toEqual([oid(3), oid(6)]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a reader whose attribute cache outgrew its first capacity keeps answering after a reindex', async () => {
    // the api (reader) and the worker (writer) are two processes on one file; the reader's cache
    // grows past its initial 1,024 rows, then the worker's reindex makes it reload from scratch
    const dir = freshDir();
    const worker = createEmbeddedSearch({ dir });
    const api = createEmbeddedSearch({ dir });
    const docs = Array.from({ length: 1500 }, (_, i) =>
      makeDoc({ id: oid(i + 1), title: `Numerous wombat post ${i}`, space: i % 2 === 0 ? 'even' : 'odd', score: i % 7 }),
    );
    try {
      await worker.init();
      await worker.upsert(docs);
      const query = makeQuery({ terms: ['wombat'], sort: 'votes', facets: true });
      expect((await api.query(query)).total).toBe(1500);

      await worker.reindex(
        (async function* () {
          yield docs;
        })(),
        docs.length,
      );

      for (let round = 0; round < 2; round++) {
        const page = await api.query(query);
        expect(page.total).toBe(1500);
        expect(page.facets.space).toEqual([
          { value: 'even', count: 750 },
          { value: 'odd', count: 750 },
        ]);
        expect(page.hits[0]!.document.score).toBe(6);
      }
      expect((await api.query(makeQuery({ terms: ['wombat'], spaces: ['odd'], minScore: 6 }))).total).toBe(
        docs.filter((d) => d.space === 'odd' && d.score >= 6).length,
      );
    } finally {
      await worker.close();
      await api.close();
    }
  });

  it('refuses a second concurrent reindex', async () => {
    const dir = freshDir();
    const a = createEmbeddedSearch({ dir });
    const b = createEmbeddedSearch({ dir });
    try {
      await a.init();
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      async function* slow(): AsyncIterable<SearchDocument[]> {
        yield [makeDoc({ id: oid(1), title: 'one' })];
        await gate;
      }
      const first = a.reindex(slow(), 1);
      await new Promise((r) => setTimeout(r, 20));
      await expect(b.reindex((async function* () {})(), 0)).rejects.toThrow(/already running/);
      release();
      await first;
      expect(await b.count()).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('starts empty on an index file of another layout (derived data is rebuilt, not migrated)', async () => {
    const dir = freshDir();
    const first = createEmbeddedSearch({ dir });
    await first.upsert([makeDoc({ id: oid(1), title: 'Old layout post' })]);
    await first.close();
    const raw = new Database(join(dir, 'search.sqlite'));
    raw.prepare(`UPDATE meta SET value = 'old' WHERE key = 'layout'`).run();
    raw.exec(`CREATE TABLE leftover (x)`);
    raw.close();
    const second = createEmbeddedSearch({ dir });
    try {
      await second.init();
      expect(await second.count()).toBe(0);
      await second.upsert([makeDoc({ id: oid(2), title: 'New layout post' })]);
      expect((await second.query(makeQuery({ terms: ['layout'] }))).hits.map((h) => h.id)).toEqual([oid(2)]);
    } finally {
      await second.close();
    }
  });

  it('also starts empty on a file from before layouts were stamped (no title tables), even if stamped since', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const raw = new Database(join(dir, 'search.sqlite'));
    // what a layout-1 file looks like after a layout-2 process stamped it without rebuilding
    raw.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    raw.exec(`INSERT INTO meta VALUES ('live_gen', '0'), ('layout', '2')`);
    raw.exec(`CREATE TABLE docs (rid INTEGER PRIMARY KEY, id TEXT)`);
    raw.exec(`CREATE VIRTUAL TABLE fts USING fts5(title, body)`);
    raw.close();
    const port = createEmbeddedSearch({ dir });
    try {
      await port.init();
      expect(await port.count()).toBe(0);
      await port.upsert([makeDoc({ id: oid(3), title: 'Rebuilt layout post' })]);
      expect((await port.query(makeQuery({ terms: ['rebuilt'] }))).hits.map((h) => h.id)).toEqual([oid(3)]);
    } finally {
      await port.close();
    }
  });

  it('a failed reindex leaves the live index untouched', async () => {
    const port = createEmbeddedSearch({ dir: freshDir() });
    try {
      await port.upsert([makeDoc({ id: oid(1), title: 'Survivor post' })]);
      async function* broken(): AsyncIterable<SearchDocument[]> {
        yield [makeDoc({ id: oid(2), title: 'Never visible' })];
        throw new Error('source failed');
      }
      await expect(port.reindex(broken(), 2)).rejects.toThrow('source failed');
      expect(await port.count()).toBe(1);
      expect((await port.query(makeQuery({ terms: ['survivor'] }))).total).toBe(1);
      // a later reindex works
      await port.reindex(
        (async function* () {
          yield [makeDoc({ id: oid(3), title: 'Replacement post' })];
        })(),
        1,
      );
      expect((await port.query(makeQuery({ terms: ['replacement'] }))).total).toBe(1);
    } finally {
      await port.close();
    }
  });
});

describe('embedded search: query details', () => {
  it('treats FTS5 syntax in user input as plain words', async () => {
    const port = createEmbeddedSearch({ dir: ':memory:' });
    try {
      await port.upsert([makeDoc({ id: oid(1), title: 'Quotes "and" NEAR OR stars * here', body: 'column:filter (parens)' })]);
      for (const term of ['"', 'NEAR', 'OR', '*', 'AND', 'column:filter', '(parens)', '^x', 'title:quotes', '-']) {
        await expect(port.query(makeQuery({ terms: [term] }))).resolves.toBeDefined();
      }
      expect((await port.query(makeQuery({ terms: ['column:filter'] }))).total).toBe(1);
      expect((await port.query(makeQuery({ phrases: ['"and" near'] }))).total).toBe(1);
    } finally {
      await port.close();
    }
  });

  it('folds diacritics and case', async () => {
    const port = createEmbeddedSearch({ dir: ':memory:' });
    try {
      await port.upsert([makeDoc({ id: oid(1), title: 'Résumé parsing in Zürich' })]);
      expect((await port.query(makeQuery({ terms: ['resume'] }))).total).toBe(1);
      expect((await port.query(makeQuery({ terms: ['ZURICH'] }))).total).toBe(1);
    } finally {
      await port.close();
    }
  });
});

describe('embedded search: broad queries on a large index (budgets shrunk)', () => {
  // 600 posts; every other one mentions "ubiquitous" in its body, every 30th in its title too
  const docs = Array.from({ length: 600 }, (_, i) =>
    makeDoc({
      id: oid(i + 1),
      title: i % 30 === 0 ? `Ubiquitous headline ${i}` : `Plain headline ${i}`,
      body: i % 2 === 0 ? `ubiquitous body words ${i}` : `other body words ${i}`,
      tags: [i % 3 === 0 ? 'alpha' : 'beta'],
      space: i % 4 === 0 ? 'north' : 'south',
      score: i % 17,
    }),
  );
  const tuning = { rankFullLimit: 40, rankTitleLimit: 8, titleTierCap: 50, sampleMinIndex: 100, sampleFraction: 0.2, broadMatches: 100 };
  /** north, alpha, score >= 9: a selective filter (about 24 posts, 12 of them "ubiquitous") */
  const selective = { spaces: ['north'], tags: ['alpha'], minScore: 9 };
  const isSelected = (i: number) => i % 4 === 0 && i % 3 === 0 && i % 17 >= 9;
  let port: SearchPort;
  afterAll(async () => {
    await port?.close();
  });

  it('estimates total and facets from a sample, and says so', async () => {
    port = createEmbeddedSearch({ dir: ':memory:', tuning });
    await port.upsert(docs);
    const page = await port.query(makeQuery({ terms: ['ubiquitous'], facets: true }));
    expect(page.approximate).toBe(true);
    expect(page.total).toBeGreaterThan(300 * 0.8);
    expect(page.total).toBeLessThan(300 * 1.2);
    const type = page.facets.type.find((f) => f.value === 'question')!;
    expect(type.count).toBeGreaterThan(240);
    expect(page.facets.tags.map((t) => t.value).sort()).toEqual(['alpha', 'beta']);
    expect(page.hits).toHaveLength(20);
  });

  it('ranks title matches first, then the rest by votes', async () => {
    const page = await port.query(makeQuery({ terms: ['ubiquitous'], limit: 25 }));
    expect(page.approximate).toBe(true);
    // 20 titles hold the word (i % 30 === 0); the tier is larger than the bm25 budget: votes order
    const titled = page.hits.slice(0, 20);
    expect(titled.every((h) => h.document.title.startsWith('Ubiquitous'))).toBe(true);
    for (let i = 1; i < titled.length; i++) expect(titled[i - 1]!.document.score).toBeGreaterThanOrEqual(titled[i]!.document.score);
    expect(page.hits.slice(20).every((h) => h.document.body.startsWith('ubiquitous'))).toBe(true);
    expect(page.hits[0]!.titleHighlight).toContain('<mark>Ubiquitous</mark>');
  });

  it('is exact for other orders, for selective filters and for narrow text', async () => {
    const votes = await port.query(makeQuery({ terms: ['ubiquitous'], sort: 'votes', facets: true }));
    expect(votes.approximate).toBeUndefined();
    expect(votes.total).toBe(300);
    expect(votes.facets.space).toEqual([
      { value: 'north', count: 150 },
      { value: 'south', count: 150 },
    ]);
    const filtered = await port.query(makeQuery({ terms: ['ubiquitous'], ...selective, limit: 100 }));
    expect(filtered.approximate).toBeUndefined();
    expect(filtered.hits.map((h) => h.id).sort()).toEqual(
      docs
        .filter((_, i) => i % 2 === 0 && isSelected(i))
        .map((d) => d.id)
        .sort(),
    );
    expect(filtered.total).toBe(filtered.hits.length);
    const narrow = await port.query(makeQuery({ terms: ['headline', '42', 'plain'] }));
    expect(narrow.approximate).toBeUndefined();
    expect(narrow.hits.map((h) => h.id)).toEqual([oid(43)]);
  });

  it('ranks filtered matches of a broad text (over the bm25 budget) in tiers, exactly counted', async () => {
    const page = await port.query(makeQuery({ terms: ['ubiquitous'], ...selective, limit: 100 }));
    const titled = docs.filter((_, i) => i % 30 === 0 && isSelected(i)).map((d) => d.id);
    expect(titled.length).toBeGreaterThan(0);
    expect(
      page.hits
        .slice(0, titled.length)
        .map((h) => h.id)
        .sort(),
    ).toEqual(titled.sort());
    for (let i = titled.length + 1; i < page.hits.length; i++) {
      expect(page.hits[i - 1]!.document.score).toBeGreaterThanOrEqual(page.hits[i]!.document.score);
    }
  });
});
