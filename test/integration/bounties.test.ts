// Bounties (issue 16, item 1) with the harness clock: every offer rule with its error code, the
// role matrix of offer and award, the award by the offerer (idempotent), the automatic half-award
// after the grace period and the expiry without an award (the worker's job, run twice), the
// ledger sums equal to reputation after each, and crashes between steps repaired by verify.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { importedId, importStackExchange } from '../../server/src/modules/import/se-import.service.js';
import { seObjectId } from '../../server/src/modules/import/se-mapping.js';
import { giveReputation, rawIdOf } from '../factories/review.js';
import { verifyConsistency } from '../../server/src/modules/maintenance/verify.service.js';
import { runBountyExpiry } from '../../server/src/modules/bounty/bounty.jobs.js';
import { awardKey } from '../../server/src/modules/bounty/bounty.service.js';
import { applyReputation } from '../../server/src/modules/reputation/reputation.service.js';
import {
  ERRORS,
  TITLE,
  answer,
  ask,
  createSpace,
  member,
  payloadErrors,
  snapshot,
  userReputation,
  vote,
  type Member,
} from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const B = {
  offer: `mutation($input: OfferBountyInput!) { offerBounty(input: $input) { bounty { id amount status startedAt endsAt graceEndsAt offeredBy { handle } } question { id } ${ERRORS} } }`,
  award: `mutation($input: AwardBountyInput!) { awardBounty(input: $input) { bounty { id status awardedAmount awardedAutomatically awardedAnswer { id } } ${ERRORS} } }`,
  question: `query($id: ID!) { question(id: $id) {
    id viewerCanOfferBounty viewerBountyAmounts viewerBountyRefusal
    bounty { id amount status startedAt endsAt graceEndsAt awardedAmount awardedAutomatically awardedAnswer { id } offeredBy { handle } }
    activeBounty { amount endsAt }
    bounties { amount status }
    answers(first: 20) { nodes { id viewerCanAwardBounty } }
  } }`,
  featured: `query { questions(first: 10, filter: { featured: true }) { totalCount nodes { id activeBounty { amount } } } }`,
  newest: `query { questions(first: 10) { nodes { id activeBounty { amount } } } }`,
  close: `mutation($input: CloseQuestionInput!) { closeQuestion(input: $input) { question { id isClosed } ${ERRORS} } }`,
};
const TABLES = ['bounties', 'question_bounties', 'reputation_events'];

let h: Harness;
beforeAll(async () => {
  // sessions outlive the weeks the tests move the clock by
  h = await startHarness({ env: { SESSION_TTL_DAYS: '365' } });
  // one community for the whole file (sign-ups are the slow part): each test uses its own
  // questions and checks reputation relative to where it starts
  await h.reset();
  const admin = await member(h, 'admin', { role: 'ADMIN' });
  await createSpace(admin, 'widgets');
  [alice, bob, carol, dave, low, poor, frank, voter1, voter2] = (await Promise.all(
    ['alice', 'bob', 'carol', 'dave', 'lowrep', 'poorer', 'frank', 'voter1', 'voter2'].map((n) => member(h, n)),
  )) as Member[] as [Member, Member, Member, Member, Member, Member, Member, Member, Member];
  mod = await member(h, 'mod', { role: 'MODERATOR' });
  await giveReputation(h, bob, 1000);
  await giveReputation(h, alice, 300);
  await giveReputation(h, mod, 300);
  await giveReputation(h, carol, 500);
  await giveReputation(h, poor, 99); // 100: 75 to offer, not enough to pay 100
}, 120_000);
afterAll(async () => {
  await h?.close();
});

let alice: Member; // asks
let bob: Member; // offers
let carol: Member;
let dave: Member;
let low: Member; // 1 reputation
let poor: Member; // 100 reputation
let frank: Member;
let voter1: Member;
let voter2: Member;
let mod: Member;

/** Settles every bounty earlier tests left running (their grace periods end), so counts start at 0. */
async function settleEarlierBounties() {
  h.clock.advance(9 * DAY);
  await runBountyExpiry(h.deps);
}
const questionIds = async (query: string) =>
  (await h.agent().gql(query)).data.questions.nodes as Array<{ id: string; activeBounty: { amount: number } | null }>;

const offer = (m: Member | ReturnType<Harness['agent']>, questionId: string, amount: number) =>
  m.gql(B.offer, { input: { questionId, amount } });
const award = (m: Member | ReturnType<Harness['agent']>, bountyId: string, answerId: string) =>
  m.gql(B.award, { input: { bountyId, answerId } });
const questionAs = async (m: Member | ReturnType<Harness['agent']>, id: string) => (await m.gql(B.question, { id })).data.question;

/** verify finds nothing to fix: every ledger sums to its member's reputation, every bounty has its steps */
async function expectConsistent() {
  const result = await verifyConsistency(h.deps);
  const drifted = result.checks.filter((c) => c.drift > 0).map((c) => `${c.check}: ${c.examples.join('; ')}`);
  expect(drifted).toEqual([]);
}

describe('offering a bounty', () => {
  it('enforces each rule with a clear error and writes nothing when refused', async () => {
    const bobStart = await userReputation('bob');
    const q = await ask(alice);
    const closed = await ask(alice, { title: TITLE(2) });
    await mod.must(B.close, { input: { questionId: closed.id, reason: 'OFF_TOPIC' } });
    const before = await snapshot(['bounties', 'question_bounties']);

    // too new: 2 days after it was asked
    let errors = payloadErrors((await offer(bob, q.id, 100)).data);
    expect(errors[0]).toMatchObject({ code: 'FORBIDDEN' });
    expect(errors[0]!.message).toMatch(/2 days after it was asked/);
    expect((await questionAs(bob, q.id)).viewerBountyRefusal).toMatch(/2 days/);
    h.clock.advance(2 * DAY);

    // amounts: 50, 100, …, 500 only
    for (const amount of [25, 75, 501, 1000]) {
      errors = payloadErrors((await offer(bob, q.id, amount)).data);
      expect(errors[0]).toMatchObject({ code: 'VALIDATION', field: 'amount' });
    }
    // only open questions
    errors = payloadErrors((await offer(bob, closed.id, 100)).data);
    expect(errors[0]).toMatchObject({ code: 'FORBIDDEN', message: 'Bounties can only be offered on open questions.' });
    // 75 reputation, and enough to pay
    errors = payloadErrors((await offer(low, q.id, 50)).data);
    expect(errors[0]!.code).toBe('FORBIDDEN');
    expect(errors[0]!.message).toMatch(/at least 75 reputation/);
    errors = payloadErrors((await offer(poor, q.id, 100)).data);
    expect(errors[0]!.code).toBe('FORBIDDEN');
    expect(errors[0]!.message).toMatch(/101 reputation to offer a bounty of 100/);
    expect((await questionAs(poor, q.id)).viewerBountyAmounts).toEqual([50]);
    // anonymous
    errors = payloadErrors((await offer(h.agent(), q.id, 100)).data);
    expect(errors[0]!.code).toBe('UNAUTHENTICATED');
    // nothing written by the refusals
    expect(await snapshot(['bounties', 'question_bounties'])).toBe(before);
    expect(await userReputation('bob')).toBe(bobStart);

    // bob offers 100: paid up front through the ledger
    const r = await bob.must(B.offer, { input: { questionId: q.id, amount: 100 } });
    const bounty = r.offerBounty.bounty;
    const now = h.clock.now().getTime();
    expect(bounty).toMatchObject({ amount: 100, status: 'ACTIVE', offeredBy: { handle: 'bob' } });
    expect(new Date(bounty.endsAt).getTime()).toBe(now + 7 * DAY);
    expect(new Date(bounty.graceEndsAt).getTime()).toBe(now + 8 * DAY);
    expect(await userReputation('bob')).toBe(bobStart - 100);
    const debit = await h.deps.repos.reputation.findById(`bounty:${rawIdOf(bounty.id)}:offer`);
    expect(debit).toMatchObject({ delta: -100, reason: 'BOUNTY_OFFERED' });

    // one active bounty per question
    errors = payloadErrors((await offer(carol, q.id, 100)).data);
    expect(errors[0]).toMatchObject({ code: 'CONFLICT', message: 'This question already has an active bounty.' });
    expect((await questionAs(carol, q.id)).viewerCanOfferBounty).toBe(false);

    // shown on the question, as "+100" on lists, and in the featured tab
    const anon = h.agent();
    expect(await questionAs(anon, q.id)).toMatchObject({
      viewerCanOfferBounty: false,
      bounty: { amount: 100, status: 'ACTIVE' },
      activeBounty: { amount: 100 },
    });
    const featured = (await anon.gql(B.featured)).data.questions;
    expect(featured.nodes[0]).toEqual({ id: q.id, activeBounty: { amount: 100 } }); // the newest bounty first
    const rows = await questionIds(B.newest);
    expect(rows.find((row) => row.id === q.id)?.activeBounty).toEqual({ amount: 100 });
    expect(rows.find((row) => row.id === closed.id)?.activeBounty).toBeNull();
    await expectConsistent();
  });

  it('role matrix: anonymous and low-reputation members are refused; the asker, other members and moderators with reputation may offer', async () => {
    const [aliceStart, modStart] = [await userReputation('alice'), await userReputation('mod')];
    const questions = await Promise.all([1, 2, 3, 4, 5].map((n) => ask(carol, { title: TITLE(10 + n) })));
    const own = await ask(alice, { title: TITLE(20) });
    h.clock.advance(3 * DAY);
    const cases: Array<[string, Member | ReturnType<Harness['agent']>, string, string | null]> = [
      ['anonymous', h.agent(), questions[0]!.id, 'UNAUTHENTICATED'],
      ['low reputation', low, questions[1]!.id, 'FORBIDDEN'],
      ['owner of the question', alice, own.id, null],
      ['other member', bob, questions[2]!.id, null],
      ['moderator', mod, questions[3]!.id, null],
    ];
    for (const [who, agent, questionId, code] of cases) {
      const errors = payloadErrors((await offer(agent, questionId, 50)).data);
      expect({ who, code: errors[0]?.code ?? null }).toEqual({ who, code });
    }
    expect(await userReputation('alice')).toBe(aliceStart - 50);
    expect(await userReputation('mod')).toBe(modStart - 50);
    await expectConsistent();
  });
});

describe('awarding', () => {
  it('only the offerer awards, never to their own answer; awarding twice moves reputation once', async () => {
    const bobStart = await userReputation('bob');
    const q = await ask(alice);
    h.clock.advance(2 * DAY);
    const bounty = (await bob.must(B.offer, { input: { questionId: q.id, amount: 50 } })).offerBounty.bounty;
    const carolsAnswer = await answer(carol, q.id);
    const bobsAnswer = await answer(bob, q.id);
    const carolBefore = await userReputation('carol');

    // hints: only the offerer, on others' answers
    const asBob = await questionAs(bob, q.id);
    const hint = (nodes: Array<{ id: string; viewerCanAwardBounty: boolean }>, id: string) =>
      nodes.find((n) => n.id === id)!.viewerCanAwardBounty;
    expect(hint(asBob.answers.nodes, carolsAnswer.id)).toBe(true);
    expect(hint(asBob.answers.nodes, bobsAnswer.id)).toBe(false);
    expect(hint((await questionAs(alice, q.id)).answers.nodes, carolsAnswer.id)).toBe(false);

    // role matrix of the award
    const before = await snapshot(TABLES);
    const cases: Array<[string, Member | ReturnType<Harness['agent']>, string, string]> = [
      ['anonymous', h.agent(), carolsAnswer.id, 'UNAUTHENTICATED'],
      ['low reputation', low, carolsAnswer.id, 'FORBIDDEN'],
      ['owner of the question', alice, carolsAnswer.id, 'FORBIDDEN'],
      ['moderator', mod, carolsAnswer.id, 'FORBIDDEN'],
      ['offerer, own answer', bob, bobsAnswer.id, 'FORBIDDEN'],
    ];
    for (const [who, agent, answerId, code] of cases) {
      const errors = payloadErrors((await award(agent, bounty.id, answerId)).data);
      expect({ who, code: errors[0]?.code ?? null }).toEqual({ who, code });
    }
    expect(await snapshot(TABLES)).toBe(before);

    // the offerer awards carol (by the question: its active bounty), during the bounty period
    h.clock.advance(3 * DAY);
    const r = await bob.must(B.award, { input: { questionId: q.id, answerId: carolsAnswer.id } });
    expect(r.awardBounty.bounty).toMatchObject({
      status: 'AWARDED',
      awardedAmount: 50,
      awardedAutomatically: false,
      awardedAnswer: { id: carolsAnswer.id },
    });
    expect(await userReputation('carol')).toBe(carolBefore + 50);
    // again (a re-submitted form): nothing more moves; another answer: refused
    await bob.must(B.award, { input: { bountyId: bounty.id, answerId: carolsAnswer.id } });
    expect(await userReputation('carol')).toBe(carolBefore + 50);
    const daveStart = await userReputation('dave');
    const other = await answer(dave, q.id);
    expect(payloadErrors((await award(bob, bounty.id, other.id)).data)[0]?.code).toBe('CONFLICT');
    expect(await userReputation('dave')).toBe(daveStart);

    // the question shows the awarded bounty; the featured tab no longer lists it
    expect(await questionAs(h.agent(), q.id)).toMatchObject({
      bounty: { status: 'AWARDED', awardedAnswer: { id: carolsAnswer.id } },
      activeBounty: null,
    });
    expect((await questionIds(B.featured)).map((n) => n.id)).not.toContain(q.id);
    // the awardee is told
    const inbox = await h.deps.repos.notifications.findWhere<{ kind: string }>({ recipientId: new Types.ObjectId(rawIdOf(carol.id)) });
    expect(inbox.map((n) => n.kind)).toContain('BOUNTY_AWARDED');

    // bob's next bounty on the question: at least double (100)
    expect((await questionAs(bob, q.id)).viewerBountyAmounts[0]).toBe(100);
    const errors = payloadErrors((await offer(bob, q.id, 50)).data);
    expect(errors[0]).toMatchObject({ code: 'VALIDATION', field: 'amount' });
    expect(errors[0]!.message).toMatch(/at least 100/);
    await bob.must(B.offer, { input: { questionId: q.id, amount: 100 } });
    expect(await userReputation('bob')).toBe(bobStart - 50 - 100);
    expect((await questionAs(h.agent(), q.id)).bounties).toEqual([
      { amount: 50, status: 'AWARDED' },
      { amount: 100, status: 'ACTIVE' },
    ]);
    await expectConsistent();
  });

  it('the offerer may still award during the grace period, not after it', async () => {
    const q = await ask(alice);
    h.clock.advance(2 * DAY);
    const bounty = (await bob.must(B.offer, { input: { questionId: q.id, amount: 50 } })).offerBounty.bounty;
    const a = await answer(carol, q.id);
    h.clock.advance(8 * DAY + 1);
    expect(payloadErrors((await award(bob, bounty.id, a.id)).data)[0]?.code).toBe('FORBIDDEN');
    h.clock.advance(-2);
    await bob.must(B.award, { input: { bountyId: bounty.id, answerId: a.id } });
    await expectConsistent();
  });
});

describe('after the grace period (the worker job, by the harness clock)', () => {
  it('gives half to the highest-scored answer (score ≥ 2) posted after the start, ties to the earliest; a second run moves nothing', async () => {
    await settleEarlierBounties();
    const voters = [voter1, voter2];
    const q = await ask(alice);
    const early = await answer(carol, q.id); // before the bounty: not eligible (it would win the tie)
    h.clock.advance(2 * DAY);
    await bob.must(B.offer, { input: { questionId: q.id, amount: 150 } });
    h.clock.advance(HOUR);
    const first = await answer(dave, q.id);
    h.clock.advance(HOUR);
    const second = await answer(frank, q.id);
    const own = await answer(bob, q.id); // the offerer's: not eligible
    for (const v of voters) for (const a of [early, first, second, own]) await vote(v, a.id, 'UP');
    const daveBefore = await userReputation('dave');
    const frankBefore = await userReputation('frank');

    // nothing before the grace period ends
    h.clock.advance(8 * DAY - 2 * HOUR - 1);
    expect(await runBountyExpiry(h.deps)).toEqual({ awarded: 0, expired: 0 });
    h.clock.advance(2);
    expect(await runBountyExpiry(h.deps)).toEqual({ awarded: 1, expired: 0 });
    expect(await userReputation('dave')).toBe(daveBefore + 75);
    expect(await userReputation('frank')).toBe(frankBefore);
    expect(await runBountyExpiry(h.deps)).toEqual({ awarded: 0, expired: 0 });
    expect(await userReputation('dave')).toBe(daveBefore + 75);
    const shown = await questionAs(h.agent(), q.id);
    expect(shown.bounty).toMatchObject({
      status: 'AWARDED',
      awardedAmount: 75,
      awardedAutomatically: true,
      awardedAnswer: { id: first.id },
    });
    expect(shown.activeBounty).toBeNull();

    await expectConsistent();
  });

  it('awards nothing when no answer qualifies', async () => {
    await settleEarlierBounties();
    const voters = [voter1, voter2];
    const q = await ask(alice);
    h.clock.advance(2 * DAY);
    await bob.must(B.offer, { input: { questionId: q.id, amount: 100 } });
    const weak = await answer(carol, q.id); // score 1
    const own = await answer(bob, q.id); // score 2, but the offerer's
    await vote(voters[0]!, weak.id, 'UP');
    for (const v of voters) await vote(v, own.id, 'UP');
    const before = await snapshot(['reputation_events']);
    h.clock.advance(8 * DAY + 1);
    expect(await runBountyExpiry(h.deps)).toEqual({ awarded: 0, expired: 1 });
    expect(await snapshot(['reputation_events'])).toBe(before);
    expect(await runBountyExpiry(h.deps)).toEqual({ awarded: 0, expired: 0 });
    const shown = await questionAs(bob, q.id);
    expect(shown.bounty).toMatchObject({ status: 'EXPIRED', awardedAmount: 0, awardedAnswer: null });
    // the question may get a new bounty (bob's: at least 200)
    expect(shown.viewerBountyAmounts[0]).toBe(200);
    expect((await h.agent().gql(B.featured)).data.questions.totalCount).toBe(0);
    await expectConsistent();
  });
});

describe('a crash between steps', () => {
  it('is detected and repaired by verify (missing debit, missing credit, credit without status, dangling slot)', async () => {
    await settleEarlierBounties();
    const bobStart = await userReputation('bob');
    const repos = h.deps.repos;
    const questions = await Promise.all([1, 2, 3, 4].map((n) => ask(alice, { title: TITLE(30 + n) })));
    h.clock.advance(2 * DAY);
    const qid = (i: number) => new Types.ObjectId(rawIdOf(questions[i]!.id));
    const now = h.clock.now();
    const bobId = new Types.ObjectId(rawIdOf(bob.id));

    // 1. offer: slot claimed and bounty inserted, then the crash (no debit, no featured entry)
    const b1 = new Types.ObjectId();
    await repos.bounties.questions.ensure(qid(0));
    await repos.bounties.questions.updateIf(
      qid(0),
      { activeId: null },
      { $set: { activeId: b1, latestId: b1 }, $push: { offers: { bountyId: b1, offeredBy: bobId, amount: 100, at: now } } },
    );
    await repos.bounties.bounties.insert({
      _id: b1,
      questionId: qid(0),
      offeredBy: bobId,
      amount: 100,
      startedAt: now,
      endsAt: new Date(now.getTime() + 7 * DAY),
      graceEndsAt: new Date(now.getTime() + 8 * DAY),
      status: 'ACTIVE',
    });

    // 2. award: marked AWARDED, then the crash (no credit, slot still held)
    const b2 = (await bob.must(B.offer, { input: { questionId: questions[1]!.id, amount: 50 } })).offerBounty.bounty;
    const a2 = await answer(carol, questions[1]!.id);
    await repos.bounties.bounties.update(new Types.ObjectId(rawIdOf(b2.id)), {
      $set: {
        status: 'AWARDED',
        awardedAnswerId: new Types.ObjectId(rawIdOf(a2.id)),
        awardedTo: new Types.ObjectId(rawIdOf(carol.id)),
        awardedAmount: 50,
        awardedAt: now,
        awardedBy: 'OFFERER',
      },
    });

    // 3. the reverse: the credit applied, the bounty still ACTIVE
    const b3 = (await bob.must(B.offer, { input: { questionId: questions[2]!.id, amount: 50 } })).offerBounty.bounty;
    const a3 = await answer(dave, questions[2]!.id);
    await applyReputation(repos, h.deps.services.reputationRules, {
      key: awardKey(rawIdOf(b3.id)),
      userId: rawIdOf(dave.id),
      nominal: 50,
      reason: 'BOUNTY_AWARDED',
      subjectId: rawIdOf(a3.id),
      subjectType: 'Answer',
      at: now,
    });

    // 4. a slot claimed for a bounty never written
    await repos.bounties.questions.ensure(qid(3));
    await repos.bounties.questions.update(qid(3), { $set: { activeId: new Types.ObjectId(), latestId: null } });

    const carolBefore = await userReputation('carol');
    const found = await verifyConsistency(h.deps);
    const check = (name: string) => found.checks.find((c) => c.check === name)!;
    expect(check('bounty ledger').drift).toBe(3);
    expect(check('bounty state').drift).toBeGreaterThanOrEqual(3);

    const repaired = await verifyConsistency(h.deps, { repair: true });
    expect(repaired.checks.find((c) => c.check === 'bounty ledger')).toMatchObject({ drift: 3, repaired: 3 });
    await expectConsistent();

    expect(await userReputation('bob')).toBe(bobStart - 100 - 50 - 50);
    expect(await userReputation('carol')).toBe(carolBefore + 50);
    await h.dropCaches();
    expect((await questionAs(h.agent(), questions[1]!.id)).activeBounty).toBeNull();
    expect((await questionAs(h.agent(), questions[2]!.id)).bounty).toMatchObject({
      status: 'AWARDED',
      awardedAmount: 50,
      awardedAnswer: { id: a3.id },
    });
    expect((await questionAs(h.agent(), questions[3]!.id)).bounty).toBeNull();
    // only the first question keeps an active bounty
    expect((await h.agent().gql(B.featured)).data.questions.nodes).toEqual([{ id: questions[0]!.id, activeBounty: { amount: 100 } }]);
  });
});

describe('import of Stack Exchange bounty votes', () => {
  it('turns BountyStart/BountyClose votes into awarded and expired bounties without moving reputation; a second run changes nothing', async () => {
    const site = 'bounties.stackexchange.com';
    const root = mkdtempSync(join(tmpdir(), 'colloquy-se-bounty-'));
    const dir = join(root, site);
    mkdirSync(dir);
    const header = '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n';
    const body = (n: number) => `&lt;p&gt;Body number ${n} of a post that is long enough to keep.&lt;/p&gt;`;
    try {
      writeFileSync(
        join(dir, 'Users.xml'),
        `${header}<users>\n  <row Id="1" Reputation="400" CreationDate="2020-01-01T00:00:00.000" DisplayName="Ada" />\n  <row Id="2" Reputation="151" CreationDate="2020-01-02T00:00:00.000" DisplayName="Bea" />\n</users>\n`,
      );
      const q = (id: number) =>
        `  <row Id="${id}" PostTypeId="1" CreationDate="2020-02-01T00:00:00.000" Score="1" Body="${body(id)}" OwnerUserId="1" Title="Question number ${id} about bounties in dumps" Tags="|xml|" AnswerCount="1" CommentCount="0" />\n`;
      const a = (id: number, parent: number) =>
        `  <row Id="${id}" PostTypeId="2" ParentId="${parent}" CreationDate="2020-02-05T00:00:00.000" Score="3" Body="${body(id)}" OwnerUserId="2" CommentCount="0" />\n`;
      writeFileSync(join(dir, 'Posts.xml'), `${header}<posts>\n${q(1)}${q(2)}${a(3, 1)}${a(4, 2)}</posts>\n`);
      writeFileSync(
        join(dir, 'Votes.xml'),
        `${header}<votes>\n` +
          `  <row Id="10" PostId="1" VoteTypeId="8" UserId="1" CreationDate="2020-02-04T00:00:00.000" BountyAmount="100" />\n` +
          `  <row Id="11" PostId="3" VoteTypeId="9" CreationDate="2020-02-10T00:00:00.000" BountyAmount="100" />\n` +
          `  <row Id="12" PostId="2" VoteTypeId="8" UserId="1" CreationDate="2020-02-04T00:00:00.000" BountyAmount="50" />\n` +
          `  <row Id="13" PostId="2" VoteTypeId="9" CreationDate="2020-02-12T00:00:00.000" />\n` +
          `  <row Id="14" PostId="4" VoteTypeId="2" CreationDate="2020-02-06T00:00:00.000" />\n` +
          `</votes>\n`,
      );
      const bountyEvents = async () =>
        (await h.deps.repos.reputation.count({ reason: 'BOUNTY_OFFERED' })) +
        (await h.deps.repos.reputation.count({ reason: 'BOUNTY_AWARDED' }));
      const eventsBefore = await bountyEvents();
      const summary = await importStackExchange(h.deps, dir, { space: 'bounty-site', log: () => undefined, search: false });
      const votes = summary.steps.find((s) => s.step === 'Votes')!;
      expect(Object.keys(votes.skippedBy).filter((r) => /bounty/i.test(r))).toEqual([]);
      const step = summary.steps.find((s) => s.step === 'Bounties')!;
      expect(step).toMatchObject({ rows: 4, skipped: 0, errors: 0 });

      const awarded = await h.deps.repos.bounties.bounties.findById(seObjectId(site, 'bounty', 10));
      expect(awarded).toMatchObject({
        status: 'AWARDED',
        amount: 100,
        awardedAmount: 100,
        awardedBy: 'OFFERER',
        imported: true,
      });
      expect(awarded!.awardedAnswerId!.equals(importedId(site, 'post', 3))).toBe(true);
      expect(awarded!.awardedTo!.equals(importedId(site, 'user', 2))).toBe(true);
      expect(await h.deps.repos.bounties.bounties.findById(seObjectId(site, 'bounty', 12))).toMatchObject({
        status: 'EXPIRED',
        awardedAmount: 0,
      });
      // no reputation moved: the opening balances already hold the bounties
      expect(await bountyEvents()).toBe(eventsBefore);
      expect((await h.deps.repos.users.findById(importedId(site, 'user', 1)))?.reputation).toBe(400);
      // shown on the question; verify finds the imported bounties consistent
      const shown = await questionAs(h.agent(), importedId(site, 'post', 1).toHexString());
      expect(shown.bounty).toMatchObject({
        amount: 100,
        status: 'AWARDED',
        awardedAnswer: { id: Buffer.from(`Answer:${importedId(site, 'post', 3).toHexString()}`).toString('base64') },
      });
      await expectConsistent();

      const again = await importStackExchange(h.deps, dir, { space: 'bounty-site', log: () => undefined, search: false, force: true });
      expect(again.steps.find((s) => s.step === 'Bounties')).toMatchObject({ errors: 0, existing: 4 });
      expect(await h.deps.repos.bounties.bounties.count({ imported: true })).toBe(2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
