// Members for the browser tests: new accounts made through /signup, and the demo community's
// seeded members signed in through /signin. Both go through the real forms, so they work with
// JavaScript on (use:enhance) and off (plain form posts).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newContext } from '../../helpers/browser.js';
import { waitForApp } from './pages.js';

export interface Member {
  handle: string;
  displayName: string;
  email: string;
  password: string;
}

let counter = 0;

/** Lower-case letters only (a–z), base 26: usable where digits are not (search words). */
export function letters(n: number): string {
  let out = '';
  let rest = Math.max(0, Math.floor(n));
  do {
    out = String.fromCharCode(97 + (rest % 26)) + out;
    rest = Math.floor(rest / 26);
  } while (rest > 0);
  return out;
}

/** A suffix unique to this run and call (handles, emails, search words). */
export function uniqueSuffix(): string {
  counter += 1;
  return `${Date.now().toString(36)}${counter.toString(36)}`;
}

/** A fresh, valid member (3–30 characters handle; the password does not contain the handle). */
export function newMember(role: string): Member {
  const suffix = uniqueSuffix();
  const handle = `${role}-${suffix}`.slice(0, 30);
  const name = role.charAt(0).toUpperCase() + role.slice(1);
  return { handle, displayName: `${name} ${suffix}`, email: `${handle}@example.test`, password: 'correct horse battery staple' };
}

/** The demo community's members sign in with `demo-password-<handle>`. */
export function seededMember(
  handle: 'lena' | 'kwame' | 'sofia' | 'hiro' | 'olga' | 'priya' | 'marco' | 'admin',
): Pick<Member, 'handle' | 'password'> {
  return { handle, password: `demo-password-${handle}` };
}

/** Signs a new member up through /signup; the app lands on their profile. */
export async function signUp(page: Page, member: Member): Promise<void> {
  const response = await page.goto('/signup');
  if (response?.status() !== 200) throw new Error(`/signup answered ${response?.status()}`);
  await waitForApp(page);
  await page.getByLabel('Display name').fill(member.displayName);
  await page.getByLabel('Handle').fill(member.handle);
  await page.getByLabel('Email').fill(member.email);
  await page.getByLabel('Password').fill(member.password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === `/users/${member.handle}`),
    page.getByRole('button', { name: 'Sign up' }).click(),
  ]);
}

/** A new member signed up in a browser context of their own (JavaScript on). */
export async function signedUpMember(browser: Browser, role: string): Promise<{ member: Member; context: BrowserContext }> {
  const member = newMember(role);
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page, member);
  await page.close();
  return { member, context };
}

/** Signs in through /signin (redirected back to `/`). */
export async function signIn(page: Page, member: Pick<Member, 'handle' | 'password'>): Promise<void> {
  const response = await page.goto('/signin');
  if (response?.status() !== 200) throw new Error(`/signin answered ${response?.status()}`);
  await waitForApp(page);
  await page.getByLabel('Handle or email').fill(member.handle);
  await page.getByLabel('Password').fill(member.password);
  const log: string[] = [];
  const onResponse = (r: { url(): string; status(): number; request(): { method(): string } }) =>
    log.push(`${r.request().method()} ${r.url()} → ${r.status()}`);
  page.on('response', onResponse);
  try {
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
    // the header shows the signed-in member's profile link
    await page.locator(`header a[href="/users/${member.handle}"]`).waitFor();
  } catch (error) {
    const alerts = await page
      .getByRole('alert')
      .allTextContents()
      .catch(() => []);
    throw new Error(
      `signing in as ${member.handle} failed at ${page.url()} (alerts: ${JSON.stringify(alerts)}; responses: ${log.join(', ')})`,
      {
        cause: error,
      },
    );
  } finally {
    page.off('response', onResponse);
  }
}

/** A browser context signed in as `member` (through the sign-in form). */
export async function signedInContext(
  browser: Browser,
  member: Pick<Member, 'handle' | 'password'>,
  options: Parameters<typeof newContext>[1] = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  await signIn(page, member);
  return { context, page };
}
