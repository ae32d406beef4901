// Review queues and suggested edits (issue 13): a 100-reputation member's suggested edit stays
// invisible until two reviewers approve it, then lands as a revision credited to them with the
// approvers recorded (+2 reputation); rejected edits never change the post; a reviewer sees a task
// once; a first post opens a FIRST_POSTS task; queue counts follow and verify finds them clean.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyConsistency } from '../../server/src/modules/maintenance/verify.service.js';
import { BODY, ERRORS, Q, ask, createSpace, member, payloadErrors, snapshot, userReputation, type Member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { giveReputation } from '../factories/review.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const R = {
  suggest: `mutation($input: SuggestEditInput!) { suggestEdit(input: $input) { suggestedEdit { id status body author { handle } } ${ERRORS} } }`,
  queues: `{ reviewQueues { queue count } }`,
  task: `query($queue: ReviewQueue!) { reviewTask(queue: $queue) { id queue status outcomes post { id } suggestedEdit { body summary author { handle } } reviews { outcome reviewer { handle } } } }`,
  submit: `mutation($input: SubmitReviewInput!) { submitReview(input: $input) { task { id status outcome reviews { outcome } } ${ERRORS} } }`,
  question: `query($id: ID!) { question(id: $id) { id body revisions(first: 10) { nodes { number body author { handle } approvedBy { handle } editSummary } } } }`,
};

let alice: Member;
let bob: Member;
let r1: Member;
let r2: Member;

beforeEach(async () => {
  await h.reset();
  const admin = await member(h, 'admin', { role: 'ADMIN' });
  await createSpace(admin, 'widgets');
  alice = await member(h, 'alice');
  bob = await member(h, 'bob');
  await giveReputation(h, bob, 99); // 100 with the opening point
  r1 = await member(h, 'reviewer1');
  r2 = await member(h, 'reviewer2');
  for (const r of [r1, r2]) await giveReputation(h, r, 2000);
});

const counts = async (m: Member) =>
  Object.fromEntries(((await m.gql(R.queues)).data.reviewQueues as Array<{ queue: string; count: number }>).map((q) => [q.queue, q.count]));

describe('suggested edits', () => {
  it('stay invisible until two reviewers approve; the revision credits the suggester and records the approvers', async () => {
    const q = await ask(alice);
    const newBody = `${BODY()} Edited: fixed the configuration snippet.`;
    // a direct edit by a member under 2,000 points to suggestEdit
    const direct = payloadErrors((await bob.gql(Q.updateQuestion, { input: { questionId: q.id, body: newBody } })).data)[0];
    expect(direct).toMatchObject({ code: 'FORBIDDEN' });
    expect(direct?.message).toContain('You need 2,000 reputation to edit without review');
    expect(direct?.message).toContain('suggestEdit');

    const suggested = await bob.must(R.suggest, { input: { postId: q.id, body: newBody, summary: 'fix the snippet' } });
    expect(suggested.suggestEdit.suggestedEdit).toMatchObject({ status: 'PENDING', body: newBody, author: { handle: 'bob' } });
    expect((await h.agent().gql(R.question, { id: q.id })).data.question.body).toBe(BODY());
    expect((await counts(r1)).SUGGESTED_EDITS).toBe(1);
    // bob (100) sees no suggested-edits queue; reviewers do
    expect(await counts(bob)).toEqual({});

    const task = (await r1.gql(R.task, { queue: 'SUGGESTED_EDITS' })).data.reviewTask;
    expect(task).toMatchObject({
      queue: 'SUGGESTED_EDITS',
      status: 'OPEN',
      post: { id: q.id },
      suggestedEdit: { body: newBody, author: { handle: 'bob' } },
    });
    expect(task.outcomes).toEqual(['APPROVE', 'REJECT', 'SKIP']);
    const first = await r1.must(R.submit, { input: { taskId: task.id, outcome: 'APPROVE' } });
    expect(first.submitReview.task).toMatchObject({ status: 'OPEN', outcome: null });
    expect((await h.agent().gql(R.question, { id: q.id })).data.question.body).toBe(BODY());
    // a reviewer sees a task once
    expect((await r1.gql(R.task, { queue: 'SUGGESTED_EDITS' })).data.reviewTask).toBeNull();
    expect(payloadErrors((await r1.gql(R.submit, { input: { taskId: task.id, outcome: 'APPROVE' } })).data)[0]?.code).toBe('CONFLICT');

    const bobBefore = await userReputation('bob');
    const second = await r2.must(R.submit, { input: { taskId: task.id, outcome: 'APPROVE' } });
    expect(second.submitReview.task).toMatchObject({ status: 'COMPLETED', outcome: 'APPROVE' });
    const after = (await h.agent().gql(R.question, { id: q.id })).data.question;
    expect(after.body).toBe(newBody);
    const last = after.revisions.nodes.at(-1);
    expect(last).toMatchObject({ number: 2, body: newBody, author: { handle: 'bob' }, editSummary: 'fix the snippet' });
    expect(last.approvedBy.map((u: { handle: string }) => u.handle).sort()).toEqual(['reviewer1', 'reviewer2']);
    expect(await userReputation('bob')).toBe(bobBefore + 2);
    expect((await counts(r1)).SUGGESTED_EDITS).toBe(0);
    // applied once: a late review changes nothing
    expect(payloadErrors((await alice.gql(R.submit, { input: { taskId: task.id, outcome: 'REJECT' } })).data)[0]?.code).toBe('FORBIDDEN');
    const result = await verifyConsistency(h.deps);
    expect(result.drift).toBe(0);
  });

  it('rejected edits never change the post', async () => {
    const q = await ask(alice);
    const before = await snapshot(['posts', 'revisions']);
    await bob.must(R.suggest, { input: { postId: q.id, body: `${BODY()} Spam link here, please click.`, summary: 'improve' } });
    const task = (await r1.gql(R.task, { queue: 'SUGGESTED_EDITS' })).data.reviewTask;
    await r1.must(R.submit, { input: { taskId: task.id, outcome: 'REJECT', comment: 'adds spam' } });
    const done = await r2.must(R.submit, { input: { taskId: task.id, outcome: 'REJECT' } });
    expect(done.submitReview.task).toMatchObject({ status: 'COMPLETED', outcome: 'REJECT' });
    expect(await snapshot(['posts', 'revisions'])).toBe(before);
    const edit = await h.deps.repos.suggestedEdits.findWhere({});
    expect(edit[0]?.status).toBe('REJECTED');
  });
});

describe('editing without review', () => {
  it('members with 2,000 reputation edit others’ posts directly (a revision of their own); 1,999 suggest instead', async () => {
    const q = await ask(alice);
    const canEdit = async (m: Member) =>
      (await m.gql(`query($id: ID!) { question(id: $id) { viewerCanEdit viewerCanSuggestEdit } }`, { id: q.id })).data.question;
    expect(await canEdit(r1)).toMatchObject({ viewerCanEdit: true });
    expect(await canEdit(bob)).toMatchObject({ viewerCanEdit: false, viewerCanSuggestEdit: true });

    const edited = `${BODY()} Edited directly by a trusted member.`;
    const direct = await r1.must(Q.updateQuestion, { input: { questionId: q.id, body: edited } });
    expect(direct.updateQuestion.question).toMatchObject({ body: edited, lastEditor: { handle: 'reviewer1' } });
    const revisions = (await h.agent().gql(R.question, { id: q.id })).data.question.revisions.nodes;
    expect(revisions.find((r: { number: number }) => r.number === 2)).toMatchObject({ author: { handle: 'reviewer1' }, approvedBy: [] });
    expect((await counts(r2)).SUGGESTED_EDITS ?? 0).toBe(0);

    // one point short: refused with the privilege named, nothing written
    const short = await member(h, 'short');
    await giveReputation(h, short, 1998); // 1,999 with the opening point
    expect(await canEdit(short)).toMatchObject({ viewerCanEdit: false });
    const before = await snapshot(['posts', 'revisions']);
    const refused = payloadErrors((await short.gql(Q.updateQuestion, { input: { questionId: q.id, body: `${edited} more` } })).data)[0];
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
    expect(refused?.message).toContain('You need 2,000 reputation to edit without review');
    expect(await snapshot(['posts', 'revisions'])).toBe(before);
  });
});

describe('review queues', () => {
  it('a first post opens a FIRST_POSTS task; a moderator’s review completes it alone; the author never reviews their own', async () => {
    const q = await ask(alice);
    const mod = await member(h, 'mod', { role: 'MODERATOR' });
    await giveReputation(h, r1, 0);
    const reviewer = await member(h, 'reviewer3');
    await giveReputation(h, reviewer, 499);
    // 500 points: the FIRST_POSTS and LATE_ANSWERS queues, not the others
    expect(Object.keys(await counts(reviewer)).sort()).toEqual(['FIRST_POSTS', 'LATE_ANSWERS']);
    expect((await counts(reviewer)).FIRST_POSTS).toBe(1);
    const task = (await reviewer.gql(R.task, { queue: 'FIRST_POSTS' })).data.reviewTask;
    expect(task).toMatchObject({ queue: 'FIRST_POSTS', post: { id: q.id } });
    await giveReputation(h, alice, 600);
    expect((await alice.gql(R.task, { queue: 'FIRST_POSTS' })).data.reviewTask).toBeNull();
    const done = await mod.must(R.submit, { input: { taskId: task.id, outcome: 'LOOKS_OK' } });
    expect(done.submitReview.task).toMatchObject({ status: 'COMPLETED', outcome: 'LOOKS_OK' });
    expect((await counts(reviewer)).FIRST_POSTS).toBe(0);
    // an outcome the queue does not offer is refused
    const q2 = await ask(bob);
    const t2 = (await reviewer.gql(R.task, { queue: 'FIRST_POSTS' })).data.reviewTask;
    expect(t2.post.id).toBe(q2.id);
    expect(payloadErrors((await reviewer.gql(R.submit, { input: { taskId: t2.id, outcome: 'APPROVE' } })).data)[0]).toMatchObject({
      code: 'VALIDATION',
    });
  });
});
