import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../lib/random.js';
import { createEmbeddedSearch } from './embedded.adapter.js';
import { makeDoc, makeQuery, oid } from './search.conformance.js';
import type { SearchDocument, SearchPort, SearchQuery } from './search.port.js';

const root = mkdtempSync(join(tmpdir(), 'colloquy-search-phrases-'));
let counter = 0;
const freshDir = () => join(root, `index-${++counter}`);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
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
