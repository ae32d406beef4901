// Content over GraphQL: every content mutation's success and failure paths, Markdown
// sanitizing, tags and synonyms, listings with keyset paging, answer order, view counts.
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ANSWER_BODY,
  BODY,
  COMMENT_BODY,
  Q,
  TITLE,
  accept,
  answer,
  ask,
  comment,
  countAll,
  createSpace,
  gid,
  member,
  payloadErrors,
  rawOf,
  snapshot,
  vote,
  type ErrorData,
  type Member,
} from '../factories/qa.js';
import { flushViews } from '../../server/src/modules/post/post.views.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

let admin: Member;
let alice: Member;
let bob: Member;
let mod: Member;
beforeEach(async () => {
  await h.reset();
  admin = await member(h, 'admin', { role: 'ADMIN' });
  alice = await member(h, 'alice');
  bob = await member(h, 'bob');
  mod = await member(h, 'mod', { role: 'MODERATOR' });
  await createSpace(admin, 'widgets', 'Widgets');
  await createSpace(admin, 'gadgets', 'Gadgets');
});

const db = () => mongoose.connection.db!;
const WATCHED = ['posts', 'revisions', 'comments', 'tags', 'spaces', 'users', 'votes', 'reputation_events'];
const minute = 60_000;
/** A short label for a test input (long strings shown by their length). */
const short = (o: unknown) => JSON.stringify(o, (_k, v: unknown) => (typeof v === 'string' && v.length > 40 ? `<${v.length} chars>` : v));

/** Runs a mutation expected to fail; asserts nothing at all was written and returns the errors. */
async function failsWithoutWriting(
  agent: Member | ReturnType<Harness['agent']>,
  query: string,
  input: Record<string, unknown>,
): Promise<ErrorData[]> {
  const counts = await countAll();
  const before = await snapshot(WATCHED);
  const r = await agent.gql(query, { input });
  expect(r.errors).toBeUndefined();
  const errors = payloadErrors(r.data);
  expect(errors.length).toBeGreaterThan(0);
  const payload = Object.values(r.data)[0] as Record<string, unknown>;
  for (const [k, v] of Object.entries(payload)) if (k !== 'errors') expect(v, k).toBeNull();
  expect(await countAll()).toEqual(counts);
  expect(await snapshot(WATCHED)).toBe(before);
  return errors;
}

async function counters() {
  const r = await h.agent().gql(`{
    space(slug: "widgets") { questionCount }
    alice: user(handle: "alice") { questionCount answerCount }
    bob: user(handle: "bob") { questionCount answerCount }
  }`);
  return r.data;
}

async function tagCount(name: string): Promise<number | null> {
  const r = await h.agent().gql(`query($n: String!) { tag(name: $n) { questionCount } }`, { n: name });
  return r.data.tag?.questionCount ?? null;
}

const QUESTION = `query($id: ID!) { question(id: $id) {
  id title body bodyHTML isDeleted isClosed closeReason answerCount commentCount score
  tags { name } space { slug } author { handle }
  revisions { totalCount nodes { number title body tags changed editSummary rollbackOf author { handle } } }
  answers { nodes { id body author { handle } } }
  comments { totalCount nodes { id body author { handle } } }
} }`;

async function question(id: string, agent = h.agent()) {
  const r = await agent.gql(QUESTION, { id });
  expect(r.errors).toBeUndefined();
  return r.data.question;
}

describe('askQuestion', () => {
  it('stores the question with normalized tags, revision 1 and counters', async () => {
    const q = await ask(alice, { tags: ['Frobnicator', 'node.js', 'c++', 'frobnicator'] });
    expect(q.title).toBe(TITLE());
    expect(q.tags.map((t) => t.name)).toEqual(['frobnicator', 'node.js', 'c++']);
    const full = await question(q.id);
    expect(full).toMatchObject({
      title: TITLE(),
      body: BODY(),
      score: 0,
      answerCount: 0,
      space: { slug: 'widgets' },
      author: { handle: 'alice' },
    });
    expect(full.revisions.totalCount).toBe(1);
    expect(full.revisions.nodes[0]).toMatchObject({
      number: 1,
      title: TITLE(),
      changed: ['title', 'body', 'tags'],
      author: { handle: 'alice' },
    });
    expect(await counters()).toMatchObject({ space: { questionCount: 1 }, alice: { questionCount: 1 } });
    expect(await tagCount('c++')).toBe(1);
    // by the space's global id too
    const spaceId = (await h.agent().gql(`{ space(slug: "gadgets") { id } }`)).data.space.id;
    const r = await alice.must(Q.ask, { input: { spaceId, title: TITLE(2), body: BODY(2), tags: ['x'] } });
    expect(r.askQuestion.question.space.slug).toBe('gadgets');
  });

  it('accepts the boundaries: title 15 and 150 characters, body 30 characters, 5 tags', async () => {
    await ask(alice, { title: 'a'.repeat(15), body: 'b'.repeat(30), tags: ['t1', 't2', 't3', 't4', 't5'] });
    await ask(alice, { title: 'c'.repeat(150), body: 'd'.repeat(30_000), tags: ['t'.repeat(35)] });
    expect(await db().collection('posts').countDocuments({ type: 'question' })).toBe(2);
  });

  it.each(
    (
      [
        ['title', { title: 'a'.repeat(14) }],
        ['title', { title: `   ${'a'.repeat(14)}   ` }],
        ['title', { title: 'a'.repeat(151) }],
        ['body', { body: 'b'.repeat(29) }],
        ['body', { body: `${' '.repeat(20)}${'b'.repeat(29)}${' '.repeat(20)}` }],
        ['body', { body: 'b'.repeat(30_001) }],
        ['tags', { tags: [] }],
        ['tags', { tags: ['a', 'b', 'c', 'd', 'e', 'f'] }],
        ['tags', { tags: ['C++ Lang!'] }],
        ['tags', { tags: ['ok', 'x'.repeat(36)] }],
        ['tags', { tags: ['semi;colon'] }],
        ['spaceSlug', { spaceSlug: 'no-such-space' }],
        ['spaceSlug', { spaceSlug: undefined }],
        ['spaceId', { spaceSlug: undefined, spaceId: gid('Space', '0123456789abcdef01234567') }],
        ['spaceId', { spaceSlug: undefined, spaceId: gid('Question', '0123456789abcdef01234567') }],
      ] as Array<[string, Record<string, unknown>]>
    ).map(([field, override]) => [field, short(override), override] as const),
  )('refuses a bad %s (%s) with a VALIDATION error naming it; nothing is written', async (field, _label, override) => {
    await ask(alice); // some existing state that must not move
    const input = { spaceSlug: 'widgets', title: TITLE(9), body: BODY(9), tags: ['frobnicator'], ...override };
    const errors = await failsWithoutWriting(alice, Q.ask, input);
    expect(errors[0]).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field, path: ['input', field] });
  });

  it('requires a signed-in member', async () => {
    const errors = await failsWithoutWriting(h.agent(), Q.ask, { spaceSlug: 'widgets', title: TITLE(), body: BODY(), tags: ['x'] });
    expect(errors[0]?.code).toBe('UNAUTHENTICATED');
  });
});

describe('Markdown through the API', () => {
  it('sanitizes scripts, event handlers and javascript: URLs; links get rel="nofollow ugc"; code is highlighted', async () => {
    const body = [
      'Hello <script>alert("x")</script> see [the docs](https://example.com/docs) and [bad](javascript:alert(1)).',
      '<img src="x" onerror="alert(2)"> <iframe src="https://evil.example"></iframe> <b onclick="alert(3)">bold</b>',
      '',
      '```js',
      'const answer = 42;',
      '```',
    ].join('\n');
    const q = await ask(alice, { body });
    const html = q.bodyHTML;
    expect(html).not.toMatch(/<script|<iframe|onerror|onclick|javascript:/i);
    expect(html).toMatch(/<a [^>]*href="https:\/\/example\.com\/docs"[^>]*>the docs<\/a>/);
    const rel =
      /<a [^>]*href="https:\/\/example\.com\/docs"[^>]*rel="([^"]*)"/.exec(html)?.[1] ??
      /rel="([^"]*)"[^>]*href="https:\/\/example\.com\/docs"/.exec(html)?.[1];
    expect(rel?.split(' ')).toEqual(expect.arrayContaining(['nofollow', 'ugc']));
    expect(html).toMatch(/<pre><code class="hljs language-(js|javascript)">/);
    // the source is kept as written
    expect((await question(q.id)).body).toBe(body);

    const a = await alice.must(Q.answer, {
      input: { questionId: q.id, body: `${ANSWER_BODY()} <script>steal()</script> [x](https://a.example)` },
    });
    expect(a.postAnswer.answer.bodyHTML).not.toMatch(/<script/i);
    expect(a.postAnswer.answer.bodyHTML).toMatch(/rel="nofollow ugc/);
    const c = await bob.must(Q.comment, { input: { subjectId: q.id, body: 'See <script>x()</script> [here](https://c.example) please' } });
    expect(c.addComment.comment.bodyHTML).not.toMatch(/<script/i);
    expect(c.addComment.comment.bodyHTML).toMatch(/<a [^>]*rel="nofollow ugc/);
  });
});

describe('updateQuestion, updateAnswer, revisions and rollbackRevision', () => {
  it('appends a revision per edit with what changed and the edit summary; tag counts follow', async () => {
    const q = await ask(alice, { tags: ['old-tag'] });
    const edited = await alice.must(Q.updateQuestion, {
      input: { questionId: q.id, title: TITLE(1), body: BODY(1), editSummary: 'clarified the title' },
    });
    expect(edited.updateQuestion.question).toMatchObject({ title: TITLE(1), body: BODY(1), lastEditor: { handle: 'alice' } });
    h.clock.advance(minute);
    await mod.must(Q.updateQuestion, { input: { questionId: q.id, tags: ['new-tag'], editSummary: 'retag' } });
    // an edit that changes nothing adds no revision
    await alice.must(Q.updateQuestion, { input: { questionId: q.id, title: TITLE(1) } });
    const full = await question(q.id);
    expect(full.revisions.totalCount).toBe(3);
    expect(
      full.revisions.nodes.map((r: { number: number; changed: string[]; editSummary: string; author: { handle: string } }) => [
        r.number,
        r.changed,
        r.editSummary,
        r.author.handle,
      ]),
    ).toEqual([
      [1, ['title', 'body', 'tags'], '', 'alice'],
      [2, ['title', 'body'], 'clarified the title', 'alice'],
      [3, ['tags'], 'retag', 'mod'],
    ]);
    expect(full.tags).toEqual([{ name: 'new-tag' }]);
    expect(await tagCount('old-tag')).toBe(0);
    expect(await tagCount('new-tag')).toBe(1);
    // revisions page with keyset cursors
    const page = await h
      .agent()
      .gql(`query($id: ID!) { question(id: $id) { revisions(first: 2) { pageInfo { hasNextPage endCursor } nodes { number } } } }`, {
        id: q.id,
      });
    expect(page.data.question.revisions.nodes.map((n: { number: number }) => n.number)).toEqual([1, 2]);
    const next = await h
      .agent()
      .gql(
        `query($id: ID!, $after: String) { question(id: $id) { revisions(first: 2, after: $after) { pageInfo { hasNextPage } nodes { number } } } }`,
        {
          id: q.id,
          after: page.data.question.revisions.pageInfo.endCursor,
        },
      );
    expect(next.data.question.revisions).toEqual({ pageInfo: { hasNextPage: false }, nodes: [{ number: 3 }] });
  });

  it('refuses bad edits and edits by others; nothing is written', async () => {
    const q = await ask(alice);
    expect((await failsWithoutWriting(alice, Q.updateQuestion, { questionId: q.id, title: 'too short' }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'title',
    });
    expect((await failsWithoutWriting(alice, Q.updateQuestion, { questionId: q.id, body: 'short' }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'body',
    });
    expect((await failsWithoutWriting(alice, Q.updateQuestion, { questionId: q.id, tags: ['Bad Tag!'] }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'tags',
    });
    expect(
      (await failsWithoutWriting(alice, Q.updateQuestion, { questionId: q.id, editSummary: 'x'.repeat(301), body: BODY(5) }))[0],
    ).toMatchObject({ code: 'VALIDATION', field: 'editSummary' });
    expect((await failsWithoutWriting(alice, Q.updateQuestion, { questionId: 'garbage', body: BODY(5) }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'questionId',
    });
    expect((await failsWithoutWriting(bob, Q.updateQuestion, { questionId: q.id, body: BODY(5) }))[0]?.code).toBe('FORBIDDEN');
    expect(
      (await failsWithoutWriting(alice, Q.updateQuestion, { questionId: gid('Question', '0123456789abcdef01234567'), body: BODY(5) }))[0]
        ?.code,
    ).toBe('NOT_FOUND');
  });

  it('updateAnswer appends a revision; others cannot edit; moderators can', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    const r = await bob.must(Q.updateAnswer, { input: { answerId: a.id, body: ANSWER_BODY(1), editSummary: 'more detail' } });
    expect(r.updateAnswer.answer.body).toBe(ANSWER_BODY(1));
    expect((await failsWithoutWriting(alice, Q.updateAnswer, { answerId: a.id, body: ANSWER_BODY(2) }))[0]?.code).toBe('FORBIDDEN');
    expect((await failsWithoutWriting(bob, Q.updateAnswer, { answerId: a.id, body: 'too short' }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'body',
    });
    await mod.must(Q.updateAnswer, { input: { answerId: a.id, body: ANSWER_BODY(3), editSummary: 'moderated' } });
    const revs = await h
      .agent()
      .gql(
        `query($id: ID!) { node(id: $id) { ... on Answer { body lastEditor { handle } revisions { nodes { number changed editSummary body author { handle } } } } } }`,
        { id: a.id },
      );
    expect(revs.data.node.lastEditor.handle).toBe('mod');
    expect(revs.data.node.revisions.nodes).toEqual([
      { number: 1, changed: ['body'], editSummary: '', body: ANSWER_BODY(), author: { handle: 'bob' } },
      { number: 2, changed: ['body'], editSummary: 'more detail', body: ANSWER_BODY(1), author: { handle: 'bob' } },
      { number: 3, changed: ['body'], editSummary: 'moderated', body: ANSWER_BODY(3), author: { handle: 'mod' } },
    ]);
  });

  it('rollbackRevision restores an earlier revision as a new one', async () => {
    const q = await ask(alice, { tags: ['first'] });
    await alice.must(Q.updateQuestion, { input: { questionId: q.id, title: TITLE(1), body: BODY(1), tags: ['second'] } });
    const r = await alice.must(Q.rollback, { input: { postId: q.id, revision: 1 } });
    expect(r.rollbackRevision.post).toMatchObject({ title: TITLE(), body: BODY(), tags: [{ name: 'first' }] });
    const full = await question(q.id);
    expect(full.revisions.totalCount).toBe(3);
    expect(full.revisions.nodes[2]).toMatchObject({
      number: 3,
      rollbackOf: 1,
      changed: ['title', 'body', 'tags'],
      editSummary: 'Rolled back to revision 1',
    });
    expect(await tagCount('first')).toBe(1);
    expect(await tagCount('second')).toBe(0);

    expect((await failsWithoutWriting(alice, Q.rollback, { postId: q.id, revision: 3 }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'revision',
    });
    expect((await failsWithoutWriting(alice, Q.rollback, { postId: q.id, revision: 99 }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'revision',
    });
    expect((await failsWithoutWriting(alice, Q.rollback, { postId: q.id, revision: 0 }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'revision',
    });
    expect((await failsWithoutWriting(bob, Q.rollback, { postId: q.id, revision: 2 }))[0]?.code).toBe('FORBIDDEN');
    // answers roll back too
    const a = await answer(bob, q.id);
    await bob.must(Q.updateAnswer, { input: { answerId: a.id, body: ANSWER_BODY(7) } });
    const ra = await bob.must(Q.rollback, { input: { postId: a.id, revision: 1, editSummary: 'undo' } });
    expect(ra.rollbackRevision.post.body).toBe(ANSWER_BODY());
  });
});

describe('deleteQuestion, postAnswer, deleteAnswer', () => {
  it('the author deletes a question without answers; counters follow; others no longer see it', async () => {
    const q = await ask(alice, { tags: ['gone'] });
    expect((await failsWithoutWriting(bob, Q.deleteQuestion, { questionId: q.id }))[0]?.code).toBe('FORBIDDEN');
    const r = await alice.must(Q.deleteQuestion, { input: { questionId: q.id } });
    expect(r.deleteQuestion.deletedQuestionId).toBe(q.id);
    expect(await question(q.id, bob)).toBeNull();
    expect(await question(q.id)).toBeNull();
    expect((await question(q.id, alice)).isDeleted).toBe(true);
    expect(await counters()).toMatchObject({ space: { questionCount: 0 }, alice: { questionCount: 0 } });
    expect(await tagCount('gone')).toBe(0);
    // deleting again is refused
    expect((await failsWithoutWriting(alice, Q.deleteQuestion, { questionId: q.id }))[0]?.code).toMatch(/FORBIDDEN|NOT_FOUND/);
  });

  it('a question with answers: the author may not delete it, a moderator may', async () => {
    const q = await ask(alice);
    await answer(bob, q.id);
    const errors = await failsWithoutWriting(alice, Q.deleteQuestion, { questionId: q.id });
    expect(errors[0]).toMatchObject({ code: 'FORBIDDEN', message: 'A question with answers can only be deleted by a moderator.' });
    await mod.must(Q.deleteQuestion, { input: { questionId: q.id } });
    expect(await question(q.id, bob)).toBeNull();
    expect((await question(q.id, mod)).isDeleted).toBe(true);
  });

  it('postAnswer: success updates counters; failures write nothing', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    expect(await counters()).toMatchObject({ bob: { answerCount: 1 } });
    const full = await question(q.id);
    expect(full.answerCount).toBe(1);
    expect(full.answers.nodes).toEqual([{ id: a.id, body: ANSWER_BODY(), author: { handle: 'bob' } }]);

    expect((await failsWithoutWriting(bob, Q.answer, { questionId: q.id, body: 'too short' }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'body',
    });
    expect((await failsWithoutWriting(bob, Q.answer, { questionId: a.id, body: ANSWER_BODY() }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'questionId',
    });
    expect(
      (await failsWithoutWriting(bob, Q.answer, { questionId: gid('Question', '0123456789abcdef01234567'), body: ANSWER_BODY() }))[0]?.code,
    ).toBe('NOT_FOUND');
    expect((await failsWithoutWriting(h.agent(), Q.answer, { questionId: q.id, body: ANSWER_BODY() }))[0]?.code).toBe('UNAUTHENTICATED');
  });

  it('deleteAnswer: the author or a moderator; counters follow', async () => {
    const q = await ask(alice);
    const a1 = await answer(bob, q.id, ANSWER_BODY(1));
    const a2 = await answer(bob, q.id, ANSWER_BODY(2));
    expect((await failsWithoutWriting(alice, Q.deleteAnswer, { answerId: a1.id }))[0]?.code).toBe('FORBIDDEN');
    const r = await bob.must(Q.deleteAnswer, { input: { answerId: a1.id } });
    expect(r.deleteAnswer).toMatchObject({ deletedAnswerId: a1.id, question: { id: q.id, answerCount: 1 } });
    await mod.must(Q.deleteAnswer, { input: { answerId: a2.id } });
    const full = await question(q.id);
    expect(full.answerCount).toBe(0);
    expect(full.answers.nodes).toEqual([]);
    expect(await counters()).toMatchObject({ bob: { answerCount: 0 } });
  });
});

describe('comments', () => {
  it('addComment (15–600 characters), updateComment, deleteComment with permissions', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    const c15 = await comment(bob, q.id, 'x'.repeat(15));
    await comment(alice, a.id, 'y'.repeat(600));
    expect((await failsWithoutWriting(bob, Q.comment, { subjectId: q.id, body: 'x'.repeat(14) }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'body',
    });
    expect((await failsWithoutWriting(bob, Q.comment, { subjectId: q.id, body: `   ${'x'.repeat(14)}   ` }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'body',
    });
    expect((await failsWithoutWriting(bob, Q.comment, { subjectId: q.id, body: 'x'.repeat(601) }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'body',
    });
    expect(
      (await failsWithoutWriting(bob, Q.comment, { subjectId: gid('Comment', rawOf(c15.id)), body: COMMENT_BODY() }))[0],
    ).toMatchObject({ code: 'VALIDATION', field: 'subjectId' });
    expect((await failsWithoutWriting(h.agent(), Q.comment, { subjectId: q.id, body: COMMENT_BODY() }))[0]?.code).toBe('UNAUTHENTICATED');
    let full = await question(q.id);
    expect(full.commentCount).toBe(1);
    expect(full.comments.nodes).toEqual([{ id: c15.id, body: 'x'.repeat(15), author: { handle: 'bob' } }]);

    // update: author yes, others no, moderators yes
    h.clock.advance(minute);
    const up = await bob.must(Q.updateComment, { input: { commentId: c15.id, body: COMMENT_BODY(1) } });
    expect(up.updateComment.comment).toMatchObject({ body: COMMENT_BODY(1), editedAt: '2026-01-05T10:01:00.000Z' });
    expect((await failsWithoutWriting(alice, Q.updateComment, { commentId: c15.id, body: COMMENT_BODY(2) }))[0]?.code).toBe('FORBIDDEN');
    expect((await failsWithoutWriting(bob, Q.updateComment, { commentId: c15.id, body: 'short' }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'body',
    });
    await mod.must(Q.updateComment, { input: { commentId: c15.id, body: COMMENT_BODY(3) } });

    // delete: others no; author yes; then it is gone from the post
    expect((await failsWithoutWriting(alice, Q.deleteComment, { commentId: c15.id }))[0]?.code).toBe('FORBIDDEN');
    const del = await bob.must(Q.deleteComment, { input: { commentId: c15.id } });
    expect(del.deleteComment.deletedCommentId).toBe(c15.id);
    full = await question(q.id);
    expect(full.commentCount).toBe(0);
    expect(full.comments.nodes).toEqual([]);
    expect((await h.agent().gql(`query($id: ID!) { node(id: $id) { id } }`, { id: c15.id })).data.node).toBeNull();
    expect((await failsWithoutWriting(bob, Q.deleteComment, { commentId: c15.id }))[0]?.code).toMatch(/FORBIDDEN|NOT_FOUND/);
  });
});

describe('closeQuestion and reopenQuestion', () => {
  it('moderators close (with a reason, duplicates name the original) and reopen; members cannot; closed questions take no answers', async () => {
    const original = await ask(alice, { title: TITLE(1) });
    const q = await ask(alice);
    expect((await failsWithoutWriting(alice, Q.close, { questionId: q.id, reason: 'OFF_TOPIC' }))[0]?.code).toBe('FORBIDDEN');
    expect((await failsWithoutWriting(mod, Q.close, { questionId: q.id, reason: 'DUPLICATE' }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'duplicateOfId',
    });
    expect((await failsWithoutWriting(mod, Q.close, { questionId: q.id, reason: 'DUPLICATE', duplicateOfId: q.id }))[0]).toMatchObject({
      code: 'VALIDATION',
      field: 'duplicateOfId',
    });
    const closed = await mod.must(Q.close, { input: { questionId: q.id, reason: 'DUPLICATE', duplicateOfId: original.id } });
    expect(closed.closeQuestion.question).toEqual({ id: q.id, isClosed: true, closeReason: 'DUPLICATE', duplicateOf: { id: original.id } });
    expect((await failsWithoutWriting(bob, Q.answer, { questionId: q.id, body: ANSWER_BODY() }))[0]).toMatchObject({
      code: 'FORBIDDEN',
      message: 'This question is closed.',
    });
    expect((await bob.gql(`query($id: ID!) { question(id: $id) { viewerCanAnswer } }`, { id: q.id })).data.question.viewerCanAnswer).toBe(
      false,
    );
    expect((await failsWithoutWriting(alice, Q.reopen, { questionId: q.id }))[0]?.code).toBe('FORBIDDEN');
    const reopened = await mod.must(Q.reopen, { input: { questionId: q.id } });
    expect(reopened.reopenQuestion.question).toEqual({ id: q.id, isClosed: false, closeReason: null });
    await answer(bob, q.id);
  });
});

describe('tags', () => {
  it('synonyms (moderators only) resolve to their master; questionCount counts the master', async () => {
    await ask(alice, { tags: ['javascript'] });
    const denied = await alice.gql(Q.addSynonym, { input: { name: 'js', masterName: 'javascript' } });
    expect(payloadErrors(denied.data)[0]?.code).toBe('FORBIDDEN');
    const noMaster = await mod.gql(Q.addSynonym, { input: { name: 'js', masterName: 'ecmascript' } });
    expect(payloadErrors(noMaster.data)[0]).toMatchObject({ code: 'VALIDATION', field: 'masterName' });
    const badName = await mod.gql(Q.addSynonym, { input: { name: 'J S!', masterName: 'javascript' } });
    expect(payloadErrors(badName.data)[0]).toMatchObject({ code: 'VALIDATION', field: 'name' });
    const ok = await mod.must(Q.addSynonym, { input: { name: 'JS', masterName: 'javascript' } });
    expect(ok.addTagSynonym.tag).toEqual({ name: 'javascript', synonyms: ['js'] });

    const q = await ask(alice, { tags: ['js', 'dom'] });
    expect(q.tags.map((t) => t.name)).toEqual(['javascript', 'dom']);
    const both = await ask(alice, { tags: ['js', 'javascript'] });
    expect(both.tags.map((t) => t.name)).toEqual(['javascript']);
    const r = await h
      .agent()
      .gql(
        `{ tag(name: "javascript") { questionCount synonyms } js: tag(name: "js") { synonymOf { name } } dom: tag(name: "DOM") { questionCount } }`,
      );
    expect(r.data).toEqual({
      tag: { questionCount: 3, synonyms: ['js'] },
      js: { synonymOf: { name: 'javascript' } },
      dom: { questionCount: 1 },
    });
    const listed = await h.agent().gql(`{ questions(filter: { tag: "javascript" }) { totalCount } }`);
    expect(listed.data.questions.totalCount).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------
// listings

const LIST = `query($first: Int, $after: String, $last: Int, $before: String, $orderBy: QuestionOrder, $filter: QuestionFilter) {
  questions(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }
  } }`;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Array<{ cursor: string; node: { id: string } }>;
}

async function page(vars: Record<string, unknown>): Promise<Page> {
  const r = await h.agent().gql(LIST, vars);
  expect(r.errors).toBeUndefined();
  return r.data.questions as Page;
}

async function walkForward(vars: Record<string, unknown>, size: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i++) {
    const p: Page = await page({ ...vars, first: size, after });
    expect(p.edges.length).toBeLessThanOrEqual(size);
    ids.push(...p.edges.map((e) => e.node.id));
    expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
    if (!p.pageInfo.hasNextPage) return ids;
    expect(p.edges).toHaveLength(size);
    after = p.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

async function walkBackward(vars: Record<string, unknown>, size: number): Promise<string[]> {
  const ids: string[] = [];
  let before: string | null = null;
  for (let i = 0; i < 50; i++) {
    const p: Page = await page({ ...vars, last: size, before });
    ids.unshift(...p.edges.map((e) => e.node.id));
    if (!p.pageInfo.hasPreviousPage) return ids;
    before = p.pageInfo.startCursor;
  }
  throw new Error('paging did not end');
}

describe('questions listings', () => {
  interface Made {
    id: string;
    raw: string;
    createdAt: number;
    activeAt: number;
    score: number;
    space: string;
    tags: string[];
    author: string;
    answered: boolean;
  }

  /** 11 questions in two spaces by two authors; scores, answers and activity spread out. */
  async function makeQuestions(): Promise<Made[]> {
    const voters = [bob, mod, admin];
    const made: Made[] = [];
    for (let i = 0; i < 11; i++) {
      h.clock.advance(minute);
      const author = i % 3 === 0 ? bob : alice;
      const space = i % 2 === 0 ? 'widgets' : 'gadgets';
      const tags = i % 4 === 0 ? ['alpha', 'beta'] : ['beta'];
      const q = await ask(author, { spaceSlug: space, title: TITLE(i), body: BODY(i), tags });
      made.push({
        id: q.id,
        raw: rawOf(q.id),
        createdAt: h.clock.now().getTime(),
        activeAt: h.clock.now().getTime(),
        score: 0,
        space,
        tags,
        author: author.handle,
        answered: false,
      });
    }
    // scores: ties on purpose (several 0s and two 1s)
    const scores = [2, 0, 1, -1, 0, 3, 1, 0, 0, 2, 0];
    for (let i = 0; i < made.length; i++) {
      const m = made[i]!;
      const target = scores[i]!;
      const eligible = voters.filter((v) => v.handle !== m.author);
      for (let k = 0; k < Math.abs(target); k++) await vote(eligible[k]!, m.id, target > 0 ? 'UP' : 'DOWN');
      m.score = target;
    }
    // answers: an accepted one on #2, a positively scored one on #4, an unscored one on #6
    h.clock.advance(minute);
    const a2 = await answer(mod, made[2]!.id);
    await accept(bob.handle === made[2]!.author ? bob : alice, a2.id);
    made[2]!.answered = true;
    made[2]!.activeAt = h.clock.now().getTime();
    h.clock.advance(minute);
    const a4 = await answer(mod, made[4]!.id);
    await vote(bob, a4.id, 'UP');
    made[4]!.answered = true;
    made[4]!.activeAt = h.clock.now().getTime();
    h.clock.advance(minute);
    await answer(mod, made[6]!.id);
    made[6]!.activeAt = h.clock.now().getTime();
    return made;
  }

  const byKeyDesc = (key: (m: Made) => number) => (a: Made, b: Made) => key(b) - key(a) || (a.raw < b.raw ? 1 : -1);

  it('walks every order forwards and backwards with keyset cursors: all items, no duplicates, no gaps', async () => {
    const made = await makeQuestions();
    const expected: Record<string, string[]> = {
      NEWEST: [...made].sort(byKeyDesc((m) => m.createdAt)).map((m) => m.id),
      ACTIVE: [...made].sort(byKeyDesc((m) => m.activeAt)).map((m) => m.id),
      VOTES: [...made].sort(byKeyDesc((m) => m.score)).map((m) => m.id),
      UNANSWERED: made
        .filter((m) => !m.answered)
        .sort(byKeyDesc((m) => m.createdAt))
        .map((m) => m.id),
    };
    expect(expected.ACTIVE!.slice(0, 3)).toEqual([made[6]!.id, made[4]!.id, made[2]!.id]);
    for (const [orderBy, ids] of Object.entries(expected)) {
      for (const size of [1, 3, 4]) {
        const forward = await walkForward({ orderBy }, size);
        expect(forward, `${orderBy} first ${size}`).toEqual(ids);
        const backward = await walkBackward({ orderBy }, size);
        expect(backward, `${orderBy} last ${size}`).toEqual(ids);
      }
      expect((await page({ orderBy, first: 1 })).totalCount).toBe(ids.length);
      // last: n alone gives the final n of the order
      const tail = await page({ orderBy, last: 2 });
      expect(tail.edges.map((e) => e.node.id)).toEqual(ids.slice(-2));
      expect(tail.pageInfo).toMatchObject({ hasPreviousPage: ids.length > 2, hasNextPage: false });
    }
  });

  it('filters by space, tag, author and unanswered (combinable)', async () => {
    const made = await makeQuestions();
    const newest = (pred: (m: Made) => boolean) =>
      made
        .filter(pred)
        .sort(byKeyDesc((m) => m.createdAt))
        .map((m) => m.id);
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ spaceSlug: 'gadgets' }, newest((m) => m.space === 'gadgets')],
      [{ tag: 'alpha' }, newest((m) => m.tags.includes('alpha'))],
      [{ tag: 'ALPHA' }, newest((m) => m.tags.includes('alpha'))],
      [{ authorHandle: 'bob' }, newest((m) => m.author === 'bob')],
      [{ unanswered: true }, newest((m) => !m.answered)],
      [
        { spaceSlug: 'widgets', tag: 'beta', authorHandle: 'alice', unanswered: true },
        newest((m) => m.space === 'widgets' && m.author === 'alice' && !m.answered),
      ],
      [{ spaceSlug: 'no-such-space' }, []],
      [{ authorHandle: 'nobody' }, []],
      [{ tag: 'no-such-tag' }, []],
    ];
    for (const [filter, ids] of cases) {
      expect(ids.length === 0 || ids.length < made.length, JSON.stringify(filter)).toBe(true);
      expect(await walkForward({ filter }, 2), JSON.stringify(filter)).toEqual(ids);
      expect((await page({ filter, first: 1 })).totalCount, JSON.stringify(filter)).toBe(ids.length);
    }
    // the space's own connection agrees
    const r = await h.agent().gql(`{ space(slug: "gadgets") { questionCount questions(first: 100) { nodes { id } } } }`);
    expect(r.data.space.questions.nodes.map((n: { id: string }) => n.id)).toEqual(newest((m) => m.space === 'gadgets'));
    expect(r.data.space.questionCount).toBe(newest((m) => m.space === 'gadgets').length);
  });

  it('keyset paging does not repeat or skip when new questions arrive between pages', async () => {
    const made = await makeQuestions();
    const first = await page({ orderBy: 'NEWEST', first: 4 });
    h.clock.advance(minute);
    await ask(alice, { title: TITLE(99), body: BODY(99) }); // newest: lands before the cursor
    const rest = await walkForward({ orderBy: 'NEWEST' }, 100);
    const after = await page({ orderBy: 'NEWEST', first: 100, after: first.pageInfo.endCursor });
    const seen = [...first.edges, ...after.edges].map((e) => e.node.id);
    expect(seen).toEqual([...made].sort(byKeyDesc((m) => m.createdAt)).map((m) => m.id));
    expect(rest).toHaveLength(made.length + 1);
  });

  it('first/last outside 1..100 and bad cursors are errors, not silent clamps', async () => {
    await ask(alice);
    for (const vars of [
      { first: 101 },
      { first: 0 },
      { last: 101 },
      { first: -1 },
      { first: 2, last: 2 },
      { first: 2, after: 'not-a-cursor' },
    ]) {
      const r = await h.agent().gql(LIST, vars);
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(vars)).toBe('VALIDATION');
      expect(r.data?.questions ?? null).toBeNull();
    }
    expect((await page({ first: 100 })).edges).toHaveLength(1);
  });
});

describe('answer order and view counts', () => {
  it('answers come accepted first, then verified, then by score, then oldest first', async () => {
    const staff = await member(h, 'staff', { role: 'STAFF' });
    const carol = await member(h, 'carol');
    const dave = await member(h, 'dave');
    const q = await ask(alice);
    const authors = [bob, carol, dave, mod, admin];
    const a: Array<{ id: string }> = [];
    for (const [i, author] of authors.entries()) {
      h.clock.advance(minute);
      a.push(await answer(author, q.id, ANSWER_BODY(i)));
    }
    // a[2] score 2, a[3] score 1, a[4] score 1 (younger than a[3]), a[0] score -1
    await vote(alice, a[2]!.id, 'UP');
    await vote(staff, a[2]!.id, 'UP');
    await vote(alice, a[3]!.id, 'UP');
    await vote(alice, a[4]!.id, 'UP');
    await vote(staff, a[0]!.id, 'DOWN');
    await staff.must(Q.verify, { input: { answerId: a[1]!.id } });
    await accept(alice, a[4]!.id);
    const r = await h
      .agent()
      .gql(`query($id: ID!) { question(id: $id) { answers { nodes { id score isAccepted isVerified } } } }`, { id: q.id });
    expect(r.data.question.answers.nodes).toEqual([
      { id: a[4]!.id, score: 1, isAccepted: true, isVerified: false },
      { id: a[1]!.id, score: 0, isAccepted: false, isVerified: true },
      { id: a[2]!.id, score: 2, isAccepted: false, isVerified: false },
      { id: a[3]!.id, score: 1, isAccepted: false, isVerified: false },
      { id: a[0]!.id, score: -1, isAccepted: false, isVerified: false },
    ]);
    // paging the answers keeps that order
    const p1 = await h
      .agent()
      .gql(`query($id: ID!) { question(id: $id) { answers(first: 2) { pageInfo { endCursor hasNextPage } nodes { id } } } }`, { id: q.id });
    const p2 = await h
      .agent()
      .gql(
        `query($id: ID!, $after: String) { question(id: $id) { answers(first: 3, after: $after) { pageInfo { hasNextPage } nodes { id } } } }`,
        {
          id: q.id,
          after: p1.data.question.answers.pageInfo.endCursor,
        },
      );
    expect([...p1.data.question.answers.nodes, ...p2.data.question.answers.nodes].map((n: { id: string }) => n.id)).toEqual(
      [a[4], a[1], a[2], a[3], a[0]].map((x) => x!.id),
    );
    expect(p2.data.question.answers.pageInfo.hasNextPage).toBe(false);
  });

  it('recordQuestionView counts once per viewer per hour', async () => {
    const q = await ask(alice);
    const view = async (agent: ReturnType<Harness['agent']>) => {
      const r = await agent.must(Q.view, { input: { questionId: q.id } });
      return r.recordQuestionView.question.viewCount as number;
    };
    expect(await view(bob)).toBe(1);
    expect(await view(bob)).toBe(1); // twice in a row counts once
    expect(await view(alice)).toBe(2); // a different viewer counts again
    const anon = h.agent();
    expect(await view(anon)).toBe(3);
    expect(await view(anon)).toBe(3);
    // the window is an hour: the key expires with a TTL of at most 3600 s
    const keys = await h.deps.redis.keys(`${h.deps.config.redisPrefix}view:${rawOf(q.id)}:*`);
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      const ttl = await h.deps.redis.ttl(key);
      expect(ttl).toBeGreaterThan(3500);
      expect(ttl).toBeLessThanOrEqual(3600);
    }
    // once the window has passed (the key expired), the same viewer counts again
    const bobKey = keys.find((k) => k.endsWith(`:${rawOf(bob.id)}`));
    expect(bobKey).toBeDefined();
    await h.deps.redis.del(bobKey!);
    expect(await view(bob)).toBe(4);
    expect((await question(q.id)).id).toBe(q.id);
    // views wait in Redis (a page view writes nothing to the database) until the worker flushes
    const stored = async () =>
      (await db()
        .collection('posts')
        .findOne({ _id: new mongoose.Types.ObjectId(rawOf(q.id)) }))!.viewCount as number;
    expect(await stored()).toBe(0);
    const other = await ask(bob, { title: TITLE(8), body: BODY(8) });
    expect(await view(alice)).toBe(4); // alice saw q within the hour
    await h.agent().must(Q.view, { input: { questionId: other.id } });
    expect(await flushViews(h.deps)).toBe(2);
    expect(await stored()).toBe(4);
    expect(await view(mod)).toBe(5); // stored 4 + 1 pending: nothing counted twice
    // a flush that stopped half-way (its hash left behind) is finished by the next one, and the
    // counts in it are shown meanwhile
    await h.deps.redis.rename(`${h.deps.config.redisPrefix}views:pending`, `${h.deps.config.redisPrefix}views:flushing`);
    expect(await view(bob)).toBe(5);
    expect(await flushViews(h.deps)).toBe(1);
    expect(await stored()).toBe(5);
    expect(await flushViews(h.deps)).toBe(0);
    expect(await view(bob)).toBe(5);
  });
});
