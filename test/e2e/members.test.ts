// The members directory and the badge pages in Chromium (server-rendered, used with JavaScript
// off): /users lists members by reputation and filters by a tag; /badges/<slug> lists who earned
// the badge (the demo seed's votes award Supporter through the activity stream). axe finds no
// serious or critical violations — checked in a JavaScript-enabled context (axe is a script: in a
// JavaScript-disabled context it never answers, which is why these cases once timed out).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { severeViolationsAt } from './support/axe.js';
import { graphql } from './support/pages.js';

let browser: Browser;
let visitor: BrowserContext;
let scripted: BrowserContext;
beforeAll(async () => {
  browser = await launchBrowser();
  visitor = await newContext(browser, { javaScriptEnabled: false });
  scripted = await newContext(browser);
});
afterAll(async () => {
  await browser?.close();
});

/** Members' reputations as the chips show them, in page order. */
async function reputations(page: Page): Promise<number[]> {
  const texts = await page.locator('.user-grid .user-chip .rep').allTextContents();
  return texts.map((t) => Number(t.replace(/[^0-9-]/g, '')));
}

describe('members directory and badges', () => {
  it('/users lists members by reputation, highest first', async () => {
    const page = await visitor.newPage();
    const response = await page.goto('/users');
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Users');
    const reps = await reputations(page);
    expect(reps.length).toBeGreaterThan(3);
    expect(reps).toEqual([...reps].sort((a, b) => b - a));
    await page.close();
    expect(await severeViolationsAt(scripted, '/users')).toEqual([]);
  });

  it('/users filters by a tag: its top answerers', async () => {
    const page = await visitor.newPage();
    await page.goto('/users');
    await page.getByLabel('Experts in tag').fill('kubernetes');
    await Promise.all([page.waitForURL(/tag=kubernetes/), page.getByRole('button', { name: 'Filter' }).click()]);
    await expect(page.getByText('Top answerers in').textContent()).resolves.toContain('kubernetes');
    const shown = await page.locator('.user-grid .user-chip a').allTextContents();
    const data = await graphql<{ users: { nodes: Array<{ displayName: string; handle: string }> } }>(
      page.request,
      '{ users(first: 36, tag: "kubernetes") { nodes { displayName handle } } }',
    );
    expect(data.users.nodes.length).toBeGreaterThan(0);
    expect(shown.map((s) => s.trim())).toEqual(data.users.nodes.map((n) => n.displayName || n.handle));
    await page.close();
  });

  it('/badges lists the catalogue and /badges/<slug> lists the holders', async () => {
    const page = await visitor.newPage();
    expect((await page.goto('/badges'))?.status()).toBe(200);
    await expect(page.getByRole('heading', { name: 'Gold badges' }).count()).resolves.toBe(1);
    await Promise.all([
      page.waitForURL(/\/badges\/supporter$/),
      page
        .getByRole('link', { name: /^Supporter/ })
        .first()
        .click(),
    ]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Supporter');
    const holders = await page.locator('.holders .user-chip a').allTextContents();
    expect(holders.length).toBeGreaterThan(0);
    expect((await page.goto('/badges/no-such-badge'))?.status()).toBe(404);
    await page.close();
    expect(await severeViolationsAt(scripted, '/badges/supporter')).toEqual([]);
  });
});
