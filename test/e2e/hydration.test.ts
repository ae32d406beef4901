import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { waitForHydration } from './support/pages.js';

// A visitor on a slow connection starts typing as soon as the server-rendered form appears, before
// the JavaScript has arrived. Hydration must keep what they typed (a one-way `value=` would reset
// the field to the server's value).

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Opens `path` with the app's JavaScript held back; returns a function that lets it through. */
async function openWithoutScripts(page: Page, path: string): Promise<() => Promise<void>> {
  const held: Route[] = [];
  let release = false;
  await page.route('**/_app/immutable/**/*.js', async (route) => {
    if (release) await route.continue();
    else held.push(route);
  });
  await page.goto(path, { waitUntil: 'domcontentloaded' });
  return async () => {
    release = true;
    for (const route of held.splice(0)) await route.continue();
    await waitForHydration(page);
  };
}

describe('text typed before hydration', () => {
  const cases: { path: string; label: RegExp; text: string }[] = [
    { path: '/signin', label: /handle or email/i, text: 'someone@example.com' },
    { path: '/signup', label: /^handle/i, text: 'early_typist' },
    { path: '/search?q=', label: /search questions and answers/i, text: 'gradient descent' },
    { path: '/tags', label: /filter tags by name/i, text: 'neural' },
  ];

  for (const { path, label, text } of cases) {
    it(`is kept on ${path}`, async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      const hydrate = await openWithoutScripts(page, path);
      const field = page.getByLabel(label).first();
      // not hydrated yet (SvelteKit's router sets scrollRestoration to "manual" when it starts)
      const restoration = await page.evaluate(
        () => (globalThis as unknown as { history: { scrollRestoration: string } }).history.scrollRestoration,
      );
      expect(restoration).not.toBe('manual');
      await field.fill(text);
      await hydrate();
      expect(await field.inputValue()).toBe(text);
      await context.close();
    });
  }

  it('is kept in the site search box, which navigation still resets', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const hydrate = await openWithoutScripts(page, '/search?q=transformer');
    const box = page.getByRole('search', { name: 'Site' }).getByRole('searchbox');
    expect(await box.inputValue()).toBe('transformer');
    await box.fill('attention heads');
    await hydrate();
    expect(await box.inputValue()).toBe('attention heads');
    // a client-side navigation (the search form, handled by the router) shows the new query
    await page.getByLabel('Search questions and answers').fill('embedding');
    await page.getByLabel('Search questions and answers').press('Enter');
    await page.waitForURL(/[?&]q=embedding/);
    await expect.poll(() => box.inputValue()).toBe('embedding');
    await context.close();
  });
});
