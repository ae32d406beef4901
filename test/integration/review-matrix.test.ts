// Who may use the review and close-vote mutations (issue 13): each mutation × {anonymous, new
// member, member at the privilege's threshold − 1 and at it, staff, moderator}. Only the allowed
// succeed; the others get FORBIDDEN (UNAUTHENTICATED when anonymous) with a reason naming the
// missing privilege, and nothing is written (collections snapshot unchanged).
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTask } from '../../server/src/modules/review/review.tasks.js';
import { M as MOD } from '../factories/moderation.js';
import { BODY, ERRORS, Q, ask, createSpace, member, payloadErrors, snapshot, type Member } from '../factories/qa.js';
import { giveReputation, rawIdOf } from '../factories/review.js';
import { startHarness, type Agent, type Harness } from '../helpers/harness.js';

let h: Harness;
const COLLECTIONS = ['close_votes', 'review_tasks', 'suggested_edits', 'audit_log', 'revisions', 'reputation_events'];
/** What these mutations change on posts (other fields move with unrelated background work: rollups, views). */
const POST_FIELDS = [
  'closedAt',
  'closeVoteCount',
  'reopenVoteCount',
  'deleteVoteCount',
  'lockedAt',
  'protectedAt',
  'deletedAt',
  'body',
  'revisionCount',
];

async function state(): Promise<string> {
  const posts = await mongoose.connection
    .db!.collection('posts')
    .find({}, { projection: Object.fromEntries(POST_FIELDS.map((f) => [f, 1])) })
    .sort({ _id: 1 })
    .toArray();
  return JSON.stringify([posts, await snapshot(COLLECTIONS)]);
}

const M = {
  close: `mutation($input: CastCloseVoteInput!) { castCloseVote(input: $input) { question { id } ${ERRORS} } }`,
  reopen: `mutation($input: CastReopenVoteInput!) { castReopenVote(input: $input) { question { id } ${ERRORS} } }`,
  deleteVote: `mutation($input: CastDeleteVoteInput!) { castDeleteVote(input: $input) { question { id } ${ERRORS} } }`,
  protect: `mutation($input: ProtectQuestionInput!) { protectQuestion(input: $input) { question { id isProtected } ${ERRORS} } }`,
  unprotect: `mutation($input: UnprotectQuestionInput!) { unprotectQuestion(input: $input) { question { id isProtected } ${ERRORS} } }`,
  lock: `mutation($input: LockPostInput!) { lockPost(input: $input) { post { id isLocked } ${ERRORS} } }`,
  unlock: `mutation($input: UnlockPostInput!) { unlockPost(input: $input) { post { id isLocked } ${ERRORS} } }`,
  undeleteQuestion: `mutation($input: UndeleteQuestionInput!) { undeleteQuestion(input: $input) { question { id } ${ERRORS} } }`,
  undeleteAnswer: `mutation($input: UndeleteAnswerInput!) { undeleteAnswer(input: $input) { post { id } ${ERRORS} } }`,
  submitReview: `mutation($input: SubmitReviewInput!) { submitReview(input: $input) { task { id } ${ERRORS} } }`,
  suggestEdit: `mutation($input: SuggestEditInput!) { suggestEdit(input: $input) { suggestedEdit { id } ${ERRORS} } }`,
};

const RETRACT = `mutation($input: RetractCloseVoteInput!) { retractCloseVote(input: $input) { question { id } ${ERRORS} } }`;

let asker: Member;
let mod: Member;
let staff: Member;
let newbie: Member;
const atLevel = new Map<number, Member>();

beforeAll(async () => {
  h = await startHarness();
  const admin = await member(h, 'admin', { role: 'ADMIN' });
  await createSpace(admin, 'widgets');
  asker = await member(h, 'asker');
  mod = await member(h, 'mod', { role: 'MODERATOR' });
  staff = await member(h, 'staff', { role: 'STAFF' });
  newbie = await member(h, 'newbie');
  let n = 0;
  for (const level of [500, 2000, 3000, 15000, 20000]) {
    for (const rep of [level - 1, level]) {
      const m = await member(h, `member${++n}`);
      await giveReputation(h, m, rep - 1); // every member opens with 1
      atLevel.set(rep, m);
    }
  }
});
afterAll(async () => {
  await h?.close();
});

type Row = [label: string, agent: () => Agent, allowed: boolean];
const rows = (threshold: number, allowed: { staff: boolean; atThreshold: boolean }): Row[] => [
  ['anonymous', () => h.agent(), false],
  ['new member', () => newbie, false],
  [`member at ${threshold - 1}`, () => atLevel.get(threshold - 1)!, false],
  [`member at ${threshold}`, () => atLevel.get(threshold)!, allowed.atThreshold],
  ['staff', () => staff, allowed.staff],
  ['moderator', () => mod, true],
];

async function question(): Promise<string> {
  return (await ask(asker, { title: `Matrix question number ${new Types.ObjectId().toHexString()}` })).id;
}

/** Runs every row: allowed rows succeed; refused rows fail with `code` and a message matching `reason`, writing nothing. */
async function matrix(
  table: Row[],
  reason: RegExp,
  attempt: (agent: Agent) => Promise<Record<string, unknown>>,
  fixture?: () => Promise<void>,
) {
  for (const [label, agentOf, allowed] of table) {
    if (fixture) await fixture();
    const before = await state();
    const data = await attempt(agentOf());
    const errors = payloadErrors(data);
    if (allowed) {
      expect(errors, label).toEqual([]);
      continue;
    }
    expect(errors[0]?.code, label).toMatch(label === 'anonymous' ? /UNAUTHENTICATED|FORBIDDEN/ : /FORBIDDEN/);
    if (label !== 'anonymous') expect(errors[0]?.message, label).toMatch(reason);
    expect(await state(), `${label} wrote nothing`).toBe(before);
  }
}

describe('review and close-vote mutations × roles', () => {
  it('castCloseVote and castReopenVote: closeReopenVotes (3,000) or a moderator', async () => {
    let q = '';
    await matrix(
      rows(3000, { staff: false, atThreshold: true }),
      /You need 3,000 reputation to cast close and reopen votes/,
      async (a) => (await a.gql(M.close, { input: { questionId: q, reason: 'OFF_TOPIC' } })).data,
      async () => {
        q = await question();
      },
    );
    await matrix(
      rows(3000, { staff: false, atThreshold: true }),
      /You need 3,000 reputation to cast close and reopen votes/,
      async (a) => (await a.gql(M.reopen, { input: { questionId: q } })).data,
      async () => {
        q = await question();
        await mod.must(M.close, { input: { questionId: q, reason: 'OFF_TOPIC' } });
      },
    );
  });

  it('protectQuestion and unprotectQuestion: protectQuestions (15,000) or a moderator', async () => {
    let q = '';
    await matrix(
      rows(15000, { staff: false, atThreshold: true }),
      /You need 15,000 reputation to protect questions/,
      async (a) => (await a.gql(M.protect, { input: { questionId: q } })).data,
      async () => {
        q = await question();
      },
    );
    await matrix(
      rows(15000, { staff: false, atThreshold: true }),
      /You need 15,000 reputation to protect questions/,
      async (a) => (await a.gql(M.unprotect, { input: { questionId: q } })).data,
      async () => {
        q = await question();
        await mod.must(M.protect, { input: { questionId: q } });
      },
    );
  });

  it('castDeleteVote: trustedUser (20,000) on closed, negatively scored questions, or a moderator', async () => {
    let q = '';
    await matrix(
      rows(20000, { staff: false, atThreshold: true }),
      /You need 20,000 reputation to delete and undelete by vote/,
      async (a) => (await a.gql(M.deleteVote, { input: { questionId: q } })).data,
      async () => {
        q = await question();
        await mod.must(M.close, { input: { questionId: q, reason: 'OFF_TOPIC' } });
        await h.deps.repos.posts.update(new Types.ObjectId(rawIdOf(q)), { $set: { score: -3 } });
      },
    );
  });

  it('lockPost, unlockPost, undeleteQuestion, undeleteAnswer: moderators only', async () => {
    let q = '';
    const modOnly = rows(20000, { staff: false, atThreshold: false });
    await matrix(
      modOnly,
      /Only moderators/,
      async (a) => (await a.gql(M.lock, { input: { postId: q, reason: 'edit war' } })).data,
      async () => {
        q = await question();
      },
    );
    await matrix(
      modOnly,
      /Only moderators/,
      async (a) => (await a.gql(M.unlock, { input: { postId: q } })).data,
      async () => {
        q = await question();
        await mod.must(M.lock, { input: { postId: q, reason: 'edit war' } });
      },
    );
    await matrix(
      modOnly,
      /Only moderators/,
      async (a) => (await a.gql(M.undeleteQuestion, { input: { questionId: q } })).data,
      async () => {
        q = await question();
        await mod.must(`mutation($input: DeleteQuestionInput!) { deleteQuestion(input: $input) { deletedQuestionId ${ERRORS} } }`, {
          input: { questionId: q },
        });
      },
    );
    let answerId = '';
    await matrix(
      modOnly,
      /Only moderators/,
      async (a) => (await a.gql(M.undeleteAnswer, { input: { answerId } })).data,
      async () => {
        q = await question();
        const r = await newbie.must(`mutation($input: PostAnswerInput!) { postAnswer(input: $input) { answer { id } ${ERRORS} } }`, {
          input: { questionId: q, body: `${BODY()} (an answer)` },
        });
        answerId = r.postAnswer.answer.id;
        await mod.must(`mutation($input: DeleteAnswerInput!) { deleteAnswer(input: $input) { deletedAnswerId ${ERRORS} } }`, {
          input: { answerId },
        });
      },
    );
  });

  it('submitReview (first posts): reviewFirstPosts (500), staff or a moderator', async () => {
    let taskId = '';
    await matrix(
      rows(500, { staff: true, atThreshold: true }),
      /You need 500 reputation to review first posts and late answers/,
      async (a) => (await a.gql(M.submitReview, { input: { taskId, outcome: 'LOOKS_OK' } })).data,
      async () => {
        const q = new Types.ObjectId(rawIdOf(await question()));
        taskId = await openTask(h.deps, { queue: 'FIRST_POSTS', postId: q, questionId: q, round: 'matrix', createdAt: h.clock.now() });
      },
    );
  });

  it('updateQuestion on another member’s question (a direct edit): editWithoutReview (2,000), staff or a moderator', async () => {
    let q = '';
    let n = 0;
    await matrix(
      rows(2000, { staff: true, atThreshold: true }),
      /You need 2,000 reputation to edit without review\. Suggest an edit instead/,
      async (a) => (await a.gql(Q.updateQuestion, { input: { questionId: q, body: `${BODY()} (edited directly ${++n})` } })).data,
      async () => {
        q = await question();
      },
    );
  });

  it('a suspended member (20,000 reputation) is refused every review and close-vote mutation with the suspension, writing nothing', async () => {
    const suspended = atLevel.get(20000)!;
    await mod.must(MOD.suspend, { input: { userId: suspended.id, days: 2, reason: 'Serial downvoting' } });
    try {
      const q = await question();
      const closed = await question();
      await mod.must(M.close, { input: { questionId: closed, reason: 'OFF_TOPIC' } });
      const attempts: Array<[string, () => Promise<{ data: Record<string, unknown> | null }>]> = [
        ['castCloseVote', () => suspended.gql(M.close, { input: { questionId: q, reason: 'OFF_TOPIC' } })],
        ['castReopenVote', () => suspended.gql(M.reopen, { input: { questionId: closed } })],
        ['retractCloseVote', () => suspended.gql(RETRACT, { input: { questionId: q } })],
        ['castDeleteVote', () => suspended.gql(M.deleteVote, { input: { questionId: closed } })],
        ['protectQuestion', () => suspended.gql(M.protect, { input: { questionId: q } })],
        ['suggestEdit', () => suspended.gql(M.suggestEdit, { input: { postId: q, body: `${BODY()} (suggested)`, summary: 'clarify' } })],
        ['updateQuestion', () => suspended.gql(Q.updateQuestion, { input: { questionId: q, body: `${BODY()} (edited)` } })],
      ];
      for (const [name, attempt] of attempts) {
        const before = await state();
        const errors = payloadErrors((await attempt()).data);
        expect(errors[0], name).toMatchObject({ code: 'FORBIDDEN' });
        expect(errors[0]?.message, name).toMatch(/suspended until .*Serial downvoting/);
        expect(await state(), `${name} wrote nothing`).toBe(before);
      }
    } finally {
      await mod.must(MOD.unsuspend, { input: { userId: suspended.id } });
    }
  });

  it('suggestEdit: any signed-in member but the author; moderators edit directly', async () => {
    let q = '';
    const table: Row[] = [
      ['anonymous', () => h.agent(), false],
      ['new member', () => newbie, true],
      ['member at 1999', () => atLevel.get(1999)!, true],
      ['member at 2000', () => atLevel.get(2000)!, true],
      ['staff', () => staff, true],
    ];
    await matrix(
      table,
      /sign in/,
      async (a) => (await a.gql(M.suggestEdit, { input: { postId: q, body: `${BODY()} (suggested)`, summary: 'clarify' } })).data,
      async () => {
        q = await question();
      },
    );
    for (const who of [asker, mod]) {
      const before = await state();
      const errors = payloadErrors(
        (await who.gql(M.suggestEdit, { input: { postId: q, body: `${BODY()} (suggested)`, summary: 'x' } })).data,
      );
      expect(errors[0]).toMatchObject({ code: 'CONFLICT' });
      expect(await state()).toBe(before);
    }
  });
});
