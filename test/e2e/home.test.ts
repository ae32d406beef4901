import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot } from '../helpers/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('home page in Chromium', () => {
  it('renders server-side from a live GraphQL query', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    // the demo community's spaces come from the api, rendered on the server (JavaScript is off)
    await expect(page.getByRole('main').textContent()).resolves.toContain('Acme Cloud Platform');
    expect(await page.title()).toMatch(/Colloquy/);
    await context.close();
  });

  it('hydrates with JavaScript and keeps /graphql same-origin', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto('/');
    const result = await page.evaluate(async () => {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ ping }' }),
      });
      return res.json();
    });
    expect(result).toEqual({ data: { ping: 'pong' } });
    for (const viewport of ['phone', 'desktop'] as const) await screenshot(page, 'home', viewport);
    await context.close();
  });
});
