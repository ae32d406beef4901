// The inbox over GraphQL: who is told what (answers, comments, mentions, accepts, edits,
// followed questions), grouping, never for one's own action, read state, removal when the
// source is deleted, visibility of the mentioning post, and the read model's rebuild.
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ANSWER_BODY, Q, accept, answer, ask, comment, createSpace, member, payloadErrors, rawOf, type Member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { handleNotificationEvent } from '../../server/src/modules/notification/notification.handler.js';

let h: Harness;
let admin: Member;
let alice: Member;
let bob: Member;
let carol: Member;
let dave: Member;
let mod: Member;
// members once (signing up is slow); every test starts with empty inboxes and follows
beforeAll(async () => {
  h = await startHarness();
  admin = await member(h, 'admin', { role: 'ADMIN' });
  alice = await member(h, 'alice');
  bob = await member(h, 'bob');
  carol = await member(h, 'carol');
  dave = await member(h, 'dave');
  mod = await member(h, 'moddy', { role: 'MODERATOR' });
  await createSpace(admin, 'widgets', 'Widgets');
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  const db = mongoose.connection.db!;
  for (const name of ['notifications', 'mentions', 'followers', 'member_follows']) await db.collection(name).deleteMany({});
  const keys = await h.deps.redis.keys(`${h.deps.config.redisPrefix}inbox:*`);
  if (keys.length) await h.deps.redis.del(...keys);
});

const INBOX = `query($first: Int, $after: String, $unreadOnly: Boolean) {
  unreadNotificationCount
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    nodes { id kind count isRead url actors { handle } question { id } post { id } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const MARK = `mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { markedIds unreadCount errors { code message } } }`;

interface Entry {
  id: string;
  kind: string;
  count: number;
  isRead: boolean;
  url: string;
  actors: Array<{ handle: string }>;
  question: { id: string } | null;
  post: { id: string } | null;
}
async function inbox(m: Member, vars: Record<string, unknown> = {}) {
  const r = await m.gql<{
    unreadNotificationCount: number;
    notifications: { nodes: Entry[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
  }>(INBOX, vars);
  expect(r.errors).toBeUndefined();
  return { count: r.data.unreadNotificationCount, entries: r.data.notifications.nodes, pageInfo: r.data.notifications.pageInfo };
}

describe('notifications', () => {
  it('tells the asker about answers, grouped while unread; never the actor', async () => {
    const q = await ask(alice);
    const a1 = await answer(bob, q.id, ANSWER_BODY(1));
    let box = await inbox(alice);
    expect(box.count).toBe(1);
    expect(box.entries).toMatchObject([{ kind: 'ANSWER', count: 1, isRead: false, actors: [{ handle: 'bob' }], post: { id: a1.id } }]);
    expect(box.entries[0]!.url).toBe(`/questions/${rawOf(q.id)}/-#answer-${rawOf(a1.id)}`);
    expect((await inbox(bob)).entries).toEqual([]);

    const a2 = await answer(carol, q.id, ANSWER_BODY(2));
    box = await inbox(alice);
    expect(box.count).toBe(1);
    expect(box.entries).toMatchObject([
      { kind: 'ANSWER', count: 2, actors: [{ handle: 'bob' }, { handle: 'carol' }], post: { id: a2.id } },
    ]);
    // bob answered: he follows the question and hears of carol's answer
    expect((await inbox(bob)).entries).toMatchObject([{ kind: 'FOLLOWED_ACTIVITY', count: 1 }]);

    // read: the next answer starts a new entry
    const marked = await alice.must<{ markNotificationsRead: { markedIds: string[]; unreadCount: number } }>(MARK, {
      input: { all: true },
    });
    expect(marked.markNotificationsRead).toMatchObject({ markedIds: [box.entries[0]!.id], unreadCount: 0 });
    h.clock.advance(60_000);
    await answer(dave, q.id, ANSWER_BODY(3));
    box = await inbox(alice);
    expect(box.count).toBe(1);
    expect(box.entries.map((e) => [e.kind, e.count, e.isRead])).toEqual([
      ['ANSWER', 1, false],
      ['ANSWER', 2, true],
    ]);
    expect((await inbox(alice, { unreadOnly: true })).entries).toHaveLength(1);
    // paging: one at a time
    const first = await inbox(alice, { first: 1 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await inbox(alice, { first: 1, after: first.pageInfo.endCursor });
    expect(second.entries.map((e) => e.id)).toEqual([box.entries[1]!.id]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('own actions never notify', async () => {
    const q = await ask(alice, { body: 'I tried everything, even asking @alice herself, and still the frobnicator fails to start.' });
    await comment(alice, q.id, 'Adding detail to my own question here.');
    const a = await answer(alice, q.id);
    await comment(alice, a.id, 'Answering myself with a comment, @alice.');
    expect(await inbox(alice)).toMatchObject({ count: 0, entries: [] });
  });

  it('comments notify the post author and earlier commenters; accept and verify notify the answerer', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    await comment(carol, a.id, 'Does this also work on version two?');
    expect((await inbox(bob)).entries.map((e) => e.kind)).toContain('COMMENT');
    await comment(dave, a.id, 'It does, I tried it on version two.');
    expect((await inbox(carol)).entries).toMatchObject([{ kind: 'COMMENT', count: 1, actors: [{ handle: 'dave' }] }]);
    await accept(alice, a.id);
    expect((await inbox(bob)).entries.map((e) => e.kind)).toContain('ACCEPTED');
    await alice.must(Q.unaccept, { input: { answerId: a.id } });
    expect((await inbox(bob)).entries.map((e) => e.kind)).toContain('UNACCEPTED');
  });

  it('an edit by someone else notifies the author', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    await mod.must(Q.updateAnswer, { input: { answerId: a.id, body: `${ANSWER_BODY(7)} (clarified)` } });
    expect((await inbox(bob)).entries).toMatchObject([{ kind: 'EDIT', actors: [{ handle: 'moddy' }] }]);
  });

  it('a mention notifies once; an edit notifies only the newly mentioned', async () => {
    const q = await ask(alice);
    const c = await comment(bob, q.id, 'I think @carol knows this one well.');
    expect((await inbox(carol)).entries).toMatchObject([{ kind: 'MENTION', count: 1, actors: [{ handle: 'bob' }] }]);
    await bob.must(Q.updateComment, { input: { commentId: c.id, body: 'I think @carol knows this one, or @dave.' } });
    expect((await inbox(carol)).entries).toHaveLength(1);
    expect((await inbox(dave)).entries).toMatchObject([{ kind: 'MENTION' }]);
    // alice (the asker) got the comment, not a mention
    expect((await inbox(alice)).entries.map((e) => e.kind)).toEqual(['COMMENT']);
    // unknown handles are ignored
    await comment(bob, q.id, 'Also pinging @nobody_here about it.');
  });

  it('a mention in a post the member cannot see notifies no one (but a moderator who can see it)', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    // the answer was edited to mention them, and deleted before the worker ran the event
    const answerId = new Types.ObjectId(rawOf(a.id));
    await h.deps.repos.posts.update(answerId, {
      $set: { body: `${ANSWER_BODY(9)} cc @carol @moddy`, deletedAt: h.clock.now(), deletedById: new Types.ObjectId(rawOf(bob.id)) },
    });
    await handleNotificationEvent(h.deps, {
      id: new Types.ObjectId().toHexString(),
      type: 'answer.updated',
      at: h.clock.now().toISOString(),
      actorId: rawOf(bob.id),
      subjectId: answerId.toHexString(),
      questionId: rawOf(q.id),
    });
    expect((await inbox(carol)).entries).toEqual([]);
    expect((await inbox(mod)).entries).toMatchObject([{ kind: 'MENTION' }]);
  });

  it('deleting an answer removes its notifications; a group keeps the others', async () => {
    const q = await ask(alice);
    const a1 = await answer(bob, q.id, ANSWER_BODY(1));
    const a2 = await answer(carol, q.id, ANSWER_BODY(2));
    expect((await inbox(alice)).entries).toMatchObject([{ count: 2 }]);
    await bob.must(Q.deleteAnswer, { input: { answerId: a1.id } });
    expect(await inbox(alice)).toMatchObject({ count: 1, entries: [{ count: 1, post: { id: a2.id } }] });
    await comment(dave, a2.id, 'A comment on the second answer here.');
    expect((await inbox(carol)).entries.map((e) => e.kind)).toContain('COMMENT');
    await carol.must(Q.deleteAnswer, { input: { answerId: a2.id } });
    expect(await inbox(alice)).toMatchObject({ count: 0, entries: [] });
    // the comment on the deleted answer went with it
    expect((await inbox(carol)).entries.filter((e) => e.kind === 'COMMENT')).toEqual([]);
  });

  it('marks only the viewer’s own entries; anonymous visitors have no inbox', async () => {
    const q = await ask(alice);
    await answer(bob, q.id);
    const [entry] = (await inbox(alice)).entries;
    const r = await bob.must<{ markNotificationsRead: { markedIds: string[] } }>(MARK, { input: { ids: [entry!.id] } });
    expect(r.markNotificationsRead.markedIds).toEqual([]);
    expect((await inbox(alice)).count).toBe(1);
    const bad = await alice.gql(MARK, { input: {} });
    expect(payloadErrors(bad.data)[0]).toMatchObject({ code: 'VALIDATION' });
    const anon = h.agent();
    const r2 = await anon.gql<{ unreadNotificationCount: number }>('{ unreadNotificationCount }');
    expect(r2.data.unreadNotificationCount).toBe(0);
    const r3 = await anon.gql('{ notifications(first: 5) { nodes { id } } }');
    expect(r3.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const r4 = await bob.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: entry!.id });
    expect(r4.data?.node ?? null).toBeNull();
  });

  it('rebuilds the inbox read model from the collection', async () => {
    const q = await ask(alice);
    await answer(bob, q.id);
    await comment(carol, q.id, 'A comment on the question itself.');
    const before = await inbox(alice);
    const keys = await h.deps.redis.keys(`${h.deps.config.redisPrefix}inbox:*`);
    await h.deps.redis.del(...keys);
    expect((await inbox(alice)).entries).toEqual([]);
    expect(await h.deps.repos.notifications.rebuildInboxes()).toMatchObject({ entries: 2 });
    expect(await inbox(alice)).toEqual(before);
  });
});
