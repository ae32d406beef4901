// The benchmark's tables of measured operations: the rows (names, order, requests) the tables and
// the database-command capture are built from, and that a page route is one row of PAGE_ROUTES.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BaselineServer } from './baselines.js';
import { captureOperations } from './capture.js';
import { captureOps, type WireTap } from './db-scans.js';
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
import { describeTarget, Measurer, rssNames, rssOfStack, statusExpected } from './measure.js';
import { parseOptions } from './options.js';
import { unlimitedRateLimits } from './prepare.js';
import { baselineSpecs, PAGE_ROUTES, pageRowSpecs, questionRowName, readSpecs, ROUND_TRIP_PAGES, UNKNOWN_MEMBER } from './reads.js';
import { BenchSession } from './session.js';

const question = { id: 'Q1', url: '/questions/Q1/how-to#top', title: 'How to', answerCount: 20, tags: [{ name: 'python' }] };
const thread = (answers: number, id: string) => ({ answers, comments: 2, id, path: `/questions/${id}/t${answers}` });
const fixtures: Fixtures = {
  listed: [question, { ...question, id: 'Q2' }, { ...question, id: 'Q3' }],
  question,
  pagePath: '/questions/Q1/how-to',
  threads: [thread(10, 'T10'), { ...thread(20, 'Q1'), path: '/questions/Q1/how-to' }, thread(30, 'T30')],
  tagPath: '/tags/python',
  spacePath: '/spaces/ai',
  memberPath: '/users/alice',
  cursor: 'CURSOR50',
  deepPage: 50,
  searches: [
    { label: 'words', query: 'network training' },
    { label: 'typo', query: 'netwrok' },
  ],
};
const api = { apiUrl: 'http://api', webUrl: 'http://web' };
const baselines = [{ url: 'http://node' }, { url: 'http://express' }] as [BaselineServer, BaselineServer];
const questionVariables = { id: 'Q1', answersFirst: 30, answersAfter: null };

describe('the pages table', () => {
  it('is every page route, then the GraphQL question query, each sent to an origin', () => {
    const specs = pageRowSpecs(fixtures);
    expect(specs.map((s) => [s.name, s.kind, s.side, describeTarget(s.target('http://o'))])).toEqual([
      ['home', 'page', 'webUrl', 'GET /'],
      ['/questions', 'page', 'webUrl', 'GET /questions'],
      ['featured (bounties)', 'page', 'webUrl', 'GET /questions'],
      ['question (20 answers × 2 comments)', 'page', 'webUrl', 'GET /questions/Q1/how-to'],
      ['tag', 'page', 'webUrl', 'GET /tags/python'],
      ['space', 'page', 'webUrl', 'GET /spaces/ai'],
      ['member profile', 'page', 'webUrl', 'GET /users/alice'],
      ['search', 'page', 'webUrl', 'GET /search'],
      ['unknown member (404)', 'page', 'webUrl', `GET /users/${UNKNOWN_MEMBER}`],
      ['/users', 'page', 'webUrl', 'GET /users'],
      ['/badges', 'page', 'webUrl', 'GET /badges'],
      ['badge holders', 'page', 'webUrl', 'GET /badges/supporter'],
      ['/developers', 'page', 'webUrl', 'GET /developers'],
      ['/developers/schema', 'page', 'webUrl', 'GET /developers/schema'],
      ['tag experts', 'page', 'webUrl', 'GET /tags/python/experts'],
      ['space experts', 'page', 'webUrl', 'GET /spaces/ai/experts'],
      ['people by skill', 'page', 'webUrl', 'GET /people'],
      ['question (GraphQL)', 'graphql', 'apiUrl', `POST /graphql QuestionPage ${JSON.stringify(questionVariables)}`],
    ]);
    expect(specs[7]!.target('http://web').url).toBe('http://web/search?q=network%20training');
    expect(specs[8]!.target('http://web')).toEqual({
      name: 'unknown member (404)',
      url: `http://web/users/${UNKNOWN_MEMBER}`,
      method: 'GET',
      headers: { accept: 'text/html' },
      expectStatus: 404,
    });
    expect(specs.at(-1)!.target('http://express')).toMatchObject({
      url: 'http://express/graphql',
      method: 'POST',
      body: graphqlBody(QUESTION_QUERY, questionVariables),
      graphql: true,
    });
    expect(specs.every((s) => s.na === undefined)).toBe(true);
  });

  it('says n/a for a page this run does not have', () => {
    PAGE_ROUTES.push({ name: 'nothing', path: () => null });
    try {
      expect(pageRowSpecs(fixtures).find((s) => s.name === 'nothing')?.na).toBe('no such page in this run (see the notes)');
    } finally {
      PAGE_ROUTES.pop();
    }
  });

  it('has the question threads of 10 and 30 answers for the round trips only', () => {
    expect(ROUND_TRIP_PAGES.map((r) => [r.name, r.path(fixtures)])).toEqual([
      [questionRowName(10), '/questions/T10/t10'],
      [questionRowName(30), '/questions/T30/t30'],
    ]);
    expect(ROUND_TRIP_PAGES[0]!.path({ ...fixtures, threads: [] })).toBeNull();
  });
});

describe('the api table', () => {
  it('is the baselines, then the GraphQL operations on the uncached api', () => {
    const rows = [...baselineSpecs(api, baselines, fixtures), ...readSpecs(api, fixtures)].map((s) => ({
      kind: s.kind,
      name: s.target.name,
      target: describeTarget(s.target),
      url: s.target.url,
      rssOf: s.rssOf,
      stack: s.stack,
    }));
    const listing = (after: string | null) => JSON.stringify({ first: 30, after, orderBy: 'NEWEST' });
    const gqlRow = (name: string, target: string) => ({
      kind: 'graphql',
      name,
      target,
      url: 'http://api/graphql',
      rssOf: undefined,
      stack: 'uncached',
    });
    expect(rows).toEqual([
      {
        kind: 'baseline',
        name: 'node:http',
        target: 'GET /questions/Q1/how-to',
        url: 'http://node/questions/Q1/how-to',
        rssOf: 'node:http',
        stack: undefined,
      },
      {
        kind: 'baseline',
        name: 'express',
        target: 'GET /questions/Q1/how-to',
        url: 'http://express/questions/Q1/how-to',
        rssOf: 'express',
        stack: undefined,
      },
      { kind: 'baseline', name: 'ping', target: 'POST /graphql { ping }', url: 'http://api/graphql', rssOf: undefined, stack: 'uncached' },
      gqlRow('listing page 1', `POST /graphql Questions ${listing(null)}`),
      gqlRow('listing page 50 (cursor)', `POST /graphql Questions ${listing('CURSOR50')}`),
      gqlRow(
        'search words: network training',
        `POST /graphql Search ${JSON.stringify({ query: 'network training', first: 20, sort: 'RELEVANCE' })}`,
      ),
      gqlRow('search typo: netwrok', `POST /graphql Search ${JSON.stringify({ query: 'netwrok', first: 20, sort: 'RELEVANCE' })}`),
    ]);
    const ping = baselineSpecs(api, baselines, fixtures)[2]!.target;
    expect(ping).toMatchObject({ method: 'POST', body: graphqlBody(PING_QUERY), headers: { accept: 'application/json' }, graphql: true });
  });

  it("reports the RSS of the measured stack's processes", () => {
    expect(rssNames('uncached')).toEqual({ api: 'api:uncached', web: 'web:uncached', worker: 'worker', ferretdb: 'ferretdb' });
    const window = { api: 1, web: 2, worker: 3, ferretdb: 4, 'api:uncached': 5, 'web:uncached': 6 };
    expect(rssOfStack(window, 'uncached')).toEqual({ api: 5, web: 6, worker: 3, ferretdb: 4 });
    expect(rssOfStack(window, undefined)).toEqual({ api: 1, web: 2, worker: 3, ferretdb: 4 });
  });

  it('expects a 2xx answer unless the row names its status', () => {
    expect(statusExpected({}, 200)).toBe(true);
    expect(statusExpected({}, 404)).toBe(false);
    expect(statusExpected({ expectStatus: 404 }, 404)).toBe(true);
    expect(statusExpected({ expectStatus: 404 }, 200)).toBe(false);
  });
});

describe('the database-command capture', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('views every page (and what it sends) and the threads of 10 and 30 answers, then the GraphQL operations and the writes', async () => {
    const sent: Array<{ url: string; body?: unknown; cookie?: string }> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      const headers = (init.headers ?? {}) as Record<string, string>;
      sent.push({
        url,
        ...(init.body ? { body: JSON.parse(init.body as string) } : {}),
        ...(headers.cookie ? { cookie: headers.cookie } : {}),
      });
      const data = { postAnswer: { errors: [] }, vote: { errors: [] }, ping: 'pong' };
      if (url.endsWith('/graphql')) return new Response(JSON.stringify({ data }), { status: 200 });
      return new Response('<html></html>', { status: url.includes(UNKNOWN_MEMBER) ? 404 : 200 });
    });
    const ops = captureOperations({ apiUrl: 'http://cap-api', webUrl: 'http://cap-web' }, fixtures, {
      agents: [{ handle: 'bench-1', cookie: 'colloquy_session=abc' }],
      pool: ['Q2', 'Q3'],
      runTag: 'tag',
    });
    expect(ops.map((o) => o.name)).toEqual([
      'ping',
      'home',
      '/questions',
      'featured (bounties)',
      'question (20 answers × 2 comments)',
      'recordQuestionView (sent by the page)',
      'tag',
      'space',
      'member profile',
      'search',
      'unknown member (404)',
      '/users',
      '/badges',
      'badge holders',
      '/developers',
      '/developers/schema',
      'tag experts',
      'space experts',
      'people by skill',
      'question (10 answers × 2 comments)',
      'question (30 answers × 2 comments)',
      'question (GraphQL)',
      'listing page 1',
      'listing page 50 (cursor)',
      'search words: network training',
      'search typo: netwrok',
      'postAnswer',
      'vote',
    ]);
    for (const op of ops) await op.run();
    const apiUrl = 'http://cap-api/graphql';
    const web = (path: string) => ({ url: `http://cap-web${path}` });
    const cookie = 'colloquy_session=abc';
    expect(sent).toEqual([
      { url: apiUrl, body: { query: PING_QUERY } },
      web('/'),
      web('/questions'),
      web('/questions?sort=featured'),
      web('/questions/Q1/how-to'),
      { url: apiUrl, body: { query: RECORD_VIEW_MUTATION, variables: { questionId: 'Q1' } } },
      web('/tags/python'),
      web('/spaces/ai'),
      web('/users/alice'),
      web('/search?q=network%20training'),
      web(`/users/${UNKNOWN_MEMBER}`),
      web('/users'),
      web('/badges'),
      web('/badges/supporter'),
      web('/developers'),
      web('/developers/schema'),
      web('/tags/python/experts'),
      web('/spaces/ai/experts'),
      web('/people?skill=python'),
      web('/questions/T10/t10'),
      web('/questions/T30/t30'),
      { url: apiUrl, body: { query: QUESTION_QUERY, variables: questionVariables } },
      { url: apiUrl, body: { query: LISTING_QUERY, variables: { first: 30, after: null, orderBy: 'NEWEST' } } },
      { url: apiUrl, body: { query: LISTING_QUERY, variables: { first: 30, after: 'CURSOR50', orderBy: 'NEWEST' } } },
      { url: apiUrl, body: { query: SEARCH_QUERY, variables: { query: 'network training', first: 20, sort: 'RELEVANCE' } } },
      { url: apiUrl, body: { query: SEARCH_QUERY, variables: { query: 'netwrok', first: 20, sort: 'RELEVANCE' } } },
      {
        url: apiUrl,
        body: {
          query: POST_ANSWER_MUTATION,
          variables: { input: { questionId: 'Q2', body: 'Benchmark capture answer 0 (run tag): a plain answer of enough length.' } },
        },
        cookie,
      },
      { url: apiUrl, body: { query: VOTE_MUTATION, variables: { input: { subjectId: 'Q3', direction: 'NONE' } } }, cookie },
    ]);
  });

  it('fails a page view that answers another status than its own', async () => {
    vi.stubGlobal('fetch', async () => new Response('<html></html>', { status: 200 }));
    const ops = captureOperations({ apiUrl: 'http://a', webUrl: 'http://w' }, fixtures, { agents: [], pool: [], runTag: 't' });
    await expect(ops.find((o) => o.name === 'unknown member (404)')!.run()).rejects.toThrow('HTTP 200 (expected 404)');
  });

  it('leaves out the writes without a signed-in agent, and the threads this run does not have', () => {
    const ops = captureOperations(
      { apiUrl: 'http://a', webUrl: 'http://w' },
      { ...fixtures, threads: [] },
      { agents: [], pool: ['Q2'], runTag: 't' },
    );
    const names = ops.map((o) => o.name);
    expect(names).not.toContain('postAnswer');
    expect(names).not.toContain('question (10 answers × 2 comments)');
    expect(names).toContain('question (20 answers × 2 comments)');
  });
});

describe('the capture runs', () => {
  it('repeat each op (warm-up, then counted) unless it fails, except a page, settling after each run', async () => {
    const tap: WireTap = { port: 0, label: undefined, commands: [], close: async () => undefined };
    const runs: string[] = [];
    let settles = 0;
    const op = (name: string, fails: boolean, warmAlways?: boolean) => ({
      name,
      ...(warmAlways ? { warmAlways } : {}),
      run: async () => {
        runs.push(`${name} ${tap.label?.pass}`);
        if (fails) throw new Error('timeout');
      },
    });
    const lines: string[] = [];
    await captureOps(
      tap,
      [op('page', true, true), op('search', true), op('ping', false)],
      (l) => lines.push(l),
      async () => {
        settles++;
      },
    );
    expect(runs).toEqual(['page cold', 'page warm', 'search cold', 'ping cold', 'ping warm']);
    expect(settles).toBe(5);
    expect(lines).toEqual([
      '  capture of "page" (cold) failed: timeout',
      '  capture of "page" (warm) failed: timeout',
      '  capture of "search" (cold) failed: timeout',
    ]);
    expect(tap.label).toBeUndefined();
  });
});

describe('a page route', () => {
  it('is one row of PAGE_ROUTES: in the pages table and replayed by the capture', () => {
    PAGE_ROUTES.push({ name: 'tags index', path: () => '/tags' });
    try {
      expect(
        pageRowSpecs(fixtures)
          .map((s) => s.name)
          .slice(-2),
      ).toEqual(['tags index', 'question (GraphQL)']);
      const ops = captureOperations({ apiUrl: 'http://a', webUrl: 'http://w' }, fixtures, { agents: [], pool: [], runTag: 't' });
      expect(ops.map((o) => o.name).slice(18, 21)).toEqual(['people by skill', 'tags index', 'question (10 answers × 2 comments)']);
    } finally {
      PAGE_ROUTES.pop();
    }
  });
});

describe('the stacks under test', () => {
  it('have every rate-limit budget out of reach, the known ones and any other of .env.example', () => {
    const example = '# RATE_LIMIT_PER_MINUTE=600\n# a new budget\n# RATE_LIMIT_SEARCHES_PER_MINUTE=30\nGRAPHQL_MAX_COST=1000\n';
    expect(unlimitedRateLimits(example)).toEqual({
      RATE_LIMIT_PER_MINUTE: '1000000000',
      RATE_LIMIT_POINTS_PER_HOUR: '1000000000',
      RATE_LIMIT_SEARCHES_PER_MINUTE: '1000000000',
      RATE_LIMIT_SIGN_IN_PER_15_MINUTES: '1000000000',
      RATE_LIMIT_SIGN_UP_PER_HOUR: '1000000000',
      RATE_LIMIT_WRITES_PER_MINUTE: '1000000000',
    });
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
