// Page-level helpers shared by the browser tests: reading the public GraphQL endpoint (to find
// seeded content without depending on list order), question-page locators and small checks.
import type { APIRequestContext, Locator, Page, Response } from 'playwright-core';
import { expect } from 'vitest';

/** Runs a GraphQL query through the web app's same-origin /graphql. */
export async function graphql<T>(request: APIRequestContext, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await request.post('/graphql', { data: { query, variables }, headers: { 'content-type': 'application/json' } });
  if (!response.ok()) throw new Error(`/graphql answered ${response.status()}: ${await response.text()}`);
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data) throw new Error(`/graphql errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * Seeded demo questions (deterministic titles). "compound index" has an accepted and a verified
 * answer, code blocks and comments: a question page with every kind of content.
 */
export const SEEDED = {
  rollingDeployments: 'How do I troubleshoot rolling deployments when pods restart all at once instead of one by one?',
  compoundIndex: 'How do I troubleshoot a compound index when the query planner still does a collection scan?',
} as const;

/** The canonical path (/questions/<id>/<slug>) of a seeded question, looked up by its exact title. */
export async function questionPath(request: APIRequestContext, title: string): Promise<string> {
  const data = await graphql<{ questions: { nodes: Array<{ title: string; url: string }> } }>(
    request,
    'query SeededQuestions { questions(first: 100, orderBy: NEWEST) { nodes { title url } } }',
  );
  const found = data.questions.nodes.find((q) => q.title === title);
  if (!found) throw new Error(`seeded question not found: ${title}`);
  return found.url.split('#')[0]!;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The answers section of a question page ("N Answers"). */
export function answersSection(page: Page): Locator {
  return page.getByRole('region', { name: /^\d+ Answers?$/ });
}

/** The answer article written by `displayName` (its accessible name starts "Answer by <name>"). */
export function answerBy(page: Page, displayName: string): Locator {
  return answersSection(page).getByRole('article', { name: new RegExp(`^Answer by ${escapeRegExp(displayName)}(,|$)`) });
}

/** Accessible names of the answers in DOM order ("Answer by X, accepted", …). */
export async function answerOrder(page: Page): Promise<string[]> {
  const articles = answersSection(page).getByRole('article');
  const names: string[] = [];
  for (const article of await articles.all()) names.push((await article.getAttribute('aria-label')) ?? '');
  return names;
}

/** The score a post's vote controls show ("Score 3" → 3). */
export async function scoreOf(post: Locator): Promise<number> {
  const label = await post
    .getByLabel(/^Score -?\d+$/)
    .first()
    .getAttribute('aria-label');
  return Number(label?.replace('Score ', ''));
}

/** Collects uncaught page errors (JavaScript exceptions) for a final "none happened" check. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  return errors;
}

/**
 * Waits until SvelteKit has hydrated the page and started its client router (it then sets
 * history.scrollRestoration to "manual"), so clicks go through `use:enhance` and live handlers.
 */
export async function waitForHydration(page: Page): Promise<void> {
  // a function, not a string: the app's Content-Security-Policy forbids string evaluation
  await page.waitForFunction(
    () => (globalThis as unknown as { history: { scrollRestoration: string } }).history.scrollRestoration === 'manual',
  );
}

/**
 * Waits until the page is ready for input: hydrated when the context runs JavaScript, at once when
 * it does not. (SvelteKit's inline bootstrap script defines a `__sveltekit_<hash>` global; with
 * JavaScript disabled it never runs.) Typing before hydration is not safe: see the report on
 * inputs with a one-way `value=` being cleared when the page hydrates.
 */
export async function waitForApp(page: Page): Promise<void> {
  const scripting = await page.evaluate(() => Object.keys(globalThis).some((key) => key.startsWith('__sveltekit_')));
  if (scripting) await waitForHydration(page);
}

/** Normalized text of a locator (whitespace collapsed). */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** The result count a search page shows ("12 results" → 12), or 0 when it shows none. */
export async function searchResultCount(page: Page): Promise<number> {
  const status = page.getByRole('status').filter({ hasText: /^\s*[\d,]+ results?\s*$/ });
  if ((await status.count()) === 0) return 0;
  return Number((await textOf(status.first())).replace(/[^\d]/g, ''));
}

/**
 * Opens a search page once it has results: the worker indexes posts asynchronously, so right
 * after the stack starts (or a post is written) the index may not have caught up yet.
 */
export async function gotoSearchResults(page: Page, path: string, timeout = 30_000): Promise<Response | null> {
  let response: Response | null = null;
  await expect
    .poll(
      async () => {
        response = await page.goto(path);
        return searchResultCount(page);
      },
      { timeout, interval: 500 },
    )
    .toBeGreaterThan(0);
  return response;
}
