// The precomputed question listings (Redis sorted sets; on by default on FerretDB) against the
// database path (MongoDB's indexes; what production MongoDB uses): every filter and order, paged
// forwards and backwards by cursor, must give exactly the same questions in the same order —
// after asks, votes, answers, comments, retagging and deletions, and after a rebuild.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ANSWER_BODY,
  BODY,
  COMMENT_BODY,
  Q,
  TITLE,
  answer,
  ask,
  comment,
  createSpace,
  member,
  vote,
  type Member,
} from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  // the walks below send ~800 requests within a minute
  h = await startHarness({ rateLimitPerMinute: 100_000 });
});
afterAll(async () => {
  await h?.close();
});

const LIST = `query($filter: QuestionFilter, $orderBy: QuestionOrder, $first: Int, $after: String, $last: Int, $before: String) {
  questions(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface Page {
  totalCount: number;
  nodes: Array<{ id: string }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Every id of a listing, walked forwards 4 at a time, then backwards from the end. */
async function walk(filter: Record<string, unknown>, orderBy: string) {
  const get = async (vars: Record<string, unknown>) => {
    const r = await h.agent().gql<{ questions: Page }>(LIST, { filter, orderBy, ...vars });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    return r.data!.questions;
  };
  const forward: string[] = [];
  let page = await get({ first: 4 });
  const total = page.totalCount;
  forward.push(...page.nodes.map((n) => n.id));
  while (page.pageInfo.hasNextPage) {
    if (forward.length > 100) throw new Error(`${JSON.stringify(filter)} ${orderBy}: the cursors never reach the end`);
    page = await get({ first: 4, after: page.pageInfo.endCursor });
    forward.push(...page.nodes.map((n) => n.id));
  }
  const backward: string[] = [];
  page = await get({ last: 3 });
  backward.unshift(...page.nodes.map((n) => n.id));
  while (page.pageInfo.hasPreviousPage) {
    if (backward.length > 100) throw new Error(`${JSON.stringify(filter)} ${orderBy}: the cursors never reach the start`);
    page = await get({ last: 3, before: page.pageInfo.startCursor });
    backward.unshift(...page.nodes.map((n) => n.id));
  }
  return { total, forward, backward };
}

describe('precomputed listings', () => {
  let alice: Member, bob: Member, carol: Member;
  const ids: string[] = [];

  beforeAll(async () => {
    const admin = await member(h, 'lstadmin', { role: 'ADMIN' });
    await createSpace(admin, 'widgets', 'Widgets');
    await createSpace(admin, 'gadgets', 'Gadgets');
    alice = await member(h, 'lst_alice');
    bob = await member(h, 'lst_bob');
    carol = await member(h, 'lst_carol');
    const authors = [alice, bob, carol];
    for (let i = 0; i < 17; i++) {
      h.clock.advance(60_000);
      const tags = i % 3 === 0 ? ['alpha', 'beta'] : i % 3 === 1 ? ['beta'] : ['gamma'];
      const q = await ask(authors[i % 3]!, { spaceSlug: i % 2 ? 'gadgets' : 'widgets', title: TITLE(i), body: BODY(i), tags });
      ids.push(q.id);
    }
    // votes with ties, answers (an upvoted answer makes a question answered), later activity
    for (let i = 0; i < ids.length; i += 2) await vote(i % 3 === 0 ? bob : alice, ids[i]!, i % 4 === 0 ? 'UP' : 'DOWN');
    for (let i = 1; i < ids.length; i += 3) {
      h.clock.advance(60_000);
      const a = await answer(i % 3 === 1 ? carol : alice, ids[i]!, ANSWER_BODY(i));
      if (i % 2) await vote(bob, a.id, 'UP');
    }
    for (let i = 0; i < ids.length; i += 5) {
      h.clock.advance(60_000);
      await comment(carol, ids[i]!, COMMENT_BODY(i));
    }
    // a retag and two deletions
    await alice.must(Q.updateQuestion, { input: { questionId: ids[0], tags: ['gamma'] } });
    await alice.must(Q.deleteQuestion, { input: { questionId: ids[3] } });
    await carol.must(Q.deleteQuestion, { input: { questionId: ids[5] } });
  });

  const filters: Array<Record<string, unknown>> = [
    {},
    { spaceSlug: 'gadgets' },
    { tag: 'beta' },
    { tag: 'gamma' },
    { authorHandle: 'lst_alice' },
    { unanswered: true },
    { spaceSlug: 'widgets', unanswered: true },
    { spaceSlug: 'widgets', tag: 'alpha' },
  ];
  const orders = ['NEWEST', 'ACTIVE', 'VOTES', 'UNANSWERED'];

  it('answer every filter and order exactly like the database, both ways by cursor', async () => {
    const listings = h.deps.services.listings;
    expect(listings.enabled).toBe(true); // FerretDB: on by default
    expect(await listings.isReady()).toBe(true);
    let fromRedis = 0;
    for (const filter of filters) {
      for (const orderBy of orders) {
        const spy = vi.spyOn(listings, 'page');
        const redis = await walk(filter, orderBy);
        for (const r of spy.mock.results) if ((await r.value) !== null) fromRedis++;
        spy.mockResolvedValue(null); // the database path
        const database = await walk(filter, orderBy);
        spy.mockRestore();
        const label = `${JSON.stringify(filter)} ${orderBy}`;
        expect(redis.forward, label).toEqual(database.forward);
        expect(redis.backward, label).toEqual(database.forward);
        expect(redis.total, label).toBe(database.total);
        expect(database.backward, label).toEqual(database.forward);
      }
    }
    // most combinations really came from Redis (space + tag, and unanswered by activity or
    // votes, are left to the database)
    expect(fromRedis).toBeGreaterThan(100);
  });

  it('sees a new question and a deletion at once, and a rebuild from scratch gives the same pages', async () => {
    h.clock.advance(60_000);
    const fresh = await ask(bob, { spaceSlug: 'gadgets', title: TITLE(99), body: BODY(99), tags: ['delta'] });
    const first = async () => (await walk({ tag: 'delta' }, 'NEWEST')).forward;
    expect(await first()).toEqual([fresh.id]);
    const before = await walk({}, 'ACTIVE');
    expect(before.forward[0]).toBe(fresh.id);

    await bob.must(Q.deleteQuestion, { input: { questionId: fresh.id } });
    expect(await first()).toEqual([]);

    // lose every listing key: pages come from the database until the rebuild marks them ready
    const keys = await h.deps.redis.keys(`${h.deps.config.redisPrefix}lst:*`);
    await h.deps.redis.del(...keys);
    expect(await h.deps.services.listings.isReady()).toBe(false);
    const fallback = await walk({}, 'ACTIVE');
    const rebuilt = await h.deps.services.listings.rebuild();
    expect(rebuilt.questions).toBe(18);
    const after = await walk({}, 'ACTIVE');
    expect(after.forward).toEqual(fallback.forward);
    expect(after.forward).toEqual(before.forward.filter((id) => id !== fresh.id));
  });
});
