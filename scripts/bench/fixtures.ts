// The benchmark's fixtures, read from the seeded data through the running (cached) stack: the
// question threads of 10, 20 and 30 answers (created by prepare.ts; 20 is the measured question
// page), a busy tag, space and member, the cursor of listing page 50, and search terms from real
// titles and tags.
import { gql, LISTING_PAGE_SIZE } from './graphql.js';
import type { BenchStack } from './prepare.js';
import type { ThreadFixture } from './seeding.js';
import { log, type BenchSession } from './session.js';

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

/** A question thread of the bench on the web. */
export interface ThreadPage extends ThreadFixture {
  /** its canonical path (/questions/<id>/<slug>) */
  path: string;
}

export interface Fixtures {
  /** the top-voted questions (first 50) */
  listed: Listed[];
  /** the question of the measured question page (20 answers × 2 comments) */
  question: Listed;
  /** its path on the web */
  pagePath: string;
  /** the question threads of 10, 20 and 30 answers (those that could be created) */
  threads: ThreadPage[];
  /** the most used tag's page, the space with the most questions, the top question's author */
  tagPath: string;
  spacePath: string;
  memberPath: string;
  /** the cursor of listing page `deepPage` (null: page 1) */
  cursor: string | null;
  deepPage: number;
  searches: SearchTerm[];
}

/** The answers of the measured question page's thread (the budget fixture's). */
export const PAGE_ANSWERS = 20;

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

const QUESTION_FIELDS = 'id url title answerCount tags { name }';

interface Overview {
  questions: { nodes: Array<Listed & { author: { url: string } | null }>; totalCount: number | null };
  tags: { nodes: Array<{ url: string; questionCount: number }> };
  spaces: { nodes: Array<{ url: string; questionCount: number }> };
}

export async function prepareFixtures(session: BenchSession, stack: BenchStack, threads: readonly ThreadFixture[]): Promise<Fixtures> {
  log('preparing requests (the question threads, a tag, a space, a member, the page-50 cursor, search terms) …');
  const top = await gql<Overview>(
    stack.apiUrl,
    `query { questions(first: 50, orderBy: VOTES) { totalCount nodes { ${QUESTION_FIELDS} author { url } } }
      tags(first: 1, orderBy: POPULAR) { nodes { url questionCount } }
      spaces(first: 50) { nodes { url questionCount } } }`,
  );
  const listed = top.data.questions.nodes;
  if (!listed.length) throw new Error('the bench database has no questions: nothing to benchmark');
  const pages: ThreadPage[] = [];
  for (const t of threads) {
    const r = await gql<{ question: Listed | null }>(stack.apiUrl, `query($id: ID!) { question(id: $id) { ${QUESTION_FIELDS} } }`, {
      id: t.id,
    });
    if (r.data.question) pages.push({ ...t, path: relative(r.data.question.url) });
  }
  const measured = pages.find((p) => p.answers === PAGE_ANSWERS);
  let question: Listed = listed.slice().sort((a, b) => b.answerCount - a.answerCount)[0]!;
  if (measured) {
    question = (
      await gql<{ question: Listed }>(stack.apiUrl, `query($id: ID!) { question(id: $id) { ${QUESTION_FIELDS} } }`, { id: measured.id })
    ).data.question;
  } else {
    session.notes.push(
      `no question of ${PAGE_ANSWERS} answers × 2 comments: the question page rows measure the top-voted question with the most answers (${question.answerCount})`,
    );
  }
  const pagePath = relative(question.url);
  log(
    `question page: ${pagePath} ("${question.title}", ${question.answerCount} answers); ${top.data.questions.totalCount ?? '?'} questions in all`,
  );
  const busiest = (nodes: Array<{ url: string; questionCount: number }>) =>
    nodes.slice().sort((a, b) => b.questionCount - a.questionCount)[0];
  const tagPath = busiest(top.data.tags.nodes)?.url ?? `/tags/${question.tags[0]?.name ?? 'performance'}`;
  const spacePath = busiest(top.data.spaces.nodes)?.url ?? '/spaces';
  const memberPath = listed.find((q) => q.author)?.author?.url ?? '/users';
  const { cursor, deepPage } = await walkListing(session, stack.apiUrl);
  return {
    listed,
    question,
    pagePath,
    threads: pages,
    tagPath: relative(tagPath),
    spacePath: relative(spacePath),
    memberPath: relative(memberPath),
    cursor,
    deepPage,
    searches: searchTerms(listed, listed[0]!),
  };
}

/** A URL's path and query, without its fragment (the api's `url` fields may be absolute). */
export function relative(url: string): string {
  const u = new URL(url, 'http://bench.invalid');
  return u.pathname + u.search;
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
