// E-mail through a real SMTP catcher (the test profile's Mailpit, read through its REST API):
// the answer e-mail with its link and one-click unsubscribe headers, unsubscribing without a
// session (the inbox still gets the next answer, the mailbox does not), and idempotent digests
// of followed tags.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAIL_QUEUE } from '../../server/src/modules/mail/mail.queue.js';
import { runDigests } from '../../server/src/modules/mail/mail.service.js';
import { startMailWorker } from '../../server/src/modules/mail/mail.worker.js';
import { ANSWER_BODY, accept, answer, ask, createSpace, member, rawOf, type Member } from '../factories/qa.js';
import { runRollupsUntilIdle } from '../../server/src/modules/post/post.rollups.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const mailpit = inject('mailpitUrl');
let h: Harness;
let mailWorker: { close(): Promise<void> };
let queue: Queue;
// handles unique to this run: Mailpit keeps the mail of earlier runs
const run = randomBytes(3).toString('hex');
const handle = (name: string) => `${name}${run}`;
let alice: Member;
let bob: Member;
let carol: Member;

beforeAll(async () => {
  h = await startHarness({ env: { SMTP_URL: inject('smtpUrl'), PUBLIC_URL: 'http://forum.test' } });
  mailWorker = startMailWorker(h.deps);
  queue = new Queue(MAIL_QUEUE, { connection: h.deps.redis, prefix: `${h.deps.config.redisPrefix}bull` });
  alice = await member(h, handle('al'));
  bob = await member(h, handle('bo'));
  carol = await member(h, handle('ca'));
  const admin = await member(h, handle('ad'), { role: 'ADMIN' });
  await createSpace(admin, 'widgets', 'Widgets');
});
afterAll(async () => {
  await mailWorker?.close();
  await queue?.close();
  await h?.close();
});

interface Summary {
  ID: string;
  Subject: string;
  To: Array<{ Address: string }>;
}
async function messagesTo(address: string): Promise<Summary[]> {
  const res = await fetch(`${mailpit}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`);
  expect(res.ok).toBe(true);
  return ((await res.json()) as { messages: Summary[] }).messages;
}
/** Waits (at most `ms`) for `count` messages to an address. */
async function waitForMessages(address: string, count: number, ms = 5000): Promise<Summary[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await messagesTo(address);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
}
/** Waits until the mail queue has nothing left to do. */
async function mailQueueDrained() {
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (Object.values(counts).every((n) => n === 0)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const email = (m: Member) => `${m.handle}@example.test`;

describe('notification e-mail', () => {
  it('mails the asker an answer with a link and a one-click unsubscribe that works without a session', async () => {
    const q = await ask(alice, { title: `How do I reset the frobnicator ${run}?` });
    const a = await answer(bob, q.id, ANSWER_BODY(1));
    const [msg] = await waitForMessages(email(alice), 1);
    expect(msg, 'the answer e-mail arrived within 5 s').toBeDefined();
    expect(msg!.Subject).toBe(`New answer to “How do I reset the frobnicator ${run}?”`);
    const full = (await (await fetch(`${mailpit}/api/v1/message/${msg!.ID}`)).json()) as { Text: string; HTML: string };
    const link = `http://forum.test/questions/${rawOf(q.id)}/-#answer-${rawOf(a.id)}`;
    expect(full.Text).toContain(link);
    expect(full.HTML).toContain(`href="${link}"`);
    const headers = (await (await fetch(`${mailpit}/api/v1/message/${msg!.ID}/headers`)).json()) as Record<string, string[]>;
    expect(headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click']);
    const unsubscribeUrl = /^<(.+)>$/.exec(headers['List-Unsubscribe']![0]!)![1]!;
    expect(unsubscribeUrl).toMatch(/^http:\/\/forum\.test\/unsubscribe\?token=[A-Za-z0-9_.-]+$/);
    const token = new URL(unsubscribeUrl).searchParams.get('token')!;

    // no session: the signed token is enough
    const anon = h.agent();
    const info = await anon.gql(`query($t: String!) { unsubscribeLink(token: $t) { kind handle } }`, { t: token });
    expect(info.data.unsubscribeLink).toEqual({ kind: 'ANSWER', handle: alice.handle });
    const done = await anon.must(`mutation($t: String!) { unsubscribe(input: { token: $t }) { link { kind handle } errors { code } } }`, {
      t: token,
    });
    expect(done.unsubscribe.link).toEqual({ kind: 'ANSWER', handle: alice.handle });
    const forged = await anon.gql(
      `mutation { unsubscribe(input: { token: "${token.slice(0, -2)}xx" }) { link { kind } errors { code } } }`,
    );
    expect(forged.data.unsubscribe.errors[0].code).toBe('VALIDATION');
    const prefs = await alice.gql(`{ notificationPreferences { emailOnAnswer emailOnMention digest } }`);
    expect(prefs.data.notificationPreferences).toEqual({ emailOnAnswer: false, emailOnMention: true, digest: 'NONE' });

    // the next answer: in the inbox, not in the mailbox
    await answer(carol, q.id, ANSWER_BODY(2));
    await mailQueueDrained();
    const inbox = await alice.gql(`{ notifications(first: 5) { nodes { kind count } } }`);
    expect(inbox.data.notifications.nodes).toEqual([{ kind: 'ANSWER', count: 2 }]);
    expect(await messagesTo(email(alice))).toHaveLength(1);
  });

  it('sends a digest of the new questions in followed tags once', async () => {
    const dave = await member(h, handle('da'));
    const t = (n: string) => `${n}-${run}`;
    await ask(alice, { tags: [t('alpha'), t('beta'), t('gamma')] });
    const tagId = (name: string) => Buffer.from(`Tag:${name}`).toString('base64');
    for (const name of [t('alpha'), t('beta')])
      await dave.must(`mutation($id: ID!) { follow(input: { subjectId: $id }) { following { tags { name } } errors { code } } }`, {
        id: tagId(name),
      });
    await dave.must(`mutation { updateNotificationPreferences(input: { digest: DAILY }) { preferences { digest } errors { code } } }`);
    h.clock.advance(60_000);
    const q1 = await ask(alice, { title: `Alpha question number one ${run}`, tags: [t('alpha')] });
    const q2 = await ask(bob, { title: `Beta question number two ${run}`, tags: [t('beta'), t('gamma')] });
    await ask(alice, { title: `Gamma question not followed ${run}`, tags: [t('gamma')] });
    await ask(dave, { title: `Dave asks this one himself ${run}`, tags: [t('alpha')] });
    h.clock.advance(24 * 3600_000);
    const first = await runDigests(h.deps, h.clock.now());
    expect(first.filter((d) => d.memberId === rawOf(dave.id))).toEqual([
      { memberId: rawOf(dave.id), questionIds: [rawOf(q1.id), rawOf(q2.id)], unansweredIds: [] },
    ]);
    const [digest] = await waitForMessages(email(dave), 1);
    expect(digest!.Subject).toBe('2 new questions you follow');
    // idempotent: again now, and a day later with nothing new
    expect((await runDigests(h.deps, h.clock.now())).filter((d) => d.memberId === rawOf(dave.id))).toEqual([]);
    h.clock.advance(24 * 3600_000);
    expect((await runDigests(h.deps, h.clock.now())).filter((d) => d.memberId === rawOf(dave.id))).toEqual([]);
    expect(await messagesTo(email(dave))).toHaveLength(1);
  });

  it("adds the questions still unanswered in a staff member's expertise to their digest, once", async () => {
    const t = (n: string) => `${n}-${run}`;
    const staff = await member(h, handle('st'), { role: 'STAFF' });
    const plain = await member(h, handle('pl'));
    // both have an accepted answer in [delta]; only staff get the expertise section
    for (const [who, n] of [
      [staff, 1],
      [plain, 2],
    ] as const) {
      const q = await ask(alice, { title: `Earlier delta question number ${n} ${run}`, tags: [t('delta')] });
      await accept(alice, (await answer(who, q.id, ANSWER_BODY(n))).id);
    }
    await runRollupsUntilIdle(h.deps);
    for (const who of [staff, plain])
      await who.must(`mutation { updateNotificationPreferences(input: { digest: DAILY }) { preferences { digest } errors { code } } }`);
    h.clock.advance(60_000);
    const open = await ask(bob, { title: `Unanswered delta question here ${run}`, tags: [t('delta')] });
    const answered = await ask(bob, { title: `Answered delta question here ${run}`, tags: [t('delta')] });
    await answer(carol, answered.id, ANSWER_BODY(3));
    await ask(bob, { title: `Epsilon is not their expertise ${run}`, tags: [t('epsilon')] });
    await ask(staff, { title: `Staff asks in delta themselves ${run}`, tags: [t('delta')] });
    h.clock.advance(24 * 3600_000);

    const mine = (all: Awaited<ReturnType<typeof runDigests>>) =>
      all.filter((d) => [rawOf(staff.id), rawOf(plain.id)].includes(d.memberId));
    expect(mine(await runDigests(h.deps, h.clock.now()))).toEqual([
      { memberId: rawOf(staff.id), questionIds: [], unansweredIds: [rawOf(open.id)] },
    ]);
    const [digest] = await waitForMessages(email(staff), 1);
    expect(digest!.Subject).toBe('1 unanswered in your expertise');
    const full = (await (await fetch(`${mailpit}/api/v1/message/${digest!.ID}`)).json()) as { Text: string };
    expect(full.Text).toContain(`Unanswered delta question here ${run}`);
    expect(full.Text).toContain(`http://forum.test/questions/${rawOf(open.id)}/-`);
    // idempotent, and nothing for the member who is not staff
    expect(mine(await runDigests(h.deps, h.clock.now()))).toEqual([]);
    expect(await messagesTo(email(plain))).toHaveLength(0);
  });
});
