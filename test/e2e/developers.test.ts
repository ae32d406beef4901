// Issue 12 (items 4 and 6) in the browser: the token settings page creates a token with
// fine-grained scopes and an expiry without JavaScript and lists it with its scopes and expiry;
// /developers and its schema reference are server-rendered, linked from the footer and pass axe.
// The pages are used without JavaScript; axe checks them in a JavaScript-enabled context (axe is a
// script: in a JavaScript-disabled context it never answers — why these cases once timed out).
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { severeViolationsAt } from './support/axe.js';
import { newMember, signUp } from './support/members.js';
import { resetAuthLimits } from './support/limits.js';

let browser: Browser;
let visitor: BrowserContext;
let scripted: BrowserContext;

beforeAll(async () => {
  await resetAuthLimits();
  browser = await launchBrowser();
  visitor = await newContext(browser, { javaScriptEnabled: false });
  scripted = await newContext(browser);
});
afterAll(async () => {
  await browser?.close();
});

describe('/developers', () => {
  it('is linked from the footer and documents tokens, scopes, cost, errors and webhooks without JavaScript', async () => {
    const page = await visitor.newPage();
    await page.goto('/');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/developers'),
      page.getByRole('contentinfo').getByRole('link', { name: 'Developers' }).click(),
    ]);
    await expect(page.getByRole('heading', { level: 1, name: 'Developers' }).isVisible()).resolves.toBe(true);
    for (const heading of ['Authentication', 'Token scopes', 'Cost and the points budget', 'Errors', 'Webhooks']) {
      await expect(page.getByRole('heading', { level: 2, name: heading }).count(), heading).resolves.toBe(1);
    }
    const scopes = page.getByRole('table', { name: 'API token scopes' });
    await expect(scopes.getByRole('row').count()).resolves.toBe(8); // header + 7 scopes
    await expect(scopes.getByText('write:answers', { exact: true }).count()).resolves.toBe(1);
    const text = await page.locator('main').innerText();
    expect(text).toContain('webhook-signature');
    expect(text).toContain('question.created');
    expect(text).toContain("from 'standardwebhooks'");
    expect(text).toContain('cost = nodeCount / 100, rounded up, at least 1 point.');
    await page.close();
    expect(await severeViolationsAt(scripted, '/developers')).toEqual([]);
  });

  it('the schema reference lists queries, mutations and types with anchors', async () => {
    const page = await visitor.newPage();
    const response = await page.goto('/developers/schema#type-ApiTokenScope');
    expect(response?.status()).toBe(200);
    await expect(page.locator('#field-questions').count()).resolves.toBe(1);
    await expect(page.locator('#field-createApiToken').count()).resolves.toBe(1);
    const scopeType = page.locator('#type-ApiTokenScope');
    await expect(scopeType.getByText('WRITE_ANSWERS', { exact: true }).count()).resolves.toBe(1);
    await expect(scopeType.getByText(/deprecated/).count()).resolves.toBeGreaterThan(0);
    await page.close();
    // the reference is thousands of elements built from a few templates: axe checks the page's
    // frame (header, navigation, footer) and representative sections of each kind
    expect(
      await severeViolationsAt(scripted, '/developers/schema', [
        'header',
        'footer',
        'h1',
        '#type-ApiTokenScope',
        '#field-questions',
        '#field-createApiToken',
      ]),
    ).toEqual([]);
  });
});

describe('settings → API tokens', () => {
  it('creates a token with chosen scopes and an expiry without JavaScript, shows them, revokes it', async () => {
    // sign up with JavaScript (the sign-up helper waits for the app), then use the page without it
    const signUpContext = await newContext(browser);
    const member = newMember('partner');
    const signUpPage = await signUpContext.newPage();
    await signUp(signUpPage, member);
    // axe on the token page, signed in, with JavaScript (the same session)
    expect(await severeViolationsAt(signUpContext, '/settings/tokens')).toEqual([]);
    const cookies = await signUpContext.cookies();
    await signUpContext.close();
    const context = await newContext(browser, { javaScriptEnabled: false });
    await context.addCookies(cookies);
    const page = await context.newPage();

    const response = await page.goto('/settings/tokens');
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('checkbox', { name: 'read' }).isChecked()).resolves.toBe(true);
    await expect(page.getByRole('checkbox', { name: 'write:answers' }).isChecked()).resolves.toBe(false);

    await page.getByLabel('Name').fill('answer bot');
    await page.getByRole('checkbox', { name: 'write:answers' }).check();
    await page.getByRole('checkbox', { name: 'write:votes' }).check();
    await page.getByLabel('Expires').selectOption({ label: '90 days' });
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Create token' }).click()]);
    await page.getByRole('status').getByText('Token “answer bot” created.').waitFor();
    const secret = await page.getByLabel('Your new token').inputValue();
    expect(secret).toMatch(/^cq_/);

    // the token list (a fresh load) shows its scopes and expiry
    await page.goto('/settings/tokens');
    const row = page.getByRole('row').filter({ hasText: 'answer bot' });
    const rowText = await row.innerText();
    expect(rowText).toContain('read');
    expect(rowText).toContain('write:answers');
    expect(rowText).toContain('write:votes');
    const expires = new Date(Date.now() + 90 * 86_400_000);
    expect(rowText).toContain(String(expires.getUTCFullYear()));

    // the token works against the API, with its scopes
    const api = await page.request.post('/graphql', {
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      data: { query: '{ viewer { handle apiTokens { name } } }' },
    });
    expect(((await api.json()) as { data: { viewer: { handle: string } } }).data.viewer.handle).toBe(member.handle);

    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Revoke token answer bot' }).click()]);
    await page.goto('/settings/tokens');
    await expect(page.getByRole('row').filter({ hasText: 'answer bot' }).count()).resolves.toBe(0);
    await context.close();
  });
});
