// Close and reopen votes (issue 13): members with the closeReopenVotes privilege (3,000) vote; the
// fifth vote closes, four do not; a moderator's single vote closes and reopens; the asker's own
// duplicate vote is binding; a duplicate closure links both ways; each closure and reopening is
// audited with its voters; verify repairs a drifted tally.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { CV, giveReputation } from '../factories/review.js';
import { verifyConsistency } from '../../server/src/modules/maintenance/verify.service.js';
import { ERRORS, TITLE, ask, createSpace, member, payloadErrors, snapshot, type Member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function auditOf(targetId: string) {
  const raw = Buffer.from(targetId, 'base64').toString().split(':')[1]!;
  return h.deps.repos.audit.pageOf({ actorId: null, targetId: raw, action: null }, null, 50);
}

let alice: Member;
let mod: Member;
let voters: Member[];
let low: Member;

beforeEach(async () => {
  await h.reset();
  const admin = await member(h, 'admin', { role: 'ADMIN' });
  await createSpace(admin, 'widgets');
  alice = await member(h, 'alice');
  mod = await member(h, 'mod', { role: 'MODERATOR' });
  voters = [];
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const v = await member(h, `voter${n}`);
    await giveReputation(h, v, 2999);
    voters.push(v);
  }
  low = await member(h, 'lowrep');
  await giveReputation(h, low, 2998); // 2,999 with the opening point
});

describe('close votes', () => {
  it('four votes do not close, the fifth does (audited with its voters); reopen votes likewise', async () => {
    const q = await ask(alice);
    for (const v of voters.slice(0, 4)) {
      const r = await v.must(CV.close, { input: { questionId: q.id, reason: 'OFF_TOPIC' } });
      expect(r.castCloseVote.question.isClosed).toBe(false);
    }
    let state = (await voters[0]!.gql(CV.question, { id: q.id })).data.question;
    expect(state).toMatchObject({ isClosed: false, closeVoteCount: 4, viewerCanCastCloseVote: false, viewerHasVotedToClose: true });
    // a second vote by the same member is refused and writes nothing
    const before = await snapshot(['posts', 'close_votes']);
    expect(payloadErrors((await voters[0]!.gql(CV.close, { input: { questionId: q.id, reason: 'OFF_TOPIC' } })).data)[0]?.code).toBe(
      'CONFLICT',
    );
    expect(await snapshot(['posts', 'close_votes'])).toBe(before);

    const fifth = await voters[4]!.must(CV.close, { input: { questionId: q.id, reason: 'NEEDS_DETAILS' } });
    expect(fifth.castCloseVote.question).toMatchObject({ isClosed: true, closeReason: 'OFF_TOPIC', closeVoteCount: 0 });
    expect(fifth.castCloseVote.question.closedBy.map((u: { handle: string }) => u.handle).sort()).toEqual([
      'voter1',
      'voter2',
      'voter3',
      'voter4',
      'voter5',
    ]);
    let log = await auditOf(q.id);
    const closed = log.find((e) => e.action === 'question.closed')!;
    expect(closed.reason).toBe('OFF_TOPIC');
    expect((closed.data as { voterIds: string[] }).voterIds).toHaveLength(5);
    expect((closed.data as { binding: boolean }).binding).toBe(false);

    // reopen: four votes do not, the fifth does
    for (const v of voters.slice(0, 4)) {
      const r = await v.must(CV.reopen, { input: { questionId: q.id } });
      expect(r.castReopenVote.question).toMatchObject({ isClosed: true });
    }
    state = (await voters[5]!.gql(CV.question, { id: q.id })).data.question;
    expect(state).toMatchObject({ isClosed: true, reopenVoteCount: 4, viewerCanCastCloseVote: true });
    const reopened = await voters[5]!.must(CV.reopen, { input: { questionId: q.id } });
    expect(reopened.castReopenVote.question).toMatchObject({ isClosed: false, reopenVoteCount: 0, closeVoteCount: 0 });
    log = await auditOf(q.id);
    const reopenEntry = log.find((e) => e.action === 'question.reopened')!;
    expect((reopenEntry.data as { voterIds: string[] }).voterIds).toHaveLength(5);

    // a new round: earlier close voters may vote again
    const again = await voters[0]!.must(CV.close, { input: { questionId: q.id, reason: 'OFF_TOPIC' } });
    expect(again.castCloseVote.question).toMatchObject({ isClosed: false, closeVoteCount: 1 });

    // the tallies agree with the votes; a drifted tally is found and repaired
    let result = await verifyConsistency(h.deps);
    expect(result.checks.find((c) => c.check === 'close vote tally')).toMatchObject({ drift: 0 });
    expect(result.checks.find((c) => c.check === 'review queues')).toMatchObject({ drift: 0 });
    const raw = Buffer.from(q.id, 'base64').toString().split(':')[1]!;
    await h.deps.repos.posts.update(new Types.ObjectId(raw), { $set: { closeVoteCount: 3 } });
    await h.deps.redis.del(`${h.deps.config.redisPrefix}review:queue:CLOSE_VOTES`);
    result = await verifyConsistency(h.deps, { repair: true });
    expect(result.checks.find((c) => c.check === 'close vote tally')).toMatchObject({ drift: 1, repaired: 1 });
    expect(result.checks.find((c) => c.check === 'review queues')).toMatchObject({ drift: 1, repaired: 1 });
    result = await verifyConsistency(h.deps);
    expect(result.drift).toBe(0);
    expect((await h.agent().gql(CV.question, { id: q.id })).data.question.closeVoteCount).toBe(1);
  });

  it("a moderator's single vote closes and reopens; closeQuestion/reopenQuestion are binding votes", async () => {
    const q = await ask(alice);
    const closed = await mod.must(CV.close, { input: { questionId: q.id, reason: 'OPINION_BASED' } });
    expect(closed.castCloseVote.question).toMatchObject({ isClosed: true, closeReason: 'OPINION_BASED' });
    expect((await auditOf(q.id)).find((e) => e.action === 'question.closed')?.data).toMatchObject({ binding: true });
    const reopened = await mod.must(CV.reopen, { input: { questionId: q.id } });
    expect(reopened.castReopenVote.question.isClosed).toBe(false);
    // the older moderator mutations are the same binding votes
    await mod.must(`mutation($input: CloseQuestionInput!) { closeQuestion(input: $input) { question { id } ${ERRORS} } }`, {
      input: { questionId: q.id, reason: 'OFF_TOPIC' },
    });
    expect((await h.agent().gql(CV.question, { id: q.id })).data.question.isClosed).toBe(true);
    expect((await auditOf(q.id)).filter((e) => e.action === 'question.closed')).toHaveLength(2);
  });

  it('a duplicate closure links both ways; the asker confirming a duplicate is binding; reopening unlinks', async () => {
    const original = await ask(alice, { title: TITLE(1) });
    const dupe = await ask(voters[5]!, { title: TITLE(2) });
    for (const v of voters.slice(0, 5))
      await v.must(CV.close, { input: { questionId: dupe.id, reason: 'DUPLICATE', duplicateOfId: original.id } });
    let state = (await h.agent().gql(CV.question, { id: dupe.id })).data.question;
    expect(state).toMatchObject({ isClosed: true, closeReason: 'DUPLICATE', duplicateOf: { id: original.id } });
    expect((await h.agent().gql(CV.question, { id: original.id })).data.question.linkedDuplicates).toEqual([{ id: dupe.id }]);

    // the asker (no privilege needed) confirms their own question is a duplicate: closed at once
    const mine = await ask(low, { title: TITLE(3) });
    const r = await low.must(CV.close, { input: { questionId: mine.id, reason: 'DUPLICATE', duplicateOfId: original.id } });
    expect(r.castCloseVote.question).toMatchObject({ isClosed: true, duplicateOf: { id: original.id } });
    state = (await h.agent().gql(CV.question, { id: original.id })).data.question;
    expect(state.linkedDuplicates.map((x: { id: string }) => x.id).sort()).toEqual([dupe.id, mine.id].sort());

    await mod.must(CV.reopen, { input: { questionId: mine.id } });
    expect((await h.agent().gql(CV.question, { id: original.id })).data.question.linkedDuplicates).toEqual([{ id: dupe.id }]);
  });

  it('a voter retracts their close vote (and votes again); retracting without a vote is a CONFLICT that writes nothing', async () => {
    const RETRACT = `mutation($input: RetractCloseVoteInput!) { retractCloseVote(input: $input) { question { id isClosed closeVoteCount reopenVoteCount } ${ERRORS} } }`;
    const q = await ask(alice);
    for (const v of voters.slice(0, 4)) await v.must(CV.close, { input: { questionId: q.id, reason: 'OFF_TOPIC' } });
    const retracted = await voters[3]!.must(RETRACT, { input: { questionId: q.id } });
    expect(retracted.retractCloseVote.question).toMatchObject({ isClosed: false, closeVoteCount: 3 });
    expect((await voters[3]!.gql(CV.question, { id: q.id })).data.question).toMatchObject({
      viewerHasVotedToClose: false,
      viewerCanCastCloseVote: true,
    });
    // nothing left to retract: CONFLICT, nothing written (and a stranger's retraction neither)
    const before = await snapshot(['posts', 'close_votes']);
    expect(payloadErrors((await voters[3]!.gql(RETRACT, { input: { questionId: q.id } })).data)[0]?.code).toBe('CONFLICT');
    expect(payloadErrors((await low.gql(RETRACT, { input: { questionId: q.id } })).data)[0]?.code).toBe('CONFLICT');
    expect(payloadErrors((await h.agent().gql(RETRACT, { input: { questionId: q.id } })).data)[0]?.code).toMatch(
      /FORBIDDEN|UNAUTHENTICATED/,
    );
    expect(await snapshot(['posts', 'close_votes'])).toBe(before);
    // the fifth vote after a retraction is the fourth: still open; the retracting voter's new vote closes it
    expect((await voters[4]!.must(CV.close, { input: { questionId: q.id, reason: 'OFF_TOPIC' } })).castCloseVote.question.isClosed).toBe(
      false,
    );
    const closed = await voters[3]!.must(CV.close, { input: { questionId: q.id, reason: 'OFF_TOPIC' } });
    expect(closed.castCloseVote.question).toMatchObject({ isClosed: true });
    // reopen votes are retracted the same way
    await voters[0]!.must(CV.reopen, { input: { questionId: q.id } });
    const reopenRetracted = await voters[0]!.must(RETRACT, { input: { questionId: q.id } });
    expect(reopenRetracted.retractCloseVote.question).toMatchObject({ isClosed: true, reopenVoteCount: 0 });
    const result = await verifyConsistency(h.deps);
    expect(result.checks.find((c) => c.check === 'close vote tally')).toMatchObject({ drift: 0 });
  });

  it('below 3,000 reputation: FORBIDDEN naming the privilege, nothing written', async () => {
    const q = await ask(alice);
    const before = await snapshot(['posts', 'close_votes', 'review_tasks']);
    const denied = payloadErrors((await low.gql(CV.close, { input: { questionId: q.id, reason: 'OFF_TOPIC' } })).data)[0];
    expect(denied).toMatchObject({ code: 'FORBIDDEN', message: 'You need 3,000 reputation to cast close and reopen votes.' });
    expect(payloadErrors((await h.agent().gql(CV.close, { input: { questionId: q.id, reason: 'OFF_TOPIC' } })).data)[0]?.code).toMatch(
      /FORBIDDEN|UNAUTHENTICATED/,
    );
    expect(await snapshot(['posts', 'close_votes', 'review_tasks'])).toBe(before);
    expect((await low.gql(CV.question, { id: q.id })).data.question.viewerCanCastCloseVote).toBe(false);
  });
});
