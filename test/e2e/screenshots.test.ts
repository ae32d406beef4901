// Screenshots of the main pages at phone and desktop widths (issue 5, "Must show"), saved under
// artifacts/screenshots/<page>-<viewport>.png (gitignored) so a person can look at them. Each
// page must answer 200 and each file must be a PNG written by this run.
import { readFileSync, statSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot, VIEWPORTS } from '../helpers/browser.js';
import { seededMember, signIn } from './support/members.js';
import { resetAuthLimits } from './support/limits.js';
import { gotoSearchResults, questionPath, SEEDED, waitForHydration } from './support/pages.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

interface Shot {
  name: string;
  path: () => string;
  signedIn?: boolean;
  /** a search page: wait until the index has results */
  search?: boolean;
}

let browser: Browser;
let questionUrl = '';
const startedAt = Date.now();

const SHOTS: Shot[] = [
  { name: 'home', path: () => '/' },
  { name: 'questions', path: () => '/questions' },
  { name: 'question', path: () => questionUrl },
  { name: 'ask', path: () => '/questions/ask', signedIn: true },
  { name: 'search', path: () => '/search?q=rolling+deployments', search: true },
  { name: 'tags', path: () => '/tags' },
  { name: 'profile', path: () => '/users/lena' },
  { name: 'signin', path: () => '/signin' },
];

beforeAll(async () => {
  await resetAuthLimits();
  browser = await launchBrowser();
  const context = await newContext(browser);
  questionUrl = await questionPath(context.request, SEEDED.compoundIndex);
  await context.close();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(['phone', 'desktop'] as const)('screenshots at %s width', (viewport) => {
  let visitor: BrowserContext;
  let member: BrowserContext;

  beforeAll(async () => {
    visitor = await newContext(browser, { viewport });
    member = await newContext(browser, { viewport });
    await signIn(await member.newPage(), seededMember('lena'));
  });
  afterAll(async () => {
    await visitor?.close();
    await member?.close();
  });

  it.each(SHOTS)('$name', async ({ name, path, signedIn, search }) => {
    const page = await (signedIn ? member : visitor).newPage();
    try {
      const response = search ? await gotoSearchResults(page, path()) : await page.goto(path());
      expect(response?.status()).toBe(200);
      await waitForHydration(page);
      await page.waitForLoadState('networkidle');

      const file = await screenshot(page, name, viewport);
      const png = readFileSync(file);
      expect(statSync(file).mtimeMs).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(png.length).toBeGreaterThan(1000);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      // a full-page shot is as wide as the viewport unless the page scrolls sideways
      const size = pngSize(png);
      expect(size.width).toBe(VIEWPORTS[viewport].width);
      expect(size.height).toBeGreaterThanOrEqual(VIEWPORTS[viewport].height);
    } finally {
      await page.close();
    }
  });
});
