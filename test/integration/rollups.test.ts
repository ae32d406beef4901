// Every page fast: the tag page's statistics, a profile's top tags and answers, the members list
// and handle lookups are read models read by `_id` (rollups in the database, sorted sets and a
// directory in Redis), never a scan of the posts or users per request. Writes mark the rollups;
// the job (the worker's, run here on demand) recomputes them from the posts; `npm run verify`
// finds a corrupted one and repairs it.
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyConsistency, type VerifyResult } from '../../server/src/modules/maintenance/verify.service.js';
import { runRollupsUntilIdle } from '../../server/src/modules/post/post.rollups.js';
import { topAnswerers, topAskers } from '../../server/src/modules/post/post.stats.js';
import { accept, answer, ANSWER_BODY, ask, BODY, createSpace, member, oid, rawOf, TITLE, vote, type Member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
});

const db = () => mongoose.connection.db!;

interface Command {
  name: string;
  collection: string;
  filter: Record<string, unknown> | undefined;
}

/** The database commands a run issues (reads and writes), from the driver's command monitor. */
async function commandsDuring(run: () => Promise<unknown>): Promise<Command[]> {
  const client = mongoose.connection.getClient();
  const seen: Command[] = [];
  const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
    const filter = (e.command.filter ?? e.command.q) as Record<string, unknown> | undefined;
    seen.push({ name: e.commandName, collection: String(e.command[e.commandName]), filter });
  };
  client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    client.off('commandStarted', listener);
  }
  return seen;
}

/** Reads only by `_id` (or none): what a page may do. */
const byIdOnly = (commands: Command[]) =>
  commands
    .filter((c) => c.name !== 'find' || !c.filter || Object.keys(c.filter).join(',') !== '_id')
    .map((c) => `${c.name} ${c.collection}`);

const handles = async (): Promise<Map<string, string>> =>
  new Map((await db().collection('users').find({}).toArray()).map((u) => [u._id.toHexString(), String(u.handle)]));

const TAG = `query($name: String!) {
  tag(name: $name) {
    topAskers(first: 100) { user { handle } questionCount score }
    topAnswerers(first: 100) { user { handle } answerCount score acceptedCount }
  }
  experts(tag: $name, first: 100) { user { handle } answerCount score acceptedCount }
}`;

/** What the tag page showed when it computed its statistics from the posts per request. */
async function computedFromPosts(tag: string) {
  const who = await handles();
  const posts = h.deps.repos.posts;
  const askers = (await topAskers(posts, tag, 100)).map((a) => ({
    user: { handle: who.get(a.userId) },
    questionCount: a.questionCount,
    score: a.score,
  }));
  const answerers = (await topAnswerers(posts, tag, 100)).map((a) => ({
    user: { handle: who.get(a.userId) },
    answerCount: a.answerCount,
    score: a.score,
    acceptedCount: a.acceptedCount,
  }));
  return { tag: { topAskers: askers, topAnswerers: answerers }, experts: answerers };
}

interface World {
  ada: Member;
  bob: Member;
  cy: Member;
  dee: Member;
  q1: string;
  q2: string;
  q3: string;
  a1: string;
  a3: string;
}

/** ada asks two [gpu] questions, bob one; cy and dee answer; votes and an acceptance. */
async function world(): Promise<World> {
  const admin = await member(h, 'rolladmin', { role: 'ADMIN' });
  await createSpace(admin, 'roll', 'Roll');
  const [ada, bob, cy, dee] = [await member(h, 'ada'), await member(h, 'bob'), await member(h, 'cyn'), await member(h, 'dee')];
  const askIn = (who: Member, n: number, tags: string[]) => ask(who, { spaceSlug: 'roll', title: TITLE(n), body: BODY(n), tags });
  const q1 = await askIn(ada!, 1, ['gpu', 'cuda']);
  const q2 = await askIn(ada!, 2, ['gpu']);
  const q3 = await askIn(bob!, 3, ['gpu']);
  await vote(cy!, q3.id, 'UP');
  await vote(dee!, q3.id, 'UP');
  const a1 = await answer(cy!, q1.id, ANSWER_BODY(1));
  await answer(cy!, q2.id, ANSWER_BODY(2));
  const a3 = await answer(dee!, q3.id, ANSWER_BODY(3));
  await vote(ada!, a3.id, 'UP');
  await vote(bob!, a3.id, 'UP');
  await accept(ada!, a1.id);
  return { ada: ada!, bob: bob!, cy: cy!, dee: dee!, q1: q1.id, q2: q2.id, q3: q3.id, a1: a1.id, a3: a3.id };
}

const UPDATE_QUESTION = `mutation($input: UpdateQuestionInput!) { updateQuestion(input: $input) { errors { code message } } }`;
const DELETE_ANSWER = `mutation($input: DeleteAnswerInput!) { deleteAnswer(input: $input) { errors { code message } } }`;

describe('tag statistics (tag_stats)', () => {
  it('equal what the posts make, on a first visit and after later writes once the job has run; pages read them by _id', async () => {
    const w = await world();
    // a first visit computes the rollup on the spot (none stored yet) and stores it
    const first = await h.agent().gql(TAG, { name: 'gpu' });
    expect(first.errors).toBeUndefined();
    expect(first.data).toEqual(await computedFromPosts('gpu'));
    expect(first.data.tag.topAskers.map((a: { user: { handle: string } }) => a.user.handle)).toEqual(['bob', 'ada']);
    expect(
      await db()
        .collection('tag_stats')
        .countDocuments({ _id: 'gpu' as never }),
    ).toBe(1);

    await runRollupsUntilIdle(h.deps); // what the world's writes marked
    const marked = async () => (await h.deps.redis.zrange(`${h.deps.config.redisPrefix}rollup:v1:dirty:tags`, 0, -1)).sort();
    expect(await marked()).toEqual([]);

    // later writes: a retag out of [gpu] (into [tpu]) marks both tags, then a new asker, a deleted answer, a vote
    await w.ada.must(UPDATE_QUESTION, { input: { questionId: w.q2, tags: ['tpu'] } });
    expect(await marked()).toEqual(['gpu', 'tpu']);
    const q4 = await ask(w.dee, { spaceSlug: 'roll', title: TITLE(4), body: BODY(4), tags: ['gpu'] });
    await vote(w.ada, q4.id, 'UP');
    await w.dee.must(DELETE_ANSWER, { input: { answerId: w.a3 } });

    // until the job runs, the page shows the stored rollup: it reads no posts
    const page = await h.agent().gql(TAG, { name: 'gpu' });
    expect(page.data).toEqual(first.data);
    const commands = await commandsDuring(() => h.agent().gql(TAG, { name: 'gpu' }));
    expect(byIdOnly(commands), JSON.stringify(commands)).toEqual([]);
    expect(commands.filter((c) => c.collection === 'posts')).toEqual([]);

    // the job recomputes every marked tag from the posts
    expect((await runRollupsUntilIdle(h.deps)).tags).toBe(2);
    expect(await h.deps.redis.zcard(`${h.deps.config.redisPrefix}rollup:v1:dirty:tags`)).toBe(0);
    for (const name of ['gpu', 'tpu', 'cuda']) {
      const after = await h.agent().gql(TAG, { name });
      expect(after.data, name).toEqual(await computedFromPosts(name));
    }
    const gpu = await h.agent().gql(TAG, { name: 'gpu' });
    expect(gpu.data.tag.topAskers).toEqual([
      { user: { handle: 'bob' }, questionCount: 1, score: 2 },
      { user: { handle: 'dee' }, questionCount: 1, score: 1 },
      { user: { handle: 'ada' }, questionCount: 1, score: 0 },
    ]);
    // dee's only [gpu] answer is deleted; cy's answer to the retagged question left [gpu]
    expect(gpu.data.tag.topAnswerers).toEqual([{ user: { handle: 'cyn' }, answerCount: 1, score: 0, acceptedCount: 1 }]);
  });

  it('a tag that does not exist has no one, and costs reads by _id only', async () => {
    const commands = await commandsDuring(async () => {
      const r = await h.agent().gql(`{ experts(tag: "no-such-tag") { user { handle } } tag(name: "no-such-tag") { name } }`);
      expect(r.data).toEqual({ experts: [], tag: null });
    });
    expect(byIdOnly(commands)).toEqual([]);
    expect(await db().collection('tag_stats').countDocuments({})).toBe(0);
  });
});

const PROFILE = `query($handle: String!) { user(handle: $handle) { topTags(first: 50) { name postCount score } } }`;

const ANSWERS = `query($handle: String!, $first: Int, $after: String) {
  user(handle: $handle) { answers(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }
}`;

describe('a member profile: top tags (user_stats) and answers (a listing)', () => {
  it('top tags: their questions and the questions they answered, read by _id; brought up to date by the job', async () => {
    const w = await world();
    const cy = await h.agent().gql(PROFILE, { handle: 'cyn' });
    expect(cy.errors).toBeUndefined();
    // cyn answered q1 [gpu, cuda] (accepted, score 0) and q2 [gpu]
    expect(cy.data.user.topTags).toEqual([
      { name: 'gpu', postCount: 2, score: 0 },
      { name: 'cuda', postCount: 1, score: 0 },
    ]);
    // a member without posts has no tags (and no rollup is computed for them)
    expect((await h.agent().gql(PROFILE, { handle: 'rolladmin' })).data.user.topTags).toEqual([]);
    expect(await db().collection('user_stats').countDocuments({})).toBe(1);

    // the question cy answered is retagged, and cy's accepted answer gets two votes
    await w.ada.must(UPDATE_QUESTION, { input: { questionId: w.q1, tags: ['cuda', 'nvcc'] } });
    await vote(w.bob, w.a1, 'UP');
    await vote(w.dee, w.a1, 'UP');
    const stale = await commandsDuring(async () => {
      const r = await h.agent().gql(PROFILE, { handle: 'cyn' });
      expect(r.data.user.topTags).toEqual(cy.data.user.topTags);
    });
    expect(byIdOnly(stale), JSON.stringify(stale)).toEqual([]);
    await runRollupsUntilIdle(h.deps);
    const fresh = await h.agent().gql(PROFILE, { handle: 'cyn' });
    expect(fresh.data.user.topTags).toEqual([
      { name: 'cuda', postCount: 1, score: 2 },
      { name: 'nvcc', postCount: 1, score: 2 },
      { name: 'gpu', postCount: 1, score: 0 },
    ]);
  });

  it('answers: newest first, paged, deleted ones gone; from the listing (reads by _id), as the database path lists them', async () => {
    const w = await world();
    const more = [];
    for (let i = 0; i < 3; i++) {
      h.clock.advance(60_000);
      const q = await ask(w.ada, { spaceSlug: 'roll', title: TITLE(10 + i), body: BODY(10 + i), tags: ['gpu'] });
      more.push((await answer(w.cy, q.id, ANSWER_BODY(10 + i))).id);
    }
    await w.cy.must(DELETE_ANSWER, { input: { answerId: more[1] } });
    const ids: string[] = [];
    let after: string | null = null;
    const commands = await commandsDuring(async () => {
      for (;;) {
        const r = await h.agent().gql(ANSWERS, { handle: 'cyn', first: 2, after });
        const page = r.data.user.answers;
        ids.push(...page.nodes.map((n: { id: string }) => n.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
    });
    const cyAnswers = await db()
      .collection('posts')
      .find({ type: 'answer', authorId: oid(w.cy.id), deletedAt: null })
      .sort({ createdAt: -1, _id: -1 })
      .toArray();
    expect(ids.map(rawOf)).toEqual(cyAnswers.map((a) => a._id.toHexString()));
    expect(ids).toHaveLength(4);
    expect(ids.map(rawOf)).not.toContain(rawOf(more[1]!));
    expect(byIdOnly(commands), JSON.stringify(commands)).toEqual([]);
    // the database path (MongoDB) pages the same
    const window = { limit: 10, cursor: null, backward: false };
    const fromDb = await h.deps.repos.posts.listAnswersBy(oid(w.cy.id), window);
    expect(fromDb.map((a) => a._id.toHexString())).toEqual(ids.map(rawOf));
  });
});

const USERS = `query($first: Int, $after: String) { users(first: $first, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { handle reputation }
} }`;

describe('members by reputation (a Redis ranking)', () => {
  it('lists members by reputation (then id, newest first) after votes, paged, reading users by _id only', async () => {
    await h.deps.repos.users.rebuildRanking();
    const w = await world();
    await vote(w.cy, w.q1, 'UP');
    await vote(w.bob, w.a1, 'DOWN');
    const handlesSeen: Array<{ handle: string; reputation: number }> = [];
    let after: string | null = null;
    const commands = await commandsDuring(async () => {
      for (;;) {
        const r = await h.agent().gql(USERS, { first: 2, after });
        expect(r.errors).toBeUndefined();
        handlesSeen.push(...r.data.users.nodes);
        if (!r.data.users.pageInfo.hasNextPage) break;
        after = r.data.users.pageInfo.endCursor;
      }
    });
    const expected = await db().collection('users').find({}).sort({ reputation: -1, _id: -1 }).toArray();
    expect(handlesSeen).toEqual(expected.map((u) => ({ handle: u.handle, reputation: u.reputation })));
    expect(new Set(expected.map((u) => u.reputation)).size, 'some reputations differ').toBeGreaterThan(2);
    expect(byIdOnly(commands), JSON.stringify(commands)).toEqual([]);
    // the database path (MongoDB) pages the same
    const fromDb = await h.deps.repos.users.rankings!.page({ limit: 100, cursor: null, backward: false });
    expect(fromDb).toEqual(expected.map((u) => u._id.toHexString()));
  });
});

const USER = `query($handle: String!) { user(handle: $handle) { handle } }`;

describe('a handle that does not exist', () => {
  it('answers null; the second lookup issues no database command; signing up with it is found at once', async () => {
    const first = await commandsDuring(async () => expect((await h.agent().gql(USER, { handle: 'Nobody_Here' })).data.user).toBeNull());
    expect(first.length).toBeGreaterThan(0); // the handle directory is not built: one query
    const second = await commandsDuring(async () => expect((await h.agent().gql(USER, { handle: 'nobody_here' })).data.user).toBeNull());
    expect(second).toEqual([]);
    await member(h, 'nobody_here');
    expect((await h.agent().gql(USER, { handle: 'nobody_here' })).data.user).toEqual({ handle: 'nobody_here' });
  });

  it('with the handle directory built, even the first lookup of an unknown handle reads nothing', async () => {
    await member(h, 'somebody');
    await h.deps.repos.users.rebuildRanking();
    const commands = await commandsDuring(async () => {
      expect((await h.agent().gql(USER, { handle: 'nobody_else' })).data.user).toBeNull();
    });
    expect(commands).toEqual([]);
    await member(h, 'nobody_else');
    await h.deps.redis.del(`${h.deps.config.redisPrefix}uh:nobody_else`); // found through the directory, not the cache
    const found = await commandsDuring(async () => {
      expect((await h.agent().gql(USER, { handle: 'nobody_else' })).data.user).toEqual({ handle: 'nobody_else' });
    });
    expect(byIdOnly(found)).toEqual([]);
  });
});

describe('npm run verify and the rollups', () => {
  const check = (r: VerifyResult, name: string) => r.checks.find((c) => c.check === name)!;

  it('finds a corrupted tag_stats, user_stats and ranking, repairs them; a rollup marked for the job is no drift', async () => {
    await h.deps.repos.users.rebuildRanking();
    const w = await world();
    await h.agent().gql(TAG, { name: 'gpu' });
    await h.agent().gql(PROFILE, { handle: 'cyn' });
    await runRollupsUntilIdle(h.deps);
    const clean = await verifyConsistency(h.deps);
    expect(clean.drift).toBe(0);
    expect(check(clean, 'tag stats').checked).toBeGreaterThan(0);
    expect(check(clean, 'users ranking').checked).toBe(5);

    // marked for the job (a write just now): stale, but the worker will recompute it
    await vote(w.bob, w.a1, 'UP');
    expect((await verifyConsistency(h.deps)).drift).toBe(0);
    await runRollupsUntilIdle(h.deps);

    await db()
      .collection('tag_stats')
      .updateOne({ _id: 'gpu' as never }, { $set: { askers: [] } });
    await db()
      .collection('user_stats')
      .updateOne({ _id: oid(w.cy.id) }, { $set: { topTags: [{ name: 'cobol', posts: 9, score: 9 }] } });
    const z = `${h.deps.config.redisPrefix}rank:v1:rep`;
    const bobId = rawOf(w.bob.id);
    const bobEntry = (await h.deps.redis.zrange(z, 0, -1)).find((m) => m.endsWith(bobId))!;
    await h.deps.redis.zrem(z, bobEntry);
    await h.deps.redis.zadd(z, 0, `0000000000000:${rawOf(w.dee.id)}`);

    const found = await verifyConsistency(h.deps);
    expect(check(found, 'tag stats')).toMatchObject({ drift: 1, repaired: 0 });
    expect(check(found, 'user stats')).toMatchObject({ drift: 1, repaired: 0 });
    expect(check(found, 'users ranking')).toMatchObject({ drift: 2, repaired: 0 });
    expect(found.drift).toBe(4);

    const repaired = await verifyConsistency(h.deps, { repair: true });
    expect(repaired.repaired).toBe(4);
    expect((await verifyConsistency(h.deps)).drift).toBe(0);
    expect((await h.agent().gql(TAG, { name: 'gpu' })).data).toEqual(await computedFromPosts('gpu'));
    expect((await h.agent().gql(PROFILE, { handle: 'cyn' })).data.user.topTags.map((t: { name: string }) => t.name)).toEqual([
      'gpu',
      'cuda',
    ]);
    const listed = await h.agent().gql(USERS, { first: 100 });
    const expected = await db().collection('users').find({}).sort({ reputation: -1, _id: -1 }).toArray();
    expect(listed.data.users.nodes.map((u: { handle: string }) => u.handle)).toEqual(expected.map((u) => u.handle));
  });
});
