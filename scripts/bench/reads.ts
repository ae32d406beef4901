// Phases 3 and 4 (reads) of the benchmark: what is measured, declared in tables — PAGE_ROUTES (web
// pages: the pages table, uncached and cached and next to the Express baseline, see pages.ts),
// the GraphQL question query (the pages table's last row) and graphqlOperations (the api table,
// on the uncached api) — which the database-command capture (capture.ts) replays too: measuring
// another page is adding one row to PAGE_ROUTES. Also the baseline servers and the api table's
// rows.
import { startBaseline, type BaselineServer } from './baselines.js';
import { PAGE_ANSWERS, type Fixtures } from './fixtures.js';
import {
  graphqlBody,
  LISTING_PAGE_SIZE,
  LISTING_QUERY,
  PING_QUERY,
  QUESTION_QUERY,
  RECORD_VIEW_MUTATION,
  SEARCH_QUERY,
} from './graphql.js';
import type { Target } from './load.js';
import type { Measurer, Spec } from './measure.js';
import type { BenchStack } from './prepare.js';
import type { BenchSession } from './session.js';

/** One GraphQL request: the row's name, the document and its variables. */
export interface GraphqlOperation {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
}

/** A web page measured by the bench (GET): one row per route. */
export interface PageRoute {
  /** the row's name (also what `--only` matches) */
  name: string;
  /** the page's path (and query) on the web, from the fixtures; null when this run has no such page */
  path: (f: Fixtures) => string | null;
  /** the status the page answers with (default any 2xx) */
  expectStatus?: number;
  /** GraphQL requests the page's browser sends once loaded (captured after the page in the database report) */
  sends?: (f: Fixtures) => GraphqlOperation[];
}

/** The handle of a member that does not exist (its page is a 404). */
export const UNKNOWN_MEMBER = 'no-such-member-bench';

/** The row name of the question page whose thread has `answers` answers × 2 comments. */
export function questionRowName(answers: number): string {
  return `question (${answers} answers × 2 comments)`;
}

/** The page of a question thread of the bench (null when it could not be created). */
function threadPath(f: Fixtures, answers: number): string | null {
  return f.threads.find((t) => t.answers === answers)?.path ?? null;
}

/** The measured web pages, in the order of the table. */
export const PAGE_ROUTES: PageRoute[] = [
  { name: 'home', path: () => '/' },
  { name: '/questions', path: () => '/questions' },
  { name: 'featured (bounties)', path: () => '/questions?sort=featured' },
  {
    name: questionRowName(PAGE_ANSWERS),
    path: (f) => f.pagePath,
    sends: (f) => [
      { name: 'recordQuestionView (sent by the page)', query: RECORD_VIEW_MUTATION, variables: { questionId: f.question.id } },
    ],
  },
  { name: 'tag', path: (f) => f.tagPath },
  { name: 'space', path: (f) => f.spacePath },
  { name: 'member profile', path: (f) => f.memberPath },
  { name: 'search', path: (f) => `/search?q=${encodeURIComponent(f.searches[0]?.query ?? 'question')}` },
  { name: 'unknown member (404)', path: () => `/users/${UNKNOWN_MEMBER}`, expectStatus: 404 },
  { name: '/users', path: () => '/users' },
  { name: '/badges', path: () => '/badges' },
  { name: 'badge holders', path: () => '/badges/supporter' },
  { name: '/developers', path: () => '/developers' },
  { name: '/developers/schema', path: () => '/developers/schema' },
  { name: 'tag experts', path: (f) => `${f.tagPath}/experts` },
  { name: 'space experts', path: (f) => (f.spacePath.startsWith('/spaces/') ? `${f.spacePath}/experts` : null) },
  { name: 'people by skill', path: (f) => `/people?skill=${f.tagPath.split('/')[2] ?? 'performance'}` },
];

/**
 * Pages only the database-command capture views: the question threads of 10 and 30 answers,
 * whose round trips must equal the 20-answer page's (a count that grows with the answers is a
 * query per answer).
 */
export const ROUND_TRIP_PAGES: PageRoute[] = [10, 30].map((answers) => ({
  name: questionRowName(answers),
  path: (f: Fixtures) => threadPath(f, answers),
}));

/** The GraphQL baseline: the cheapest query the api answers. */
export const PING: GraphqlOperation = { name: 'ping', query: PING_QUERY };

/** The web's QuestionPage query of the measured question (a row of the pages table). */
export function questionOperation(f: Fixtures): GraphqlOperation {
  return { name: 'question (GraphQL)', query: QUESTION_QUERY, variables: questionVariables(f) };
}

/** The measured GraphQL operations of the api table (on the uncached api), in its order. */
export function graphqlOperations(f: Fixtures): GraphqlOperation[] {
  return [
    { name: 'listing page 1', query: LISTING_QUERY, variables: { first: LISTING_PAGE_SIZE, after: null, orderBy: 'NEWEST' } },
    {
      name: `listing page ${f.deepPage} (cursor)`,
      query: LISTING_QUERY,
      variables: { first: LISTING_PAGE_SIZE, after: f.cursor, orderBy: 'NEWEST' },
    },
    ...f.searches.map((s) => ({
      name: `search ${s.label}: ${s.query}`,
      query: SEARCH_QUERY,
      variables: { query: s.query, first: 20, sort: 'RELEVANCE' },
    })),
  ];
}

/** The question page's own query (first 30 answers). */
export function questionVariables(f: Fixtures): Record<string, unknown> {
  return { id: f.question.id, answersFirst: 30, answersAfter: null };
}

export function graphqlTarget(
  apiUrl: string,
  name: string,
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
): Target {
  return {
    name,
    url: `${apiUrl}/graphql`,
    method: 'POST',
    body: graphqlBody(query, variables),
    headers: { accept: 'application/json', ...headers },
    graphql: true,
  };
}

export function pageTarget(name: string, base: string, path: string, expectStatus?: number): Target {
  return {
    name,
    url: `${base}${path}`,
    method: 'GET',
    headers: { accept: 'text/html' },
    ...(expectStatus !== undefined ? { expectStatus } : {}),
  };
}

/**
 * A row of the pages table: a web page or the GraphQL question query, sent to either stack's web
 * (pages) or api (GraphQL) and to the Express baseline, by origin; `na` when this run cannot
 * measure it.
 */
export interface PageRowSpec {
  name: string;
  kind: 'page' | 'graphql';
  /** the request to an origin (a stack's web or api, or a baseline) */
  target: (origin: string) => Target;
  /** which process of a stack answers it */
  side: 'webUrl' | 'apiUrl';
  /** why this run cannot measure the row at all */
  na?: string;
  /** why the baseline has nothing to serve for it (the cached stack's answer could not be saved) */
  baselineNa?: string;
}

/** The pages table's rows: every page route, then the GraphQL question query. */
export function pageRowSpecs(f: Fixtures): PageRowSpec[] {
  const question = questionOperation(f);
  return [
    ...PAGE_ROUTES.map((r): PageRowSpec => {
      const path = r.path(f);
      return {
        name: r.name,
        kind: 'page',
        side: 'webUrl',
        target: (origin) => pageTarget(r.name, origin, path ?? '/', r.expectStatus),
        ...(path === null ? { na: 'no such page in this run (see the notes)' } : {}),
      };
    }),
    {
      name: question.name,
      kind: 'graphql',
      side: 'apiUrl',
      target: (origin) => graphqlTarget(origin, question.name, question.query, question.variables),
    },
  ];
}

/**
 * 3. the baselines in the same run: a bare node:http server and a minimal Express 5 app, both
 * serving the responses saved from the cached stack (the manifest of baselines.ts).
 */
export async function startBaselines(session: BenchSession, manifestFile: string): Promise<[BaselineServer, BaselineServer]> {
  const baselines: BaselineServer[] = [];
  for (const kind of ['http', 'express'] as const) {
    const b = await startBaseline(kind, manifestFile);
    baselines.push(b);
    session.cleanup.add(`stop the ${kind} baseline`, () => b.stop());
    session.sampler.watch(kind === 'http' ? 'node:http' : 'express', b.pid);
  }
  return baselines as [BaselineServer, BaselineServer];
}

/** The api table's baseline rows: node:http and Express serving the question page, and `{ ping }` on the uncached api. */
export function baselineSpecs(api: BenchStack, baselines: [BaselineServer, BaselineServer], f: Fixtures): Spec[] {
  const [httpBase, expressBase] = baselines;
  return [
    { kind: 'baseline', target: pageTarget('node:http', httpBase.url, f.pagePath), rssOf: 'node:http' },
    { kind: 'baseline', target: pageTarget('express', expressBase.url, f.pagePath), rssOf: 'express' },
    { kind: 'baseline', target: graphqlTarget(api.apiUrl, PING.name, PING.query), stack: 'uncached' },
  ];
}

/** The api table's read rows: every GraphQL operation on the uncached api. */
export function readSpecs(api: BenchStack, f: Fixtures): Spec[] {
  return graphqlOperations(f).map((o): Spec => ({
    kind: 'graphql',
    target: graphqlTarget(api.apiUrl, o.name, o.query, o.variables),
    stack: 'uncached',
  }));
}

/** 4. load per read operation: the baselines, then the selected (`--only`) read rows. */
export async function measureReads(session: BenchSession, measurer: Measurer, baselines: Spec[], reads: Spec[]): Promise<void> {
  for (const spec of baselines) await measurer.measure(spec);
  for (const spec of reads) if (session.selected(spec.target.name)) await measurer.measure(spec);
}
