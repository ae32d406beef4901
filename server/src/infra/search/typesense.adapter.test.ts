import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'typesense';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDoc, makeQuery, oid, searchConformanceSuite } from './search.conformance.js';
import type { SearchDocument, SearchPort } from './search.port.js';
import { createTypesenseSearch, typesenseFilter, typesenseQueryText } from './typesense.adapter.js';

// ---------------------------------------------------------------------------------------------
// Against a real Typesense, when one is configured (TYPESENSE_URL, TYPESENSE_API_KEY)

const LIVE_URL = process.env.TYPESENSE_URL ?? '';
const LIVE_KEY = process.env.TYPESENSE_API_KEY ?? 'xyz';

describe.skipIf(!LIVE_URL)(
  'typesense (live) — skipped unless TYPESENSE_URL is set: no Typesense server can run here, so the adapter is checked ' +
    'against recorded HTTP API shapes below',
  () => {
    const prefix = `colloquy_test_${process.pid}_${Date.now().toString(36)}`;
    let n = 0;
    searchConformanceSuite('typesense (live)', async () =>
      createTypesenseSearch({ url: LIVE_URL, apiKey: LIVE_KEY, collection: `${prefix}_${++n}`, numRetries: 1 }),
    );
    afterAll(async () => {
      // drop every alias and collection the suite created
      const url = new URL(LIVE_URL);
      const client = new Client({
        apiKey: LIVE_KEY,
        nodes: [{ host: url.hostname, port: Number(url.port || 80), protocol: url.protocol.replace(':', '') }],
      });
      for (const a of (await client.aliases().retrieve()).aliases) {
        if (a.name.startsWith(prefix)) await client.aliases(a.name).delete();
      }
      for (const c of await client.collections().retrieve()) {
        if (c.name.startsWith(prefix)) await client.collections(c.name).delete();
      }
    });
  },
);

// ---------------------------------------------------------------------------------------------
// The HTTP contract, always: a local recorder that answers like Typesense (documented shapes)

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

type StoredDoc = Record<string, unknown> & { id: string };

/** A tiny stand-in for Typesense: aliases, collections, documents by id, canned searches. */
class FakeTypesense {
  readonly requests: Recorded[] = [];
  readonly aliases = new Map<string, string>();
  readonly collections = new Map<string, { schema: Record<string, unknown>; docs: Map<string, StoredDoc> }>();
  private server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rec: Recorded = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      this.requests.push(rec);
      const [status, body, type] = this.answer(rec);
      res.writeHead(status, { 'Content-Type': type ?? 'application/json; charset=utf-8' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** requests since a mark, as "METHOD /path" */
  since(mark: number): string[] {
    return this.requests.slice(mark).map((r) => `${r.method} ${r.path}`);
  }

  private resolve(name: string): string {
    return this.aliases.get(name) ?? name;
  }

  private answer(r: Recorded): [number, unknown, string?] {
    if (r.headers['x-typesense-api-key'] !== 'test-key')
      return [401, { message: 'Forbidden - a valid `x-typesense-api-key` header must be sent.' }];
    const parts = r.path.split('/').filter(Boolean);
    const notFound: [number, unknown] = [404, { message: 'Not Found' }];

    if (parts[0] === 'aliases' && parts.length === 2) {
      const name = parts[1]!;
      if (r.method === 'GET') {
        const target = this.aliases.get(name);
        return target ? [200, { name, collection_name: target }] : notFound;
      }
      if (r.method === 'PUT') {
        const { collection_name } = JSON.parse(r.body) as { collection_name: string };
        this.aliases.set(name, collection_name);
        return [200, { name, collection_name }];
      }
    }
    if (parts[0] === 'collections' && parts.length === 1 && r.method === 'POST') {
      const schema = JSON.parse(r.body) as { name: string };
      if (this.collections.has(schema.name)) return [409, { message: `A collection with name \`${schema.name}\` already exists.` }];
      this.collections.set(schema.name, { schema, docs: new Map() });
      return [201, { ...schema, created_at: 1_700_000_000, num_documents: 0 }];
    }
    const collection = parts[0] === 'collections' && parts[1] ? this.collections.get(this.resolve(parts[1])) : undefined;
    if (parts[0] === 'collections' && parts.length === 2) {
      if (!collection) return notFound;
      if (r.method === 'GET') return [200, { ...collection.schema, num_documents: collection.docs.size, created_at: 1_700_000_000 }];
      if (r.method === 'DELETE') {
        this.collections.delete(this.resolve(parts[1]!));
        return [200, { ...collection.schema, num_documents: collection.docs.size }];
      }
    }
    if (!collection || parts[2] !== 'documents') return notFound;
    const op = parts[3];
    if (op === 'import' && r.method === 'POST') {
      const lines = r.body.split('\n').filter(Boolean);
      for (const line of lines) {
        const doc = JSON.parse(line) as StoredDoc;
        collection.docs.set(doc.id, doc);
      }
      return [200, lines.map(() => JSON.stringify({ success: true })).join('\n'), 'text/plain; charset=utf-8'];
    }
    if (op === 'export' && r.method === 'GET') {
      return [200, [...collection.docs.keys()].map((id) => JSON.stringify({ id })).join('\n'), 'text/plain; charset=utf-8'];
    }
    if (op === undefined && r.method === 'DELETE') {
      const ids = idsOf(r.query.get('filter_by') ?? '');
      let deleted = 0;
      for (const id of ids) if (collection.docs.delete(id)) deleted++;
      return [200, { num_deleted: deleted }];
    }
    if (op === 'search' && r.method === 'GET') {
      const filter = r.query.get('filter_by') ?? '';
      if (filter.startsWith('id:[')) {
        const hits = idsOf(filter)
          .map((id) => collection.docs.get(id))
          .filter((d): d is StoredDoc => d !== undefined)
          .map((d) => ({ document: { id: d.id, version: d.version }, highlight: {}, highlights: [], text_match: 0 }));
        return [200, searchResponse(hits, hits.length, r)];
      }
      return [200, searchResponse([CANNED_HIT], 42, r)];
    }
    return notFound;
  }
}

/** ids of a `id:[`a`,`b`]` filter */
function idsOf(filter: string): string[] {
  return [...filter.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
}

const CANNED_DOC = {
  id: oid(7),
  type: 'question',
  questionId: oid(7),
  title: 'Escaped <script> tags in my template',
  body: 'Any <b> tag & "quote" in the template is rendered raw.',
  tags: ['html', 'security'],
  space: 'frontend',
  authorId: 'u4',
  authorHandle: 'dave',
  score: 3,
  answerCount: 0,
  isAnswered: false,
  hasAccepted: false,
  isAccepted: false,
  isClosed: false,
  createdAt: 1_719_835_200_000,
  lastActivityAt: 1_719_921_600_000,
  version: 4,
};

/** a hit in the documented response shape (v2 `highlight` and v1 `highlights`) */
const CANNED_HIT = {
  document: CANNED_DOC,
  highlight: {
    title: {
      matched_tokens: ['template'],
      snippet: 'Escaped <script> tags in my <mark>template</mark>',
      value: 'Escaped <script> tags in my <mark>template</mark>',
    },
    body: { matched_tokens: ['template'], snippet: 'Any <b> tag & "quote" in the <mark>template</mark> is rendered raw.' },
  },
  highlights: [
    {
      field: 'title',
      matched_tokens: ['template'],
      snippet: 'Escaped <script> tags in my <mark>template</mark>',
      value: 'Escaped <script> tags in my <mark>template</mark>',
    },
  ],
  text_match: 578730123365187,
  text_match_info: {
    best_field_score: '1108091339008',
    best_field_weight: 15,
    fields_matched: 1,
    score: '578730123365187705',
    tokens_matched: 1,
  },
};

function searchResponse(hits: unknown[], found: number, r: Recorded): unknown {
  return {
    facet_counts: r.query.get('facet_by')
      ? [
          {
            field_name: 'tags',
            sampled: false,
            stats: { total_values: 2 },
            counts: [
              { count: 2, highlighted: 'html', value: 'html' },
              { count: 5, highlighted: 'c++', value: 'c++' },
            ],
          },
          {
            field_name: 'space',
            sampled: false,
            stats: { total_values: 1 },
            counts: [{ count: 7, highlighted: 'frontend', value: 'frontend' }],
          },
          {
            field_name: 'type',
            sampled: false,
            stats: { total_values: 2 },
            counts: [
              { count: 6, highlighted: 'question', value: 'question' },
              { count: 1, highlighted: 'answer', value: 'answer' },
            ],
          },
          {
            field_name: 'status',
            sampled: false,
            stats: { total_values: 2 },
            counts: [
              { count: 4, highlighted: 'unanswered', value: 'unanswered' },
              { count: 3, highlighted: 'answered', value: 'answered' },
            ],
          },
        ]
      : [],
    found,
    out_of: 100,
    page: Number(r.query.get('page') ?? 1),
    request_params: { collection_name: 'posts', per_page: Number(r.query.get('per_page') ?? 10), q: r.query.get('q') ?? '' },
    search_time_ms: 1,
    hits,
  };
}

describe('typesense adapter: HTTP contract (local recorder)', () => {
  const fake = new FakeTypesense();
  let port: SearchPort;

  beforeAll(async () => {
    const url = await fake.start();
    port = createTypesenseSearch({ url, apiKey: 'test-key', numRetries: 0 });
  });
  afterAll(async () => {
    await port?.close();
    await fake.stop();
  });

  it('sends the API key header on every request', async () => {
    await port.init();
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((r) => r.headers['x-typesense-api-key'] === 'test-key')).toBe(true);
  });

  it('init creates the collection with the posts schema and points the alias at it', () => {
    expect(fake.since(0)).toEqual(['GET /aliases/posts', 'POST /collections', 'GET /aliases/posts', 'PUT /aliases/posts']);
    const create = fake.requests[1]!;
    const schema = JSON.parse(create.body) as { name: string; fields: Array<Record<string, unknown>>; symbols_to_index: string[] };
    expect(schema.name).toBe('posts_initial');
    const field = (name: string) => schema.fields.find((f) => f.name === name);
    expect(field('tags')).toMatchObject({ type: 'string[]', facet: true });
    expect(field('status')).toMatchObject({ type: 'string[]', facet: true });
    expect(field('space')).toMatchObject({ type: 'string', facet: true });
    expect(field('type')).toMatchObject({ type: 'string', facet: true });
    expect(field('score')).toMatchObject({ type: 'int32', sort: true });
    expect(field('createdAt')).toMatchObject({ type: 'int64' });
    expect(field('lastActivityAt')).toMatchObject({ type: 'int64' });
    expect(field('version')).toMatchObject({ type: 'int64' });
    expect(schema.symbols_to_index).toEqual(['+', '#']);
    expect(JSON.parse(fake.requests[3]!.body)).toEqual({ collection_name: 'posts_initial' });
  });

  it('init is idempotent', async () => {
    const mark = fake.requests.length;
    await port.init();
    expect(fake.since(mark)).toEqual(['GET /aliases/posts']);
  });

  it('upserts through import?action=upsert, skipping documents the index holds newer', async () => {
    // the index already holds version 5 of oid(2)
    fake.collections.get('posts_initial')!.docs.set(oid(2), { id: oid(2), version: 5 });
    const mark = fake.requests.length;
    await port.upsert([
      makeDoc({ id: oid(1), title: 'Fresh post', tags: ['C++', 'node.js'], isAnswered: true, hasAccepted: true, version: 2 }),
      makeDoc({ id: oid(2), title: 'Stale copy', version: 3 }),
    ]);
    expect(fake.since(mark)).toEqual(['GET /collections/posts/documents/search', 'POST /collections/posts/documents/import']);
    const lookup = fake.requests[mark]!;
    expect(lookup.query.get('q')).toBe('*');
    expect(lookup.query.get('filter_by')).toBe(`id:[\`${oid(1)}\`,\`${oid(2)}\`]`);
    expect(lookup.query.get('include_fields')).toBe('id,version');
    const imp = fake.requests[mark + 1]!;
    expect(imp.query.get('action')).toBe('upsert');
    const lines = imp.body.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual([oid(1)]);
    expect(lines[0]).toMatchObject({ title: 'Fresh post', tags: ['c++', 'node.js'], status: ['answered', 'accepted'], version: 2 });
  });

  it('searches with the documented parameters and maps the response', async () => {
    const mark = fake.requests.length;
    const page = await port.query(
      makeQuery({
        terms: ['webpack', '-config'],
        phrases: ['module not found'],
        tags: ['typescript', 'c++'],
        excludedTags: ['angular'],
        authorIds: ['u1', 'u2'],
        minScore: -1,
        answers: 0,
        hasAccepted: false,
        isClosed: false,
        spaces: ['frontend'],
        createdFrom: 1_704_067_200_000,
        createdTo: 1_719_792_000_000,
        sort: 'relevance',
        limit: 20,
        offset: 20,
        facets: true,
      }),
    );
    expect(fake.since(mark)).toEqual(['GET /collections/posts/documents/search']);
    const p = fake.requests[mark]!.query;
    expect(p.get('q')).toBe('"module not found" webpack config');
    expect(p.get('query_by')).toBe('title,tags,body');
    expect(p.get('query_by_weights')).toBe('3,2,1');
    expect(p.get('prefix')).toBe('true');
    expect(p.get('num_typos')).toBe('2');
    expect(p.get('filter_by')).toBe(
      'tags:=`typescript` && tags:=`c++` && tags:!=[`angular`] && authorId:=[`u1`,`u2`] && answerCount:=0 && type:=`question` && ' +
        'score:>=-1 && hasAccepted:=false && isClosed:=false && space:=[`frontend`] && createdAt:>=1704067200000 && createdAt:<1719792000000',
    );
    expect(p.get('facet_by')).toBe('tags,space,type,status');
    expect(p.get('sort_by')).toBe('_text_match:desc,score:desc,createdAt:desc');
    expect(p.get('per_page')).toBe('20');
    expect(p.get('page')).toBe('2');
    expect(p.get('highlight_start_tag')).toBe('<mark>');
    expect(p.get('highlight_end_tag')).toBe('</mark>');

    expect(page.total).toBe(42);
    const hit = page.hits[0]!;
    expect(hit.id).toBe(oid(7));
    expect(hit.document).toEqual(CANNED_DOC);
    expect(hit.titleHighlight).toBe('Escaped &lt;script&gt; tags in my <mark>template</mark>');
    expect(hit.snippet).toBe('Any &lt;b&gt; tag &amp; &quot;quote&quot; in the <mark>template</mark> is rendered raw.');
    expect(hit.relevance).toBeGreaterThan(0);
    expect(page.facets).toEqual({
      tags: [
        { value: 'c++', count: 5 },
        { value: 'html', count: 2 },
      ],
      space: [{ value: 'frontend', count: 7 }],
      type: [
        { value: 'question', count: 6 },
        { value: 'answer', count: 1 },
      ],
      status: [
        { value: 'unanswered', count: 4 },
        { value: 'answered', count: 3 },
      ],
    });
  });

  it('uses the other sorts, offset/limit paging and a wildcard query without text', async () => {
    const mark = fake.requests.length;
    await port.query(makeQuery({ sort: 'votes', limit: 10, offset: 5 }));
    await port.query(makeQuery({ sort: 'newest', isAccepted: true }));
    await port.query(makeQuery({ sort: 'activity' }));
    const [votes, newest, activity] = fake.requests.slice(mark).map((r) => r.query);
    expect(votes!.get('q')).toBe('*');
    expect(votes!.get('sort_by')).toBe('score:desc,createdAt:desc');
    expect(votes!.get('offset')).toBe('5');
    expect(votes!.get('limit')).toBe('10');
    expect(votes!.has('filter_by')).toBe(false);
    expect(votes!.has('facet_by')).toBe(false);
    expect(newest!.get('sort_by')).toBe('createdAt:desc');
    expect(newest!.get('filter_by')).toBe('isAccepted:=true && type:=`answer`');
    expect(activity!.get('sort_by')).toBe('lastActivityAt:desc');
  });

  it('answers contradictory filters without a request', async () => {
    const mark = fake.requests.length;
    expect((await port.query(makeQuery({ type: 'answer', answers: 0 }))).total).toBe(0);
    expect(fake.since(mark)).toEqual([]);
  });

  it('looks up versions, lists ids, counts and removes', async () => {
    expect(await port.versions([oid(1), oid(2), oid(99)])).toEqual(
      new Map([
        [oid(1), 2],
        [oid(2), 5],
      ]),
    );
    let mark = fake.requests.length;
    expect(await port.count()).toBe(2);
    expect(fake.since(mark)).toEqual(['GET /collections/posts']);

    mark = fake.requests.length;
    const batches: string[][] = [];
    for await (const batch of port.allIds()) batches.push(batch);
    expect(batches.flat().sort()).toEqual([oid(1), oid(2)]);
    expect(fake.since(mark)).toEqual(['GET /collections/posts/documents/export']);
    expect(fake.requests[mark]!.query.get('include_fields')).toBe('id');

    mark = fake.requests.length;
    await port.remove([oid(2)]);
    expect(fake.since(mark)).toEqual(['DELETE /collections/posts/documents']);
    expect(fake.requests[mark]!.query.get('filter_by')).toBe(`id:[\`${oid(2)}\`]`);
    expect(await port.count()).toBe(1);
  });

  it('finds similar questions by title words', async () => {
    const mark = fake.requests.length;
    const hits = await port.similar('How do I configure webpack for TypeScript?', 5);
    expect(hits[0]?.id).toBe(oid(7));
    const p = fake.requests[mark]!.query;
    expect(p.get('q')).toBe('configure webpack typescript');
    expect(p.get('query_by')).toBe('title');
    expect(p.get('filter_by')).toBe('type:=`question`');
    expect(p.get('per_page')).toBe('5');
    expect(await port.similar('how do I do it', 5)).toEqual([]);
  });

  it('reindexes into posts_<timestamp>, switches the alias, then drops the old collection', async () => {
    const mark = fake.requests.length;
    const progress: number[] = [];
    const docs: SearchDocument[] = [makeDoc({ id: oid(10), title: 'Rebuilt one' }), makeDoc({ id: oid(11), title: 'Rebuilt two' })];
    async function* source(): AsyncIterable<SearchDocument[]> {
      yield docs.slice(0, 1);
      yield docs.slice(1);
    }
    await port.reindex(source(), 2, (p) => progress.push(p.done));
    const calls = fake.since(mark);
    expect(calls[0]).toBe('POST /collections');
    const name = (JSON.parse(fake.requests[mark]!.body) as { name: string }).name;
    expect(name).toMatch(/^posts_\d+$/);
    expect(calls.slice(1)).toEqual([
      `GET /collections/${name}/documents/search`,
      `POST /collections/${name}/documents/import`,
      `GET /collections/${name}/documents/search`,
      `POST /collections/${name}/documents/import`,
      'GET /aliases/posts',
      'PUT /aliases/posts',
      'DELETE /collections/posts_initial',
    ]);
    expect(JSON.parse(fake.requests[mark + 6]!.body)).toEqual({ collection_name: name });
    expect(progress).toEqual([0, 1, 2]);
    expect(fake.aliases.get('posts')).toBe(name);
    expect(fake.collections.has('posts_initial')).toBe(false);
    expect(await port.count()).toBe(2);
  });
});

describe('typesense adapter: query translation', () => {
  it('quotes phrases first, keeps the last term last, and never sends exclusion operators', () => {
    expect(typesenseQueryText({ terms: ['foo', '-bar', '"', 'c++'], phrases: ['a "b" c', ''] })).toBe('"a  b  c" foo bar c++');
    expect(typesenseQueryText({ terms: [], phrases: [] })).toBe('');
  });

  it('strips backticks from filter values', () => {
    expect(typesenseFilter(makeQuery({ spaces: ['we`ird'] }))).toBe('space:=[`weird`]');
    expect(typesenseFilter(makeQuery({}))).toBe('');
    expect(typesenseFilter(makeQuery({ type: 'question', isAccepted: true }))).toBeNull();
  });
});
