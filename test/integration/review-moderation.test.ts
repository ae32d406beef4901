// Lock, protect and undelete (issue 13): a lock stops edits, votes and comments by anyone but
// moderators, with its reason, until it expires; a protected question takes answers only from
// members with 10 reputation; undeletion restores counters and every reputation change deletion
// reversed (through the ledger, verify clean), and a second deletion reverses them again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyConsistency } from '../../server/src/modules/maintenance/verify.service.js';
import {
  ANSWER_BODY,
  BODY,
  ERRORS,
  Q,
  accept,
  answer,
  ask,
  createSpace,
  member,
  payloadErrors,
  userReputation,
  vote,
  type Member,
} from '../factories/qa.js';
import { giveReputation } from '../factories/review.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const L = {
  lock: `mutation($input: LockPostInput!) { lockPost(input: $input) { post { id isLocked lockReason lockedUntil } ${ERRORS} } }`,
  protect: `mutation($input: ProtectQuestionInput!) { protectQuestion(input: $input) { question { id isProtected } ${ERRORS} } }`,
  undelete: `mutation($input: UndeleteQuestionInput!) { undeleteQuestion(input: $input) { question { id isDeleted answerCount } ${ERRORS} } }`,
  state: `query($id: ID!) { question(id: $id) { id isLocked lockReason viewerCanEdit viewerCanComment isProtected answerCount space { questionCount } } }`,
};

let alice: Member;
let bob: Member;
let carol: Member;
let mod: Member;

beforeEach(async () => {
  await h.reset();
  const admin = await member(h, 'admin', { role: 'ADMIN' });
  await createSpace(admin, 'widgets');
  alice = await member(h, 'alice');
  bob = await member(h, 'bob');
  carol = await member(h, 'carol');
  mod = await member(h, 'mod', { role: 'MODERATOR' });
  for (const m of [alice, bob, carol]) await giveReputation(h, m, 200);
});

describe('lock', () => {
  it('stops edits, votes and comments by anyone but moderators, shows the reason, and expires', async () => {
    const q = await ask(alice);
    const locked = await mod.must(L.lock, { input: { postId: q.id, reason: 'Edit war in progress', durationHours: 1 } });
    expect(locked.lockPost.post).toMatchObject({ isLocked: true, lockReason: 'Edit war in progress' });
    expect((await alice.gql(L.state, { id: q.id })).data.question).toMatchObject({ isLocked: true, viewerCanEdit: false });
    const edit = payloadErrors((await alice.gql(Q.updateQuestion, { input: { questionId: q.id, body: `${BODY()} more` } })).data)[0];
    expect(edit).toMatchObject({ code: 'FORBIDDEN', message: 'This question is locked: Edit war in progress.' });
    // moderators still edit
    await mod.must(Q.updateQuestion, { input: { questionId: q.id, body: `${BODY()} (moderator edit)` } });
    // the lock expires: read lazily against the clock
    h.clock.advance(2 * 3_600_000);
    expect((await alice.gql(L.state, { id: q.id })).data.question.isLocked).toBe(false);
    await alice.must(Q.updateQuestion, { input: { questionId: q.id, body: `${BODY()} (after the lock)` } });
  });

  it('an indefinite lock refuses comments and votes', async () => {
    const q = await ask(alice);
    await mod.must(L.lock, { input: { postId: q.id, reason: 'Historical significance' } });
    expect(
      payloadErrors((await bob.gql(Q.comment, { input: { subjectId: q.id, body: 'A comment on a locked post.' } })).data)[0]?.code,
    ).toBe('FORBIDDEN');
    expect(payloadErrors((await bob.gql(Q.vote, { input: { subjectId: q.id, direction: 'UP' } })).data)[0]?.code).toBe('FORBIDDEN');
    expect(payloadErrors((await bob.gql(Q.answer, { input: { questionId: q.id, body: ANSWER_BODY() } })).data)[0]).toMatchObject({
      code: 'FORBIDDEN',
      message: 'This question is locked.',
    });
  });
});

describe('protect', () => {
  it('only members with 10 reputation earned on the site answer a protected question', async () => {
    const q = await ask(alice);
    await mod.must(L.protect, { input: { questionId: q.id } });
    const fresh = await member(h, 'fresh');
    expect(payloadErrors((await fresh.gql(Q.answer, { input: { questionId: q.id, body: ANSWER_BODY() } })).data)[0]).toMatchObject({
      code: 'FORBIDDEN',
      message: 'This question is protected: you need 10 reputation earned on this site to answer it.',
    });
    await answer(bob, q.id);
    expect((await h.agent().gql(L.state, { id: q.id })).data.question).toMatchObject({ isProtected: true, answerCount: 1 });
  });
});

describe('undelete', () => {
  it('restores counters and reputation through the ledger; verify stays clean across delete → undelete → delete', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    await vote(carol, a.id, 'UP');
    await vote(carol, q.id, 'UP');
    await accept(alice, a.id);
    const before = { alice: await userReputation('alice'), bob: await userReputation('bob'), carol: await userReputation('carol') };
    const count = async () => (await h.agent().gql(`{ space(slug: "widgets") { questionCount } }`)).data.space.questionCount;
    expect(await count()).toBe(1);

    await mod.must(Q.deleteQuestion, { input: { questionId: q.id } });
    expect(await userReputation('bob')).toBeLessThan(before.bob);
    expect(await count()).toBe(0);
    expect((await verifyConsistency(h.deps)).drift).toBe(0);

    const restored = await mod.must(L.undelete, { input: { questionId: q.id } });
    expect(restored.undeleteQuestion.question).toMatchObject({ isDeleted: false, answerCount: 1 });
    expect({ alice: await userReputation('alice'), bob: await userReputation('bob'), carol: await userReputation('carol') }).toEqual(
      before,
    );
    expect(await count()).toBe(1);
    let result = await verifyConsistency(h.deps);
    expect(result.checks.filter((c) => c.drift > 0)).toEqual([]);

    // a vote change after undeletion settles from the restored state
    await vote(carol, a.id, 'NONE');
    await vote(carol, a.id, 'UP');
    expect(await userReputation('bob')).toBe(before.bob);

    // deleted again: reversed again with fresh keys
    await mod.must(Q.deleteQuestion, { input: { questionId: q.id } });
    expect(await userReputation('bob')).toBeLessThan(before.bob);
    result = await verifyConsistency(h.deps);
    expect(result.checks.filter((c) => c.drift > 0)).toEqual([]);
  });
});
