// The web app's main flow in real Chromium (issue 5, "Must show"): two new members sign up; A asks
// with tags and sees the server-rendered preview and similar questions; B answers; A upvotes and
// accepts; the accepted answer shows first; B's profile shows the new reputation; search finds
// the question through a typo. Then ask → answer → vote (→ accept) again with JavaScript off,
// where every form is a plain HTML form post.
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { letters, newMember, seededMember, signedInContext, signUp, type Member } from './support/members.js';
import { resetAuthLimits } from './support/limits.js';
import {
  answerBy,
  answerOrder,
  collectPageErrors,
  escapeRegExp,
  gotoSearchResults,
  scoreOf,
  SEEDED,
  textOf,
  waitForHydration,
} from './support/pages.js';

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  await resetAuthLimits();
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
});

async function open(options: Parameters<typeof newContext>[1] = {}): Promise<Page> {
  const context = await newContext(browser, options);
  contexts.push(context);
  return context.newPage();
}

async function openSignedIn(member: Pick<Member, 'handle' | 'password'>, javaScriptEnabled: boolean): Promise<Page> {
  const { context, page } = await signedInContext(browser, member, { javaScriptEnabled });
  contexts.push(context);
  return page;
}

/**
 * The steps of a describe block build on each other: after one fails, the later ones are
 * skipped instead of failing slowly (each would wait for its locators to time out).
 */
function stopAfterFirstFailure(): void {
  let failed = false;
  beforeEach((context) => {
    if (failed) context.skip('an earlier step of this flow failed');
    context.onTestFailed(() => {
      failed = true;
    });
  });
}

/** A word no seeded or earlier post contains (letters only, ≥ 8 long: the search forgives 2 typos). */
function uniqueWord(prefix: string): string {
  return `${prefix}${letters(Date.now())}`;
}

/** The word with one letter replaced (Damerau–Levenshtein distance 1). */
function withTypo(word: string): string {
  const i = 4;
  const replaced = word[i] === 'e' ? 'a' : 'e';
  return word.slice(0, i) + replaced + word.slice(i + 1);
}

/** A request sent by `use:enhance` (SvelteKit marks them), not a native form post. */
function isEnhancedAction(action: string) {
  return (request: Request) =>
    request.method() === 'POST' && request.url().includes(`?/${action}`) && request.headers()['x-sveltekit-action'] === 'true';
}

/** The reputation total on a public profile, read by a visitor. */
async function profileReputation(page: Page, handle: string): Promise<number> {
  const response = await page.goto(`/users/${handle}`);
  expect(response?.status()).toBe(200);
  const total = await textOf(page.getByRole('region', { name: 'Reputation', exact: true }).locator('.rep-total'));
  return Number(total.replace(/,/g, ''));
}

const QUESTION_BODY = [
  'After upgrading the **cluster agent**, every rollout restarts all pods at the same time.',
  '',
  '```yaml',
  'strategy:',
  '  maxUnavailable: 1',
  '```',
  '',
  'Which setting keeps the rollout gradual?',
].join('\n');

const ANSWER_BODY = [
  'Set `maxSurge` as well and check the **readiness probe**: without it every pod counts as ready at once.',
  '',
  '```yaml',
  'strategy:',
  '  maxSurge: 1',
  '  maxUnavailable: 0',
  '```',
].join('\n');

describe('ask → answer → vote → accept in Chromium with JavaScript on', () => {
  const asker = newMember('asker');
  const answerer = newMember('answerer');
  const word = uniqueWord('vel');
  const closeTitle = 'How do I troubleshoot rolling deployments when pods restart';
  const title = `${closeTitle} after the ${word} upgrade`;
  let askerPage: Page;
  let answererPage: Page;
  let questionPath = '';
  const pageErrors: string[][] = [];
  stopAfterFirstFailure();

  it('two new members sign up through /signup', async () => {
    askerPage = await open();
    answererPage = await open();
    pageErrors.push(collectPageErrors(askerPage), collectPageErrors(answererPage));
    for (const [page, member] of [
      [askerPage, asker],
      [answererPage, answerer],
    ] as const) {
      await signUp(page, member);
      // signed in: the header links to the new profile, which shows the starting reputation of 1
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(member.displayName);
      await page.locator(`header a[href="/users/${member.handle}"]`).waitFor();
      expect(await textOf(page.getByRole('region', { name: 'Reputation', exact: true }).locator('.rep-total'))).toBe('1');
    }
  });

  it('A asks in a space with tags, sees the server-rendered preview and similar questions while typing the title', async () => {
    // the seeded questions are indexed by the worker after the stack starts: wait until they are
    await gotoSearchResults(await open({ javaScriptEnabled: false }), '/search?q=rolling+deployments');

    const page = askerPage;
    const response = await page.goto('/questions/ask');
    expect(response?.status()).toBe(200);
    await waitForHydration(page);

    await page.getByLabel('Space').selectOption('acme-cloud');

    // similar questions appear while the title is being typed (live, no submit)
    const titleInput = page.getByLabel('Title', { exact: true });
    await titleInput.click();
    await titleInput.pressSequentially(closeTitle);
    const similar = page.getByRole('region', { name: /^Similar questions/ });
    await similar.getByRole('link', { name: SEEDED.rollingDeployments }).waitFor();
    await titleInput.pressSequentially(` after the ${word} upgrade`);
    expect(await titleInput.inputValue()).toBe(title);

    // the preview follows the text, rendered (and sanitized) by the server
    await Promise.all([
      page.waitForResponse(
        async (r) =>
          r.url().endsWith('/suggest/preview') && r.ok() && ((await r.json()) as { html?: string }).html?.includes('<strong>') === true,
      ),
      page.getByLabel('Details (Markdown)', { exact: true }).fill(QUESTION_BODY),
    ]);
    const preview = page.getByRole('region', { name: 'Preview of details (markdown)' });
    await preview.locator('strong', { hasText: 'cluster agent' }).waitFor();
    expect(await preview.locator('pre code').textContent()).toContain('maxUnavailable: 1');

    // tags through the autocomplete (ARIA combobox): pick with the mouse, then with the keyboard
    const tags = page.getByRole('combobox', { name: 'Tags' });
    await tags.click();
    await tags.pressSequentially('kuber');
    await page.getByRole('option', { name: /^kubernetes/ }).click();
    await tags.pressSequentially('deploy');
    await page.getByRole('option', { name: /^deployment/ }).waitFor();
    await tags.press('ArrowDown');
    await tags.press('Enter');
    expect((await tags.inputValue()).trim().split(/\s+/)).toEqual(['kubernetes', 'deployment']);

    await Promise.all([
      page.waitForRequest(isEnhancedAction('ask')),
      page.waitForURL(/\/questions\/[A-Za-z0-9]+\/[a-z0-9-]+$/),
      page.getByRole('button', { name: 'Post your question' }).click(),
    ]);
    questionPath = new URL(page.url()).pathname;
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(title);
    const questionTags = page.getByRole('article', { name: 'Question' }).getByRole('list', { name: 'Tags' });
    expect(await questionTags.getByRole('link').allTextContents()).toEqual(['kubernetes', 'deployment']);
    expect(await textOf(page.getByRole('navigation', { name: 'Breadcrumb' }))).toContain('Acme Cloud Platform');
    // the stored post is rendered like the preview
    expect(await page.getByRole('article', { name: 'Question' }).locator('.prose strong').textContent()).toBe('cluster agent');
  });

  it('B opens the question and answers it', async () => {
    const page = answererPage;
    const response = await page.goto(questionPath);
    expect(response?.status()).toBe(200);
    await waitForHydration(page);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(title);

    await page.getByLabel('Answer (Markdown)', { exact: true }).fill(ANSWER_BODY);
    await page.getByRole('region', { name: 'Preview of answer (markdown)' }).locator('strong', { hasText: 'readiness probe' }).waitFor();
    await Promise.all([page.waitForRequest(isEnhancedAction('answer')), page.getByRole('button', { name: 'Post your answer' }).click()]);
    const answer = answerBy(page, answerer.displayName);
    await answer.waitFor();
    expect(await answer.locator('.prose code').first().textContent()).toBe('maxSurge');
    expect(new URL(page.url()).pathname).toBe(questionPath);
  });

  it('a seeded member answers too, and two others upvote that answer', async () => {
    const kwame = await openSignedIn(seededMember('kwame'), false);
    await kwame.goto(questionPath);
    await kwame
      .getByLabel('Answer (Markdown)', { exact: true })
      .fill('Check the `minReadySeconds` of the deployment: with 0 the rollout does not wait between pods.');
    await kwame.getByRole('button', { name: 'Post your answer' }).click();
    await answerBy(kwame, 'Kwame Mensah').waitFor();
    for (const handle of ['lena', 'hiro'] as const) {
      const voter = await openSignedIn(seededMember(handle), false);
      await voter.goto(questionPath);
      await answerBy(voter, 'Kwame Mensah').getByRole('button', { name: 'Upvote this answer' }).click();
      await answerBy(voter, 'Kwame Mensah').getByRole('button', { name: 'Remove your upvote from this answer' }).waitFor();
    }
  });

  it('A upvotes B’s answer and accepts it; the accepted answer then shows first', async () => {
    const page = askerPage;
    await page.goto(questionPath);
    await waitForHydration(page);
    const answer = answerBy(page, answerer.displayName);

    // upvote: the button shows the viewer's vote (pressed) and the score moves to 1
    await Promise.all([page.waitForRequest(isEnhancedAction('vote')), answer.getByRole('button', { name: 'Upvote this answer' }).click()]);
    const pressed = answer.getByRole('button', { name: 'Remove your upvote from this answer' });
    await pressed.waitFor();
    expect(await pressed.getAttribute('aria-pressed')).toBe('true');
    expect(await scoreOf(answer)).toBe(1);

    // not accepted yet: by score, Kwame's answer (2) is above B's (1)
    await expect.poll(() => answerOrder(page)).toEqual(['Answer by Kwame Mensah', `Answer by ${answerer.displayName}`]);

    await Promise.all([
      page.waitForRequest(isEnhancedAction('accept')),
      answer.getByRole('button', { name: 'Accept this answer' }).click(),
    ]);
    const acceptedAnswer = page.getByRole('article', { name: `Answer by ${answerer.displayName}, accepted` });
    await acceptedAnswer.waitFor();
    await acceptedAnswer.getByRole('button', { name: 'Unaccept' }).waitFor();
    expect(await acceptedAnswer.getByText('Accepted', { exact: true }).isVisible()).toBe(true);
    expect(await acceptedAnswer.getByText('Accepted answer', { exact: true }).count()).toBe(1);
    await expect.poll(() => answerOrder(page)).toEqual([`Answer by ${answerer.displayName}, accepted`, 'Answer by Kwame Mensah']);

    // a visitor gets the same order from the server (JavaScript off)
    const visitor = await open({ javaScriptEnabled: false });
    await visitor.goto(questionPath);
    expect(await answerOrder(visitor)).toEqual([`Answer by ${answerer.displayName}, accepted`, 'Answer by Kwame Mensah']);
    expect(await scoreOf(answerBy(visitor, answerer.displayName))).toBe(1);
  });

  it('B’s profile shows the new reputation: 26 (1 for joining + 10 upvote + 15 accepted)', async () => {
    const visitor = await open({ javaScriptEnabled: false });
    await expect.poll(() => profileReputation(visitor, answerer.handle), { timeout: 15_000 }).toBe(26);
    const events = (await visitor.getByRole('region', { name: 'Recent reputation' }).getByRole('listitem').allTextContents()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
    expect(events.some((e) => e.startsWith('+15 answer accepted') && e.includes(title))).toBe(true);
    expect(events.some((e) => e.startsWith('+10 answer upvoted') && e.includes(title))).toBe(true);
    expect(events.some((e) => e.startsWith('+1 joined'))).toBe(true);
    // the header of B's own session shows it too
    await answererPage.goto(`/users/${answerer.handle}`);
    // (the visually hidden label renders as "Reputation26": Svelte trims the space inside its span)
    expect(await textOf(answererPage.locator(`header a[href="/users/${answerer.handle}"] .rep`))).toMatch(/^Reputation\s*26$/);
  });

  it('search finds the question through a typo', async () => {
    const typo = withTypo(word);
    expect(typo).not.toBe(word);
    const visitor = await open({ javaScriptEnabled: false });
    const hit = visitor.getByRole('link', { name: new RegExp(`^${escapeRegExp(title)}$`) });
    // the worker indexes new posts asynchronously: poll until the question is searchable
    await expect
      .poll(
        async () => {
          const response = await visitor.goto(`/search?q=${encodeURIComponent(typo)}`);
          expect(response?.status()).toBe(200);
          return hit.count();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    // the question's own hit links to its canonical URL (answer hits link to the answer)
    const hrefs = await hit.evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs).toContain(questionPath);
    expect(await visitor.getByLabel('Search questions and answers').inputValue()).toBe(typo);
  });

  it('raised no uncaught JavaScript errors', () => {
    expect(pageErrors.flat()).toEqual([]);
  });
});

describe('ask → answer → vote → accept with JavaScript disabled (plain HTML form posts)', () => {
  const asker = newMember('nojs-asker');
  const answerer = newMember('nojs-answerer');
  const word = uniqueWord('mur');
  const title = `How do I troubleshoot replica lag when the ${word} import runs?`;
  let askerPage: Page;
  let answererPage: Page;
  let questionPath = '';
  stopAfterFirstFailure();

  it('two new members sign up through /signup', async () => {
    askerPage = await open({ javaScriptEnabled: false });
    answererPage = await open({ javaScriptEnabled: false });
    await signUp(askerPage, asker);
    await signUp(answererPage, answerer);
    expect(await textOf(answererPage.getByRole('region', { name: 'Reputation', exact: true }).locator('.rep-total'))).toBe('1');
  });

  it('A asks: the Preview button renders the body on the server and lists similar questions; posting creates the question', async () => {
    const page = askerPage;
    expect((await page.goto('/questions/ask'))?.status()).toBe(200);
    await page.getByLabel('Space').selectOption('acme-db');
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page.getByLabel('Details (Markdown)', { exact: true }).fill(QUESTION_BODY);
    await page.getByLabel('Tags', { exact: true }).fill('replication performance');

    // "Preview" posts the form to the preview action (no JavaScript): the page comes back with
    // the rendered body, similar questions and every field as it was
    await Promise.all([page.waitForURL(/\?\/preview$/), page.getByRole('button', { name: 'Preview' }).click()]);
    const preview = page.getByRole('region', { name: 'Preview of details (markdown)' });
    expect(await preview.locator('strong').textContent()).toBe('cluster agent');
    const similar = page.getByRole('region', { name: /^Similar questions/ });
    expect(
      await similar
        .getByRole('link', { name: 'How do I troubleshoot replica lag when secondaries fall minutes behind during nightly imports?' })
        .count(),
    ).toBe(1);
    expect(await page.getByLabel('Space').inputValue()).toBe('acme-db');
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(title);
    expect(await page.getByLabel('Details (Markdown)', { exact: true }).inputValue()).toBe(QUESTION_BODY);
    expect(await page.getByLabel('Tags', { exact: true }).inputValue()).toBe('replication performance');

    await Promise.all([
      page.waitForURL(/\/questions\/[A-Za-z0-9]+\/[a-z0-9-]+$/),
      page.getByRole('button', { name: 'Post your question' }).click(),
    ]);
    questionPath = new URL(page.url()).pathname;
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(title);
    const questionTags = page.getByRole('article', { name: 'Question' }).getByRole('list', { name: 'Tags' });
    expect(await questionTags.getByRole('link').allTextContents()).toEqual(['replication', 'performance']);
    expect(await textOf(page.getByRole('navigation', { name: 'Breadcrumb' }))).toContain('Acme Database');
  });

  it('B answers (with a server-rendered preview first)', async () => {
    const page = answererPage;
    expect((await page.goto(questionPath))?.status()).toBe(200);
    await page.getByLabel('Answer (Markdown)', { exact: true }).fill(ANSWER_BODY);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('region', { name: 'Preview of answer (markdown)' }).locator('strong', { hasText: 'readiness probe' }).waitFor();
    expect(await page.getByLabel('Answer (Markdown)', { exact: true }).inputValue()).toBe(ANSWER_BODY);

    await Promise.all([
      page.waitForURL((url) => url.pathname === questionPath && url.hash.startsWith('#')),
      page.getByRole('button', { name: 'Post your answer' }).click(),
    ]);
    const answer = answerBy(page, answerer.displayName);
    expect(await answer.count()).toBe(1);
    expect(await answer.locator('.prose code').first().textContent()).toBe('maxSurge');
  });

  it('A upvotes and accepts B’s answer', async () => {
    const page = askerPage;
    await page.goto(questionPath);
    const answer = answerBy(page, answerer.displayName);
    await Promise.all([
      page.waitForURL((url) => url.pathname === questionPath && url.hash.startsWith('#answer')),
      answer.getByRole('button', { name: 'Upvote this answer' }).click(),
    ]);
    const pressed = answer.getByRole('button', { name: 'Remove your upvote from this answer' });
    expect(await pressed.getAttribute('aria-pressed')).toBe('true');
    expect(await scoreOf(answer)).toBe(1);

    await Promise.all([
      page.waitForURL((url) => url.pathname === questionPath && url.hash === ''),
      answer.getByRole('button', { name: 'Accept this answer' }).click(),
    ]);
    await page.getByRole('article', { name: `Answer by ${answerer.displayName}, accepted` }).waitFor();
    expect(await answerOrder(page)).toEqual([`Answer by ${answerer.displayName}, accepted`]);
  });

  it('B’s reputation is 26 again for this member', async () => {
    const visitor = await open({ javaScriptEnabled: false });
    await expect.poll(() => profileReputation(visitor, answerer.handle), { timeout: 15_000 }).toBe(26);
  });
});
