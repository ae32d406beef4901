// The GraphQL response cache and the entity cache over HTTP, against the real FerretDB and Redis:
// anonymous queries are served from Redis without touching the database; a new answer, an edit,
// a vote, an accept and a delete each show on the very next anonymous read (the responses cached
// before the write included); signed-in reads never use the cache; a profile edit shows at once
// in author chips served from the entity cache.
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { responseCacheOf } from '../../server/src/infra/response-cache.js';
import { ANSWER_BODY, Q, ask, createSpace, gid, member, rawOf, type Member } from '../factories/qa.js';
import { startHarness, type Agent, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { RESPONSE_CACHE_TTL_SECONDS: '60' } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
});

const PAGE = `query($id: ID!) {
  question(id: $id) {
    id title body score answerCount isAnswered viewerCanEdit acceptedAnswer { id }
    author { handle displayName reputation }
    answers(first: 20) { nodes { id body score isAccepted author { handle displayName reputation } } }
  }
}`;
const LIST = `query($tag: String) { questions(first: 10, filter: { tag: $tag }) { totalCount nodes { id title answerCount score isAnswered } } }`;
const PROFILE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { displayName } errors { code message } } }`;

interface Read<T = any> {
  data: T;
  /** `hit`, `miss`, or null when the cache was not used */
  cache: string | null;
}

async function read<T = any>(agent: Agent, query: string, variables: Record<string, unknown> = {}): Promise<Read<T>> {
  const r = await agent.gql<T>(query, variables);
  expect(r.errors).toBeUndefined();
  return { data: r.data, cache: r.headers.get('x-colloquy-cache') };
}

/** An anonymous read, twice: the second comes from the cache and equals the first. */
async function cached<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const first = await read<T>(h.agent(), query, variables);
  const second = await read<T>(h.agent(), query, variables);
  expect(second.cache).toBe('hit');
  expect(second.data).toEqual(first.data);
  return second.data;
}

/** The next anonymous read after a write: computed afresh. */
async function fresh<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await read<T>(h.agent(), query, variables);
  expect(r.cache).toBe('miss');
  return r.data;
}

/** The database commands (`<name>:<collection>`) sent while `run` runs. */
async function commandsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const client = mongoose.connection.getClient();
  const seen: string[] = [];
  const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
    seen.push(`${e.commandName}:${String(e.command[e.commandName])}`);
  };
  client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    client.off('commandStarted', listener);
  }
  return seen;
}

interface World {
  alice: Member;
  bob: Member;
  carol: Member;
  dave: Member;
  q: string;
  bobAnswer: string;
}

async function world(): Promise<World> {
  const admin = await member(h, 'admin', { role: 'ADMIN' });
  await createSpace(admin, 'widgets', 'Widgets');
  const alice = await member(h, 'alice');
  const bob = await member(h, 'bob');
  const carol = await member(h, 'carol');
  const dave = await member(h, 'dave');
  const q = (await ask(alice, { tags: ['frobnicator'] })).id;
  const bobAnswer = (await bob.must(Q.answer, { input: { questionId: q, body: ANSWER_BODY(1) } })).postAnswer.answer.id as string;
  return { alice, bob, carol, dave, q, bobAnswer };
}

describe('the GraphQL response cache', () => {
  it('serves a repeated anonymous query from Redis, without the database', async () => {
    const w = await world();
    const first = await read(h.agent(), PAGE, { id: w.q });
    expect(first.cache).toBe('miss');
    expect(first.data.question.answers.nodes).toHaveLength(1);
    let second!: Read;
    const commands = await commandsDuring(async () => {
      second = await read(h.agent(), PAGE, { id: w.q });
    });
    expect(second.cache).toBe('hit');
    expect(second.data).toEqual(first.data);
    expect(commands).toEqual([]);
    // the web's page cache still learns what the response read
    const again = await h.agent().gql(PAGE, { id: w.q });
    expect(again.headers.get('x-colloquy-reads')).toContain(`posts:${rawOf(w.q)}`);
  });

  it('a new answer, an edit, a vote, an accept and a delete each show on the next anonymous read', async () => {
    const w = await world();
    const page = { id: w.q };
    const tagged = { tag: 'frobnicator' };

    // a new answer (page and listing cached before it)
    await cached(PAGE, page);
    expect((await cached(LIST, tagged)).questions.nodes[0].answerCount).toBe(1);
    const carolAnswer = (await w.carol.must(Q.answer, { input: { questionId: w.q, body: ANSWER_BODY(2) } })).postAnswer.answer.id;
    let p = (await fresh(PAGE, page)).question;
    expect(p.answerCount).toBe(2);
    expect(p.answers.nodes.map((a: { id: string }) => a.id).sort()).toEqual([w.bobAnswer, carolAnswer].sort());
    expect((await fresh(LIST, tagged)).questions.nodes[0].answerCount).toBe(2);

    // an edit
    await cached(PAGE, page);
    await w.bob.must(Q.updateAnswer, { input: { answerId: w.bobAnswer, body: `${ANSWER_BODY(1)} Edited: also restart the daemon.` } });
    p = (await fresh(PAGE, page)).question;
    expect(p.answers.nodes.find((a: { id: string }) => a.id === w.bobAnswer).body).toMatch(/Edited: also restart the daemon\.$/);

    // a vote: the score and the author's reputation
    const before = await cached(PAGE, page);
    const bobBefore = before.question.answers.nodes.find((a: { id: string }) => a.id === w.bobAnswer);
    expect(bobBefore.score).toBe(0);
    await w.dave.must(Q.vote, { input: { subjectId: w.bobAnswer, direction: 'UP' } });
    p = (await fresh(PAGE, page)).question;
    const bobAfter = p.answers.nodes.find((a: { id: string }) => a.id === w.bobAnswer);
    expect(bobAfter.score).toBe(1);
    expect(bobAfter.author.reputation).toBeGreaterThan(bobBefore.author.reputation);

    // an accept
    await cached(PAGE, page);
    await cached(LIST, tagged);
    await w.alice.must(Q.accept, { input: { answerId: w.bobAnswer } });
    p = (await fresh(PAGE, page)).question;
    expect(p.isAnswered).toBe(true);
    expect(p.acceptedAnswer).toEqual({ id: w.bobAnswer });
    expect(p.answers.nodes.find((a: { id: string }) => a.id === w.bobAnswer).isAccepted).toBe(true);
    expect((await fresh(LIST, tagged)).questions.nodes[0].isAnswered).toBe(true);

    // a delete
    await cached(PAGE, page);
    await cached(LIST, tagged);
    await w.carol.must(Q.deleteAnswer, { input: { answerId: carolAnswer } });
    p = (await fresh(PAGE, page)).question;
    expect(p.answerCount).toBe(1);
    expect(p.answers.nodes.map((a: { id: string }) => a.id)).toEqual([w.bobAnswer]);
    expect((await fresh(LIST, tagged)).questions.nodes[0].answerCount).toBe(1);

    // and once computed again, the page is cached again
    expect((await read(h.agent(), PAGE, page)).cache).toBe('hit');
  });

  it('a list cached while empty shows the first question asked into it', async () => {
    const w = await world();
    const empty = await cached(LIST, { tag: 'brand-new' });
    expect(empty.questions).toEqual({ totalCount: 0, nodes: [] });
    const asked = await ask(w.dave, { title: 'Where does the brand new widget keep its settings?', tags: ['brand-new'] });
    const list = (await fresh(LIST, { tag: 'brand-new' })).questions;
    expect(list.totalCount).toBe(1);
    expect(list.nodes.map((n: { id: string }) => n.id)).toEqual([asked.id]);
  });

  it('signed-in reads never use the cache: no cached copy is served to them, none is made of theirs', async () => {
    const w = await world();
    const anonymous = await cached(PAGE, { id: w.q });
    expect(anonymous.question.viewerCanEdit).toBe(false);
    const entries = () => h.deps.redis.keys(`${h.deps.config.redisPrefix}rc:*`);
    const before = (await entries()).sort();
    for (let i = 0; i < 2; i++) {
      const mine = await read(w.alice, PAGE, { id: w.q });
      expect(mine.cache).toBeNull();
      expect(mine.data.question.viewerCanEdit).toBe(true);
    }
    // no entry was made of the member's reads
    expect((await entries()).sort()).toEqual(before);
    // mutations are never cached either
    const first = await w.alice.gql(PROFILE, { input: { bio: 'Widget wrangler' } });
    expect(first.headers.get('x-colloquy-cache')).toBeNull();
    // and the anonymous copy is still the anonymous one
    expect((await read(h.agent(), PAGE, { id: w.q })).data.question.viewerCanEdit).toBe(false);
  });

  it('never caches search, duplicate suggestions or previews', async () => {
    await world();
    for (const query of [
      `{ search(query: "frobnicator") { totalCount } }`,
      `{ similarQuestions(title: "How do I configure the widget frobnicator?") { id } }`,
      `{ markdownPreview(markdown: "**hi**") }`,
    ]) {
      expect((await read(h.agent(), query)).cache).toBe('miss');
      expect((await read(h.agent(), query)).cache).toBe('miss');
    }
  });

  it('keeps no response computed from data read before a write that invalidated it meanwhile', async () => {
    const store = responseCacheOf(h.deps.repos)!;
    const id = '0123456789abcdef01234567';
    const entities = [{ typename: 'Question', id: gid('Question', id) }];
    const result = { data: { question: { id: gid('Question', id), title: 'Before the edit' } } };
    // a lookup misses, the query runs… and a write of the question lands before the result is stored
    expect(await store.cache.get('race')).toBeUndefined();
    await store.invalidateKeys([`posts:${id}`, 'list:posts']);
    await store.cache.set('race', result, entities, 60_000);
    expect(await store.cache.get('race')).toBeUndefined();
    // without a write in between, the same result is kept
    expect(await store.cache.get('calm')).toBeUndefined();
    await store.cache.set('calm', result, entities, 60_000);
    expect(await store.cache.get('calm')).toMatchObject(result);
    // a write of another question's list retires it too (lists and counts); another member's does not
    await store.invalidateKeys(['users:0123456789abcdef01234568', 'list:users']);
    expect(await store.cache.get('calm')).toMatchObject(result);
    await store.invalidateKeys(['posts:0123456789abcdef01234569', 'list:posts']);
    expect(await store.cache.get('calm')).toBeUndefined();
  });
});

describe('the entity cache', () => {
  it('serves author chips from Redis, and a profile edit shows at once (signed-in and anonymous)', async () => {
    const w = await world();
    const page = { id: w.q };
    await cached(PAGE, page);
    // a signed-in reader (no response cache): the second read takes the members from the entity cache
    await read(w.dave, PAGE, page);
    const prefix = h.deps.config.redisPrefix;
    expect(await h.deps.redis.exists(`${prefix}ec:users:${rawOf(w.alice.id)}`)).toBe(1);
    const commands = await commandsDuring(() => read(w.dave, PAGE, page));
    expect(commands.filter((c) => c.startsWith('find:users'))).toEqual([]);

    const edited = await w.alice.must(PROFILE, { input: { displayName: 'Alice Liddell' } });
    expect(edited.updateProfile.user.displayName).toBe('Alice Liddell');
    expect((await read(w.dave, PAGE, page)).data.question.author.displayName).toBe('Alice Liddell');
    expect((await fresh(PAGE, page)).question.author.displayName).toBe('Alice Liddell');
    // the chip's reputation follows a vote at once too
    const rep = (await read(w.dave, PAGE, page)).data.question.author.reputation;
    await w.bob.must(Q.vote, { input: { subjectId: w.q, direction: 'UP' } });
    expect((await read(w.dave, PAGE, page)).data.question.author.reputation).toBeGreaterThan(rep);
  });

  it('a write straight into the database (no version bump) shows once the caches are dropped', async () => {
    const w = await world();
    const page = { id: w.q };
    await cached(PAGE, page);
    await read(w.dave, PAGE, page);
    await mongoose.connection
      .db!.collection('users')
      .updateOne({ _id: new mongoose.Types.ObjectId(rawOf(w.alice.id)) }, { $set: { displayName: 'Written directly' } });
    // the repositories' writes are what keep the caches exact: this one went around them
    expect((await read(w.dave, PAGE, page)).data.question.author.displayName).toBe('alice');
    await h.dropCaches();
    expect((await fresh(PAGE, page)).question.author.displayName).toBe('Written directly');
    expect((await read(w.dave, PAGE, page)).data.question.author.displayName).toBe('Written directly');
  });

  it('remembers the per-question and per-member documents a page lacks, and shows each at once when written', async () => {
    const w = await world();
    const other = (await ask(w.bob, { title: 'A question that will link to the first one' })).id;
    const SIDE = `query($id: ID!) {
      question(id: $id) {
        id escalatedToSupport bounty { amount } linkedQuestions { id }
        author { orgBadge } answers(first: 20) { nodes { id author { orgBadge } } }
      }
    }`;
    const page = { id: w.q };
    const before = (await read(w.dave, SIDE, page)).data.question;
    expect(before).toMatchObject({ bounty: null, linkedQuestions: [], author: { orgBadge: null } });
    // the first view stored "no organisation" for each author: that retires only those
    // membership entries, which the next view reads again; the authors themselves stay cached
    const second = await commandsDuring(() => read(w.dave, SIDE, page));
    expect(second.filter((c) => /^find:(users|question_bounties|question_links|support_spaces)$/.test(c))).toEqual([]);
    // warm: no bounty, no links, no organisation, no author and no support settings are read again
    const commands = await commandsDuring(() => read(w.dave, SIDE, page));
    const sideReads = commands.filter((c) => /^find:(question_bounties|question_links|org_memberships|support_spaces|users)$/.test(c));
    expect(sideReads).toEqual([]);

    // written through the repositories (as the services do): the next read shows each
    await h.deps.repos.links.addInbound(new mongoose.Types.ObjectId(rawOf(w.q)), [new mongoose.Types.ObjectId(rawOf(other))]);
    const org = await h.deps.repos.organizations.create({
      slug: 'acme-bank',
      name: 'Acme Bank',
      kind: 'CUSTOMER',
      domains: [],
      supportTier: null,
      memberIds: [],
      adminIds: [],
      spaceIds: [],
    });
    await h.deps.repos.organizations.memberships.set(new mongoose.Types.ObjectId(rawOf(w.alice.id)), {
      orgId: org._id,
      orgName: org.name,
      orgKind: 'CUSTOMER',
      via: 'ADMIN',
      joinedAt: new Date(),
    });
    const after = (await read(w.dave, SIDE, page)).data.question;
    expect(after.linkedQuestions).toEqual([{ id: other }]);
    expect(after.author.orgBadge).toBe('Customer · Acme Bank');
    expect(after.answers.nodes[0].author.orgBadge).toBeNull();
  });

  it('keeps a parsed document in the process only while Redis says it is current, its contents frozen for sharing', async () => {
    const w = await world();
    const id = new mongoose.Types.ObjectId(rawOf(w.q));
    const [first] = await h.deps.repos.posts.findManyByIds([id]);
    const [again] = await h.deps.repos.posts.findManyByIds([id]);
    // what the document holds is the same parsed value (no second deserialisation), shared by
    // every request, so none may change it; each read has its own copy of the document itself
    expect(again!.tags).toBe(first!.tags);
    expect(Object.isFrozen(first!.tags)).toBe(true);
    expect(() => first!.tags.push('mutated')).toThrow(TypeError);
    (first as { title: string }).title = 'changed by one reader';
    expect((await h.deps.repos.posts.findManyByIds([id]))[0]!.title).not.toBe('changed by one reader');

    // a write (by any process: the version lives in Redis) retires it at the next read
    await h.deps.repos.posts.update(id, { $set: { title: 'A title changed by another process' } });
    const [after] = await h.deps.repos.posts.findManyByIds([id]);
    expect(after!.tags).not.toBe(first!.tags);
    expect(after!.title).toBe('A title changed by another process');
  });
});
