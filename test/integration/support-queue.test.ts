// Vendor support through the API: a customer of Acme Bank asks in a space with a 4-business-hour
// SLA; the clock advances and the question is "breaching" at the top of the engineer queue; an
// engineer sees suggested assignees with their expertise, self-assigns, answers and verifies for
// 4.0; version 5.0 is declared and the answer reads "verified for 4.0", back in the queue as
// re-verify. Escalation to a support case and its resolution; the authorization matrix.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runRollupsUntilIdle } from '../../server/src/modules/post/post.rollups.js';
import { supportTick } from '../../server/src/modules/support/support.tick.js';
import { accept, answer, ask, member, payloadErrors } from '../factories/qa.js';
import { recordActivity, S, supportWorld, type SupportWorld } from '../factories/support.js';
import { startHarness, type Agent, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

let w: SupportWorld;
beforeEach(async () => {
  await h.reset();
  w = await supportWorld(h);
  const [eng1] = w.engineers;
  await eng1.must(S.addVersion, { input: { spaceId: w.space.id, version: '3.2' } });
  await eng1.must(S.addVersion, { input: { spaceId: w.space.id, version: '4.0' } });
  await eng1.must(S.policy, {
    input: {
      spaceId: w.space.id,
      timeZone: 'UTC',
      workingDays: [1, 2, 3, 4, 5],
      startMinute: 540,
      endMinute: 1020,
      warnBeforeMinutes: 60,
      targets: [{ tier: 'DEFAULT', firstResponseMinutes: 240, resolutionMinutes: 960 }],
    },
  });
});

const HOUR = 3_600_000;
const queue = (agent: Agent, filter: Record<string, unknown> = {}) =>
  agent.gql<{ supportQueue: { totalCount: number; nodes: Array<Record<string, any>> } }>(S.queue, { filter });

describe('the engineer queue', () => {
  it('breaching → suggested → self-assigned → answered → verified for 4.0 → re-verify after 5.0', async () => {
    const [eng1, eng2] = w.engineers;
    const events = recordActivity(h);
    // eng2's expertise in [db2]: an accepted answer on an earlier community question
    const earlier = await ask(w.mia, { spaceSlug: 'db', tags: ['db2'], title: 'How do I tune the db2 buffer pool sizes?' });
    const eng2Answer = await answer(eng2, earlier.id);
    await accept(w.mia, eng2Answer.id);
    await runRollupsUntilIdle(h.deps);
    expect((await queue(eng1)).data.supportQueue.totalCount).toBe(0); // a non-customer question has no SLA

    // Monday 10:00: Carol (Acme Bank, joined by her email domain) asks
    const q = await ask(w.carol, { spaceSlug: 'db', tags: ['db2'], title: 'Replication stops after upgrading to 4.0, why?' });
    h.clock.advance(HOUR);
    const later = await ask(w.carol, { spaceSlug: 'db', tags: ['db2'], title: 'Where are the replication logs stored on 4.0?' });
    let r = await queue(eng1);
    expect(r.errors).toBeUndefined();
    expect(r.data.supportQueue.nodes.map((n) => n.question.id)).toEqual([q.id, later.id]);
    expect(r.data.supportQueue.nodes[0]).toMatchObject({
      slaState: 'ON_TRACK',
      phase: 'FIRST_RESPONSE',
      minutesLeft: 180,
      customer: { name: 'Acme Bank' },
      verifiedVersions: [],
    });

    // 13:30: half an hour before the 4-business-hour deadline
    h.clock.advance(2.5 * HOUR);
    r = await queue(eng1);
    expect(r.data.supportQueue.nodes[0]).toMatchObject({ question: { id: q.id }, slaState: 'BREACHING', minutesLeft: 30 });
    expect(await supportTick(h.deps)).toEqual({ warned: 1, breached: 0 });
    expect(await supportTick(h.deps)).toEqual({ warned: 0, breached: 0 }); // once per deadline
    expect(events.filter((e) => e.type === 'support.breaching').map((e) => e.questionId)).toEqual([oidOf(q.id)]);

    // suggested assignees: eng2 answers (and was accepted) in [db2]
    const s = await eng1.gql<{ suggestedAssignees: Array<Record<string, any>> }>(S.suggested, { id: q.id });
    expect(s.errors).toBeUndefined();
    expect(s.data.suggestedAssignees[0]).toMatchObject({ user: { handle: 'eng2' }, acceptedAnswers: 1, answers: 1, tags: ['db2'] });
    expect(s.data.suggestedAssignees.map((x) => x.user.handle)).toContain('eng1');

    // eng1 self-assigns
    await eng1.must(S.assign, { input: { questionId: q.id } });
    r = await queue(eng1, { mine: true });
    expect(r.data.supportQueue.nodes.map((n) => n.question.id)).toEqual([q.id]);
    expect(r.data.supportQueue.nodes[0]!.assignee).toEqual({ handle: 'eng1' });
    expect((await queue(eng1, { unassigned: true })).data.supportQueue.nodes.map((n) => n.question.id)).toEqual([later.id]);

    // answers (first vendor response), then verifies for 4.0
    const a = await answer(eng1, q.id);
    r = await queue(eng1);
    expect(r.data.supportQueue.nodes.find((n) => n.question.id === q.id)).toMatchObject({ phase: 'RESOLUTION', slaState: 'ON_TRACK' });
    const bad = await eng1.gql(S.verify, { input: { answerId: a.id, versions: ['9.9'] } });
    expect(payloadErrors(bad.data)[0]).toMatchObject({ code: 'VALIDATION' });
    await eng1.must(S.verify, { input: { answerId: a.id, versions: ['4.0'] } });
    r = await queue(eng1);
    expect(r.data.supportQueue.nodes.map((n) => n.question.id)).toEqual([later.id]);
    let page = await w.mia.gql<{ question: Record<string, any> }>(S.question, { id: q.id });
    expect(page.data.question.verifiedVersionsLabel).toBe('Verified for 4.0');
    expect(page.data.question.support).toBeNull(); // SLA details are for the vendor's engineers
    expect(page.data.question.author.orgBadge).toBe('Customer · Acme Bank');
    expect(page.data.question.answers.nodes[0]).toMatchObject({
      verificationLabel: 'Verified for 4.0',
      verificationOutdated: false,
      author: { orgBadge: 'Staff · Acme Corp' },
    });

    // 5.0 is declared: the answer is verified for 4.0 only; the question is back as re-verify
    await eng2.must(S.addVersion, { input: { spaceId: w.space.id, version: '5.0' } });
    page = await w.mia.gql(S.question, { id: q.id });
    expect(page.data.question.answers.nodes[0]).toMatchObject({
      verifiedVersions: ['4.0'],
      verificationLabel: 'verified for 4.0',
      verificationOutdated: true,
    });
    r = await queue(eng1, { reverify: true });
    expect(r.data.supportQueue.nodes.map((n) => n.question.id)).toEqual([q.id]);
    expect(r.data.supportQueue.nodes[0]).toMatchObject({ phase: 'REVERIFY', reverify: true });

    // verified for 4.0–5.0: done
    await eng1.must(S.verify, { input: { answerId: a.id, versions: ['4.0', '5.0'] } });
    expect((await queue(eng1, { reverify: true })).data.supportQueue.totalCount).toBe(0);
    page = await w.mia.gql(S.question, { id: q.id });
    expect(page.data.question.verifiedVersionsLabel).toBe('Verified for 4.0–5.0');
  });

  it('past the deadline: breached, warned once; releasing and reassigning', async () => {
    const [eng1, eng2] = w.engineers;
    const events = recordActivity(h);
    const q = await ask(w.carol, { spaceSlug: 'db', tags: ['db2'] });
    // Monday 10:00 + 4 business hours = 14:00; Tuesday 09:00 is well past it
    h.clock.set('2026-01-06T09:00:00Z');
    expect((await queue(eng1, { breached: true })).data.supportQueue.nodes[0]).toMatchObject({
      slaState: 'BREACHED',
      minutesLeft: -19 * 60,
    });
    expect(await supportTick(h.deps)).toEqual({ warned: 0, breached: 1 });
    expect(events.filter((e) => e.type === 'support.breached')).toHaveLength(1);
    await eng1.must(S.assign, { input: { questionId: q.id, assigneeId: w.engineers[1].id } });
    expect((await queue(eng2, { mine: true })).data.supportQueue.totalCount).toBe(1);
    const notVendor = await eng1.gql(S.assign, { input: { questionId: q.id, assigneeId: w.dave.id } });
    expect(payloadErrors(notVendor.data)[0]).toMatchObject({ code: 'VALIDATION' });
    await eng2.must(S.unassign, { input: { questionId: q.id } });
    expect((await queue(eng1, { unassigned: true })).data.supportQueue.totalCount).toBe(1);
  });
});

describe('escalation', () => {
  it('emits support.escalated, shows on the question and in the queue; a public answer closes the loop', async () => {
    const [eng1] = w.engineers;
    const events = recordActivity(h);
    const q = await ask(w.carol, { spaceSlug: 'db', tags: ['db2'] });
    const short = await w.carol.gql(S.escalate, { input: { questionId: q.id, reason: 'bad' } });
    expect(payloadErrors(short.data)[0]).toMatchObject({ code: 'VALIDATION' });
    const foreign = await w.dave.gql(S.escalate, { input: { questionId: q.id, reason: 'We lose data after the upgrade' } });
    expect(payloadErrors(foreign.data)[0]).toMatchObject({ code: 'FORBIDDEN' });
    const esc = await w.carol.must<{ escalateQuestion: { supportCase: { id: string; status: string } } }>(S.escalate, {
      input: { questionId: q.id, reason: 'We lose data after the upgrade', externalRef: 'CASE-1234' },
    });
    const caseId = esc.escalateQuestion.supportCase.id;
    expect(esc.escalateQuestion.supportCase.status).toBe('OPEN');
    const escalated = events.filter((e) => e.type === 'support.escalated');
    expect(escalated).toHaveLength(1);
    expect(escalated[0]).toMatchObject({
      questionId: oidOf(q.id),
      data: { reason: 'We lose data after the upgrade', externalRef: 'CASE-1234' },
    });
    // the question shows it; the case itself only to the asker and the engineers
    for (const [agent, sees] of [
      [w.carol, true],
      [eng1, true],
      [w.dave, false],
      [w.mia, false],
      [h.agent(), false],
    ] as const) {
      const page = await agent.gql<{ question: Record<string, any> }>(S.question, { id: q.id });
      expect(page.data.question.escalatedToSupport).toBe(true);
      expect(page.data.question.supportCase?.id ?? null).toBe(sees ? caseId : null);
    }
    let r = await queue(eng1, { escalated: true });
    expect(r.data.supportQueue.nodes[0]).toMatchObject({ escalated: true, supportCase: { id: caseId, status: 'OPEN' } });

    // resolving needs the public answer (or a link)
    const noAnswer = await eng1.gql(S.updateCase, { input: { caseId, status: 'RESOLVED' } });
    expect(payloadErrors(noAnswer.data)[0]).toMatchObject({ code: 'VALIDATION' });
    const byCustomer = await w.carol.gql(S.updateCase, { input: { caseId, status: 'IN_PROGRESS' } });
    expect(payloadErrors(byCustomer.data)[0]).toMatchObject({ code: 'FORBIDDEN' });
    const a = await answer(eng1, q.id);
    await eng1.must(S.updateCase, { input: { caseId, status: 'RESOLVED', resolutionAnswerId: a.id } });
    expect(events.filter((e) => e.type === 'support.resolved')).toHaveLength(1);
    r = await queue(eng1);
    expect(r.data.supportQueue.totalCount).toBe(0);
    const page = await w.carol.gql<{ question: Record<string, any> }>(S.question, { id: q.id });
    expect(page.data.question).toMatchObject({ escalatedToSupport: false, supportCase: { id: caseId, status: 'RESOLVED' } });
  });
});

describe('authorization', () => {
  it('customers never see the queue, policies or suggestions; engineers only their vendor’s spaces', async () => {
    const [eng1] = w.engineers;
    const q = await ask(w.carol, { spaceSlug: 'db', tags: ['db2'] });
    // another vendor with its own space and engineer
    const space2 = await w.admin.must<{ createSpace: { space: { id: string } } }>(
      `mutation { createSpace(input: { slug: "mq", name: "Other MQ" }) { space { id } errors { code } } }`,
    );
    const v2 = await w.admin.must<{ createOrganization: { organization: { id: string } } }>(S.createOrg, {
      input: { slug: 'other-vendor', name: 'Other Vendor', kind: 'VENDOR' },
    });
    await w.admin.must(S.updateOrg, {
      input: { organizationId: v2.createOrganization.organization.id, spaceIds: [space2.createSpace.space.id] },
    });
    const otherEng = await member(h, 'oeng', { role: 'STAFF', affiliation: 'Other Vendor' });
    await w.admin.must(S.addMember, { input: { organizationId: v2.createOrganization.organization.id, handle: 'oeng' } });
    const plainStaff = await member(h, 'freelancer', { role: 'STAFF', affiliation: 'Nobody' });

    const code = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code ?? 'OK';
    const cases: Array<[string, Agent, string, string, string]> = [
      // viewer, queue, slaPolicy, suggestedAssignees
      ['anonymous', h.agent(), 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED'],
      ['customer (asker)', w.carol, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
      ['customer (other org)', w.dave, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
      ['member', w.mia, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
      ['staff of no vendor', plainStaff, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
      ['engineer of another vendor', otherEng, 'OK', 'FORBIDDEN', 'FORBIDDEN'],
      ['engineer of the vendor', eng1, 'OK', 'OK', 'OK'],
      ['site admin', w.admin, 'OK', 'OK', 'OK'],
    ];
    for (const [who, agent, queueCode, policyCode, suggestCode] of cases) {
      expect(code(await queue(agent)), `${who}: queue`).toBe(queueCode);
      expect(code(await agent.gql(`query($id: ID!) { slaPolicy(spaceId: $id) { timeZone } }`, { id: w.space.id })), `${who}: policy`).toBe(
        policyCode,
      );
      expect(code(await agent.gql(S.suggested, { id: q.id })), `${who}: suggested`).toBe(suggestCode);
    }
    // the other vendor's engineer: an empty queue, and this space is not theirs
    expect((await queue(otherEng)).data.supportQueue.totalCount).toBe(0);
    expect(code(await queue(otherEng, { spaceId: w.space.id }))).toBe('FORBIDDEN');
    expect((await queue(eng1)).data.supportQueue.totalCount).toBe(1);
    // mutations
    for (const agent of [w.carol, w.mia, otherEng, plainStaff]) {
      expect(payloadErrors((await agent.gql(S.assign, { input: { questionId: q.id } })).data)[0]?.code).toBe('FORBIDDEN');
      expect(payloadErrors((await agent.gql(S.addVersion, { input: { spaceId: w.space.id, version: '9.0' } })).data)[0]?.code).toBe(
        'FORBIDDEN',
      );
    }
    // organisations' private data: members and domains to their own members and admins only
    const org = `query { organization(slug: "acme-bank") { name domains members { handle } } }`;
    expect((await w.carol.gql(org)).data.organization).toEqual({
      name: 'Acme Bank',
      domains: ['acmebank.example'],
      members: [{ handle: 'carol' }],
    });
    expect((await w.dave.gql(org)).data.organization).toEqual({ name: 'Acme Bank', domains: [], members: [] });
    expect((await eng1.gql(org)).data.organization).toEqual({ name: 'Acme Bank', domains: [], members: [] });
  });
});

describe('the question’s support fields per viewer', () => {
  it('labels for everyone; the SLA, the case and its forms only for the asker and the vendor’s engineers', async () => {
    const [eng1] = w.engineers;
    const q = await ask(w.carol, { spaceSlug: 'db', tags: ['db2'] });
    // an engineer of another vendor, and a STAFF member of no vendor
    const space2 = await w.admin.must<{ createSpace: { space: { id: string } } }>(
      `mutation { createSpace(input: { slug: "mq", name: "Other MQ" }) { space { id } errors { code } } }`,
    );
    const v2 = await w.admin.must<{ createOrganization: { organization: { id: string } } }>(S.createOrg, {
      input: { slug: 'other-vendor', name: 'Other Vendor', kind: 'VENDOR' },
    });
    const v2Id = v2.createOrganization.organization.id;
    await w.admin.must(S.updateOrg, { input: { organizationId: v2Id, spaceIds: [space2.createSpace.space.id] } });
    const otherEng = await member(h, 'oeng', { role: 'STAFF' });
    await w.admin.must(S.addMember, { input: { organizationId: v2Id, handle: 'oeng' } });
    const plainStaff = await member(h, 'freelancer', { role: 'STAFF' });

    const F = `query($id: ID!) { question(id: $id) { viewerCanEscalate viewerWorksSupport escalatedToSupport supportCase { id status } support { slaState assignee { handle } } author { orgBadge } } }`;
    const fields = async (agent: Agent) => (await agent.gql<{ question: Record<string, any> }>(F, { id: q.id })).data.question;
    // viewer, may escalate, works the space (SLA shown)
    const before: Array<[string, Agent, boolean, boolean]> = [
      ['anonymous', h.agent(), false, false],
      ['the asker', w.carol, true, false],
      ['another customer', w.dave, false, false],
      ['a member', w.mia, false, false],
      ['staff of no vendor', plainStaff, false, false],
      ['engineer of another vendor', otherEng, false, false],
      ['engineer of the vendor', eng1, true, true],
      ['site admin', w.admin, true, true],
    ];
    for (const [who, agent, escalates, works] of before) {
      const f = await fields(agent);
      expect({ who, escalates: f.viewerCanEscalate, works: f.viewerWorksSupport, sla: f.support !== null }).toEqual({
        who,
        escalates,
        works,
        sla: works,
      });
      expect(f.author.orgBadge, who).toBe('Customer · Acme Bank');
      expect(f.escalatedToSupport, who).toBe(false);
    }

    const esc = await w.carol.must<{ escalateQuestion: { supportCase: { id: string } } }>(S.escalate, {
      input: { questionId: q.id, reason: 'We lose data after the upgrade', externalRef: 'CASE-9' },
    });
    const caseId = esc.escalateQuestion.supportCase.id;
    const C = `query($id: ID!) { supportCase(id: $id) { id reason externalRef } }`;
    for (const [who, agent, , works] of before) {
      const f = await fields(agent);
      const sees = works || who === 'the asker';
      expect({ who, escalated: f.escalatedToSupport, escalates: f.viewerCanEscalate, caseSeen: f.supportCase?.id ?? null }).toEqual({
        who,
        escalated: true,
        escalates: false, // a case is open
        caseSeen: sees ? caseId : null,
      });
      const direct = await agent.gql<{ supportCase: { id: string } | null }>(C, { id: caseId });
      expect(direct.data.supportCase?.id ?? null, `${who}: supportCase(id)`).toBe(sees ? caseId : null);
    }
    // only the vendor's engineers update the case
    for (const agent of [w.carol, w.dave, otherEng, plainStaff]) {
      const r = await agent.gql(S.updateCase, { input: { caseId, status: 'IN_PROGRESS' } });
      expect(payloadErrors(r.data)[0]?.code).toBe('FORBIDDEN');
    }
    const unchanged = await eng1.gql<{ supportCase: { status: string } }>(`query($id: ID!) { supportCase(id: $id) { status } }`, {
      id: caseId,
    });
    expect(unchanged.data.supportCase.status).toBe('OPEN');
  });
});

const oidOf = (globalId: string) => {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
};
