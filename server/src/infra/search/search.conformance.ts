// The behaviour every SearchPort adapter must show, as a reusable vitest suite. Each adapter's
// test file calls `searchConformanceSuite(name, makePort)`; `makePort` must return a fresh,
// empty, uninitialised port (the suite calls init() and close()).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchDocument, SearchHit, SearchPort, SearchQuery } from './search.port.js';

/** a 24-hex id like a MongoDB ObjectId */
export function oid(n: number): string {
  return n.toString(16).padStart(24, '0');
}

const day = (iso: string): number => Date.parse(`${iso}T12:00:00Z`);

export function makeDoc(partial: Partial<SearchDocument> & { id: string; title: string }): SearchDocument {
  return {
    type: 'question',
    questionId: partial.id,
    body: '',
    tags: [],
    space: 'general',
    authorId: 'u0',
    authorHandle: 'nobody',
    score: 0,
    answerCount: 0,
    isAnswered: false,
    hasAccepted: false,
    isAccepted: false,
    isClosed: false,
    createdAt: day('2024-01-01'),
    lastActivityAt: day('2024-01-01'),
    version: 1,
    ...partial,
  };
}

export function makeQuery(partial: Partial<SearchQuery> = {}): SearchQuery {
  return { terms: [], phrases: [], tags: [], excludedTags: [], sort: 'relevance', limit: 20, offset: 0, facets: false, ...partial };
}

const Q1 = oid(1);
const A1 = oid(2);
const A2 = oid(3);
const Q2 = oid(4);
const Q3 = oid(5);
const Q4 = oid(6);
const Q5 = oid(7);
const Q6 = oid(8);
const Q7 = oid(9);

const WEBPACK_TITLE = 'How to configure webpack for TypeScript projects';

/** A small forum: every filter, sort and facet below has a known answer on it. */
export const FIXTURES: SearchDocument[] = [
  makeDoc({
    id: Q1,
    title: WEBPACK_TITLE,
    body: 'I am trying to bundle a TypeScript project with webpack and ts-loader, but the module resolution fails for path aliases. Any idea how to fix the configuration?',
    tags: ['typescript', 'webpack'],
    space: 'frontend',
    authorId: 'u1',
    authorHandle: 'alice',
    score: 10,
    answerCount: 2,
    isAnswered: true,
    hasAccepted: true,
    createdAt: day('2024-02-10'),
    lastActivityAt: day('2024-03-01'),
  }),
  makeDoc({
    id: A1,
    type: 'answer',
    questionId: Q1,
    title: WEBPACK_TITLE,
    body: 'Add the resolve.extensions option and register tsconfig-paths-webpack-plugin so that the aliases resolve.',
    tags: ['typescript', 'webpack'],
    space: 'frontend',
    authorId: 'u2',
    authorHandle: 'bob',
    score: 7,
    answerCount: 2,
    isAnswered: true,
    hasAccepted: true,
    isAccepted: true,
    createdAt: day('2024-02-11'),
    lastActivityAt: day('2024-02-11'),
  }),
  makeDoc({
    id: A2,
    type: 'answer',
    questionId: Q1,
    title: WEBPACK_TITLE,
    body: 'Webpack 5 can also read the aliases from the TypeScript compiler options.',
    tags: ['typescript', 'webpack'],
    space: 'frontend',
    authorId: 'u3',
    authorHandle: 'carol',
    score: 0,
    answerCount: 2,
    isAnswered: true,
    hasAccepted: true,
    createdAt: day('2024-02-12'),
    lastActivityAt: day('2024-02-12'),
  }),
  makeDoc({
    id: Q2,
    title: 'Segmentation fault when iterating a std::vector in C++',
    body: 'My program crashes with a segmentation fault when erasing elements from a vector inside a loop.',
    tags: ['c++'],
    space: 'systems',
    authorId: 'u2',
    authorHandle: 'bob',
    score: 3,
    createdAt: day('2023-11-05'),
    lastActivityAt: day('2023-11-06'),
  }),
  makeDoc({
    id: Q3,
    title: 'Deadlock with async await in ASP.NET',
    body: 'Calling Result on a task blocks the synchronization context in C# and the request never completes.',
    tags: ['c#', 'asp.net'],
    space: 'backend',
    authorId: 'u3',
    authorHandle: 'carol',
    score: -2,
    answerCount: 1,
    isClosed: true,
    createdAt: day('2024-06-20'),
    lastActivityAt: day('2024-06-21'),
  }),
  makeDoc({
    id: Q4,
    title: 'Node.js stream backpressure explained',
    body: 'When writing to a writable stream faster than it drains, node buffers the data; how should backpressure be handled with pipeline?',
    tags: ['node.js', 'streams'],
    space: 'backend',
    authorId: 'u1',
    authorHandle: 'alice',
    score: 25,
    answerCount: 3,
    isAnswered: true,
    createdAt: day('2022-05-01'),
    lastActivityAt: day('2024-07-15'),
  }),
  makeDoc({
    id: Q5,
    title: 'Escaped <script> tags appear in my template',
    body: 'Any <b> tag & "quote" in the comment field is rendered raw.',
    tags: ['html', 'security'],
    space: 'frontend',
    authorId: 'u4',
    authorHandle: 'dave',
    score: 1,
    createdAt: day('2024-07-01'),
    lastActivityAt: day('2024-07-02'),
  }),
  makeDoc({
    id: Q6,
    title: 'Postgres connection pooling with pgbouncer',
    body: 'Our application opens too many connections; pgbouncer in transaction pooling mode should help.',
    tags: ['postgresql'],
    space: 'backend',
    authorId: 'u4',
    authorHandle: 'dave',
    score: 5,
    answerCount: 1,
    isAnswered: true,
    createdAt: day('2023-03-15'),
    lastActivityAt: day('2023-03-16'),
  }),
  makeDoc({
    id: Q7,
    title: 'Understanding JavaScript closures inside loops',
    body: 'Why does every callback print the same index? Closures capture variables, not values, like a vector of callbacks.',
    tags: ['javascript'],
    space: 'frontend',
    authorId: 'u2',
    authorHandle: 'bob',
    score: 12,
    answerCount: 4,
    isAnswered: true,
    hasAccepted: true,
    createdAt: day('2021-09-09'),
    lastActivityAt: day('2023-01-01'),
  }),
];

const ids = (hits: SearchHit[]): string[] => hits.map((h) => h.id);
const sorted = (list: string[]): string[] => [...list].sort();

/** A stripped highlight must contain no markup at all: only <mark> may be real HTML. */
function expectSafeHtml(html: string): void {
  expect(html.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
}

async function* batches<T>(items: T[], size: number, between?: () => Promise<void>): AsyncIterable<T[]> {
  for (let i = 0; i < items.length; i += size) {
    if (i > 0 && between) await between();
    yield items.slice(i, i + size);
  }
}

export function searchConformanceSuite(name: string, makePort: () => Promise<SearchPort>): void {
  describe(`SearchPort conformance: ${name}`, () => {
    let port: SearchPort;
    const run = (partial: Partial<SearchQuery>) => port.query(makeQuery({ limit: 50, ...partial }));

    beforeAll(async () => {
      port = await makePort();
      await port.init();
      await port.init(); // idempotent
      await port.upsert(FIXTURES);
    });
    afterAll(async () => {
      await port?.close();
    });

    describe('upsert and query', () => {
      it('counts and returns every stored field', async () => {
        expect(await port.count()).toBe(FIXTURES.length);
        const page = await run({ sort: 'newest', limit: 100 });
        expect(page.total).toBe(FIXTURES.length);
        for (const doc of FIXTURES) {
          expect(page.hits.find((h) => h.id === doc.id)?.document).toEqual(doc);
        }
        const hit = page.hits.find((h) => h.id === A1)!;
        expect(hit.type).toBe('answer');
        expect(hit.questionId).toBe(Q1);
      });

      it('finds documents by words in title, tags and body', async () => {
        expect(ids((await run({ terms: ['pgbouncer'] })).hits)).toEqual([Q6]);
        expect(sorted(ids((await run({ terms: ['webpack'] })).hits))).toEqual(sorted([Q1, A1, A2]));
        // every term must match
        expect(ids((await run({ terms: ['segmentation', 'vector'] })).hits)).toEqual([Q2]);
        expect((await run({ terms: ['segmentation', 'pgbouncer'] })).total).toBe(0);
      });

      it('finds tags with symbols (c++, c#, node.js) as text', async () => {
        expect(ids((await run({ terms: ['c++'] })).hits)).toContain(Q2);
        expect(ids((await run({ terms: ['c#'] })).hits)).toContain(Q3);
        expect(ids((await run({ terms: ['node.js'] })).hits)[0]).toBe(Q4);
      });

      it('ranks a title match above a body-only match', async () => {
        const page = await run({ terms: ['vector'] });
        expect(ids(page.hits)).toEqual([Q2, Q7]);
        expect(page.hits[0]!.relevance).toBeGreaterThan(page.hits[1]!.relevance);
      });

      it('pages with limit and offset and reports the full total', async () => {
        const first = await run({ sort: 'votes', limit: 3, offset: 0 });
        const second = await run({ sort: 'votes', limit: 3, offset: 3 });
        expect(first.total).toBe(FIXTURES.length);
        expect(second.total).toBe(FIXTURES.length);
        expect(ids(first.hits)).toEqual([Q4, Q7, Q1]);
        expect(ids(second.hits)).toEqual([A1, Q6, Q2]);
      });
    });

    describe('typo tolerance and prefixes', () => {
      it('finds a word of 5+ letters with one typo', async () => {
        expect(ids((await run({ terms: ['postgres', 'poolnig'] })).hits).slice(0, 3)).toContain(Q6);
        expect(ids((await run({ terms: ['segmentation', 'fualt'] })).hits).slice(0, 3)).toContain(Q2);
        expect(ids((await run({ terms: ['closrues'] })).hits).slice(0, 3)).toContain(Q7);
      });

      it('finds a word of 8+ letters with two typos', async () => {
        expect(ids((await run({ terms: ['confgiuraton'] })).hits).slice(0, 3)).toContain(Q1);
        expect(ids((await run({ terms: ['segmnetaton'] })).hits).slice(0, 3)).toContain(Q2);
      });

      it('gives words under 5 letters no typo tolerance', async () => {
        expect((await run({ terms: ['taks'] })).total).toBe(0);
      });

      it('matches the last term as a prefix, and only the last', async () => {
        expect(ids((await run({ terms: ['backpres'] })).hits)).toEqual([Q4]);
        expect(ids((await run({ terms: ['stream', 'backpre'] })).hits)).toEqual([Q4]);
        expect(sorted(ids((await run({ terms: ['webp'] })).hits))).toEqual(sorted([Q1, A1, A2]));
        expect((await run({ terms: ['backpre', 'stream'] })).total).toBe(0);
      });
    });

    describe('phrases', () => {
      it('requires the exact phrase', async () => {
        expect(ids((await run({ phrases: ['module resolution fails'] })).hits)).toEqual([Q1]);
        expect((await run({ phrases: ['resolution module fails'] })).total).toBe(0);
      });

      it('combines phrases with each other and with terms', async () => {
        expect(ids((await run({ phrases: ['segmentation fault', 'inside a loop'] })).hits)).toEqual([Q2]);
        expect((await run({ phrases: ['segmentation fault', 'transaction pooling'] })).total).toBe(0);
        expect(ids((await run({ terms: ['crashes'], phrases: ['segmentation fault'] })).hits)).toEqual([Q2]);
      });
    });

    describe('filters', () => {
      it('tags: every included tag must be present', async () => {
        expect(sorted(ids((await run({ tags: ['typescript'] })).hits))).toEqual(sorted([Q1, A1, A2]));
        expect(sorted(ids((await run({ tags: ['typescript', 'webpack'] })).hits))).toEqual(sorted([Q1, A1, A2]));
        expect((await run({ tags: ['typescript', 'c++'] })).total).toBe(0);
        expect(ids((await run({ tags: ['c++'] })).hits)).toEqual([Q2]);
        expect(ids((await run({ tags: ['c#'] })).hits)).toEqual([Q3]);
        expect(ids((await run({ tags: ['node.js'] })).hits)).toEqual([Q4]);
        expect(ids((await run({ tags: ['asp.net'] })).hits)).toEqual([Q3]);
      });

      it('excluded tags: none may be present', async () => {
        const page = await run({ excludedTags: ['typescript', 'html'] });
        expect(sorted(ids(page.hits))).toEqual(sorted([Q2, Q3, Q4, Q6, Q7]));
        expect(ids((await run({ tags: ['webpack'], excludedTags: ['typescript'] })).hits)).toEqual([]);
      });

      it('authors, type and score', async () => {
        expect(sorted(ids((await run({ authorIds: ['u1'] })).hits))).toEqual(sorted([Q1, Q4]));
        expect(sorted(ids((await run({ authorIds: ['u1', 'u4'] })).hits))).toEqual(sorted([Q1, Q4, Q5, Q6]));
        expect(sorted(ids((await run({ type: 'answer' })).hits))).toEqual(sorted([A1, A2]));
        expect((await run({ type: 'question' })).total).toBe(7);
        expect(sorted(ids((await run({ minScore: 5 })).hits))).toEqual(sorted([Q1, A1, Q4, Q6, Q7]));
        expect((await run({ minScore: -1 })).total).toBe(8);
        expect((await run({ minScore: -2 })).total).toBe(9);
      });

      it('answers: 0 means none, N means at least N (questions only)', async () => {
        expect(sorted(ids((await run({ answers: 0 })).hits))).toEqual(sorted([Q2, Q5]));
        expect(sorted(ids((await run({ answers: 2 })).hits))).toEqual(sorted([Q1, Q4, Q7]));
        expect(sorted(ids((await run({ answers: 4 })).hits))).toEqual([Q7]);
      });

      it('accepted, has accepted and closed', async () => {
        expect(ids((await run({ isAccepted: true })).hits)).toEqual([A1]);
        expect(ids((await run({ isAccepted: false })).hits)).toEqual([A2]);
        expect(sorted(ids((await run({ hasAccepted: true })).hits))).toEqual(sorted([Q1, A1, A2, Q7]));
        expect(sorted(ids((await run({ hasAccepted: false })).hits))).toEqual(sorted([Q2, Q3, Q4, Q5, Q6]));
        expect(ids((await run({ isClosed: true })).hits)).toEqual([Q3]);
        expect((await run({ isClosed: false })).total).toBe(8);
      });

      it('spaces and the created range (inclusive from, exclusive to)', async () => {
        expect(ids((await run({ spaces: ['systems'] })).hits)).toEqual([Q2]);
        expect(sorted(ids((await run({ spaces: ['systems', 'backend'] })).hits))).toEqual(sorted([Q2, Q3, Q4, Q6]));
        const range = { createdFrom: Date.UTC(2024, 0, 1), createdTo: day('2024-07-01') };
        expect(sorted(ids((await run(range)).hits))).toEqual(sorted([Q1, A1, A2, Q3]));
        expect(sorted(ids((await run({ createdFrom: day('2024-07-01') })).hits))).toEqual([Q5]);
        expect(sorted(ids((await run({ createdTo: Date.UTC(2022, 0, 1) })).hits))).toEqual([Q7]);
      });

      it('combines filters with text', async () => {
        expect(sorted(ids((await run({ terms: ['webpack'], type: 'answer' })).hits))).toEqual(sorted([A1, A2]));
        expect(ids((await run({ terms: ['webpack'], minScore: 8 })).hits)).toEqual([Q1]);
        expect((await run({ terms: ['pgbouncer'], spaces: ['frontend'] })).total).toBe(0);
      });
    });

    describe('sorting', () => {
      it('newest, votes and activity', async () => {
        expect(ids((await run({ sort: 'newest' })).hits)).toEqual([Q5, Q3, A2, A1, Q1, Q2, Q6, Q4, Q7]);
        expect(ids((await run({ sort: 'votes' })).hits)).toEqual([Q4, Q7, Q1, A1, Q6, Q2, Q5, A2, Q3]);
        expect(ids((await run({ sort: 'activity' })).hits)).toEqual([Q4, Q5, Q3, Q1, A2, A1, Q2, Q6, Q7]);
      });

      it('relevance without text falls back to votes', async () => {
        expect(ids((await run({ sort: 'relevance' })).hits)).toEqual([Q4, Q7, Q1, A1, Q6, Q2, Q5, A2, Q3]);
      });

      it('sorts text matches by the requested order', async () => {
        expect(ids((await run({ terms: ['webpack'], sort: 'votes' })).hits)).toEqual([Q1, A1, A2]);
        expect(ids((await run({ terms: ['webpack'], sort: 'newest' })).hits)).toEqual([A2, A1, Q1]);
      });
    });

    describe('facets', () => {
      it('counts tags, spaces, types and statuses over the whole result', async () => {
        const page = await run({ facets: true, limit: 1 });
        expect(page.hits).toHaveLength(1);
        const asMap = (list: { value: string; count: number }[]) => Object.fromEntries(list.map((f) => [f.value, f.count]));
        expect(asMap(page.facets.tags)).toEqual({
          typescript: 3,
          webpack: 3,
          'c++': 1,
          'c#': 1,
          'asp.net': 1,
          'node.js': 1,
          streams: 1,
          html: 1,
          security: 1,
          postgresql: 1,
          javascript: 1,
        });
        expect(page.facets.tags[0]!.count).toBe(3);
        expect(asMap(page.facets.space)).toEqual({ frontend: 5, backend: 3, systems: 1 });
        expect(asMap(page.facets.type)).toEqual({ question: 7, answer: 2 });
        expect(asMap(page.facets.status)).toEqual({ answered: 6, unanswered: 3, accepted: 4, closed: 1 });
      });

      it('respects text and filters', async () => {
        const page = await run({ facets: true, terms: ['webpack'], type: 'answer' });
        expect(page.total).toBe(2);
        expect(page.facets.type).toEqual([{ value: 'answer', count: 2 }]);
        expect(page.facets.space).toEqual([{ value: 'frontend', count: 2 }]);
        expect(page.facets.tags.map((t) => t.value).sort()).toEqual(['typescript', 'webpack']);
      });

      it('are empty when not requested', async () => {
        const page = await run({});
        expect(page.facets).toEqual({ tags: [], space: [], type: [], status: [] });
      });
    });

    describe('highlights', () => {
      it('marks matches and escapes everything else', async () => {
        const page = await run({ terms: ['template'] });
        const hit = page.hits.find((h) => h.id === Q5)!;
        expect(hit.titleHighlight).toContain('<mark>template</mark>');
        expect(hit.titleHighlight).toContain('&lt;script&gt;');
        expect(hit.titleHighlight).not.toContain('<script');
        expectSafeHtml(hit.titleHighlight);
        expectSafeHtml(hit.snippet);

        const body = (await run({ terms: ['comment'] })).hits.find((h) => h.id === Q5)!;
        expect(body.snippet).toContain('<mark>comment</mark>');
        expect(body.snippet).toContain('&lt;b&gt;');
        expect(body.snippet).toContain('&amp;');
        expect(body.snippet).not.toContain('<b>');
        expectSafeHtml(body.snippet);
      });

      it('escapes titles and excerpts without text matches too', async () => {
        const hit = (await run({ tags: ['html'] })).hits[0]!;
        expect(hit.titleHighlight).toBe('Escaped &lt;script&gt; tags appear in my template');
        expectSafeHtml(hit.snippet);
        expect(hit.snippet).toContain('&lt;b&gt;');
      });

      it('highlights typo-corrected and prefix matches', async () => {
        const typo = (await run({ terms: ['pgbounser'] })).hits[0]!;
        expect(typo.id).toBe(Q6);
        expect(typo.titleHighlight).toContain('<mark>pgbouncer</mark>');
        const prefix = (await run({ terms: ['backpres'] })).hits[0]!;
        expect(prefix.titleHighlight).toMatch(/<mark>backpressure<\/mark>/i);
      });
    });

    describe('similar', () => {
      it('finds questions with similar titles, never answers', async () => {
        const hits = await port.similar('How do I configure webpack with TypeScript?', 5);
        expect(hits[0]?.id).toBe(Q1);
        expect(hits.every((h) => h.type === 'question')).toBe(true);
        expect(hits.length).toBeLessThanOrEqual(5);
        expect(await port.similar('how do I do it', 5)).toEqual([]);
      });
    });

    describe('versions, removal and ids', () => {
      const X = oid(1000);

      it('ignores an older version and applies newer ones', async () => {
        await port.upsert([makeDoc({ id: X, title: 'Version two of the zyxwv post', version: 2 })]);
        await port.upsert([makeDoc({ id: X, title: 'Version one of the zyxwv post', version: 1 })]);
        let hit = (await run({ terms: ['zyxwv'] })).hits[0]!;
        expect(hit.document.version).toBe(2);
        expect(hit.document.title).toContain('two');
        expect((await port.versions([X])).get(X)).toBe(2);

        // within one batch, the highest version wins whatever the order
        await port.upsert([
          makeDoc({ id: X, title: 'Version five of the zyxwv post', version: 5 }),
          makeDoc({ id: X, title: 'Version four of the zyxwv post', version: 4 }),
        ]);
        hit = (await run({ terms: ['zyxwv'] })).hits[0]!;
        expect(hit.document.title).toContain('five');
        expect((await run({ terms: ['two'], phrases: ['zyxwv post'] })).total).toBe(0);
      });

      it('reports the versions it holds and omits unknown ids', async () => {
        const map = await port.versions([Q1, X, oid(999_999)]);
        expect(map.get(Q1)).toBe(1);
        expect(map.get(X)).toBe(5);
        expect(map.has(oid(999_999))).toBe(false);
        expect((await port.versions([])).size).toBe(0);
      });

      it('removes documents (unknown ids are fine)', async () => {
        const before = await port.count();
        await port.remove([X, oid(999_998)]);
        expect(await port.count()).toBe(before - 1);
        expect((await run({ terms: ['zyxwv'] })).total).toBe(0);
        expect((await port.versions([X])).has(X)).toBe(false);
      });

      it('lists every id in batches of at most 1000', async () => {
        const all: string[] = [];
        for await (const batch of port.allIds()) {
          expect(batch.length).toBeLessThanOrEqual(1000);
          all.push(...batch);
        }
        expect(sorted(all)).toEqual(sorted(FIXTURES.map((d) => d.id)));
      });
    });

    describe('large id listings', () => {
      it('pages through thousands of ids', async () => {
        const big = await makePort();
        try {
          await big.init();
          const docs = Array.from({ length: 2100 }, (_, i) =>
            makeDoc({ id: oid(10_000 + i), title: `Bulk post number ${i}`, body: `filler text ${i % 7}` }),
          );
          for (let i = 0; i < docs.length; i += 700) await big.upsert(docs.slice(i, i + 700));
          expect(await big.count()).toBe(2100);
          const sizes: number[] = [];
          const seen = new Set<string>();
          for await (const batch of big.allIds()) {
            sizes.push(batch.length);
            for (const id of batch) seen.add(id);
          }
          expect(seen.size).toBe(2100);
          expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
          expect(sizes.length).toBeGreaterThanOrEqual(3);
        } finally {
          await big.close();
        }
      }, 60_000);
    });

    describe('reindex', () => {
      it('builds a fresh index and swaps it in without exposing a half-built one', async () => {
        const fresh = await makePort();
        try {
          await fresh.init();
          const old = [
            makeDoc({ id: oid(50_001), title: 'Legacy quokka question', version: 1 }),
            makeDoc({ id: oid(50_002), title: 'Legacy quokka answer', type: 'answer', questionId: oid(50_001), version: 1 }),
            makeDoc({ id: oid(50_003), title: 'Removed wombat question', version: 1 }),
          ];
          await fresh.upsert(old);
          const next = Array.from({ length: 25 }, (_, i) =>
            makeDoc({ id: oid(60_000 + i), title: `Rebuilt platypus entry ${i}`, body: 'numbat text', version: 3 }),
          );
          next.push(makeDoc({ id: oid(50_001), title: 'Legacy quokka question, rebuilt', version: 2 }));

          const progress: number[] = [];
          let checks = 0;
          const between = async () => {
            // while building, searches still see exactly the old index
            expect(await fresh.count()).toBe(3);
            expect((await fresh.query(makeQuery({ terms: ['platypus'] }))).total).toBe(0);
            expect((await fresh.query(makeQuery({ terms: ['wombat'] }))).total).toBe(1);
            checks++;
          };
          await fresh.reindex(batches(next, 10, between), next.length, (p) => {
            expect(p.total).toBe(next.length);
            progress.push(p.done);
          });
          expect(checks).toBeGreaterThan(0);
          expect(progress.at(-1)).toBe(next.length);
          for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);

          expect(await fresh.count()).toBe(next.length);
          expect((await fresh.query(makeQuery({ terms: ['platypus'], limit: 100 }))).total).toBe(25);
          expect((await fresh.query(makeQuery({ terms: ['wombat'] }))).total).toBe(0);
          expect((await fresh.versions([oid(50_001)])).get(oid(50_001))).toBe(2);
          // typo tolerance works on the rebuilt vocabulary
          expect((await fresh.query(makeQuery({ terms: ['platipus'] }))).total).toBe(25);
          // and the index keeps taking writes
          await fresh.upsert([makeDoc({ id: oid(70_000), title: 'Fresh echidna post', version: 1 })]);
          expect((await fresh.query(makeQuery({ terms: ['echidna'] }))).total).toBe(1);
        } finally {
          await fresh.close();
        }
      }, 120_000);
    });
  });
}
