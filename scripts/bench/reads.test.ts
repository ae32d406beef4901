// The benchmark's tables of measured operations: the rows (names, order, requests) the table and
// the database-command capture are built from, and that a page route is one row of PAGE_ROUTES.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BaselineServer } from './baselines.js';
import { captureOperations } from './capture.js';
import type { Fixtures } from './fixtures.js';
import {
  graphqlBody,
  LISTING_QUERY,
  PING_QUERY,
  POST_ANSWER_MUTATION,
  QUESTION_QUERY,
  RECORD_VIEW_MUTATION,
  SEARCH_QUERY,
  VOTE_MUTATION,
} from './graphql.js';
import { describeTarget, Measurer } from './measure.js';
import { parseOptions } from './options.js';
import { baselineSpecs, PAGE_ROUTES, readSpecs } from './reads.js';
import { BenchSession } from './session.js';

const question = { id: 'Q1', url: '/questions/Q1/how-to#top', title: 'How to', answerCount: 2, tags: [{ name: 'python' }] };
const fixtures: Fixtures = {
  listed: [question, { ...question, id: 'Q2' }, { ...question, id: 'Q3' }],
  question,
  pagePath: '/questions/Q1/how-to',
  pageFile: '/tmp/question-page.html',
  cursor: 'CURSOR50',
  deepPage: 50,
  searches: [
    { label: 'words', query: 'network training' },
    { label: 'typo', query: 'netwrok' },
  ],
};
const stack = { apiUrl: 'http://api', webUrl: 'http://web', stop: async () => undefined };
const baselines = [{ url: 'http://node' }, { url: 'http://express' }] as [BaselineServer, BaselineServer];

describe('the measured rows', () => {
  it('are the baselines, then the page routes, then the GraphQL operations, with their requests', () => {
    const rows = [...baselineSpecs(stack, baselines, fixtures), ...readSpecs(stack, fixtures)].map((s) => ({
      kind: s.kind,
      name: s.target.name,
      target: describeTarget(s.target),
      url: s.target.url,
      rssOf: s.rssOf,
    }));
    const listing = (after: string | null) => JSON.stringify({ first: 30, after, orderBy: 'NEWEST' });
    expect(rows).toEqual([
      {
        kind: 'baseline',
        name: 'node:http',
        target: 'GET /questions/Q1/how-to',
        url: 'http://node/questions/Q1/how-to',
        rssOf: 'node:http',
      },
      {
        kind: 'baseline',
        name: 'express',
        target: 'GET /questions/Q1/how-to',
        url: 'http://express/questions/Q1/how-to',
        rssOf: 'express',
      },
      { kind: 'baseline', name: 'ping', target: 'POST /graphql { ping }', url: 'http://api/graphql', rssOf: undefined },
      {
        kind: 'web',
        name: 'question page (web)',
        target: 'GET /questions/Q1/how-to',
        url: 'http://web/questions/Q1/how-to',
        rssOf: undefined,
      },
      {
        kind: 'graphql',
        name: 'question (GraphQL)',
        target: `POST /graphql QuestionPage ${JSON.stringify({ id: 'Q1', answersFirst: 30, answersAfter: null })}`,
        url: 'http://api/graphql',
        rssOf: undefined,
      },
      {
        kind: 'graphql',
        name: 'listing page 1',
        target: `POST /graphql Questions ${listing(null)}`,
        url: 'http://api/graphql',
        rssOf: undefined,
      },
      {
        kind: 'graphql',
        name: 'listing page 50 (cursor)',
        target: `POST /graphql Questions ${listing('CURSOR50')}`,
        url: 'http://api/graphql',
        rssOf: undefined,
      },
      {
        kind: 'graphql',
        name: 'search words: network training',
        target: `POST /graphql Search ${JSON.stringify({ query: 'network training', first: 20, sort: 'RELEVANCE' })}`,
        url: 'http://api/graphql',
        rssOf: undefined,
      },
      {
        kind: 'graphql',
        name: 'search typo: netwrok',
        target: `POST /graphql Search ${JSON.stringify({ query: 'netwrok', first: 20, sort: 'RELEVANCE' })}`,
        url: 'http://api/graphql',
        rssOf: undefined,
      },
    ]);
    const ping = baselineSpecs(stack, baselines, fixtures)[2]!.target;
    expect(ping).toMatchObject({ method: 'POST', body: graphqlBody(PING_QUERY), headers: { accept: 'application/json' }, graphql: true });
    expect(readSpecs(stack, fixtures)[0]!.target).toEqual({
      name: 'question page (web)',
      url: 'http://web/questions/Q1/how-to',
      method: 'GET',
      headers: { accept: 'text/html' },
    });
  });
});

describe('the database-command capture', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('replays every row once (and what the page sends), then one postAnswer and one vote', async () => {
    const sent: Array<{ url: string; body?: unknown; cookie?: string }> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      const headers = (init.headers ?? {}) as Record<string, string>;
      sent.push({
        url,
        ...(init.body ? { body: JSON.parse(init.body as string) } : {}),
        ...(headers.cookie ? { cookie: headers.cookie } : {}),
      });
      const data = { postAnswer: { errors: [] }, vote: { errors: [] }, ping: 'pong' };
      return new Response(url.endsWith('/graphql') ? JSON.stringify({ data }) : '<html></html>', { status: 200 });
    });
    const ops = captureOperations({ apiUrl: 'http://cap-api', webUrl: 'http://cap-web' }, fixtures, {
      agents: [{ handle: 'bench-1', cookie: 'colloquy_session=abc' }],
      pool: ['Q2', 'Q3'],
      runTag: 'tag',
    });
    expect(ops.map((o) => o.name)).toEqual([
      'ping',
      'question page (web)',
      'recordQuestionView (sent by the page)',
      'question (GraphQL)',
      'listing page 1',
      'listing page 50 (cursor)',
      'search words: network training',
      'search typo: netwrok',
      'postAnswer',
      'vote',
    ]);
    for (const op of ops) await op.run();
    const api = 'http://cap-api/graphql';
    const cookie = 'colloquy_session=abc';
    expect(sent).toEqual([
      { url: api, body: { query: PING_QUERY } },
      { url: 'http://cap-web/questions/Q1/how-to' },
      { url: api, body: { query: RECORD_VIEW_MUTATION, variables: { questionId: 'Q1' } } },
      { url: api, body: { query: QUESTION_QUERY, variables: { id: 'Q1', answersFirst: 30, answersAfter: null } } },
      { url: api, body: { query: LISTING_QUERY, variables: { first: 30, after: null, orderBy: 'NEWEST' } } },
      { url: api, body: { query: LISTING_QUERY, variables: { first: 30, after: 'CURSOR50', orderBy: 'NEWEST' } } },
      { url: api, body: { query: SEARCH_QUERY, variables: { query: 'network training', first: 20, sort: 'RELEVANCE' } } },
      { url: api, body: { query: SEARCH_QUERY, variables: { query: 'netwrok', first: 20, sort: 'RELEVANCE' } } },
      {
        url: api,
        body: {
          query: POST_ANSWER_MUTATION,
          variables: { input: { questionId: 'Q2', body: 'Benchmark capture answer 0 (run tag): a plain answer of enough length.' } },
        },
        cookie,
      },
      { url: api, body: { query: VOTE_MUTATION, variables: { input: { subjectId: 'Q3', direction: 'NONE' } } }, cookie },
    ]);
  });

  it('leaves the writes out without a signed-in agent', () => {
    const ops = captureOperations({ apiUrl: 'http://a', webUrl: 'http://w' }, fixtures, { agents: [], pool: ['Q2'], runTag: 't' });
    expect(ops.map((o) => o.name)).not.toContain('postAnswer');
  });
});

describe('a page route', () => {
  it('is one row of PAGE_ROUTES: measured on the web and replayed by the capture', () => {
    PAGE_ROUTES.push({ name: 'tag page (web)', path: (f) => `/tags/${f.question.tags[0]!.name}` });
    try {
      const reads = readSpecs(stack, fixtures);
      expect(reads.map((s) => s.target.name).slice(0, 3)).toEqual(['question page (web)', 'tag page (web)', 'question (GraphQL)']);
      expect(reads[1]).toEqual({
        kind: 'web',
        target: { name: 'tag page (web)', url: 'http://web/tags/python', method: 'GET', headers: { accept: 'text/html' } },
      });
      const ops = captureOperations({ apiUrl: 'http://a', webUrl: 'http://w' }, fixtures, { agents: [], pool: [], runTag: 't' });
      expect(ops.map((o) => o.name).slice(0, 5)).toEqual([
        'ping',
        'question page (web)',
        'recordQuestionView (sent by the page)',
        'tag page (web)',
        'question (GraphQL)',
      ]);
    } finally {
      PAGE_ROUTES.pop();
    }
  });
});

describe('the load plan of a row', () => {
  const measurer = new Measurer(new BenchSession(parseOptions(['--timeout', '10', '--warmup', '2'])));

  it('loads a fast operation at full concurrency after a warm-up', () => {
    expect(measurer.planFor(20, 10)).toEqual({ skip: undefined, timeoutSec: 10, connections: 10, warmup: true });
  });

  it('uses fewer connections (and no warm-up) for a slow one, and skips one slower than 5 s alone', () => {
    expect(measurer.planFor(2_000, 10)).toEqual({ skip: undefined, timeoutSec: 10, connections: 2, warmup: false });
    expect(measurer.planFor(6_000, 10).skip).toBe('one request alone takes 6.0 s (> 5 s): not loaded');
  });
});
