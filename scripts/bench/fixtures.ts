// The benchmark's fixtures, read from the seeded data through the running stack: a typical
// question page (its bytes saved for the baselines), the cursor of listing page 50, and search
// terms from real titles and tags.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql, graphqlBody, LISTING_PAGE_SIZE, QUESTION_QUERY } from './graphql.js';
import type { BenchStack } from './prepare.js';
import { fmt, log, PREFLIGHT_TIMEOUT_SEC, type BenchSession } from './session.js';

/** A question of the top-voted listing. */
export interface Listed {
  id: string;
  url: string;
  title: string;
  answerCount: number;
  tags: Array<{ name: string }>;
}

export interface SearchTerm {
  label: string;
  query: string;
}

export interface Fixtures {
  /** the top-voted questions (first 50) */
  listed: Listed[];
  /** the question of the measured question page */
  question: Listed;
  /** its path on the web */
  pagePath: string;
  /** the saved page (or GraphQL response) the baselines serve */
  pageFile: string;
  /** the cursor of listing page `deepPage` (null: page 1) */
  cursor: string | null;
  deepPage: number;
  searches: SearchTerm[];
}

const STOP_WORDS = new Set(
  'about above after again against because before being below between both could does doing during each from further have having here into itself more most other over same should some such than that their theirs them then there these they this those through under until very what when where which while whom with would your yours using used there what why how can does'.split(
    ' ',
  ),
);

function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]{5,}/g) ?? []).filter((w) => !STOP_WORDS.has(w));
}

/** "network" → "netwrok": two inner letters swapped (a typical typo). */
function typo(word: string): string {
  const i = Math.max(1, Math.floor(word.length / 2));
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

export async function prepareFixtures(session: BenchSession, stack: BenchStack, benchDir: string): Promise<Fixtures> {
  log('preparing requests (a question, the page-50 cursor, search terms, signed-in agents) …');
  const top = await gql<{ questions: { nodes: Listed[]; totalCount: number | null } }>(
    stack.apiUrl,
    `query { questions(first: 50, orderBy: VOTES) { totalCount nodes { id url title answerCount tags { name } } } }`,
  );
  const listed = top.data.questions.nodes;
  if (!listed.length) throw new Error('the bench database has no questions: nothing to benchmark');
  const chosen = await chooseQuestionPage(session, stack, listed);
  const { question, bytes: pageBytes } = chosen;
  const pagePath = question.url.split('#')[0]!;
  log(
    `question page: ${pagePath} ("${question.title}", ${question.answerCount} answers; first response ${fmt(chosen.ms)} ms); ${top.data.questions.totalCount ?? '?'} questions in all`,
  );
  const pageFile = join(benchDir, 'question-page.html');
  writeFileSync(pageFile, pageBytes);
  log(`saved the question page (${fmt(pageBytes.length)} bytes) for the baselines`);
  const { cursor, deepPage } = await walkListing(session, stack.apiUrl);
  return { listed, question, pagePath, pageFile, cursor, deepPage, searches: searchTerms(listed, question) };
}

/**
 * A typical page (2–4 answers) among the top-voted questions; others if the web cannot render
 * it; with no page at all, the question's GraphQL response (what the baselines then serve).
 */
async function chooseQuestionPage(
  session: BenchSession,
  stack: BenchStack,
  listed: Listed[],
): Promise<{ question: Listed; bytes: Buffer; ms: number }> {
  const { notes } = session;
  const candidates = [
    ...listed.filter((q) => q.answerCount >= 2 && q.answerCount <= 4),
    ...listed.filter((q) => q.answerCount === 1),
    ...listed.filter((q) => q.answerCount === 0 || q.answerCount > 4).sort((a, b) => a.answerCount - b.answerCount),
  ];
  for (const q of candidates.slice(0, 2)) {
    const path = q.url.split('#')[0]!;
    const t0 = performance.now();
    const res = await fetch(`${stack.webUrl}${path}`, {
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(PREFLIGHT_TIMEOUT_SEC * 1000), session.abort.signal]),
    }).catch((e: unknown) => e as Error);
    if (res instanceof Error || res.status !== 200) {
      const why = res instanceof Error ? res.message : `HTTP ${res.status}`;
      log(`  the web could not render ${path} (${q.answerCount} answers): ${why}; trying another question`);
      notes.push(`the web could not render ${path} (${q.answerCount} answers): ${why}`);
      if (!(res instanceof Error)) await res.arrayBuffer();
      continue;
    }
    return { question: q, bytes: Buffer.from(await res.arrayBuffer()), ms: performance.now() - t0 };
  }
  // no page to copy: the baselines serve the question's GraphQL response instead
  const q = candidates[0]!;
  const t0 = performance.now();
  const r = await fetch(`${stack.apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: graphqlBody(QUESTION_QUERY, { id: q.id, answersFirst: 30, answersAfter: null }),
    signal: AbortSignal.timeout(PREFLIGHT_TIMEOUT_SEC * 3000),
  });
  const chosen = { question: q, bytes: Buffer.from(await r.arrayBuffer()), ms: performance.now() - t0 };
  notes.push(
    `the web rendered no question page within ${PREFLIGHT_TIMEOUT_SEC} s: the node:http and Express baselines serve the question's GraphQL response (${fmt(chosen.bytes.length)} bytes) instead`,
  );
  log(`  ${notes.at(-1)!}`);
  return chosen;
}

/** The page-50 cursor: walks the listing once (newest first), within a time budget. */
async function walkListing(session: BenchSession, apiUrl: string): Promise<{ cursor: string | null; deepPage: number }> {
  let cursor: string | null = null;
  let pagesWalked = 0;
  const walkStart = performance.now();
  const walkBudgetMs = 60_000;
  for (let page = 1; page < 50; page++) {
    session.checkAborted();
    if (performance.now() - walkStart > walkBudgetMs) {
      session.notes.push(`walking the listing to page 50 took longer than ${walkBudgetMs / 1000} s: stopped at page ${page}`);
      break;
    }
    const r: { data: { questions: { pageInfo: { endCursor: string | null; hasNextPage: boolean } } } } = await gql(
      apiUrl,
      `query($after: String) { questions(first: ${LISTING_PAGE_SIZE}, after: $after, orderBy: NEWEST) { pageInfo { endCursor hasNextPage } } }`,
      { after: cursor },
    );
    if (!r.data.questions.pageInfo.endCursor) break;
    cursor = r.data.questions.pageInfo.endCursor;
    pagesWalked = page;
    if (!r.data.questions.pageInfo.hasNextPage) break;
  }
  const deepPage = pagesWalked + 1;
  log(`walked ${pagesWalked} listing pages in ${((performance.now() - walkStart) / 1000).toFixed(1)} s → cursor of page ${deepPage}`);
  if (deepPage < 50) session.notes.push(`the listing has fewer than 50 pages: the "page 50" row measures page ${deepPage}`);
  return { cursor, deepPage };
}

/** Search terms from real titles and tags: two common words, a typo, a tag filter, a phrase. */
function searchTerms(listed: Listed[], question: Listed): SearchTerm[] {
  const frequency = new Map<string, number>();
  for (const q of listed) for (const w of new Set(words(q.title))) frequency.set(w, (frequency.get(w) ?? 0) + 1);
  const common = [...frequency.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w]) => w);
  const w1 = common[0] ?? 'network';
  const w2 = common[1] ?? 'training';
  const longWord = common.find((w) => w.length >= 7) ?? w1;
  const topTag = question.tags[0]?.name ?? listed.flatMap((q) => q.tags)[0]?.name ?? 'tag';
  const tagWord = words(question.title)[0] ?? w1;
  const phraseSource = listed.map((q) => q.title.toLowerCase().match(/[a-z]+ [a-z]{4,}/g) ?? []).flat();
  const phrase = phraseSource[0] ?? `${w1} ${w2}`;
  return [
    { label: 'words', query: `${w1} ${w2}` },
    { label: 'typo', query: typo(longWord) },
    { label: '[tag]', query: `[${topTag}] ${tagWord}` },
    { label: 'phrase', query: `"${phrase}"` },
  ];
}
