// Community analytics, experts and the people finder in Chromium (issue 15 items 4 and 7): the
// dashboard's charts render without JavaScript errors and pass axe (a JS-enabled context), the
// CSV export carries the page's numbers, members get 403; the experts pages and the people
// finder render, and the finder's form works without JavaScript.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { resetAuthLimits } from './support/limits.js';
import { seededMember, signedInContext } from './support/members.js';
import { textOf, waitForApp, waitForHydration } from './support/pages.js';

let browser: Browser;
let admin: BrowserContext;
let visitor: BrowserContext;

beforeAll(async () => {
  await resetAuthLimits();
  browser = await launchBrowser();
  admin = (await signedInContext(browser, seededMember('admin'))).context;
  visitor = await newContext(browser);
});
afterAll(async () => {
  await browser?.close();
});

/** Uncaught exceptions and console errors of a page. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

async function severeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.passes.length).toBeGreaterThan(10);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('analytics dashboard', () => {
  it('renders accessible SVG charts with data tables, without JavaScript errors; the CSV has the same numbers', async () => {
    const page = await admin.newPage();
    const errors = collectErrors(page);
    try {
      const response = await page.goto('/analytics?space=acme-db');
      expect(response?.status()).toBe(200);
      await waitForHydration(page);
      await page.getByRole('heading', { level: 1, name: 'Community analytics' }).waitFor();

      // five charts, each an image with a title and a description
      const charts = page.locator('svg[role="img"]');
      expect(await charts.count()).toBe(5);
      for (const chart of await charts.all()) {
        expect(await textOf(chart.locator('title'))).not.toBe('');
        expect(await textOf(chart.locator('desc'))).not.toBe('');
      }
      // the data table alternative: one row per day of the (default, 30-day) range
      await page.getByText('Data table: Questions per day').click();
      const table = page.locator('#chart-questions-table');
      await table.waitFor();
      expect(await table.locator('tbody tr').count()).toBe(30);

      expect(await severeViolations(page)).toEqual([]);

      // the export: the filters of the page, the numbers of the page
      const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
      expect(href).toMatch(/^\/analytics\/export\?space=acme-db&from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
      const csv = await page.request.get(href!);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toMatch(/^day,questions,answered,unanswered,answer_rate,/);
      expect(lines).toHaveLength(32);
      const total = lines.at(-1)!.split(',');
      expect(total[0]).toBe('total');
      expect(await textOf(page.locator('[data-figure="questions"]'))).toBe(total[1]);
      expect(await textOf(page.locator('[data-figure="sla-breached"]'))).toBe(total[8]);
      expect(await textOf(page.locator('[data-figure="unanswered"]'))).toBe(total[3]);

      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('answers 403 to members and sends visitors to sign in', async () => {
    const { context: lena } = await signedInContext(browser, seededMember('lena'));
    try {
      const page = await lena.newPage();
      expect((await page.goto('/analytics'))?.status()).toBe(403);
      expect((await page.request.get('/analytics/export')).status()).toBe(403);
    } finally {
      await lena.close();
    }
    const page = await visitor.newPage();
    await page.goto('/analytics');
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.close();
  });
});

describe('experts and the people finder', () => {
  it('shows a space’s and a tag’s experts, accessibly', async () => {
    for (const path of ['/spaces/acme-cloud/experts', '/tags/kubernetes/experts']) {
      const page = await visitor.newPage();
      const errors = collectErrors(page);
      try {
        // the worker builds a space's experts a moment after the stack starts: reload until it has
        await expect
          .poll(
            async () => {
              expect((await page.goto(path))?.status()).toBe(200);
              return page
                .getByRole('list', { name: /^Experts in/ })
                .getByRole('listitem')
                .count();
            },
            { timeout: 20_000, interval: 1_000 },
          )
          .toBeGreaterThan(0);
        await waitForHydration(page);
        await page.getByRole('heading', { level: 1, name: /^Experts in/ }).waitFor();
        expect(await severeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }
  });

  it('finds people by skill with a form that works without JavaScript', async () => {
    const noJs = await newContext(browser, { javaScriptEnabled: false });
    try {
      const page = await noJs.newPage();
      await page.goto('/people');
      await waitForApp(page);
      await page.getByLabel('Skill or tag').fill('kubernetes');
      await Promise.all([page.waitForURL(/\/people\?skill=kubernetes$/), page.getByRole('button', { name: 'Find' }).click()]);
      await page.getByRole('heading', { level: 2, name: /for “kubernetes”/ }).waitFor();
      expect(await page.locator('ol.people > li').count()).toBeGreaterThan(0);
    } finally {
      await noJs.close();
    }
    const page = await visitor.newPage();
    try {
      expect((await page.goto('/people?skill=kubernetes'))?.status()).toBe(200);
      await waitForHydration(page);
      expect(await severeViolations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
