// Phases 3 and 4 (reads) of the benchmark: the baseline servers, then every read operation alone,
// each one row of the table. What is measured is declared in two tables — PAGE_ROUTES (web pages)
// and graphqlOperations (GraphQL requests) — which the database-command capture (capture.ts)
// replays too: measuring another page is adding one row to PAGE_ROUTES.
import { startBaseline, type BaselineServer } from './baselines.js';
import type { Fixtures } from './fixtures.js';
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

/** A web page measured by the bench (GET, 2xx expected): one row per route. */
export interface PageRoute {
  /** the row's name (also what `--only` matches) */
  name: string;
  /** the page's path on the web, from the fixtures */
  path: (f: Fixtures) => string;
  /** GraphQL requests the page's browser sends once loaded (captured after the page in the database report) */
  sends?: (f: Fixtures) => GraphqlOperation[];
}

/** The measured web pages, in the order of the table. */
export const PAGE_ROUTES: PageRoute[] = [
  {
    name: 'question page (web)',
    path: (f) => f.pagePath,
    sends: (f) => [
      { name: 'recordQuestionView (sent by the page)', query: RECORD_VIEW_MUTATION, variables: { questionId: f.question.id } },
    ],
  },
];

/** The GraphQL baseline: the cheapest query the api answers. */
export const PING: GraphqlOperation = { name: 'ping', query: PING_QUERY };

/** The measured GraphQL operations (after the pages), in the order of the table. */
export function graphqlOperations(f: Fixtures): GraphqlOperation[] {
  return [
    { name: 'question (GraphQL)', query: QUESTION_QUERY, variables: questionVariables(f) },
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

export function pageTarget(name: string, base: string, path: string): Target {
  return { name, url: `${base}${path}`, method: 'GET', headers: { accept: 'text/html' } };
}

/**
 * 3. the baselines in the same run: a bare node:http server and a minimal Express 5 route, both
 * serving the saved question page.
 */
export async function startBaselines(session: BenchSession, pageFile: string): Promise<[BaselineServer, BaselineServer]> {
  const baselines: BaselineServer[] = [];
  for (const kind of ['http', 'express'] as const) {
    const b = await startBaseline(kind, pageFile);
    baselines.push(b);
    session.cleanup.add(`stop the ${kind} baseline`, () => b.stop());
    session.sampler.watch(kind === 'http' ? 'node:http' : 'express', b.pid);
  }
  return baselines as [BaselineServer, BaselineServer];
}

/** The baseline rows (always measured): node:http and Express serving the question page, and `{ ping }`. */
export function baselineSpecs(stack: BenchStack, baselines: [BaselineServer, BaselineServer], f: Fixtures): Spec[] {
  const [httpBase, expressBase] = baselines;
  return [
    { kind: 'baseline', target: pageTarget('node:http', httpBase.url, f.pagePath), rssOf: 'node:http' },
    { kind: 'baseline', target: pageTarget('express', expressBase.url, f.pagePath), rssOf: 'express' },
    { kind: 'baseline', target: graphqlTarget(stack.apiUrl, PING.name, PING.query) },
  ];
}

/** The read rows: every page route on the web, then every GraphQL operation on the api. */
export function readSpecs(stack: BenchStack, f: Fixtures): Spec[] {
  return [
    ...PAGE_ROUTES.map((r): Spec => ({ kind: 'web', target: pageTarget(r.name, stack.webUrl, r.path(f)) })),
    ...graphqlOperations(f).map((o): Spec => ({ kind: 'graphql', target: graphqlTarget(stack.apiUrl, o.name, o.query, o.variables) })),
  ];
}

/** 4. load per read operation: the baselines, then the selected (`--only`) read rows. */
export async function measureReads(session: BenchSession, measurer: Measurer, baselines: Spec[], reads: Spec[]): Promise<void> {
  for (const spec of baselines) await measurer.measure(spec);
  for (const spec of reads) if (session.selected(spec.target.name)) await measurer.measure(spec);
}
