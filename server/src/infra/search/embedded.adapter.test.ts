import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { searchTokens as tokenize } from '../../lib/plain-text.js';
import { allowedTypos, asciiTokens, createEmbeddedSearch, deletionKeys, pairPhrase, pairText, typoDistance } from './embedded.adapter.js';
import { makeDoc, makeQuery, oid, searchConformanceSuite } from './search.conformance.js';
import type { SearchDocument, SearchPort, SearchQuery } from './search.port.js';
import { mulberry32 } from '../../lib/random.js';

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

// ---------------------------------------------------------------------------------------------
// Phrases are matched on word pairs (fts_pairs): they must match exactly where FTS5's own phrase
// query on the words matches. The reference below is a plain FTS5 table with the index's tokenizer.

const TOKENIZER = `unicode61 remove_diacritics 2 tokenchars '+#'`;

/** the tests are deterministic */
const prng = mulberry32;

/** The documents an FTS5 phrase query matches on a plain FTS5 table holding the same texts. */
class Reference {
  private readonly db = new Database(':memory:');
  constructor() {
    this.db.exec(`CREATE VIRTUAL TABLE ref USING fts5(title, tags, body, tokenize = "${TOKENIZER}")`);
  }
  put(docs: SearchDocument[]): void {
    const del = this.db.prepare(`DELETE FROM ref WHERE rowid = ?`);
    const ins = this.db.prepare(`INSERT INTO ref (rowid, title, tags, body) VALUES (?, ?, ?, ?)`);
    for (const d of docs) {
      del.run(parseInt(d.id, 16));
      ins.run(parseInt(d.id, 16), d.title, d.tags.join(' '), d.body);
    }
  }
  remove(ids: string[]): void {
    for (const id of ids) this.db.prepare(`DELETE FROM ref WHERE rowid = ?`).run(parseInt(id, 16));
  }
  /** ids matching every phrase (FTS5 syntax: each phrase quoted) */
  match(phrases: string[], terms: string[] = []): string[] {
    const expr = [...phrases.map((p) => `"${p.replace(/"/g, '""')}"`), ...terms.map((t) => `"${t}"`)].join(' AND ');
    return (this.db.prepare(`SELECT rowid FROM ref WHERE ref MATCH ? ORDER BY rowid`).pluck().all(expr) as number[]).map(oid);
  }
  close(): void {
    this.db.close();
  }
}

/** every id a query matches, paging through the results */
async function allIds(port: SearchPort, query: Partial<SearchQuery>): Promise<{ ids: string[]; total: number; approximate: boolean }> {
  const ids: string[] = [];
  let total = 0;
  let approximate = false;
  for (let offset = 0; ; offset += 100) {
    const page = await port.query(makeQuery({ sort: 'newest', ...query, limit: 100, offset }));
    total = page.total;
    approximate ||= page.approximate === true;
    ids.push(...page.hits.map((h) => h.id));
    if (page.hits.length < 100) break;
  }
  return { ids: ids.sort(), total, approximate };
}

describe('embedded search: phrases on word pairs', () => {
  const rand = prng(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  // a skewed vocabulary: the first words are in most documents (like "the", "of"), several of
  // them repeat next to each other; non-ASCII, mixed case and symbol words too
  const common = ['the', 'of', 'to', 'a', 'in', 'is'];
  const other = [
    'Café',
    'naïve',
    'ZÜRICH',
    'straße',
    '日本語',
    'c++',
    'c#',
    'node.js',
    'Résumé',
    'ÉCOLE',
    'x86-64',
    'don’t',
    'e-mail',
    'foo_bar',
  ];
  const plain = ['index', 'query', 'phrase', 'pair', 'word', 'table', 'token', 'match', 'exact', 'search'];
  const word = (): string => {
    const r = rand();
    return r < 0.45 ? pick(common) : r < 0.65 ? pick(other) : pick(plain);
  };
  const text = (min: number, max: number): string => {
    const n = min + Math.floor(rand() * (max - min + 1));
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(word() + (rand() < 0.1 ? pick([',', '.', ' -', ':', '!']) : ''));
    return out.join(' ');
  };
  const makeDocs = (from: number, count: number, version: number): SearchDocument[] =>
    Array.from({ length: count }, (_, i) =>
      makeDoc({
        id: oid(from + i),
        title: text(2, 7),
        body: text(5, 40),
        // (distinct: the index keeps each tag once)
        tags: [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(['the', 'index', 'c++', 'node.js', 'query'])))],
        version,
        answerCount: Math.floor(rand() * 2),
      }),
    );
  /** phrases to try: spans of a document's column (title, tags or body), and random word runs */
  const phrasesOf = (docs: SearchDocument[], count: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      if (rand() < 0.6) {
        const d = pick(docs);
        const words = pick([d.title, d.body, d.tags.join(' ')]).split(' ');
        const len = 2 + Math.floor(rand() * 3);
        const at = Math.floor(rand() * Math.max(1, words.length - len + 1));
        out.push(words.slice(at, at + len).join(' '));
      } else {
        out.push(Array.from({ length: 2 + Math.floor(rand() * 2) }, () => (rand() < 0.7 ? pick(common) : word())).join(' '));
      }
    }
    return out;
  };

  async function expectSameMatches(port: SearchPort, ref: Reference, docs: SearchDocument[]): Promise<number> {
    let nonEmpty = 0;
    for (const phrase of phrasesOf(docs, 120)) {
      const expected = ref.match([phrase]);
      const { ids, total } = await allIds(port, { phrases: [phrase] });
      expect({ phrase, ids }).toEqual({ phrase, ids: expected });
      expect(total).toBe(expected.length);
      if (expected.length > 0) nonEmpty++;
    }
    // two phrases, and a phrase with a word
    for (let i = 0; i < 30; i++) {
      const [p1, p2] = phrasesOf(docs, 2) as [string, string];
      expect((await allIds(port, { phrases: [p1, p2] })).ids).toEqual(ref.match([p1, p2]));
      // (no word of the vocabulary is a prefix of another: the last term also matches as a prefix)
      const term = pick(plain);
      expect((await allIds(port, { phrases: [p1], terms: [term] })).ids).toEqual(ref.match([p1], [term]));
    }
    return nonEmpty;
  }

  it('match exactly what FTS5 phrase queries match, through updates, removals and a reindex', async () => {
    const port = createEmbeddedSearch({ dir: freshDir() });
    const ref = new Reference();
    try {
      let docs = makeDocs(1, 250, 1);
      await port.upsert(docs);
      ref.put(docs);
      expect(await expectSameMatches(port, ref, docs)).toBeGreaterThan(40);

      // edits (the pairs of the old text must go), removals, new documents
      const edited = makeDocs(1, 120, 2);
      const added = makeDocs(1000, 40, 1);
      const removed = docs.slice(200, 230).map((d) => d.id);
      await port.upsert([...edited, ...added]);
      await port.remove(removed);
      ref.put([...edited, ...added]);
      ref.remove(removed);
      docs = [...edited, ...docs.slice(120).filter((d) => !removed.includes(d.id)), ...added];
      expect(await expectSameMatches(port, ref, docs)).toBeGreaterThan(40);

      // a reindex builds the pairs again from scratch
      const current = docs.map((d) => ({ ...d, version: d.version + 1 }));
      await port.reindex(
        (async function* () {
          for (let i = 0; i < current.length; i += 64) yield current.slice(i, i + 64);
        })(),
        current.length,
      );
      expect(await expectSameMatches(port, ref, current)).toBeGreaterThan(40);
    } finally {
      ref.close();
      await port.close();
    }
  }, 120_000);

  it('keep phrases exact with filters and on the sampled path of a large index', async () => {
    const tuning = { rankFullLimit: 30, rankTitleLimit: 8, titleTierCap: 40, sampleMinIndex: 50, sampleFraction: 0.2, broadMatches: 40 };
    const port = createEmbeddedSearch({ dir: ':memory:', tuning });
    const ref = new Reference();
    try {
      const docs = makeDocs(1, 400, 1);
      await port.upsert(docs);
      ref.put(docs);
      const answers = new Map(docs.map((d) => [d.id, d.answerCount]));
      let sampled = 0;
      for (const phrase of [...phrasesOf(docs, 60), 'the of', 'of the', 'in the', 'the the', 'is a']) {
        const expected = ref.match([phrase]);
        // relevance on a "large" index: broad phrases are answered from a sample (flagged), but
        // every hit holds the phrase; the other orders and filtered queries are exact
        const page = await port.query(makeQuery({ phrases: [phrase], limit: 50 }));
        for (const hit of page.hits) expect(expected).toContain(hit.id);
        if (page.approximate) sampled++;
        else expect(page.total).toBe(expected.length);
        const unanswered = await allIds(port, { phrases: [phrase], answers: 0 });
        expect(unanswered.ids).toEqual(expected.filter((id) => answers.get(id) === 0));
        const relevance = await allIds(port, { phrases: [phrase], answers: 0, sort: 'relevance' });
        if (!relevance.approximate) expect(relevance.ids).toEqual(unanswered.ids);
        else for (const id of relevance.ids) expect(unanswered.ids).toContain(id);
      }
      expect(sampled).toBeGreaterThan(0);
    } finally {
      ref.close();
      await port.close();
    }
  }, 120_000);

  it('ranks phrase matches by bm25 (title before body) and highlights the phrase', async () => {
    const port = createEmbeddedSearch({ dir: ':memory:' });
    try {
      await port.upsert([
        makeDoc({ id: oid(1), title: 'Plain title', body: 'a body about connection pooling in depth' }),
        makeDoc({ id: oid(2), title: 'Connection pooling explained', body: 'nothing else' }),
        makeDoc({ id: oid(3), title: 'Pooling connection', body: 'pooling, connection' }),
      ]);
      const page = await port.query(makeQuery({ phrases: ['connection pooling'] }));
      expect(page.hits.map((h) => h.id)).toEqual([oid(2), oid(1)]);
      expect(page.hits[0]!.relevance).toBeGreaterThan(page.hits[1]!.relevance);
      expect(page.hits[0]!.titleHighlight).toBe('<mark>Connection pooling</mark> explained');
      expect(page.hits[1]!.snippet).toContain('<mark>connection pooling</mark>');
    } finally {
      await port.close();
    }
  });

  it('match phrases with very long words on the words themselves', async () => {
    const port = createEmbeddedSearch({ dir: ':memory:' });
    try {
      const long = 'x'.repeat(150);
      await port.upsert([
        makeDoc({ id: oid(1), title: `before ${long} after`, body: `one two ${long} three` }),
        makeDoc({ id: oid(2), title: 'before after', body: 'one two three' }),
      ]);
      expect((await allIds(port, { phrases: [`before ${long} after`] })).ids).toEqual([oid(1)]);
      expect((await allIds(port, { phrases: [`two ${long}`] })).ids).toEqual([oid(1)]);
      // positions stay aligned around the long word: "before after" is not adjacent in doc 1
      expect((await allIds(port, { phrases: ['before after'] })).ids).toEqual([oid(2)]);
      expect((await allIds(port, { phrases: ['one two three'] })).ids).toEqual([oid(2)]);
    } finally {
      await port.close();
    }
  });
});

describe('embedded search: tag filters', () => {
  it('required and excluded tags combine with text, sorts and the no-text path', async () => {
    const port = createEmbeddedSearch({ dir: ':memory:' });
    try {
      const tagSets = [['a'], ['a', 'b'], ['b'], ['a', 'c'], ['a', 'b', 'c'], []];
      const docs = Array.from({ length: 60 }, (_, i) =>
        makeDoc({ id: oid(i + 1), title: `post ${i % 2 === 0 ? 'even' : 'odd'}`, tags: tagSets[i % tagSets.length]!, score: i }),
      );
      await port.upsert(docs);
      const expected = (req: string[], exc: string[], word?: string) =>
        docs
          .filter((d) => req.every((t) => d.tags.includes(t)) && !exc.some((t) => d.tags.includes(t)) && (!word || d.title.includes(word)))
          .map((d) => d.id)
          .sort();
      for (const [req, exc] of [
        [['a'], []],
        [['a', 'b'], []],
        [['b', 'a', 'c'], []],
        [['a'], ['c']],
        [[], ['a', 'b']],
        [['c'], ['b']],
        [['missing'], []],
        [['a'], ['missing']],
      ] as Array<[string[], string[]]>) {
        expect((await allIds(port, { tags: req, excludedTags: exc })).ids).toEqual(expected(req, exc));
        expect((await allIds(port, { tags: req, excludedTags: exc, terms: ['even'] })).ids).toEqual(expected(req, exc, 'even'));
        expect((await allIds(port, { tags: req, excludedTags: exc, terms: ['odd'], sort: 'relevance' })).ids).toEqual(
          expected(req, exc, 'odd'),
        );
      }
      // a tag that is no longer on any document
      await port.upsert(docs.filter((d) => d.tags.includes('c')).map((d) => ({ ...d, tags: ['a'], version: 2 })));
      expect((await port.query(makeQuery({ tags: ['c'] }))).total).toBe(0);
      expect((await port.query(makeQuery({ tags: ['a'], excludedTags: ['c'] }))).total).toBe(expected(['a'], []).length);
    } finally {
      await port.close();
    }
  });
});

describe('embedded search: helpers', () => {
  it('tokenizes like the index', () => {
    expect(tokenize('Using C++ and C# with Node.js — naïve café!')).toEqual([
      'using',
      'c++',
      'and',
      'c#',
      'with',
      'node',
      'js',
      'naive',
      'cafe',
    ]);
  });

  it('computes Damerau–Levenshtein distance with transpositions', () => {
    expect(typoDistance('pooling', 'poolnig', 2)).toBe(1);
    expect(typoDistance('fault', 'fualt', 2)).toBe(1);
    expect(typoDistance('configuration', 'confgiuraton', 2)).toBe(2);
    expect(typoDistance('abc', 'xyz', 1)).toBe(2);
    expect(typoDistance('same', 'same', 1)).toBe(0);
  });

  it('deletion keys of words within the distance intersect', () => {
    const pairs: Array<[string, string, number]> = [
      ['pooling', 'poolnig', 1],
      ['segmentation', 'segmnetaton', 2],
      ['configuration', 'confgiuraton', 2],
      ['javascript', 'jvascript', 1],
      ['typescript', 'tpyescript', 1],
      ['closures', 'xlosures', 1],
    ];
    for (const [a, b, d] of pairs) {
      const keys = new Set(deletionKeys(a, d));
      expect(deletionKeys(b, d).some((k) => keys.has(k))).toBe(true);
    }
  });

  it('splits ASCII text exactly like the FTS5 tokenizer', () => {
    const db = new Database(':memory:');
    try {
      db.exec(
        `CREATE VIRTUAL TABLE t USING fts5(x, tokenize = "${TOKENIZER}", content = ''); CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');`,
      );
      const rand = prng(11);
      const alphabet = 'aZ09+#_-.,;:!?"\'()[]{}<>/\\|@$%^&*=~` \t\nQxyz';
      const texts = ['C++ and C# with Node.js', 'e-mail_address x86-64 ++ # a+b a#b', ''];
      for (let i = 0; i < 300; i++) {
        let t = '';
        const n = Math.floor(rand() * 60);
        for (let k = 0; k < n; k++) t += alphabet[Math.floor(rand() * alphabet.length)];
        texts.push(t);
      }
      texts.push(Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join(''));
      const insert = db.prepare(`INSERT INTO t (rowid, x) VALUES (?, ?)`);
      texts.forEach((t, i) => insert.run(i + 1, t));
      const byDoc = new Map<number, string[]>();
      for (const [doc, offset, term] of db.prepare(`SELECT doc, offset, term FROM v`).raw().all() as [number, number, string][]) {
        const list = byDoc.get(doc) ?? [];
        list[offset] = term;
        byDoc.set(doc, list);
      }
      texts.forEach((t, i) => expect(asciiTokens(t)).toEqual(byDoc.get(i + 1) ?? []));
    } finally {
      db.close();
    }
  });

  it('makes word pairs and pair phrases', () => {
    expect(pairText(['a', 'b', 'c'])).toBe('a_b b_c');
    expect(pairText(['a'])).toBe('');
    expect(pairText(['a', 'x'.repeat(101), 'c', 'd'])).toBe('_ _ c_d');
    expect(pairPhrase(['a', 'b', 'c'])).toBe('"a_b b_c"');
    expect(pairPhrase(['c++', 'c#'])).toBe('"c++_c#"');
    expect(pairPhrase(['a'])).toBeNull();
    expect(pairPhrase(['a', 'x'.repeat(101)])).toBeNull();
  });

  it('allows typos by word length', () => {
    expect(allowedTypos('taks')).toBe(0);
    expect(allowedTypos('fualt')).toBe(1);
    expect(allowedTypos('closrues')).toBe(2);
    expect(allowedTypos('c++')).toBe(0);
    expect(allowedTypos('12345')).toBe(0);
  });
});
