// Notifications in the browser (issue 14, "Must show"): member A has a question page open; member
// B answers from another browser context → A's page offers the new answer and A's header count
// goes up without a reload; the e-mail lands in Mailpit (read through its REST API) with a
// working link and a one-click unsubscribe that works without a session; with JavaScript off the
// inbox shows the answers after a reload.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { resetAuthLimits } from './support/limits.js';
import { signedUpMember, type Member } from './support/members.js';
import { graphql, waitForHydration } from './support/pages.js';

const mailpit = inject('mailpitUrl');
let browser: Browser;
let asker: Member;
let askerContext: BrowserContext;
let answererContext: BrowserContext;

beforeAll(async () => {
  await resetAuthLimits();
  browser = await launchBrowser();
  ({ member: asker, context: askerContext } = await signedUpMember(browser, 'asker'));
  ({ context: answererContext } = await signedUpMember(browser, 'answerer'));
});
afterAll(async () => {
  await browser?.close();
});

async function postAnswer(body: string, questionId: string): Promise<string> {
  const r = await graphql<{ postAnswer: { answer: { id: string } | null; errors: unknown[] } }>(
    answererContext.request,
    'mutation($input: PostAnswerInput!) { postAnswer(input: $input) { answer { id } errors { message } } }',
    { input: { questionId, body } },
  );
  expect(r.postAnswer.errors).toEqual([]);
  return r.postAnswer.answer!.id;
}

async function mailTo(address: string, count: number): Promise<Array<{ ID: string; Subject: string }>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await fetch(`${mailpit}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`);
    const found = ((await res.json()) as { messages: Array<{ ID: string; Subject: string }> }).messages;
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('notifications in the browser', () => {
  it('shows a new answer live, mails it, unsubscribes in one click, and the inbox works without JavaScript', async () => {
    const spaces = await graphql<{ spaces: { nodes: Array<{ slug: string }> } }>(
      askerContext.request,
      '{ spaces(first: 1) { nodes { slug } } }',
    );
    const title = `Why does the frobnicator stall after upgrading ${asker.handle}?`;
    const asked = await graphql<{ askQuestion: { question: { id: string; url: string } } }>(
      askerContext.request,
      'mutation($input: AskQuestionInput!) { askQuestion(input: $input) { question { id url } errors { message } } }',
      {
        input: {
          spaceSlug: spaces.spaces.nodes[0]!.slug,
          title,
          body: 'After the upgrade the frobnicator stalls for a minute on every start. What changed and how do I fix it?',
          tags: ['frobnicator'],
        },
      },
    );
    const question = asked.askQuestion.question;

    // A has the question open (JavaScript on)
    const page: Page = await askerContext.newPage();
    await page.goto(question.url);
    await waitForHydration(page);
    await expect.poll(() => page.getByTestId('unread-count').count()).toBe(0);

    // B answers from another browser context
    const answerId = await postAnswer(
      'The upgrade turned on eager warm-up: set `warmup: lazy` in frobnicator.yml and the stall goes away.',
      question.id,
    );
    await page.getByTestId('new-answers').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('new-answers').textContent()).toContain('1 new answer — show');
    await page.getByTestId('unread-count').waitFor({ timeout: 5000 });
    expect((await page.getByTestId('unread-count').textContent())?.replace(/\D/g, '')).toBe('1');
    await page.getByTestId('new-answers').click();
    await page.locator(`#answer-${Buffer.from(answerId, 'base64').toString('utf8').split(':')[1]}`).waitFor();

    // the e-mail, its link and its one-click unsubscribe (no session)
    const [mail] = await mailTo(asker.email, 1);
    expect(mail, 'the answer e-mail arrived within 5 s').toBeDefined();
    expect(mail!.Subject).toBe(`New answer to “${title}”`);
    const full = (await (await fetch(`${mailpit}/api/v1/message/${mail!.ID}`)).json()) as { Text: string };
    const link = /(http:\/\/\S+#answer-\S+)/.exec(full.Text)?.[1];
    expect(link).toBeDefined();
    const rawAnswerId = Buffer.from(answerId, 'base64').toString('utf8').split(':')[1]!;
    expect(link).toContain(`#answer-${rawAnswerId}`);
    const linked = await askerContext.newPage();
    expect((await linked.goto(link!))?.status()).toBe(200);
    await linked.locator(`#answer-${rawAnswerId}`).waitFor();
    const headers = (await (await fetch(`${mailpit}/api/v1/message/${mail!.ID}/headers`)).json()) as Record<string, string[]>;
    expect(headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click']);
    const unsubscribeUrl = /^<(.+)>$/.exec(headers['List-Unsubscribe']![0]!)![1]!;
    const stranger = await newContext(browser, { javaScriptEnabled: false });
    const confirm = await stranger.newPage();
    expect((await confirm.goto(unsubscribeUrl))?.status()).toBe(200);
    await confirm.getByRole('button', { name: 'Unsubscribe' }).click();
    await confirm.getByTestId('unsubscribed').waitFor();
    await stranger.close();

    // a second answer: no e-mail preference any more, but the inbox has it — without JavaScript
    await postAnswer('Also check that the cache directory is writable, otherwise warm-up retries forever.', question.id);
    const plain = await newContext(browser, { javaScriptEnabled: false });
    await plain.addCookies(await askerContext.cookies());
    const inbox = await plain.newPage();
    await expect
      .poll(
        async () => {
          await inbox.goto('/inbox');
          return inbox.getByTestId('inbox-entries').textContent();
        },
        { timeout: 10_000 },
      )
      .toContain(`2 new answers on “${title}”`);
    await plain.close();
    const prefs = await graphql<{ notificationPreferences: { emailOnAnswer: boolean } }>(
      askerContext.request,
      '{ notificationPreferences { emailOnAnswer } }',
    );
    expect(prefs.notificationPreferences.emailOnAnswer).toBe(false);
  });
});
