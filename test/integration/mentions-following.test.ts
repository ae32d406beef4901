// @mentions as profile links in stored HTML (resolved at write time), mention autocomplete
// (`mentionSuggestions`: participants first, then members by handle prefix, from the handle index
// in Redis or the database's handleKey index), and what the web needs for follow buttons and
// hiding ignored tags (`viewerIsFollowing` on Tag/Space/User, `Tag.viewerIsIgnoring`,
// `User.ignoredTags` for the member themselves only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_BODY, answer, ask, comment, createSpace, gid, member, type Member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let admin: Member;
let alice: Member;
let bob: Member;
let carol: Member;
let carl: Member;
let dave: Member;
let mod: Member;
let space: { id: string; slug: string };

beforeAll(async () => {
  h = await startHarness();
  admin = await member(h, 'admin', { role: 'ADMIN' });
  alice = await member(h, 'alice');
  bob = await member(h, 'bob');
  carol = await member(h, 'Carol');
  carl = await member(h, 'carl');
  await member(h, 'carmen');
  dave = await member(h, 'dave');
  mod = await member(h, 'moddy', { role: 'MODERATOR' });
  space = await createSpace(admin, 'widgets', 'Widgets');
});
afterAll(async () => {
  await h?.close();
});

const link = (handle: string, text = `@${handle}`) => `<a href="/users/${handle.toLowerCase()}" class="mention">${text}</a>`;

describe('mentions in rendered bodies', () => {
  it('links the mentions of existing members in questions, answers and comments, not in code or of unknown handles', async () => {
    const q = await ask(alice, {
      body: 'Has anyone seen this? @carol and @Nobody_here may know; `@carol` in code stays code, mail x@carol.example stays text.',
    });
    expect(q.bodyHTML).toContain(link('Carol', '@carol'));
    expect(q.bodyHTML).toContain('@Nobody_here may know');
    expect(q.bodyHTML).toContain('<code>@carol</code>');
    expect(q.bodyHTML).not.toContain('/users/nobody_here');

    const a = await answer(bob, q.id, `${ANSWER_BODY(1)} Thanks @alice and @Dave.`);
    const c = await comment(carol, a.id, 'Agreed with @bob here, and @carl too.');
    const read = await alice.must(
      `query($q: ID!, $a: ID!, $c: ID!) {
        a: node(id: $a) { ... on Answer { bodyHTML } }
        c: node(id: $c) { ... on Comment { bodyHTML } }
        q: question(id: $q) { bodyHTML }
      }`,
      { q: q.id, a: a.id, c: c.id },
    );
    expect(read.a.bodyHTML).toContain(`Thanks ${link('alice')} and ${link('dave', '@Dave')}.`);
    expect(read.c.bodyHTML).toBe(`Agreed with ${link('bob')} here, and ${link('carl')} too.`);

    // edits render again: the new mention links, the removed one is gone
    const edited = await carol.must(
      `mutation($input: UpdateCommentInput!) { updateComment(input: $input) { comment { bodyHTML } errors { code } } }`,
      { input: { commentId: c.id, body: 'On second thought, ask @carmen instead.' } },
    );
    expect(edited.updateComment.comment.bodyHTML).toBe(`On second thought, ask ${link('carmen')} instead.`);
    const updated = await bob.must(
      `mutation($input: UpdateAnswerInput!) { updateAnswer(input: $input) { answer { bodyHTML } errors { code } } }`,
      { input: { answerId: a.id, body: `${ANSWER_BODY(2)} Ping @carmen.` } },
    );
    expect(updated.updateAnswer.answer.bodyHTML).toContain(`Ping ${link('carmen')}.`);
    expect(updated.updateAnswer.answer.bodyHTML).not.toContain('/users/alice');
  });
});

const SUGGEST = `query($q: ID!, $p: String!, $first: Int) { mentionSuggestions(questionId: $q, prefix: $p, first: $first) { handle } }`;
const handles = (r: { data: { mentionSuggestions: Array<{ handle: string }> | null } }) => r.data.mentionSuggestions?.map((u) => u.handle);

describe('mentionSuggestions', () => {
  let q: { id: string };
  beforeAll(async () => {
    q = await ask(alice, { title: 'Which widget frobnicator settings do people use?' });
    const a = await answer(bob, q.id, ANSWER_BODY(3));
    await comment(carol, a.id, 'This worked for me as well, thanks.');
  });

  for (const path of ['database', 'Redis handle index'] as const) {
    it(`suggests the thread's participants first, then members by handle prefix (${path})`, async () => {
      if (path === 'Redis handle index') expect(await h.deps.repos.users.rebuildRanking()).toBeGreaterThanOrEqual(8);
      expect(handles(await dave.gql(SUGGEST, { q: q.id, p: 'car' }))).toEqual(['Carol', 'carl', 'carmen']);
      expect(handles(await dave.gql(SUGGEST, { q: q.id, p: '@CAR', first: 2 }))).toEqual(['Carol', 'carl']);
      // "@" alone: the thread only (the viewer never suggests themselves)
      expect(handles(await dave.gql(SUGGEST, { q: q.id, p: '' }))).toEqual(['alice', 'bob', 'Carol']);
      expect(handles(await bob.gql(SUGGEST, { q: q.id, p: '' }))).toEqual(['alice', 'Carol']);
      expect(handles(await dave.gql(SUGGEST, { q: q.id, p: 'mo' }))).toEqual(['moddy']);
      expect(handles(await dave.gql(SUGGEST, { q: q.id, p: 'zz' }))).toEqual([]);
    });
  }

  it('refuses anonymous visitors, bad input and questions the viewer cannot see', async () => {
    expect((await h.agent().gql(SUGGEST, { q: q.id, p: 'car' })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await dave.gql(SUGGEST, { q: q.id, p: 'car', first: 21 })).errors?.[0]?.extensions?.code).toBe('VALIDATION');
    expect((await dave.gql(SUGGEST, { q: q.id, p: 'a b' })).errors?.[0]?.extensions?.code).toBe('VALIDATION');
    expect((await dave.gql(SUGGEST, { q: gid('Tag', 'x'), p: 'car' })).errors?.[0]?.extensions?.code).toBe('VALIDATION');
    const gone = await ask(carl, { title: 'A question that will be deleted soon enough' });
    await carl.must(`mutation($input: DeleteQuestionInput!) { deleteQuestion(input: $input) { errors { code } } }`, {
      input: { questionId: gone.id },
    });
    expect((await dave.gql(SUGGEST, { q: gone.id, p: '' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // a moderator still sees the deleted question
    expect(handles(await mod.gql(SUGGEST, { q: gone.id, p: '' }))).toEqual(['carl']);
  });
});

describe('follow state and ignored tags for the web', () => {
  const FOLLOW = `mutation($id: ID!) { follow(input: { subjectId: $id }) { errors { code } } }`;
  const IGNORE = `mutation($name: String!, $on: Boolean) { ignoreTag(input: { name: $name, ignored: $on }) { following { ignoredTags } errors { code } } }`;

  it('tells each viewer what they follow and ignore; nobody else sees a member’s ignored tags', async () => {
    await ask(alice, { tags: ['gizmo', 'sprocket'], title: 'A gizmo and sprocket question for following' });
    const STATE = `query($handle: String!) {
      tag(name: "gizmo") { viewerIsFollowing viewerIsIgnoring }
      space(slug: "widgets") { viewerIsFollowing }
      user(handle: $handle) { viewerIsFollowing ignoredTags }
      viewer { ignoredTags }
    }`;
    await dave.must(FOLLOW, { id: gid('Tag', 'gizmo') });
    await dave.must(FOLLOW, { id: space.id });
    await dave.must(FOLLOW, { id: alice.id });
    await dave.must(IGNORE, { name: 'sprocket' });
    expect((await dave.must(STATE, { handle: 'alice' })) as unknown).toEqual({
      tag: { viewerIsFollowing: true, viewerIsIgnoring: false },
      space: { viewerIsFollowing: true },
      user: { viewerIsFollowing: true, ignoredTags: null },
      viewer: { ignoredTags: ['sprocket'] },
    });
    expect((await bob.must(STATE, { handle: 'dave' })) as unknown).toEqual({
      tag: { viewerIsFollowing: false, viewerIsIgnoring: false },
      space: { viewerIsFollowing: false },
      user: { viewerIsFollowing: false, ignoredTags: null },
      viewer: { ignoredTags: [] },
    });
    const anon = await h.agent().must(STATE, { handle: 'dave' });
    expect(anon).toEqual({
      tag: { viewerIsFollowing: false, viewerIsIgnoring: false },
      space: { viewerIsFollowing: false },
      user: { viewerIsFollowing: false, ignoredTags: null },
      viewer: null,
    });
    await dave.must(IGNORE, { name: 'gizmo' });
    expect((await dave.must(`{ tag(name: "gizmo") { viewerIsIgnoring } viewer { ignoredTags } }`)) as unknown).toEqual({
      tag: { viewerIsIgnoring: true },
      viewer: { ignoredTags: ['sprocket', 'gizmo'] },
    });
    await dave.must(IGNORE, { name: 'sprocket', on: false });
    expect((await dave.must(`{ viewer { ignoredTags } }`)).viewer.ignoredTags).toEqual(['gizmo']);
  });

  it('refuses following and ignoring to anonymous visitors and unknown subjects, changing nothing', async () => {
    const anon = h.agent();
    for (const [query, vars] of [
      [FOLLOW, { id: gid('Tag', 'gizmo') }],
      [IGNORE, { name: 'gizmo' }],
    ] as const) {
      const r = await anon.gql(query, vars);
      const code =
        r.errors?.[0]?.extensions?.code ?? (Object.values(r.data ?? {})[0] as { errors: Array<{ code: string }> }).errors[0]?.code;
      expect(code).toBe('UNAUTHENTICATED');
    }
    const r = await bob.gql(IGNORE, { name: 'no-such-tag-here' });
    expect(r.data.ignoreTag.errors[0].code).toBe('NOT_FOUND');
    expect((await bob.must(`{ viewer { ignoredTags } }`)).viewer.ignoredTags).toEqual([]);
  });
});
