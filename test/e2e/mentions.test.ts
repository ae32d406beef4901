// Mentions and following in the browser (issue 14, items 2 and 3): on a question page, typing `@`
// and the start of a participant's handle in the answer editor suggests them (a listbox the
// keyboard drives) and Enter inserts `@handle `; a tag page's Follow button works without
// JavaScript and the tag shows on /following.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { resetAuthLimits } from './support/limits.js';
import { signedUpMember, type Member } from './support/members.js';
import { graphql, waitForHydration } from './support/pages.js';

let browser: Browser;
let asker: Member;
let askerContext: BrowserContext;
let answererContext: BrowserContext;

beforeAll(async () => {
  await resetAuthLimits();
  browser = await launchBrowser();
  ({ member: asker, context: askerContext } = await signedUpMember(browser, 'asker'));
  ({ context: answererContext } = await signedUpMember(browser, 'helper'));
});
afterAll(async () => {
  await browser?.close();
});

describe('mention autocomplete', () => {
  it('suggests the asker while typing @ and their handle’s start, and Enter inserts the mention', async () => {
    const spaces = await graphql<{ spaces: { nodes: Array<{ slug: string }> } }>(
      askerContext.request,
      '{ spaces(first: 1) { nodes { slug } } }',
    );
    const asked = await graphql<{ askQuestion: { question: { id: string; url: string } } }>(
      askerContext.request,
      'mutation($input: AskQuestionInput!) { askQuestion(input: $input) { question { id url } errors { message } } }',
      {
        input: {
          spaceSlug: spaces.spaces.nodes[0]!.slug,
          title: `How do I mention the asker of a question ${asker.handle}?`,
          body: 'I would like to reply to the person who asked, so that they get a notification about it.',
          tags: ['mentions'],
        },
      },
    );
    const question = asked.askQuestion.question;

    const page = await answererContext.newPage();
    await page.goto(question.url);
    await waitForHydration(page);
    const editor = page.locator('textarea[name="body"]').last();
    await editor.click();
    await editor.pressSequentially(`Thanks @${asker.handle.slice(0, 4)}`);
    const option = page.getByRole('listbox', { name: 'Members to mention' }).getByRole('option', { name: new RegExp(`@${asker.handle}`) });
    await option.waitFor({ timeout: 5000 });
    expect(await option.getAttribute('aria-selected')).toBe('true');
    await editor.press('Enter');
    expect(await editor.inputValue()).toBe(`Thanks @${asker.handle} `);
    expect(await page.getByRole('listbox', { name: 'Members to mention' }).isHidden()).toBe(true);
  });

  it('follows a tag from its page without JavaScript; /following lists it, and Unfollow undoes it', async () => {
    const plain = await newContext(browser, { javaScriptEnabled: false });
    await plain.addCookies(await askerContext.cookies());
    const page = await plain.newPage();
    expect((await page.goto('/tags/mentions'))?.status()).toBe(200);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/tags/mentions'),
      page.getByRole('button', { name: 'Follow tag mentions' }).click(),
    ]);
    await page.getByRole('button', { name: 'Unfollow tag mentions' }).waitFor();
    await page.goto('/following');
    const tags = page.getByRole('region', { name: 'Tags' });
    expect(await tags.getByRole('link', { name: 'mentions', exact: true }).count()).toBe(1);
    await page.goto('/tags/mentions');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/tags/mentions'),
      page.getByRole('button', { name: 'Unfollow tag mentions' }).click(),
    ]);
    await page.getByRole('button', { name: 'Follow tag mentions' }).waitFor();
    await plain.close();
  });
});
