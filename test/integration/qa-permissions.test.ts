// Who may do what: two members (A asks, B answers), a STAFF member, a MODERATOR, a read-only
// API token and an anonymous visitor. Every named mutation is tried by every viewer, and the
// `viewerCan*` hint each viewer sees must agree with what the mutation then does. Deleted
// posts stay hidden through question(id), node(id) and nodes(ids). No NoSQL operator injection.
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ANSWER_BODY,
  BODY,
  COMMENT_BODY,
  Q,
  answer,
  ask,
  comment,
  createSpace,
  gid,
  member,
  payloadErrors,
  snapshot,
  type Member,
} from '../factories/qa.js';
import { startHarness, type Agent, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

let admin: Member;
let A: Member;
let B: Member;
let staff: Member;
let mod: Member;
let reader: Agent;
let anon: Agent;
let viewers: Array<[string, Agent]>;

beforeEach(async () => {
  await h.reset();
  admin = await member(h, 'admin', { role: 'ADMIN' });
  A = await member(h, 'alice');
  B = await member(h, 'bob');
  staff = await member(h, 'staff', { role: 'STAFF' });
  mod = await member(h, 'mod', { role: 'MODERATOR' });
  await createSpace(admin, 'widgets');
  const token = await A.must(`mutation { createApiToken(input: { name: "ro", scopes: [READ] }) { token errors { code message } } }`);
  reader = h.agent();
  reader.token = token.createApiToken.token;
  anon = h.agent();
  viewers = [
    ['A (asker)', A],
    ['B (answerer)', B],
    ['staff', staff],
    ['moderator', mod],
    ['A via read-only token', reader],
    ['anonymous', anon],
  ];
});

const WATCHED = ['posts', 'revisions', 'comments', 'tags', 'spaces', 'users', 'votes', 'reputation_events'];

const HINTS = `query($q: ID!, $a: ID!, $c: ID!) {
  question(id: $q) { viewerCanEdit viewerCanDelete viewerCanVote viewerCanAccept viewerCanClose viewerCanAnswer viewerCanComment }
  answer: node(id: $a) { ... on Answer { viewerCanEdit viewerCanDelete viewerCanVote viewerCanAccept viewerCanVerify viewerCanComment } }
  comment: node(id: $c) { ... on Comment { viewerCanEdit viewerCanDelete } }
}`;

interface Fixture {
  q: string;
  a: string;
  c: string;
}

/** A's question with B's answer and B's comment on it. */
async function fixture(n = 0): Promise<Fixture> {
  const q = await ask(A, { title: `A question about widgets, take ${n}`, body: BODY(n) });
  const a = await answer(B, q.id, ANSWER_BODY(n));
  const c = await comment(B, q.id, COMMENT_BODY(n));
  return { q: q.id, a: a.id, c: c.id };
}

async function hints(agent: Agent, f: Fixture) {
  const r = await agent.gql(HINTS, { q: f.q, a: f.a, c: f.c });
  expect(r.errors).toBeUndefined();
  return r.data as {
    question: Record<string, boolean>;
    answer: Record<string, boolean>;
    comment: Record<string, boolean>;
  };
}

/**
 * Runs a mutation and checks it agrees with the hint: allowed → no errors; refused → FORBIDDEN
 * (UNAUTHENTICATED for anonymous visitors) and nothing written.
 */
async function agrees(agent: Agent, hint: boolean, query: string, input: Record<string, unknown>): Promise<boolean> {
  const before = await snapshot(WATCHED);
  const r = await agent.gql(query, { input });
  expect(r.errors, query).toBeUndefined();
  const errors = payloadErrors(r.data);
  if (hint) {
    expect(errors, query).toEqual([]);
  } else {
    expect(errors[0]?.code, `${query} ${JSON.stringify(errors)}`).toBe(agent === anon ? 'UNAUTHENTICATED' : 'FORBIDDEN');
    expect(await snapshot(WATCHED)).toBe(before);
  }
  return errors.length === 0;
}

describe('who may edit, delete, accept, verify, vote and close', () => {
  it('the viewerCan* hints are exactly the expected matrix', async () => {
    const f = await fixture();
    const matrix: Record<string, { question: Record<string, boolean>; answer: Record<string, boolean>; comment: Record<string, boolean> }> =
      {};
    for (const [name, agent] of viewers) matrix[name] = await hints(agent, f);
    const row = (q: string, a: string, c: string) => ({
      question: Object.fromEntries(
        [
          'viewerCanEdit',
          'viewerCanDelete',
          'viewerCanVote',
          'viewerCanAccept',
          'viewerCanClose',
          'viewerCanAnswer',
          'viewerCanComment',
        ].map((k, i) => [k, q[i] === '1']),
      ),
      answer: Object.fromEntries(
        ['viewerCanEdit', 'viewerCanDelete', 'viewerCanVote', 'viewerCanAccept', 'viewerCanVerify', 'viewerCanComment'].map((k, i) => [
          k,
          a[i] === '1',
        ]),
      ),
      comment: Object.fromEntries(['viewerCanEdit', 'viewerCanDelete'].map((k, i) => [k, c[i] === '1'])),
    });
    expect(matrix).toEqual({
      //                     question: edit del vote accept close answer comment | answer: edit del vote accept verify comment | comment: edit del
      'A (asker)': row('1001011', '001101', '00'), // may not delete: the question has an answer
      'B (answerer)': row('0010011', '110001', '11'),
      staff: row('1010011', '101011', '00'), // staff hold editWithoutReview: they edit directly
      moderator: row('1110111', '111001', '11'),
      'A via read-only token': row('0000000', '000000', '00'),
      anonymous: row('0000000', '000000', '00'),
    });
  });

  it('edits, votes, accepts, verifies, closes and comment edits agree with the hints for every viewer', async () => {
    const f = await fixture();
    let n = 100;
    for (const [name, agent] of viewers) {
      const hint = await hints(agent, f);
      n++;
      expect(await agrees(agent, hint.question.viewerCanEdit!, Q.updateQuestion, { questionId: f.q, body: BODY(n) }), name).toBe(
        hint.question.viewerCanEdit,
      );
      expect(await agrees(agent, hint.answer.viewerCanEdit!, Q.updateAnswer, { answerId: f.a, body: ANSWER_BODY(n) }), name).toBe(
        hint.answer.viewerCanEdit,
      );
      expect(await agrees(agent, hint.comment.viewerCanEdit!, Q.updateComment, { commentId: f.c, body: COMMENT_BODY(n) }), name).toBe(
        hint.comment.viewerCanEdit,
      );
      for (const subject of [f.q, f.a]) {
        const canVote = subject === f.q ? hint.question.viewerCanVote! : hint.answer.viewerCanVote!;
        if (await agrees(agent, canVote, Q.vote, { subjectId: subject, direction: 'UP' })) {
          await agent.must(Q.vote, { input: { subjectId: subject, direction: 'NONE' } });
        }
      }
      if (await agrees(agent, hint.answer.viewerCanAccept!, Q.accept, { answerId: f.a })) {
        await agrees(agent, true, Q.unaccept, { answerId: f.a });
      }
      if (await agrees(agent, hint.answer.viewerCanVerify!, Q.verify, { answerId: f.a })) {
        await agrees(agent, true, Q.unverify, { answerId: f.a });
      }
      if (await agrees(agent, hint.question.viewerCanClose!, Q.close, { questionId: f.q, reason: 'OFF_TOPIC' })) {
        await agrees(agent, true, Q.reopen, { questionId: f.q });
      }
    }
    // what was allowed really happened: the edits of A, staff (editWithoutReview) and the moderator are in the history
    const revs = await h.agent().gql(`query($id: ID!) { question(id: $id) { revisions { nodes { author { handle } } } } }`, { id: f.q });
    expect(revs.data.question.revisions.nodes.map((r: { author: { handle: string } }) => r.author.handle)).toEqual([
      'alice',
      'alice',
      'staff',
      'mod',
    ]);
  });

  it('unaccept and unverify are refused to everyone but the asker and staff', async () => {
    const f = await fixture();
    await A.must(Q.accept, { input: { answerId: f.a } });
    await staff.must(Q.verify, { input: { answerId: f.a } });
    for (const agent of [B, staff, mod, reader]) await agrees(agent, false, Q.unaccept, { answerId: f.a });
    for (const agent of [A, B, mod, reader]) await agrees(agent, false, Q.unverify, { answerId: f.a });
    // admins verify too (a separate signal that records who)
    const r = await admin.must(Q.verify, { input: { answerId: f.a } });
    expect(r.verifyAnswer.answer).toMatchObject({ isVerified: true, verifiedBy: { handle: 'admin' } });
  });

  it('nobody votes on their own post: FORBIDDEN', async () => {
    const f = await fixture();
    const own = await A.gql(Q.vote, { input: { subjectId: f.q, direction: 'UP' } });
    expect(payloadErrors(own.data)[0]).toMatchObject({ code: 'FORBIDDEN', message: 'You cannot vote on your own post.' });
    const ownAnswer = await B.gql(Q.vote, { input: { subjectId: f.a, direction: 'DOWN' } });
    expect(payloadErrors(ownAnswer.data)[0]).toMatchObject({ code: 'FORBIDDEN' });
    expect(await mongoose.connection.db!.collection('votes').countDocuments({})).toBe(0);
  });

  it('deletes agree with the hints: answers, comments, questions with and without answers', async () => {
    let n = 0;
    for (const [name, agent] of viewers) {
      const f = await fixture(++n);
      const lone = await ask(A, { title: `A lonely question number ${n}`, body: BODY(n) });
      const hint = await hints(agent, f);
      const loneHint = (await agent.gql(`query($id: ID!) { question(id: $id) { viewerCanDelete } }`, { id: lone.id })).data.question
        .viewerCanDelete as boolean;
      expect(await agrees(agent, hint.comment.viewerCanDelete!, Q.deleteComment, { commentId: f.c }), name).toBe(
        hint.comment.viewerCanDelete,
      );
      expect(await agrees(agent, loneHint, Q.deleteQuestion, { questionId: lone.id }), name).toBe(loneHint);
      expect(await agrees(agent, hint.question.viewerCanDelete!, Q.deleteQuestion, { questionId: f.q }), name).toBe(
        hint.question.viewerCanDelete,
      );
      // (after a moderator deleted the question its answer is still B's to delete)
      expect(await agrees(agent, hint.answer.viewerCanDelete!, Q.deleteAnswer, { answerId: f.a }), name).toBe(hint.answer.viewerCanDelete);
    }
    // A deleted only the question without answers; B their answer and comment; the moderator everything
    const deleted = await mongoose.connection
      .db!.collection('posts')
      .find({ deletedAt: { $ne: null } })
      .project({ deletedById: 1 })
      .toArray();
    const byWho = deleted.map((d) => String(d.deletedById)).sort();
    const ids = await Promise.all(
      ['alice', 'bob', 'mod'].map(async (handle) =>
        String((await mongoose.connection.db!.collection('users').findOne({ handleKey: handle }))!._id),
      ),
    );
    expect(byWho).toEqual([ids[0], ids[1], ids[2], ids[2], ids[2]].sort());
  });
});

describe('deleted posts are invisible to others', () => {
  it('through question(id), node(id) and nodes(ids), but visible to the author and moderators', async () => {
    const f = await fixture();
    const other = await ask(A, { title: 'Another question about widgets', body: BODY(7) });
    const a2 = await answer(mod, f.q, ANSWER_BODY(8));
    // a comment (not deleted) and a ledger entry that point at B's answer, which B then deletes
    const staffComment = await comment(staff, f.a, COMMENT_BODY(8));
    await staff.must(Q.vote, { input: { subjectId: f.a, direction: 'UP' } });
    await B.must(Q.deleteAnswer, { input: { answerId: f.a } });
    await B.must(Q.deleteComment, { input: { commentId: f.c } });
    await mod.must(Q.deleteQuestion, { input: { questionId: f.q } });
    const LOOK = `query($q: ID!, $a: ID!, $c: ID!, $o: ID!) {
      question(id: $q) { id isDeleted }
      qNode: node(id: $q) { id }
      aNode: node(id: $a) { id ... on Answer { isDeleted } }
      cNode: node(id: $c) { id }
      many: nodes(ids: [$q, $a, $c, $o]) { id }
    }`;
    // what a stranger gets for an id that never existed: hidden posts must look exactly like that
    const missing = await anon.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: gid('Question', '0123456789abcdef01234567') });
    expect(missing.data.node).toBeNull();
    expect(missing.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['The question was not found.', 'NOT_FOUND']]);
    const look = async (agent: Agent) => {
      const r = await agent.gql(LOOK, { q: f.q, a: f.a, c: f.c, o: other.id });
      // like GitHub, node(id) for what the viewer may not see is null with a NOT_FOUND error —
      // the same error as for an id that never existed (no existence oracle)
      for (const e of r.errors ?? []) {
        expect(e.extensions?.code, JSON.stringify(e)).toBe('NOT_FOUND');
        expect(e.message).toMatch(/^The (question|answer|comment) was not found\.$/);
      }
      return r.data;
    };
    for (const agent of [anon, staff]) {
      expect(await look(agent)).toEqual({
        question: null,
        qNode: null,
        aNode: null,
        cNode: null,
        many: [null, null, null, { id: other.id }],
      });
    }
    // A (the question's author) sees the question, not B's deleted answer or comment
    // (her read-only token reads as her)
    for (const agent of [A, reader]) {
      expect(await look(agent)).toEqual({
        question: { id: f.q, isDeleted: true },
        qNode: { id: f.q },
        aNode: null,
        cNode: null,
        many: [{ id: f.q }, null, null, { id: other.id }],
      });
    }
    // B's own deleted answer and comment went with A's deleted question: B sees none of them
    expect(await look(B)).toEqual({
      question: null,
      qNode: null,
      aNode: null,
      cNode: null,
      many: [null, null, null, { id: other.id }],
    });
    // moderators see everything
    expect(await look(mod)).toEqual({
      question: { id: f.q, isDeleted: true },
      qNode: { id: f.q },
      aNode: { id: f.a, isDeleted: true },
      cNode: { id: f.c },
      many: [{ id: f.q }, { id: f.a }, { id: f.c }, { id: other.id }],
    });
    // listings never show deleted questions, and answers lists never show deleted answers
    const list = await mod.gql(`{ questions(first: 10) { nodes { id } } }`);
    expect(list.data.questions.nodes).toEqual([{ id: other.id }]);
    const answers = await mod.gql(`query($q: ID!) { question(id: $q) { answers { nodes { id } } } }`, { q: f.q });
    expect(answers.data.question.answers.nodes).toEqual([{ id: a2.id }]);
    // nor through what points at them: a comment's post, a ledger entry's subject
    const VIA = `query($c: ID!) {
      node(id: $c) { ... on Comment { body post { id body } } }
      user(handle: "bob") { reputationEvents { nodes { reason subject { id } } } }
    }`;
    const via = async (agent: Agent) => (await agent.gql(VIA, { c: staffComment.id })).data;
    // the comment hangs off a deleted answer of a deleted question: hidden with them, and the
    // ledger's subjects too — also from B, whose answer went with the question
    for (const agent of [anon, A, staff, B]) {
      expect(await via(agent)).toEqual({
        node: null,
        user: {
          reputationEvents: {
            nodes: [
              { reason: 'POST_DELETED', subject: null },
              { reason: 'ANSWER_UPVOTED', subject: null },
              { reason: 'JOINED', subject: null },
            ],
          },
        },
      });
    }
    const seen = await via(mod);
    expect(seen.node).toEqual({ body: COMMENT_BODY(8), post: { id: f.a, body: ANSWER_BODY(0) } });
    expect(seen.user.reputationEvents.nodes.map((e: { subject: { id: string } | null }) => e.subject?.id ?? null)).toEqual([
      f.a,
      f.a,
      null,
    ]);

    // others cannot act on deleted posts either
    for (const [agent, query, input] of [
      [B, Q.answer, { questionId: f.q, body: ANSWER_BODY(9) }],
      [staff, Q.vote, { subjectId: f.q, direction: 'UP' }],
      [staff, Q.comment, { subjectId: f.q, body: COMMENT_BODY(9) }],
      [A, Q.vote, { subjectId: f.a, direction: 'UP' }],
    ] as const) {
      const r = await agent.gql(query, { input });
      expect(payloadErrors(r.data)[0]?.code).toBe('NOT_FOUND');
    }
  });
});

describe('API tokens with the read scope cannot write', () => {
  it('every content mutation is FORBIDDEN for a read-only token, and nothing is written', async () => {
    const f = await fixture();
    const writes: Array<[string, Record<string, unknown>]> = [
      [Q.ask, { spaceSlug: 'widgets', title: 'A question from a read-only token', body: BODY(1), tags: ['x'] }],
      [Q.updateQuestion, { questionId: f.q, body: BODY(2) }],
      [Q.deleteQuestion, { questionId: f.q }],
      [Q.answer, { questionId: f.q, body: ANSWER_BODY(3) }],
      [Q.comment, { subjectId: f.q, body: COMMENT_BODY(4) }],
      [Q.vote, { subjectId: f.a, direction: 'UP' }],
      [Q.accept, { answerId: f.a }],
      [Q.rollback, { postId: f.q, revision: 1 }],
      [
        `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id } errors { code message } } }`,
        { displayName: 'nope' },
      ],
    ];
    for (const [query, input] of writes) await agrees(reader, false, query, input);
    // the token still reads
    expect((await reader.gql(`{ viewer { handle } }`)).data.viewer.handle).toBe('alice');
  });
});

describe('no NoSQL operator injection', () => {
  const OPERATORS = ['{"$ne": null}', '{"$gt": ""}', '{"$regex": ".*"}', '{"$where": "true"}', '$ne', '{"$exists": true}'];

  it('operator strings in handle, slug, tag, ids and filters match nothing', async () => {
    const f = await fixture();
    // the lookups do work with real values (so the nulls below mean something)
    const real = await h
      .agent()
      .gql(
        `query($q: ID!) { user(handle: "alice") { handle } space(slug: "widgets") { slug } tag(name: "frobnicator") { name } question(id: $q) { id } }`,
        { q: f.q },
      );
    expect(real.data).toEqual({
      user: { handle: 'alice' },
      space: { slug: 'widgets' },
      tag: { name: 'frobnicator' },
      question: { id: f.q },
    });
    for (const s of OPERATORS) {
      const r = await h.agent().gql(
        `query($s: String!, $id: ID!, $gid: ID!) {
          user(handle: $s) { id } space(slug: $s) { id } tag(name: $s) { questionCount }
          question(id: $id) { id } byGid: question(id: $gid) { id } gNode: node(id: $gid) { id } gNodes: nodes(ids: [$gid]) { id }
          bySpace: questions(filter: { spaceSlug: $s }) { totalCount nodes { id } }
          byTag: questions(filter: { tag: $s }) { totalCount nodes { id } }
          byAuthor: questions(filter: { authorHandle: $s }) { totalCount nodes { id } }
        }`,
        { s, id: s, gid: gid('Question', s) },
      );
      for (const e of r.errors ?? []) expect(e.extensions?.code, `${s} ${JSON.stringify(e)}`).toBe('NOT_FOUND');
      expect(r.data, s).toEqual({
        user: null,
        space: null,
        tag: r.data.tag === null ? null : { questionCount: 0 }, // an unknown tag name may resolve to an empty shell
        question: null,
        byGid: null,
        gNode: null,
        gNodes: [null],
        bySpace: { totalCount: 0, nodes: [] },
        byTag: { totalCount: 0, nodes: [] },
        byAuthor: { totalCount: 0, nodes: [] },
      });
      // raw (non-global) operator strings as node ids reveal nothing either
      const raw = await h.agent().gql(`query($id: ID!) { node(id: $id) { id } }`, { id: s });
      expect(raw.data?.node ?? null, s).toBeNull();
      const rawMany = await h.agent().gql(`query($id: ID!, $ok: ID!) { nodes(ids: [$id, $ok]) { id } }`, { id: s, ok: f.q });
      expect(JSON.stringify(rawMany.data ?? null), s).not.toContain('"id":"');
    }
  });

  // Pothos' relay decoder throws on a malformed global id; app.ts maps it to NOT_FOUND
  it('malformed global ids in node/nodes are NOT_FOUND, not INTERNAL errors', async () => {
    const r = await h.agent().gql(`query($id: ID!) { node(id: $id) { id } }`, { id: '{"$ne": null}' });
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it('operator objects in variables are rejected by the typed arguments', async () => {
    await fixture();
    const r = await h.agent().gql(`query($h: String!) { user(handle: $h) { id handle } }`, { h: { $ne: null } });
    expect(r.errors?.length).toBeGreaterThan(0);
    expect(r.data ?? null).toBeNull();
    const s = await h.agent().gql(Q.signIn, { input: { login: { $ne: null }, password: { $gt: '' } } });
    expect(s.errors?.length).toBeGreaterThan(0);
    expect(s.headers.getSetCookie()).toEqual([]);
    const f = await h
      .agent()
      .gql(`query($f: QuestionFilter) { questions(filter: $f) { totalCount } }`, { f: { authorHandle: { $ne: null } } });
    expect(f.errors?.length).toBeGreaterThan(0);
  });

  it('signIn with operator strings fails with the generic error; mutations with operator ids change nothing', async () => {
    const f = await fixture();
    const generic = (await A.gql(Q.signIn, { input: { login: 'nobody', password: 'wrong password' } })).data.signIn.errors[0];
    expect(generic.code).toBe('UNAUTHENTICATED');
    for (const s of OPERATORS) {
      const agent = h.agent();
      const r = await agent.gql(Q.signIn, { input: { login: s, password: s } });
      expect(r.data.signIn.viewer, s).toBeNull();
      expect(r.data.signIn.errors[0], s).toEqual(generic);
      expect(agent.cookie).toBe('');
      const withRealLogin = await h.agent().gql(Q.signIn, { input: { login: 'alice', password: s } });
      expect(withRealLogin.data.signIn.errors[0], s).toEqual(generic);
    }
    const before = await snapshot(WATCHED);
    for (const s of OPERATORS) {
      for (const [query, input] of [
        [Q.vote, { subjectId: s, direction: 'UP' }],
        [Q.vote, { subjectId: gid('Question', s), direction: 'UP' }],
        [Q.updateQuestion, { questionId: gid('Question', s), body: BODY(3) }],
        [Q.deleteAnswer, { answerId: gid('Answer', s) }],
        [Q.comment, { subjectId: gid('Answer', s), body: COMMENT_BODY(3) }],
        [Q.deleteComment, { commentId: gid('Comment', s) }],
        [Q.ask, { spaceSlug: s, title: 'An injected question title here', body: BODY(3), tags: ['x'] }],
      ] as const) {
        const r = await B.gql(query, { input });
        expect(r.errors, `${query} ${s}`).toBeUndefined();
        expect(['VALIDATION', 'NOT_FOUND'], `${query} ${s}`).toContain(payloadErrors(r.data)[0]?.code);
      }
    }
    expect(await snapshot(WATCHED)).toBe(before);
    // the fixture is untouched and still works
    expect((await h.agent().gql(`query($q: ID!) { question(id: $q) { answerCount } }`, { q: f.q })).data.question.answerCount).toBe(1);
  });
});

describe('a deleted question takes its answers and their comments with it', () => {
  it('hides them from everyone but the asker and moderators, through every field and mutation', async () => {
    const q = await ask(A);
    const a = await answer(B, q.id);
    const c = await comment(staff, a.id, COMMENT_BODY(7));
    // a moderator deletes the answered question (its author no longer may)
    expect(payloadErrors((await mod.gql(Q.deleteQuestion, { input: { questionId: q.id } })).data)).toEqual([]);

    const LOOK = `query($a: ID!, $c: ID!) { aNode: node(id: $a) { id } cNode: node(id: $c) { id } many: nodes(ids: [$a, $c]) { id } }`;
    for (const [name, agent] of viewers) {
      const r = await agent.gql(LOOK, { a: a.id, c: c.id });
      for (const e of r.errors ?? []) expect(e.extensions?.code, `${name} ${JSON.stringify(e)}`).toBe('NOT_FOUND');
      const sees = name === 'moderator' || name.startsWith('A');
      // the answer's own author (B) and the commenter (staff) lose sight of them too
      expect(r.data.aNode, name).toEqual(sees ? { id: a.id } : null);
      expect(r.data.cNode, name).toEqual(sees ? { id: c.id } : null);
      expect(r.data.many, name).toEqual(sees ? [{ id: a.id }, { id: c.id }] : [null, null]);
    }

    // nothing can be done to them by those who cannot see them: NOT_FOUND, and nothing written
    const before = await snapshot(['posts', 'comments', 'votes', 'reputation_events']);
    const attempts: Array<[Agent, string, Record<string, unknown>]> = [
      [staff, Q.vote, { subjectId: a.id, direction: 'UP' }],
      [staff, Q.comment, { subjectId: a.id, body: COMMENT_BODY(8) }],
      [B, Q.updateAnswer, { answerId: a.id, body: ANSWER_BODY(9) }],
      [B, Q.deleteAnswer, { answerId: a.id }],
      [staff, Q.updateComment, { commentId: c.id, body: COMMENT_BODY(9) }],
      [staff, Q.deleteComment, { commentId: c.id }],
      [staff, Q.verify, { answerId: a.id }],
    ];
    for (const [agent, mutation, input] of attempts) {
      const r = await agent.gql(mutation, { input });
      const codes = [...payloadErrors(r.data).map((e) => e.code), ...(r.errors ?? []).map((e) => e.extensions?.code)];
      expect(codes, `${mutation.slice(0, 40)} ${JSON.stringify(r)}`).toEqual(['NOT_FOUND']);
    }
    expect(await snapshot(['posts', 'comments', 'votes', 'reputation_events'])).toBe(before);

    // search never shows the answer, even to a moderator
    const found = await mod.gql(`query { search(query: "frobnicate") { edges { node { type } } } }`);
    expect(found.errors).toBeUndefined();
    expect(found.data.search.edges).toEqual([]);
  });
});
