// Request hardening over HTTP: bad variables are request errors naming the variable (never a
// masked INTERNAL), bodies over the limit get 413, and documents too deep, too aliased, too long,
// too directive-laden or asking for too many ids are refused before anything runs, each with a
// stable extensions.code. Field suggestions can be turned off (they are in production).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app.js';
import type { GraphQLLimits } from '../../server/src/config.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** An app beside the harness's own, with other request limits. */
async function serve(limits: Partial<GraphQLLimits>): Promise<string> {
  const config = { ...h.deps.config, graphqlLimits: { ...h.deps.config.graphqlLimits, ...limits } };
  const { app } = createApp({ ...h.deps, config });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Reply {
  status: number;
  ms: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

async function post(
  body: string | Record<string, unknown>,
  opts: { accept?: string; url?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const started = performance.now();
  const res = await fetch(`${opts.url ?? h.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.accept ? { accept: opts.accept } : {}), ...opts.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - started, headers: res.headers, body: JSON.parse(text) };
}

/** The fastest of five tries (the shared machine's scheduling is not what is measured). */
async function fastest(body: Record<string, unknown>): Promise<Reply> {
  const replies: Reply[] = [];
  for (let i = 0; i < 5; i++) replies.push(await post(body));
  return replies.sort((a, b) => a.ms - b.ms)[0]!;
}

const codes = (r: Reply) => (r.body.errors ?? []).map((e) => e.extensions?.code);

describe('variables of the wrong type are request errors naming the variable', () => {
  const cases = [
    { name: 'an object for ID!', query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: { a: 1 } }, variable: 'id' },
    {
      name: 'an unknown enum value',
      query: 'query($order: QuestionOrder!) { questions(orderBy: $order) { nodes { id } } }',
      variables: { order: 'SIDEWAYS' },
      variable: 'order',
    },
    { name: 'a string for Int', query: 'query($n: Int) { questions(first: $n) { nodes { id } } }', variables: { n: 'ten' }, variable: 'n' },
  ];

  for (const c of cases) {
    it(`${c.name}: 400 with application/graphql-response+json, 200 with application/json, BAD_USER_INPUT`, async () => {
      for (const accept of [GRAPHQL_RESPONSE, 'application/json']) {
        const r = await post({ query: c.query, variables: c.variables }, { accept });
        expect(r.status).toBe(accept === GRAPHQL_RESPONSE ? 400 : 200);
        expect(r.body.data).toBeUndefined();
        expect(r.body.errors).toHaveLength(1);
        const error = r.body.errors![0]!;
        expect(error.message).toContain(`Variable "$${c.variable}"`);
        expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', variable: c.variable });
        expect(error.extensions?.http).toBeUndefined();
      }
    });
  }

  it('a missing required variable too; a document error is GRAPHQL_VALIDATION_FAILED, a syntax error GRAPHQL_PARSE_FAILED', async () => {
    const missing = await post({ query: 'query($id: ID!) { node(id: $id) { id } }' }, { accept: GRAPHQL_RESPONSE });
    expect([missing.status, codes(missing)]).toEqual([400, ['BAD_USER_INPUT']]);
    const unknown = await post({ query: '{ nope }' }, { accept: GRAPHQL_RESPONSE });
    expect([unknown.status, codes(unknown)]).toEqual([400, ['GRAPHQL_VALIDATION_FAILED']]);
    const syntax = await post({ query: '{ ping ' }, { accept: GRAPHQL_RESPONSE });
    expect([syntax.status, codes(syntax)]).toEqual([400, ['GRAPHQL_PARSE_FAILED']]);
    const json = await post('{"query": ', { accept: GRAPHQL_RESPONSE });
    expect([json.status, codes(json)]).toEqual([400, ['BAD_REQUEST']]);
  });
});

describe('limits, refused before anything runs', () => {
  it('a body over GRAPHQL_MAX_BODY_BYTES (100 KB by default) gets 413 PAYLOAD_TOO_LARGE; a 60 MB one too, at once', async () => {
    const query = `{ ping } # ${'x'.repeat(110 * 1024)}`;
    const r = await post({ query });
    expect(r.status).toBe(413);
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit: 102_400 });
    expect(r.body.errors?.[0]?.message).toMatch(/larger than 102400 bytes/);
    const huge = await post({ query: `{ ping } # ${'x'.repeat(60 * 1024 * 1024)}` });
    expect(huge.status).toBe(413);
    // just under the limit is served
    const fits = await post({ query: `{ ping } # ${'x'.repeat(90 * 1024)}` });
    expect([fits.status, fits.body.data]).toEqual([200, { ping: 'pong' }]);
  });

  it('depth 200: DEPTH_LIMIT in < 50 ms', async () => {
    const cycles = 67; // answers { nodes { question { … : 3 levels a cycle
    const query = `{ question(id: "x") { ${'answers { nodes { question { '.repeat(cycles)}id${' } } }'.repeat(cycles)} } }`;
    const r = await fastest({ query });
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
    expect(codes(r)).toEqual(['DEPTH_LIMIT']);
    expect(r.body.errors![0]!.message).toMatch(/depth limit of 20 exceeded, found 20\d/);
    expect(r.ms).toBeLessThan(50);
  });

  it('500 aliases: ALIAS_LIMIT in < 50 ms', async () => {
    const query = `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: ping`).join(' ')} }`;
    const r = await fastest({ query });
    expect([r.status, codes(r), r.body.data]).toEqual([400, ['ALIAS_LIMIT'], undefined]);
    expect(r.body.errors![0]!.message).toMatch(/Aliases limit of 30 exceeded, found 500/);
    expect(r.ms).toBeLessThan(50);
  });

  it('a 100k-token document: TOKEN_LIMIT in < 50 ms (parsing stops at the limit)', async () => {
    const query = `{ ping(x: [${'[]'.repeat(50_000)}]) }`; // 100,002 tokens in 100 KB
    const r = await fastest({ query });
    expect([r.status, codes(r), r.body.data]).toEqual([400, ['TOKEN_LIMIT'], undefined]);
    expect(r.body.errors![0]!.message).toMatch(/Token limit of 5000 exceeded/);
    expect(r.ms).toBeLessThan(50);
    // brackets nested too deep for the parser's recursion, well within the token limit
    const deep = await post({ query: `{ ping(x: ${'['.repeat(4_000)}` });
    expect([deep.status, codes(deep), deep.body.data]).toEqual([400, ['DEPTH_LIMIT'], undefined]);
  });

  it('nodes(ids:) with 101 ids: VALIDATION in < 50 ms; 100 ids are served', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => Buffer.from(`Question:${String(i).padStart(24, '0')}`).toString('base64'));
    const query = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
    const r = await fastest({ query, variables: { ids } });
    expect([r.status, codes(r), r.body.data]).toEqual([400, ['VALIDATION'], undefined]);
    expect(r.body.errors![0]!.message).toBe('nodes(ids:) takes at most 100 ids; got 101.');
    expect(r.ms).toBeLessThan(50);
    const ok = await post({ query, variables: { ids: ids.slice(1) } });
    expect(ok.status).toBe(200);
    expect(codes(ok).filter((code) => code !== 'NOT_FOUND')).toEqual([]); // ids of nothing
    expect(ok.body.data?.nodes).toHaveLength(100);
  });

  it('too many directives: DIRECTIVE_LIMIT', async () => {
    const query = `{ ${'ping @include(if: true) '.repeat(51)}}`;
    const r = await post({ query });
    expect([r.status, codes(r)]).toEqual([400, ['DIRECTIVE_LIMIT']]);
  });

  it('a document within every limit runs', async () => {
    const r = await post({ query: `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: ping`).join(' ')} }` });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.data ?? {})).toHaveLength(30);
  });
});

describe('field suggestions', () => {
  it('are given outside production and hidden when GRAPHQL_FIELD_SUGGESTIONS is off (production)', async () => {
    const shown = await post({ query: '{ pong }' });
    expect(shown.body.errors?.[0]?.message).toMatch(/Did you mean "ping"\?/);
    const url = await serve({ fieldSuggestions: false });
    const hidden = await post({ query: '{ pong }' }, { url });
    expect(hidden.body.errors?.[0]?.message).toBe('Cannot query field "pong" on type "Query".');
    expect(hidden.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('responses', () => {
  it("keep the query's field order, computed or served from the response cache", async () => {
    const query = '{ ping spaces { nodes { slug } } __typename a: ping }';
    const first = await post({ query });
    const second = await post({ query });
    expect(second.headers.get('x-colloquy-cache')).toBe('hit');
    for (const r of [first, second]) expect(Object.keys(r.body.data ?? {})).toEqual(['ping', 'spaces', '__typename', 'a']);
    const reversed = await post({ query: '{ a: ping __typename spaces { nodes { slug } } ping }' });
    expect(Object.keys(reversed.body.data ?? {})).toEqual(['a', '__typename', 'spaces', 'ping']);
  });
});
