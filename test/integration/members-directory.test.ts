// The members directory: `users(orderBy, tag, first, after)` by reputation, newest, by name, and
// a tag's top answerers; paged by cursor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildRollups } from '../../server/src/modules/post/post.rollups.js';
import { answer, ask, createSpace, member, vote } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.reset();
  const admin = await member(h, 'admin', { role: 'ADMIN' });
  await createSpace(admin);
  const zed = await member(h, 'zed');
  const amy = await member(h, 'amy');
  const kim = await member(h, 'kim');
  const q = await ask(zed, { tags: ['frobnicator'] });
  const other = await ask(zed, { tags: ['widgets'], title: 'How do I make widgets spin in the other direction?' });
  const a1 = await answer(amy, q.id);
  await answer(kim, q.id);
  await answer(kim, other.id);
  await vote(zed, a1.id, 'UP');
  await vote(admin, a1.id, 'UP');
  await vote(zed, other.id, 'NONE').catch(() => undefined);
  await rebuildRollups(h.deps);
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const handles = (conn: { nodes: Array<{ handle: string }> }) => conn.nodes.map((n) => n.handle);

describe('users(orderBy, tag)', () => {
  it('lists members by reputation, newest and by name, paged by cursor', async () => {
    const r = await h.agent().gql(`{
      rep: users(first: 10) { nodes { handle reputation } }
      newest: users(first: 10, orderBy: NEWEST) { nodes { handle } }
      name: users(first: 2, orderBy: NAME) { nodes { handle } pageInfo { hasNextPage endCursor } }
    }`);
    expect(r.errors).toBeUndefined();
    const reps = r.data.rep.nodes.map((n: { reputation: number }) => n.reputation);
    expect(reps).toEqual([...reps].sort((a, b) => b - a));
    expect(handles(r.data.rep)[0]).toBe('amy');
    expect(handles(r.data.newest)).toEqual(['kim', 'amy', 'zed', 'admin']);
    expect(handles(r.data.name)).toEqual(['admin', 'amy']);
    const next = await h
      .agent()
      .gql(`query($a: String) { users(first: 2, orderBy: NAME, after: $a) { nodes { handle } pageInfo { hasNextPage } } }`, {
        a: r.data.name.pageInfo.endCursor,
      });
    expect(handles(next.data.users)).toEqual(['kim', 'zed']);
    expect(next.data.users.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by tag expertise: the tag’s top answerers by score, paged', async () => {
    const r = await h.agent().gql(`{ users(first: 1, tag: "frobnicator") { nodes { handle } pageInfo { hasNextPage endCursor } } }`);
    expect(r.errors).toBeUndefined();
    expect(handles(r.data.users)).toEqual(['amy']);
    const next = await h
      .agent()
      .gql(`query($a: String) { users(first: 5, tag: "frobnicator", after: $a) { nodes { handle } pageInfo { hasNextPage } } }`, {
        a: r.data.users.pageInfo.endCursor,
      });
    expect(handles(next.data.users)).toEqual(['kim']);
    expect(next.data.users.pageInfo.hasNextPage).toBe(false);
    const none = await h.agent().gql(`{ users(first: 5, tag: "no-such-tag") { nodes { handle } } }`);
    expect(none.data.users.nodes).toEqual([]);
  });
});
