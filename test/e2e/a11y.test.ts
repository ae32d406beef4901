// Accessibility (issue 5, "Must show"): axe-core finds 0 serious or critical violations on the
// home, question, ask, search and profile pages, in the light and the dark color scheme (the app
// follows the system's). Every violation axe reports (any impact) is printed for diagnosis.
import { AxeBuilder } from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { seededMember, signIn } from './support/members.js';
import { resetAuthLimits } from './support/limits.js';
import { gotoSearchResults, questionPath, SEEDED, waitForHydration } from './support/pages.js';

let browser: Browser;
let visitor: BrowserContext;
let member: BrowserContext;
let asker: BrowserContext;
let compoundIndexPath = '';

beforeAll(async () => {
  await resetAuthLimits();
  browser = await launchBrowser();
  visitor = await newContext(browser);
  member = await newContext(browser);
  await signIn(await member.newPage(), seededMember('lena'));
  // olga asked the "compound index" question: her view has the accept and edit controls
  asker = await newContext(browser);
  await signIn(await asker.newPage(), seededMember('olga'));
  compoundIndexPath = await questionPath(visitor.request, SEEDED.compoundIndex);
});
afterAll(async () => {
  await browser?.close();
});

interface Case {
  name: string;
  context: () => BrowserContext;
  path: () => string;
  /** a search page: wait until the index has results */
  search?: boolean;
  /** brings the page into the state to check (after load and hydration) */
  prepare?: (page: Page) => Promise<void>;
}

const CASES: Case[] = [
  { name: 'home', context: () => visitor, path: () => '/' },
  { name: 'question (visitor)', context: () => visitor, path: () => compoundIndexPath },
  { name: 'question (signed in as its asker)', context: () => asker, path: () => compoundIndexPath },
  {
    name: 'ask (signed in, with similar questions, preview and tag suggestions shown)',
    context: () => member,
    path: () => '/questions/ask',
    prepare: async (page) => {
      const title = page.getByLabel('Title', { exact: true });
      await title.fill('How do I troubleshoot rolling deployments when pods restart'); // fires "input": similar questions follow
      await page
        .getByRole('region', { name: /^Similar questions/ })
        .getByRole('link')
        .first()
        .waitFor();
      await page
        .getByLabel('Details (Markdown)', { exact: true })
        .fill('The **rollout** restarts all pods:\n\n```yaml\nmaxUnavailable: 1\n```');
      await page.getByRole('region', { name: 'Preview of details (markdown)' }).locator('strong').waitFor();
      const tags = page.getByRole('combobox', { name: 'Tags' });
      await tags.pressSequentially('kub');
      await page.getByRole('option', { name: /^kubernetes/ }).waitFor();
    },
  },
  { name: 'search results', context: () => visitor, path: () => '/search?q=rolling+deployments', search: true },
  { name: 'profile', context: () => visitor, path: () => '/users/lena' },
];

function describeViolations(violations: Result[]): string {
  return violations
    .map((v) =>
      [
        `  [${v.impact ?? 'n/a'}] ${v.id}: ${v.help} (${v.helpUrl})`,
        ...v.nodes.map((n) => `      ${n.target.join(' ')}\n        ${(n.failureSummary ?? '').replace(/\n/g, '\n        ')}`),
      ].join('\n'),
    )
    .join('\n');
}

describe.each(['light', 'dark'] as const)('axe-core, %s color scheme', (colorScheme) => {
  it.each(CASES)('$name: 0 serious or critical violations', async ({ name, context, path, prepare, search }) => {
    const page = await context().newPage();
    try {
      await page.emulateMedia({ colorScheme });
      const response = search ? await gotoSearchResults(page, path()) : await page.goto(path());
      expect(response?.status()).toBe(200);
      await waitForHydration(page);
      await prepare?.(page);

      const results = await new AxeBuilder({ page }).analyze();
      if (results.violations.length) {
        console.log(
          `axe (${colorScheme}) ${name} ${path()}: ${results.violations.length} violation(s)\n${describeViolations(results.violations)}`,
        );
      }
      const severe = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(severe.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
      // axe really looked at the page
      expect(results.passes.length).toBeGreaterThan(10);
    } finally {
      await page.close();
    }
  });
});
