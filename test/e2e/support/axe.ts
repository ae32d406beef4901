// axe-core for the browser tests. axe runs as a script inside the page, so it needs a context with
// JavaScript enabled: in a `javaScriptEnabled: false` context its injected script never answers and
// the test waits until its timeout. No-JS flows therefore check their page in a second,
// JavaScript-enabled context (same cookies when the page needs them) with `severeViolationsAt`.
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { waitForHydration } from './pages.js';

/** Serious and critical violations on a page that is loaded in a JavaScript-enabled context (within `include`: CSS selectors, default the whole page). */
export async function severeViolations(page: Page, include: readonly string[] = []): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  for (const selector of include) builder.include(selector);
  const results = await builder.analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Opens `path` in `context` (JavaScript on), waits for the app, and returns axe's serious and
 * critical violations (within `include`, for pages too large to check whole in a test's time).
 */
export async function severeViolationsAt(context: BrowserContext, path: string, include: readonly string[] = []): Promise<string[]> {
  const page = await context.newPage();
  try {
    const response = await page.goto(path);
    if (!response || response.status() >= 400) throw new Error(`${path} answered ${response?.status()}`);
    await waitForHydration(page);
    return await severeViolations(page, include);
  } finally {
    await page.close();
  }
}
