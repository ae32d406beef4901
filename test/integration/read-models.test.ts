// Read models behind the pages: a question's thread (its answers and comments in one document)
// is rebuilt by every write, read by the page in one round trip whatever its size, and checked and
// repaired by `npm run verify`; every write bumps the read-model versions that name what changed.
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyConsistency } from '../../server/src/modules/maintenance/verify.service.js';
import { addComment } from '../../server/src/modules/comment/comment.service.js';
import { askQuestion, postAnswer } from '../../server/src/modules/post/post.service.js';
import {
  ANSWER_BODY,
  BODY,
  COMMENT_BODY,
  answer,
  ask,
  comment,
  createSpace,
  gid,
  member,
  rawOf,
  serviceContext,
  vote,
  type Member,
} from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  // the response cache off: the round trips counted below are the database's, not a cache hit
  h = await startHarness({ env: { RESPONSE_CACHE_TTL_SECONDS: '0' } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
});

const threads = () => mongoose.connection.db!.collection('threads');

const PAGE = `query($id: ID!) { question(id: $id) {
  id title score
  comments { nodes { body } }
  answers(first: 100) { totalCount nodes { id body score comments { nodes { body } } } }
} }`;

describe('question threads', () => {
  it('every write of an answer, a comment or a vote rebuilds the thread the page reads', async () => {
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin);
    const alice = await member(h, 'alice');
    const bob = await member(h, 'bob');
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    await comment(alice, a.id, 'A comment on the answer, long enough.');
    await vote(alice, a.id, 'UP');
    const stored = await threads().findOne({ _id: new mongoose.Types.ObjectId(rawOf(q.id)) });
    expect(stored).not.toBeNull();
    expect(stored!.answers).toHaveLength(1);
    expect(stored!.answers[0]).toMatchObject({ score: 1 });
    expect(Object.values(stored!.comments as Record<string, unknown[]>).flat()).toHaveLength(1);
    const page = await h.agent().gql(PAGE, { id: q.id });
    expect(page.data.question.answers.nodes).toEqual([
      { id: a.id, body: ANSWER_BODY(), score: 1, comments: { nodes: [{ body: 'A comment on the answer, long enough.' }] } },
    ]);
  });

  it('a question whose thread is missing (imported content) is served from the posts and builds its thread', async () => {
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin);
    const alice = await member(h, 'alice');
    const q = await ask(alice);
    await answer(alice, q.id);
    await threads().deleteMany({});
    const page = await h.agent().gql(PAGE, { id: q.id });
    expect(page.data.question.answers.totalCount).toBe(1);
    await expect.poll(async () => threads().countDocuments({}), { timeout: 5_000 }).toBe(1);
  });

  it('npm run verify finds a corrupted thread and repairs it', async () => {
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin);
    const alice = await member(h, 'alice');
    const bob = await member(h, 'bob');
    const q = await ask(alice);
    await answer(bob, q.id);
    await comment(alice, q.id, 'A comment on the question, long enough.');
    expect((await verifyConsistency(h.deps)).drift).toBe(0);
    // a stale thread: the answer's body and score as they were long ago, the comment lost
    const _id = new mongoose.Types.ObjectId(rawOf(q.id));
    await threads().updateOne({ _id }, { $set: { 'answers.0.body': 'stale body', 'answers.0.score': 7, comments: {} } });
    const found = await verifyConsistency(h.deps);
    expect(found.checks.find((c) => c.check === 'question thread')).toMatchObject({ drift: 1, repaired: 0 });
    const repaired = await verifyConsistency(h.deps, { repair: true });
    expect(repaired.checks.find((c) => c.check === 'question thread')).toMatchObject({ drift: 1, repaired: 1 });
    expect((await verifyConsistency(h.deps)).drift).toBe(0);
    const page = await h.agent().gql(PAGE, { id: q.id });
    expect(page.data.question.answers.nodes[0]).toMatchObject({ body: ANSWER_BODY(), score: 0 });
    expect(page.data.question.comments.nodes).toEqual([{ body: 'A comment on the question, long enough.' }]);
  });
});

describe('database round trips of the question page', () => {
  const WEB_PAGE = `query($id: ID!) { question(id: $id) {
    id title bodyHTML score viewCount answerCount isClosed
    tags { name } space { slug name url }
    author { handle displayName reputation role affiliation url }
    comments(first: 50) { totalCount nodes { id bodyHTML score author { handle displayName reputation } } }
    answers(first: 50) { totalCount nodes {
      id bodyHTML score isAccepted isVerified
      author { handle displayName reputation role affiliation url }
      comments(first: 50) { totalCount nodes { id bodyHTML score author { handle displayName reputation } } }
    } }
  } }`;

  it('an anonymous reader costs the same few round trips for 10 and 30 answers × 2 comments', async () => {
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin);
    const people: Member[] = [];
    for (let i = 0; i < 6; i++) people.push(await member(h, `user${i}`));
    const actor = (i: number) => ({ id: rawOf(people[i % 6]!.id), handle: people[i % 6]!.handle });
    const build = async (answers: number) => {
      const q = await askQuestion(serviceContext(h, actor(0)), {
        spaceSlug: 'widgets',
        title: `A question with ${answers} answers`,
        body: BODY(answers),
        tags: ['perf'],
      });
      for (let i = 0; i < answers; i++) {
        const a = await postAnswer(serviceContext(h, actor(i + 1)), { questionId: q._id.toHexString(), body: ANSWER_BODY(i) });
        for (let k = 0; k < 2; k++)
          await addComment(serviceContext(h, actor(i + k)), { subjectId: a._id.toHexString(), body: COMMENT_BODY(k) });
      }
      return gid('Question', q._id.toHexString());
    };
    const ten = await build(10);
    const thirty = await build(30);
    const client = mongoose.connection.getClient();
    const measure = async (id: string) => {
      await h.agent().gql(WEB_PAGE, { id }); // warm: caches in front of the database fill
      const commands: string[] = [];
      const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
        if (['find', 'aggregate', 'count', 'getMore'].includes(e.commandName))
          commands.push(`${e.commandName}:${String(e.command[e.commandName])}`);
      };
      client.on('commandStarted', listener);
      try {
        const r = await h.agent().gql(WEB_PAGE, { id });
        expect(r.errors).toBeUndefined();
        return { data: r.data.question, commands };
      } finally {
        client.off('commandStarted', listener);
      }
    };
    const small = await measure(ten);
    const big = await measure(thirty);
    expect(big.data.answers.nodes).toHaveLength(30);
    for (const a of big.data.answers.nodes) expect(a.comments.nodes).toHaveLength(2);
    const log = `10: ${small.commands.join(', ')} / 30: ${big.commands.join(', ')}`;
    expect(big.commands.length, log).toBeLessThanOrEqual(4);
    expect(big.commands.length, log).toBe(small.commands.length);
  });
});

describe("a member's recent reputation events", () => {
  const LEDGER = `query($h: String!) { user(handle: $h) { reputation reputationEvents(first: 10) { nodes { delta balance reason } } } }`;

  it('are read from their Redis list without a query of the ledger, and the list repairs itself', async () => {
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin);
    const alice = await member(h, 'alice');
    const bob = await member(h, 'bob');
    const q = await ask(alice);
    await vote(bob, q.id, 'UP');
    const a = await answer(bob, q.id);
    await vote(alice, a.id, 'UP');
    const expected = [
      { delta: 10, balance: 11, reason: 'ANSWER_UPVOTED' },
      { delta: 1, balance: 1, reason: 'JOINED' },
    ];
    const client = mongoose.connection.getClient();
    const ledgerReads: string[] = [];
    const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
      if (e.command[e.commandName] === 'reputation_events' && e.commandName === 'find') ledgerReads.push(JSON.stringify(e.command.filter));
    };
    client.on('commandStarted', listener);
    try {
      const first = await h.agent().gql(LEDGER, { h: 'bob' });
      expect(first.data.user.reputationEvents.nodes).toEqual(expected);
      expect(ledgerReads).toEqual([]);
      // a list that lost a push (or was pushed out of order) is not used: the ledger answers once
      const key = `${h.deps.config.redisPrefix}rep:${rawOf(bob.id)}`;
      await h.deps.redis.lpop(key);
      await h.dropCaches();
      expect((await h.agent().gql(LEDGER, { h: 'bob' })).data.user.reputationEvents.nodes).toEqual(expected);
      expect(ledgerReads).toHaveLength(1);
      await h.dropCaches();
      expect((await h.agent().gql(LEDGER, { h: 'bob' })).data.user.reputationEvents.nodes).toEqual(expected);
      expect(ledgerReads).toHaveLength(1);
    } finally {
      client.off('commandStarted', listener);
    }
  });
});
