// Debian's Chromium driven by playwright-core (never a downloaded browser).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: inject('chromiumPath'),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 900 },
} as const;

export async function newContext(
  browser: Browser,
  options: { javaScriptEnabled?: boolean; viewport?: keyof typeof VIEWPORTS } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: inject('webUrl'),
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: VIEWPORTS[options.viewport ?? 'desktop'],
  });
}

/** Saves a full-page screenshot under artifacts/screenshots/<name>-<viewport>.png (gitignored). */
export async function screenshot(page: Page, name: string, viewport: keyof typeof VIEWPORTS): Promise<string> {
  const dir = join(inject('artifactsDir'), 'screenshots');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${viewport}.png`);
  await page.setViewportSize(VIEWPORTS[viewport]);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
