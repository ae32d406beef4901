// Vendor support in the browser (issue 15, "Must show"), on the built stack with its injected
// clock (TEST_CLOCK, test/e2e/support/clock.ts). An admin sets up through the API: a product space
// with versions 3.2 and 4.0 and a 4-business-hour first-response SLA (09:00–17:00 every day, in a
// time zone where it is 10:xx now), the vendor Acme Corp with two engineers, the customer Acme Bank
// whose members join by email domain. Then, through the pages (JavaScript off: every form is a
// plain POST):
//   - Carol of Acme Bank asks; the clock advances 3.5 h → the question is "Breaching" at the top
//     of /support; the engineer sees suggested assignees with their expertise, self-assigns,
//     answers, verifies for 4.0; 5.0 is declared → the answer reads "verified for 4.0" and the
//     question is back in the queue as re-verify;
//   - Carol escalates another question: the case shows on the question and in the queue; the
//     engineer resolves it with the public answer and it leaves the queue;
//   - a listening watch for "data loss" made on /listening matches a new post within 5 s (the
//     worker) and not an older one; customers get 403 on /support and /listening;
//   - the support pages pass axe (JavaScript on).
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { severeViolations } from './support/axe.js';
import { advanceClock, resetClock } from './support/clock.js';
import { resetAuthLimits } from './support/limits.js';
import { seededMember, signedInContext, signUp, uniqueSuffix, type Member } from './support/members.js';
import { answerBy, collectPageErrors, graphql, textOf, waitForHydration } from './support/pages.js';

const HOUR = 3_600_000;
const suffix = uniqueSuffix();
const TAG = `acmedb-${suffix}`.slice(0, 30);
const BANK_DOMAIN = `acmebank-${suffix}.test`;

let browser: Browser;
let admin: BrowserContext;
let carol: BrowserContext;
let eng1: BrowserContext;
const contexts: BrowserContext[] = [];
/** questions this file asks: deleted at the end (some are stamped 3.5 h ahead of the real time) */
const asked: string[] = [];
let space: { id: string; slug: string };
let engineer1: Member;
let engineer2: Member;
let olderTitle = '';

const member = (role: string, email?: string): Member => {
  const s = uniqueSuffix();
  const handle = `${role}-${s}`.slice(0, 30);
  return {
    handle,
    displayName: `${role.charAt(0).toUpperCase()}${role.slice(1)} ${s}`,
    email: email ?? `${handle}@example.test`,
    password: 'correct horse battery staple',
  };
};

/** A mutation through `context`'s session; its payload must have no errors. */
async function must<T = Record<string, unknown>>(context: BrowserContext, field: string, query: string, input: Record<string, unknown>) {
  const data = await graphql<Record<string, T & { errors: Array<{ message: string }> }>>(context.request, query, { input });
  expect(data[field]!.errors, field).toEqual([]);
  return data[field]!;
}

const M = {
  createSpace: `mutation($input: CreateSpaceInput!) { createSpace(input: $input) { space { id slug } errors { message } } }`,
  createOrg: `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } errors { message } } }`,
  updateOrg: `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { id } errors { message } } }`,
  addMember: `mutation($input: AddOrganizationMemberInput!) { addOrganizationMember(input: $input) { organization { id } errors { message } } }`,
  addVersion: `mutation($input: AddProductVersionInput!) { addProductVersion(input: $input) { versions errors { message } } }`,
  policy: `mutation($input: UpdateSlaPolicyInput!) { updateSlaPolicy(input: $input) { policy { timeZone } errors { message } } }`,
  ask: `mutation($input: AskQuestionInput!) { askQuestion(input: $input) { question { id title url } errors { message } } }`,
  answer: `mutation($input: PostAnswerInput!) { postAnswer(input: $input) { answer { id } errors { message } } }`,
  accept: `mutation($input: AcceptAnswerInput!) { acceptAnswer(input: $input) { errors { message } } }`,
  deleteQuestion: `mutation($input: DeleteQuestionInput!) { deleteQuestion(input: $input) { errors { message } } }`,
};

/** An Etc/GMT zone where the local time is now 10:xx (so 4 business hours end at 14:xx the same day). */
function zoneWhereItIsTen(now = new Date()): string {
  let offset = 10 - now.getUTCHours();
  if (offset < -12) offset += 24;
  // Etc/GMT's sign is inverted: Etc/GMT-10 is UTC+10
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

async function ask(context: BrowserContext, title: string, body: string): Promise<{ id: string; title: string; url: string }> {
  const r = await must<{ question: { id: string; title: string; url: string } }>(context, 'askQuestion', M.ask, {
    spaceSlug: space.slug,
    title,
    body,
    tags: [TAG],
  });
  asked.push(r.question.id);
  return r.question;
}

/** Opens `path` in a fresh tab of `context`. */
async function open(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  return page;
}

/** Reloads `page` until `check` passes (the worker's handlers run after the write). */
async function untilShown(page: Page, check: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  await expect
    .poll(
      async () => {
        if (await check()) return true;
        await page.reload();
        return check();
      },
      { timeout, interval: 300 },
    )
    .toBe(true);
}

/** Submits a form (JavaScript off: a POST, a 303, a new document) and waits for the page it lands on. */
async function submit(page: Page, button: Locator): Promise<void> {
  await Promise.all([page.waitForEvent('load'), button.click()]);
}

const queueRows = (page: Page) => page.locator('table tbody tr');
/** The text of the queue's row `i` ('' when the queue has fewer rows). */
async function rowText(page: Page, i: number): Promise<string> {
  const rows = queueRows(page);
  return (await rows.count()) > i ? textOf(rows.nth(i)) : '';
}
const panel = (page: Page) => page.locator('#support');

beforeAll(async () => {
  await resetAuthLimits();
  await resetClock();
  browser = await launchBrowser();
  admin = (await signedInContext(browser, seededMember('admin'), { javaScriptEnabled: false })).context;
  contexts.push(admin);
  space = (
    await must<{ space: { id: string; slug: string } }>(admin, 'createSpace', M.createSpace, {
      slug: `acme-${suffix}`.slice(0, 30),
      name: `Acme DB ${suffix}`,
    })
  ).space;
  // an older post: long before the watch exists (never a match)
  olderTitle = `Older report of data loss on replicas ${suffix}`;
  await ask(admin, olderTitle, 'We once saw data loss on two replicas after a network partition. Is that expected?');

  const vendor = await must<{ organization: { id: string } }>(admin, 'createOrganization', M.createOrg, {
    slug: `acme-corp-${suffix}`.slice(0, 40),
    name: 'Acme Corp',
    kind: 'VENDOR',
  });
  const vendorId = vendor.organization.id;
  await must(admin, 'updateOrganization', M.updateOrg, { organizationId: vendorId, spaceIds: [space.id] });
  await must(admin, 'createOrganization', M.createOrg, {
    slug: `acme-bank-${suffix}`.slice(0, 40),
    name: 'Acme Bank',
    kind: 'CUSTOMER',
    domains: [BANK_DOMAIN],
  });
  for (const version of ['3.2', '4.0']) await must(admin, 'addProductVersion', M.addVersion, { spaceId: space.id, version });
  await must(admin, 'updateSlaPolicy', M.policy, {
    spaceId: space.id,
    timeZone: zoneWhereItIsTen(),
    workingDays: [1, 2, 3, 4, 5, 6, 7],
    startMinute: 9 * 60,
    endMinute: 17 * 60,
    warnBeforeMinutes: 60,
    targets: [{ tier: 'DEFAULT', firstResponseMinutes: 240, resolutionMinutes: 960 }],
  });

  // members: two engineers (STAFF once added to the vendor: they sign in again afterwards) and Carol
  engineer1 = member('eng');
  engineer2 = member('eng');
  for (const m of [engineer1, engineer2]) {
    const signup = await newContext(browser, { javaScriptEnabled: false });
    await signUp(await signup.newPage(), m);
    await signup.close();
    await must(admin, 'addOrganizationMember', M.addMember, { organizationId: vendorId, handle: m.handle });
  }
  const carolMember = member('carol');
  carolMember.email = `${carolMember.handle}@${BANK_DOMAIN}`;
  carol = await newContext(browser, { javaScriptEnabled: false });
  contexts.push(carol);
  await signUp(await carol.newPage(), carolMember);
  eng1 = (await signedInContext(browser, engineer1, { javaScriptEnabled: false })).context;
  const eng2 = (await signedInContext(browser, engineer2, { javaScriptEnabled: false })).context;
  contexts.push(eng1, eng2);

  // engineer 2's expertise in the tag: an accepted answer on an earlier community question
  const earlier = await ask(
    admin,
    `How do I size the buffer pools of Acme DB ${suffix}?`,
    'Which buffer pool sizes work for a 64 GB host?',
  );
  const answer = await must<{ answer: { id: string } }>(eng2, 'postAnswer', M.answer, {
    questionId: earlier.id,
    body: 'Give the buffer pools about 60% of the memory and leave the rest to the OS cache.',
  });
  await must(admin, 'acceptAnswer', M.accept, { answerId: answer.answer.id });
});

afterAll(async () => {
  await resetClock().catch(() => undefined);
  for (const id of asked) {
    await graphql(admin.request, M.deleteQuestion, { input: { questionId: id } }).catch(() => undefined);
  }
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
});

describe('vendor support in the browser', () => {
  let question: { id: string; title: string; url: string };
  let other: { id: string; title: string; url: string };

  it('breaching at the top of the queue → suggested → self-assigned → answered → verified for 4.0 → re-verify after 5.0', async () => {
    question = await ask(
      carol,
      `Replication stops after upgrading to 4.0 ${suffix}`,
      'Since the 4.0 upgrade the replica stops after an hour.',
    );
    const queue = await open(eng1, '/support');
    await untilShown(queue, async () => (await rowText(queue, 0)).includes(question.title));
    expect(await rowText(queue, 0)).toMatch(/On track · First response/);

    // 3.5 hours later: half an hour before the 4-business-hour deadline; another question arrives
    await advanceClock(3.5 * HOUR);
    other = await ask(carol, `Where are the replication logs of 4.0 ${suffix}?`, 'I cannot find the replication logs after the upgrade.');
    await untilShown(queue, async () => (await queueRows(queue).count()) >= 2);
    const top = await rowText(queue, 0);
    expect(top).toContain(question.title);
    expect(top).toContain('Acme Bank');
    expect(top).toMatch(/Breaching · First response/);
    expect(top).toMatch(/(?<!\d)(2\d|30) min left/);
    expect(await rowText(queue, 1)).toContain(other.title);

    // the question page: the customer's badge, the SLA, suggested assignees with their expertise
    const page = await open(eng1, question.url);
    expect(await textOf(page.locator('.signature.owner'))).toContain('Customer · Acme Bank');
    expect(await textOf(panel(page))).toMatch(/SLA: Breaching · first response/);
    expect(await textOf(panel(page))).toContain('Unassigned');
    const suggested = page.getByRole('list', { name: 'Suggested assignees' });
    await untilShown(
      page,
      async () => (await suggested.count()) > 0 && (await textOf(suggested.locator('li').first())).includes('1 accepted'),
    );
    const first = await textOf(suggested.locator('li').first());
    expect(first).toContain(engineer2.displayName);
    expect(first).toContain(`1 accepted · 1 answer in ${TAG}`);
    expect(await textOf(suggested)).toContain(engineer1.displayName);

    // self-assign
    await submit(page, page.getByRole('button', { name: 'Assign to me' }));
    expect(await textOf(panel(page))).toContain(`Assigned to ${engineer1.displayName}`);

    // answer (the first vendor response), then verify for 4.0
    await page
      .getByLabel('Answer (Markdown)', { exact: true })
      .fill('Raise the replication timeout to 120 s; 4.0 lowered its default to 30 s.');
    await submit(page, page.getByRole('button', { name: 'Post your answer' }));
    const mine = answerBy(page, engineer1.displayName);
    await mine.waitFor();
    expect(await textOf(mine)).toContain('Staff · Acme Corp');
    await mine.getByText('Verify for versions', { exact: true }).click();
    await mine.getByLabel('4.0').check();
    await submit(page, mine.getByRole('button', { name: 'Verify for selected versions' }));
    await untilShown(page, async () => (await textOf(answerBy(page, engineer1.displayName))).includes('Verified for 4.0'));
    await untilShown(queue, async () => !(await textOf(queue.locator('main'))).includes(question.title));

    // version 5.0 is declared: "verified for 4.0", and the question is back as re-verify
    await page.getByText('Product versions: 3.2, 4.0').click();
    await page.getByLabel('New version', { exact: true }).fill('5.0');
    await submit(page, page.getByRole('button', { name: 'Declare version' }));
    expect(await textOf(answerBy(page, engineer1.displayName))).toContain('verified for 4.0 (not yet verified for 5.0)');
    const reverify = await open(eng1, '/support?reverify=1');
    await untilShown(reverify, async () => (await textOf(reverify.locator('main'))).includes(question.title));
    const row = reverify.locator('tr', { hasText: question.title });
    expect(await textOf(row)).toContain('Re-verify (verified for 4.0)');
    expect(await textOf(row)).toContain('Re-verify');
  });

  it('escalation: the case shows on the question and in the queue; resolving it with the public answer closes the loop', async () => {
    const ref = `CASE-${suffix}`.slice(0, 40);
    const page = await open(carol, other.url);
    await page.getByText('Escalate to support', { exact: true }).click();
    await page.getByLabel('Why does this need the vendor’s support?').fill('The replica loses its logs on every restart since 4.0.');
    await page.getByLabel('Ticket reference (optional)').fill(ref);
    await submit(page, page.getByRole('button', { name: 'Escalate', exact: true }));
    expect(await textOf(panel(page))).toContain(`Escalated to support · case open (${ref})`);
    // a visitor sees the label, not the case
    const visitor = await newContext(browser, { javaScriptEnabled: false });
    contexts.push(visitor);
    const seen = await open(visitor, other.url);
    expect(await textOf(panel(seen))).toContain('Escalated to support');
    expect(await textOf(panel(seen))).not.toContain(ref);

    const queue = await open(eng1, '/support?escalated=1');
    const row = queue.locator('tr', { hasText: other.title });
    expect(await textOf(row)).toContain(`Escalated · case open (${ref})`);

    // the engineer answers in public and resolves the case with that answer
    const eng = await open(eng1, other.url);
    await eng
      .getByLabel('Answer (Markdown)', { exact: true })
      .fill('4.0 writes the replication logs under /var/lib/acme/replog; 4.0.1 keeps them.');
    await submit(eng, eng.getByRole('button', { name: 'Post your answer' }));
    await answerBy(eng, engineer1.displayName).waitFor();
    await eng.getByText('Update the support case').click();
    await eng.getByLabel('Status', { exact: true }).selectOption('RESOLVED');
    await eng.getByLabel('Public answer').selectOption({ label: 'Answer 1' });
    await submit(eng, eng.getByRole('button', { name: 'Update case' }));
    const text = await textOf(panel(eng));
    expect(text).toContain(`Support case resolved (${ref})`);
    expect(text).not.toContain('Escalated to support');
    const after = await open(eng1, '/support');
    expect(await textOf(after.locator('main'))).not.toContain(other.title);
  });

  it('listening: a "data loss" watch matches a new post within 5 s, not an older one; customers get 403', async () => {
    const page = await open(eng1, '/listening');
    await page.getByLabel('Name', { exact: true }).fill('Data loss');
    await page.getByLabel('Search query', { exact: true }).fill('"data loss"');
    await submit(page, page.getByRole('button', { name: 'Create watch' }));
    expect(await textOf(page.locator('.watches'))).toContain('Data loss');

    const fresh = await ask(carol, `Data loss after failover in 4.0 ${suffix}`, 'After a failover we had data loss on the new primary.');
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await textOf(page.locator('main'))).includes(fresh.title);
        },
        { timeout: 5_000, interval: 250 },
      )
      .toBe(true);
    const main = await textOf(page.locator('main'));
    expect(main).not.toContain(olderTitle);
    expect(await textOf(page.getByRole('region', { name: /^Data loss: 1 match$/ }))).toContain(fresh.title);
    await submit(page, page.getByRole('link', { name: 'By space' }));
    expect(await textOf(page.getByRole('region', { name: new RegExp(`^Acme DB ${suffix}: 1 match$`) }))).toContain(fresh.title);
    await submit(page, page.getByRole('link', { name: 'By day' }));
    expect(await page.getByRole('region', { name: /^\d{4}-\d{2}-\d{2}: 1 match$/ }).count()).toBe(1);

    await submit(page, page.getByRole('button', { name: 'Delete the watch Data loss' }));
    expect(await textOf(page.locator('main'))).toContain('No watches yet.');

    // customers never see the queue or the watches
    const probe = await carol.newPage();
    expect((await probe.goto('/listening'))?.status()).toBe(403);
    expect((await probe.goto('/support'))?.status()).toBe(403);
  });

  it('the support pages pass axe (JavaScript on)', async () => {
    const { context } = await signedInContext(browser, engineer1);
    contexts.push(context);
    for (const path of ['/support', '/listening', question.url]) {
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      expect((await page.goto(path))?.status()).toBe(200);
      await waitForHydration(page);
      expect((await severeViolations(page)).map((v) => `${path}: ${v}`)).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
