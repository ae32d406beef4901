// Reputation (Stack Overflow's rules) through the API, a seeded randomized run of >= 1,000
// actions checked against the ledger's invariants, and the verify/repair command.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/paths.js';
import type { AppDeps } from '../../server/src/context.js';
import { utcDay } from '../../server/src/lib/clock.js';
import { AppError } from '../../server/src/lib/errors.js';
import { verifyConsistency, formatVerifyReport, type VerifyResult } from '../../server/src/modules/maintenance/verify.service.js';
import {
  acceptAnswer,
  askQuestion,
  deleteAnswer,
  deleteQuestion,
  postAnswer,
  unacceptAnswer,
} from '../../server/src/modules/post/post.service.js';
import { SpaceModel } from '../../server/src/modules/space/space.model.js';
import { createUser } from '../../server/src/modules/user/user.service.js';
import { vote as castVote, type VoteDirection } from '../../server/src/modules/vote/vote.service.js';
import {
  ANSWER_BODY,
  BODY,
  Q,
  accept,
  answer,
  ask,
  comment,
  createSpace,
  member,
  oid,
  prng,
  rawOf,
  serviceContext,
  vote,
  type Member,
  type ServiceActor,
} from '../factories/qa.js';
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

async function rep(handle: string): Promise<number> {
  const r = await h.agent().gql(`query($h: String!) { user(handle: $h) { reputation } }`, { h: handle });
  return r.data.user.reputation as number;
}

async function reps(...handles: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const handle of handles) out[handle] = await rep(handle);
  return out;
}

async function events(handle: string): Promise<Array<{ delta: number; reason: string }>> {
  const r = await h
    .agent()
    .gql(`query($h: String!) { user(handle: $h) { reputationEvents(first: 100) { nodes { delta reason } } } }`, { h: handle });
  return r.data.user.reputationEvents.nodes;
}

// ---------------------------------------------------------------------------------------------

describe('reputation rules through the API', () => {
  let admin: Member;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  let dave: Member;
  let erin: Member;
  let mod: Member;
  beforeEach(async () => {
    admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin, 'widgets');
    alice = await member(h, 'alice');
    bob = await member(h, 'bob');
    carol = await member(h, 'carol');
    dave = await member(h, 'dave');
    erin = await member(h, 'erin');
    mod = await member(h, 'mod', { role: 'MODERATOR' });
  });

  /** gives a member 10 reputation (erin upvotes a question of theirs) */
  async function boost(who: Member, n = 1) {
    const q = await ask(who, { title: `A question to earn reputation ${who.handle} ${n}`, body: BODY(n) });
    await vote(erin, q.id, 'UP');
  }

  it('question upvote +10 to the asker (the voter pays nothing); withdrawing reverses it', async () => {
    const q = await ask(alice);
    await vote(carol, q.id, 'UP');
    expect(await reps('alice', 'carol')).toEqual({ alice: 11, carol: 1 });
    await vote(carol, q.id, 'NONE');
    expect(await reps('alice', 'carol')).toEqual({ alice: 1, carol: 1 });
    expect(await events('alice')).toEqual([
      { delta: -10, reason: 'VOTE_REVERSED' },
      { delta: 10, reason: 'QUESTION_UPVOTED' },
      { delta: 1, reason: 'JOINED' },
    ]);
  });

  it('answer upvote +10; a downvote costs the author 2, and the voter 1 on answers only', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    await boost(dave);
    await boost(alice, 2);
    expect(await reps('alice', 'bob', 'dave')).toEqual({ alice: 11, bob: 1, dave: 11 });
    await vote(carol, a.id, 'UP');
    expect(await rep('bob')).toBe(11);
    await vote(dave, a.id, 'DOWN');
    expect(await reps('bob', 'dave')).toEqual({ bob: 9, dave: 10 });
    await vote(dave, q.id, 'DOWN'); // downvoting a question costs the voter nothing
    expect(await reps('alice', 'dave')).toEqual({ alice: 9, dave: 10 });
    expect((await events('bob'))[0]).toEqual({ delta: -2, reason: 'POST_DOWNVOTED' });
    expect((await events('dave')).slice(0, 2)).toEqual([
      { delta: -1, reason: 'DOWNVOTED_ANSWER' },
      { delta: 10, reason: 'QUESTION_UPVOTED' },
    ]);
  });

  it('changing a vote UP → DOWN reverses the upvote and applies the downvote; NONE reverses everything', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    await vote(erin, a.id, 'UP'); // bob 11
    await boost(carol); // carol 11
    await vote(carol, a.id, 'UP');
    expect(await reps('bob', 'carol')).toEqual({ bob: 21, carol: 11 });
    expect((await vote(carol, a.id, 'DOWN')).score).toBe(0);
    expect(await reps('bob', 'carol')).toEqual({ bob: 9, carol: 10 });
    expect((await vote(carol, a.id, 'NONE')).score).toBe(1);
    expect(await reps('bob', 'carol')).toEqual({ bob: 11, carol: 11 });
    await vote(carol, a.id, 'DOWN');
    expect(await reps('bob', 'carol')).toEqual({ bob: 9, carol: 10 });
    expect((await vote(carol, a.id, 'UP')).score).toBe(2);
    expect(await reps('bob', 'carol')).toEqual({ bob: 21, carol: 11 });
    // voting the same way twice changes nothing
    await vote(carol, a.id, 'UP');
    expect(await reps('bob', 'carol')).toEqual({ bob: 21, carol: 11 });
  });

  it('accept +15 to the answerer and +2 to the asker; unaccept reverses; switching moves the +15; self-accept gives nothing', async () => {
    const q = await ask(alice);
    const a1 = await answer(bob, q.id, ANSWER_BODY(1));
    const a2 = await answer(carol, q.id, ANSWER_BODY(2));
    const own = await answer(alice, q.id, ANSWER_BODY(3));
    await accept(alice, a1.id);
    expect(await reps('alice', 'bob', 'carol')).toEqual({ alice: 3, bob: 16, carol: 1 });
    await accept(alice, a2.id);
    expect(await reps('alice', 'bob', 'carol')).toEqual({ alice: 3, bob: 1, carol: 16 });
    await alice.must(Q.unaccept, { input: { answerId: a2.id } });
    expect(await reps('alice', 'bob', 'carol')).toEqual({ alice: 1, bob: 1, carol: 1 });
    const before = (await events('alice')).length;
    await accept(alice, own.id);
    expect(await rep('alice')).toBe(1);
    expect(await events('alice')).toHaveLength(before);
    await accept(alice, a1.id); // from a self-accepted answer to another: nothing to reverse, +15/+2 again
    expect(await reps('alice', 'bob', 'carol')).toEqual({ alice: 3, bob: 16, carol: 1 });
    expect((await events('bob')).map((e) => [e.delta, e.reason])).toEqual([
      [15, 'ANSWER_ACCEPTED'],
      [-15, 'ACCEPT_REVERSED'],
      [15, 'ANSWER_ACCEPTED'],
      [1, 'JOINED'],
    ]);
  });

  it('deleting a post reverses the reputation its votes (and its acceptance) gave', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    await boost(dave); // dave 11
    await vote(carol, a.id, 'UP');
    await vote(erin, a.id, 'UP');
    await vote(dave, a.id, 'DOWN');
    await accept(alice, a.id);
    await vote(carol, q.id, 'UP');
    expect(await reps('alice', 'bob', 'dave')).toEqual({ alice: 13, bob: 34, dave: 10 });
    await bob.must(Q.deleteAnswer, { input: { answerId: a.id } });
    expect(await reps('alice', 'bob', 'dave')).toEqual({ alice: 11, bob: 1, dave: 11 });
    await mod.must(Q.deleteQuestion, { input: { questionId: q.id } });
    expect(await rep('alice')).toBe(1);

    // deleting a question reverses its acceptance too
    const q2 = await ask(alice, { title: 'Another question about the frobnicator', body: BODY(2) });
    const a2 = await answer(carol, q2.id);
    await accept(alice, a2.id);
    expect(await reps('alice', 'carol')).toEqual({ alice: 3, carol: 16 });
    await mod.must(Q.deleteQuestion, { input: { questionId: q2.id } });
    expect(await reps('alice', 'carol')).toEqual({ alice: 1, carol: 1 });
    expect((await events('carol'))[0]).toEqual({ delta: -15, reason: 'ACCEPT_REVERSED' });
  });

  it('never below 1: a member at 1 who is downvoted stays at 1 (the ledger records 0)', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    await boost(dave);
    await vote(dave, q.id, 'DOWN');
    await vote(erin, a.id, 'DOWN'); // erin (1) downvotes an answer: she cannot pay below 1 either
    expect(await reps('alice', 'bob', 'erin')).toEqual({ alice: 1, bob: 1, erin: 1 });
    expect((await events('alice'))[0]).toEqual({ delta: 0, reason: 'POST_DOWNVOTED' });
    expect((await events('bob'))[0]).toEqual({ delta: 0, reason: 'POST_DOWNVOTED' });
    // undoing a downvote that took nothing gives nothing back
    await vote(dave, q.id, 'NONE');
    expect(await rep('alice')).toBe(1);
    await vote(dave, q.id, 'UP');
    expect(await rep('alice')).toBe(11);
    // a floor-limited penalty: 11 → after 6 downvotes (−12) the balance stops at 1
    const voters = await Promise.all(['voter1', 'voter2', 'voter3', 'voter4', 'voter5', 'voter6'].map((handle) => member(h, handle)));
    for (const v of voters) await vote(v, q.id, 'DOWN');
    expect(await rep('alice')).toBe(1);
    expect((await events('alice')).slice(0, 2)).toEqual([
      { delta: 0, reason: 'POST_DOWNVOTED' },
      { delta: -2, reason: 'POST_DOWNVOTED' },
    ]);
  });

  it('concurrent votes on one answer: the score and the reputation count every vote exactly once', async () => {
    const q = await ask(alice);
    const a = await answer(bob, q.id);
    const voters = await Promise.all(Array.from({ length: 12 }, (_, i) => member(h, `crowd${i}`)));
    // all at once, with two of them changing their mind concurrently
    await Promise.all([
      ...voters.map((v) => vote(v, a.id, 'UP')),
      vote(voters[0]!, a.id, 'NONE').then(() => vote(voters[0]!, a.id, 'UP')),
      vote(voters[1]!, q.id, 'UP'),
    ]);
    const r = await h
      .agent()
      .gql<{ node: { score: number; upVoteCount: number } }>(`query($id: ID!) { node(id: $id) { ... on Answer { score upVoteCount } } }`, {
        id: a.id,
      });
    expect(r.data.node).toEqual({ score: 12, upVoteCount: 12 });
    expect(await reps('bob', 'alice')).toEqual({ bob: 121, alice: 11 });
    const result = await verifyConsistency(h.deps);
    expect(result.drift, formatVerifyReport(result)).toBe(0);
  });

  it('daily cap: at most +200 a day from upvotes; the next day earns again; accepts are exempt', async () => {
    const posts = [];
    for (let i = 0; i < 3; i++) posts.push(await ask(alice, { title: `Capped question number ${i} here`, body: BODY(i) }));
    const voters = await Promise.all(
      ['voter1', 'voter2', 'voter3', 'voter4', 'voter5', 'voter6', 'voter7'].map((handle) => member(h, handle)),
    );
    for (const v of voters) for (const p of posts) await vote(v, p.id, 'UP'); // 21 upvotes: 210 nominal
    expect(await rep('alice')).toBe(201);
    const ledger = await db()
      .collection('reputation_events')
      .find({ userId: oid(alice.id) })
      .sort({ seq: 1 })
      .toArray();
    const today = ledger.filter((e) => e.capped);
    expect(today.reduce((s, e) => s + e.delta, 0)).toBe(200);
    expect(ledger[ledger.length - 1]).toMatchObject({ reason: 'QUESTION_UPVOTED', nominal: 10, delta: 0, dayEarned: 200 });
    // an accept the same day is exempt
    const q = await ask(bob);
    const a = await answer(alice, q.id);
    await accept(bob, a.id);
    expect(await rep('alice')).toBe(216);
    // also more upvotes today give nothing
    await vote(carol, a.id, 'UP');
    expect(await rep('alice')).toBe(216);
    // the next UTC day earns again
    h.clock.set('2026-01-06T00:00:00Z');
    await vote(dave, a.id, 'UP');
    expect(await rep('alice')).toBe(226);
    // withdrawing and re-voting nets zero
    await vote(dave, a.id, 'NONE');
    await vote(dave, a.id, 'UP');
    expect(await rep('alice')).toBe(226);
  });
});

// ---------------------------------------------------------------------------------------------

interface Live {
  id: string;
  type: 'question' | 'answer';
  author: number;
  questionId: string;
}

describe('randomized: >= 1,000 actions across users and days', () => {
  it('keeps every user at the ledger sum, above the floor and under the daily cap; scores match votes; verify finds no drift', async () => {
    const rand = prng(20260105);
    // search indexing is not under test here: skip it to keep the run fast
    const deps: AppDeps = { ...h.deps, services: { ...h.deps.services, events: { postsChanged: async () => undefined } } };
    const space = await SpaceModel.create({ slug: 'random', name: 'Random' });
    const USERS = 8;
    const STAR = 0; // half of the votes go to one member's posts: the daily cap must bite
    const MOD = USERS - 1; // deletes questions (and sometimes answers)
    const users: ServiceActor[] = [];
    for (let i = 0; i < USERS; i++) {
      const role = i === MOD ? 'MODERATOR' : 'MEMBER';
      const u = await createUser({ deps }, { handle: `r${i}x`, email: null, password: null, displayName: `R ${i}`, role }, h.clock.now());
      users.push({ id: u._id.toHexString(), handle: u.handle, role });
    }
    const ctx = (i: number) => serviceContext(h, users[i]!, deps);
    // the live posts (a small pool, so that votes are often changed and withdrawn)
    const questions: Live[] = [];
    const answers: Live[] = [];
    const accepted = new Map<string, string>(); // question → accepted answer
    let n = 0;
    const newQuestion = async (author: number) => {
      const q = await askQuestion(ctx(author), {
        spaceId: space._id.toHexString(),
        title: `Randomized question number ${++n}`,
        body: BODY(n),
        tags: [`t${n % 7}`],
      });
      questions.push({ id: q._id.toHexString(), type: 'question', author, questionId: q._id.toHexString() });
    };
    const newAnswer = async (author: number) => {
      const q = rand.pick(questions);
      const a = await postAnswer(ctx(author), { questionId: q.id, body: ANSWER_BODY(++n) });
      answers.push({ id: a._id.toHexString(), type: 'answer', author, questionId: q.id });
    };
    for (let i = 0; i < 6; i++) await newQuestion(i % 3 === 0 ? STAR : rand.int(USERS));
    for (let i = 0; i < 14; i++) await newAnswer(i % 3 === 0 ? STAR : rand.int(USERS));

    const stats: Record<string, number> = {};
    const days = new Set<string>();
    let actions = 0;

    // The plan is drawn sequentially from the seeded PRNG. Consecutive actions that touch
    // disjoint members and posts run together (up to 4): their outcome cannot depend on the
    // interleaving (a member's ledger and a post's counters are each touched by one of them),
    // so the run stays deterministic and exercises concurrent requests too.
    interface Planned {
      kind: string;
      users: number[];
      posts: string[];
      run: () => Promise<unknown>;
    }
    let batch: Planned[] = [];
    const busyUsers = new Set<number>();
    const busyPosts = new Set<string>();
    const flush = async () => {
      const running = batch;
      batch = [];
      busyUsers.clear();
      busyPosts.clear();
      await Promise.all(
        running.map(async (a) => {
          try {
            await a.run();
          } catch (error) {
            if (error instanceof AppError) throw new Error(`${a.kind} failed: ${error.code} ${error.message}`);
            throw error;
          }
        }),
      );
    };
    const plan = async (a: Planned, solo = false) => {
      if (solo || batch.length >= 4 || a.users.some((u) => busyUsers.has(u)) || a.posts.some((p) => busyPosts.has(p))) await flush();
      batch.push(a);
      for (const u of a.users) busyUsers.add(u);
      for (const p of a.posts) busyPosts.add(p);
      if (solo) await flush();
      stats[a.kind] = (stats[a.kind] ?? 0) + 1;
      actions++;
    };
    const authorOf = (id: string) => [...questions, ...answers].find((p) => p.id === id)!.author;

    while (actions < 1_000) {
      h.clock.advance(rand.int(20 * 60_000)); // ~10 minutes on average: ~7 days in all
      days.add(utcDay(h.clock.now()));
      // deleted posts are replaced, so the pool stays small (votes are changed often, scans stay cheap)
      const r = questions.length < 6 ? 0.99 : answers.length < 14 ? 0.95 : rand.next() * 0.93;
      if (r < 0.66) {
        // vote, change or withdraw
        const all = [...questions, ...answers];
        const starPosts = all.filter((p) => p.author === STAR);
        const post = rand.pick(rand.next() < 0.5 && starPosts.length ? starPosts : all);
        const d = rand.next();
        const direction: VoteDirection = d < 0.6 ? 'UP' : d < 0.8 ? 'DOWN' : 'NONE';
        const voter = rand.pick(users.map((_, i) => i).filter((i) => i !== post.author));
        await plan({
          kind: `vote ${direction}`,
          users: [voter, post.author],
          posts: [post.id, post.questionId],
          run: () => castVote(ctx(voter), { subjectId: post.id, direction }),
        });
      } else if (r < 0.78) {
        const withAnswers = questions.filter((q) => answers.some((a) => a.questionId === q.id));
        if (withAnswers.length === 0) continue;
        const q = rand.pick(withAnswers);
        const a = rand.pick(answers.filter((x) => x.questionId === q.id));
        const previous = accepted.get(q.id);
        accepted.set(q.id, a.id);
        await plan({
          kind: 'accept',
          users: [q.author, a.author, ...(previous ? [authorOf(previous)] : [])],
          posts: [q.id, a.id, ...(previous ? [previous] : [])],
          run: () => acceptAnswer(ctx(q.author), a.id),
        });
      } else if (r < 0.86) {
        if (accepted.size === 0) continue;
        const [qid, aid] = rand.pick([...accepted.entries()]);
        accepted.delete(qid);
        const asker = authorOf(qid);
        await plan({ kind: 'unaccept', users: [asker, authorOf(aid)], posts: [qid, aid], run: () => unacceptAnswer(ctx(asker), aid) });
      } else if (r < 0.905) {
        const a = answers.splice(rand.int(answers.length), 1)[0]!;
        if (accepted.get(a.questionId) === a.id) accepted.delete(a.questionId);
        const by = rand.next() < 0.6 ? a.author : MOD;
        await plan({ kind: 'delete answer', users: [], posts: [], run: () => deleteAnswer(ctx(by), a.id) }, true);
      } else if (r < 0.93) {
        const q = questions.splice(rand.int(questions.length), 1)[0]!;
        accepted.delete(q.id);
        // its answers are out of reach from now on
        for (let i = answers.length - 1; i >= 0; i--) if (answers[i]!.questionId === q.id) answers.splice(i, 1);
        await plan({ kind: 'delete question', users: [], posts: [], run: () => deleteQuestion(ctx(MOD), q.id) }, true);
      } else {
        // new posts (not reputation actions): their ids are needed for planning, so they run now
        await flush();
        if (r < 0.97) await newAnswer(rand.next() < 0.3 ? STAR : rand.int(USERS));
        else await newQuestion(rand.next() < 0.3 ? STAR : rand.int(USERS));
      }
    }
    await flush();
    expect(actions).toBeGreaterThanOrEqual(1_000);
    expect(days.size).toBeGreaterThanOrEqual(5);
    for (const what of ['vote UP', 'vote DOWN', 'vote NONE', 'accept', 'unaccept', 'delete answer', 'delete question'])
      expect(stats[what], what).toBeGreaterThan(0);

    // --- the ledger's invariants, per user
    const rules = h.deps.services.reputationRules;
    const ledger = await db().collection('reputation_events').find({}).toArray();
    ledger.sort((a, b) => String(a.userId).localeCompare(String(b.userId)) || a.seq - b.seq);
    const byUser = new Map<string, typeof ledger>();
    for (const e of ledger) byUser.set(String(e.userId), [...(byUser.get(String(e.userId)) ?? []), e]);
    const stored = await db().collection('users').find({}).toArray();
    expect(stored).toHaveLength(USERS);
    for (const u of stored) {
      const list = byUser.get(String(u._id)) ?? [];
      expect(list[0], u.handle).toMatchObject({ _id: `join:${String(u._id)}`, seq: 1, delta: 1, balance: 1 });
      let balance = 0;
      const capped = new Map<string, number>();
      for (const [i, e] of list.entries()) {
        expect(e.seq, `${u.handle} seq`).toBe(i + 1);
        balance += e.delta;
        expect(e.balance, `${u.handle} balance chain at ${e._id}`).toBe(balance);
        expect(e.balance, `${u.handle} floor at ${e._id}`).toBeGreaterThanOrEqual(rules.floor);
        if (e.capped && e.delta > 0) {
          expect(e.day).toBe(utcDay(e.at));
          capped.set(e.day, (capped.get(e.day) ?? 0) + e.delta);
        }
        // accepts are exempt from the cap (and positive: never floored)
        if (e.reason === 'ANSWER_ACCEPTED') expect(e.delta).toBe(rules.answerAccepted);
        if (e.reason === 'ACCEPTED_ANSWER') expect(e.delta).toBe(rules.acceptorBonus);
      }
      expect(u.reputation, `${u.handle}: users.reputation = Σ ledger deltas`).toBe(balance);
      expect(u.repSeq).toBe(list.length);
      for (const [day, earned] of capped) expect(earned, `${u.handle} earned on ${day}`).toBeLessThanOrEqual(rules.dailyCap);
    }

    // --- every post's score = Σ votes + scoreBase
    const votes = await db().collection('votes').find({}).toArray();
    const sums = new Map<string, { score: number; up: number; down: number }>();
    for (const v of votes) {
      const s = sums.get(String(v.postId)) ?? { score: 0, up: 0, down: 0 };
      s.score += v.value;
      if (v.value === 1) s.up++;
      if (v.value === -1) s.down++;
      sums.set(String(v.postId), s);
    }
    const posts = await db().collection('posts').find({}).toArray();
    for (const p of posts) {
      const s = sums.get(String(p._id)) ?? { score: 0, up: 0, down: 0 };
      expect({ score: p.score, up: p.upVotes, down: p.downVotes }, String(p._id)).toEqual({
        score: s.score + (p.scoreBase ?? 0),
        up: s.up,
        down: s.down,
      });
    }

    // --- the run really exercised every rule, the cap and the floor
    const reasons = new Set(ledger.map((e) => e.reason));
    for (const reason of [
      'QUESTION_UPVOTED',
      'ANSWER_UPVOTED',
      'POST_DOWNVOTED',
      'DOWNVOTED_ANSWER',
      'VOTE_REVERSED',
      'ANSWER_ACCEPTED',
      'ACCEPTED_ANSWER',
      'ACCEPT_REVERSED',
      'POST_DELETED',
    ]) {
      expect(reasons, reason).toContain(reason);
    }
    expect(
      ledger.some((e) => /UPVOTED/.test(e.reason) && e.delta < e.nominal),
      'the daily cap was hit',
    ).toBe(true);
    expect(
      ledger.some((e) => e.nominal < 0 && e.delta > e.nominal),
      'the floor was hit',
    ).toBe(true);
    expect(
      votes.some((v) => v.version > 2),
      'votes were changed more than once',
    ).toBe(true);

    // --- and verify finds no drift
    const result = await verifyConsistency(h.deps);
    expect(result.drift, formatVerifyReport(result)).toBe(0);
    expect(result.checks.find((c) => c.check === 'vote reputation')!.checked).toBe(votes.length);
  }, 420_000); // FerretDB scans every non-_id filter: this run slows down a lot when the machine is busy
});

// ---------------------------------------------------------------------------------------------

describe('verify and --repair', () => {
  interface World {
    q: string;
    a1: string;
    a2: string;
    alice: Member;
    bob: Member;
    carol: Member;
  }

  /** a question with two answers, votes, an acceptance and comments */
  async function world(): Promise<World> {
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin, 'widgets');
    const alice = await member(h, 'alice');
    const bob = await member(h, 'bob');
    const carol = await member(h, 'carol');
    const q = await ask(alice, { tags: ['frobnicator', 'config'] });
    const a1 = await answer(bob, q.id, ANSWER_BODY(1));
    const a2 = await answer(carol, q.id, ANSWER_BODY(2));
    await vote(carol, q.id, 'UP');
    await vote(carol, a1.id, 'UP');
    await vote(alice, a2.id, 'DOWN');
    await accept(alice, a1.id);
    await comment(bob, q.id);
    await comment(carol, a1.id);
    return { q: q.id, a1: a1.id, a2: a2.id, alice, bob, carol };
  }

  const byCheck = (r: VerifyResult) => Object.fromEntries(r.checks.map((c) => [c.check, c.drift]));

  it('reports no drift on a consistent database', async () => {
    await world();
    const r = await verifyConsistency(h.deps);
    expect(r.drift, formatVerifyReport(r)).toBe(0);
    // every check of the Q&A core examined something (the moderation, review and badge checks
    // have nothing to examine here: no flags, close votes, review tasks or badges in this world;
    // nor has any tag page been read, which is when a tag first stores its synonym list)
    const idle = new Set([
      'tag synonyms',
      'badge counts',
      'close vote tally',
      'review queues',
      'flag counters',
      'flag queue',
      'audit listings',
      'bounty ledger',
      'bounty state',
    ]);
    expect(r.checks.filter((c) => !idle.has(c.check)).every((c) => c.checked > 0)).toBe(true);
  });

  it('reports every kind of drift, --repair fixes it (idempotently), and verify is then clean', async () => {
    const w = await world();
    const posts = db().collection('posts');
    const users = db().collection('users');
    const snapshot = async () => ({
      posts: await posts.find({}).project({ version: 0, updatedAt: 0 }).sort({ _id: 1 }).toArray(),
      users: await users.find({}).project({ updatedAt: 0 }).sort({ _id: 1 }).toArray(),
      spaces: await db().collection('spaces').find({}).project({ updatedAt: 0 }).toArray(),
      tags: await db().collection('tags').find({}).project({ updatedAt: 0 }).sort({ _id: 1 }).toArray(),
      votes: await db().collection('votes').find({}).project({ updatedAt: 0 }).sort({ _id: 1 }).toArray(),
    });
    const good = await snapshot();
    const aliceId = oid(w.alice.id);
    const bobId = oid(w.bob.id);
    const carolId = oid(w.carol.id);

    // drift, written straight into the database
    await posts.updateOne({ _id: oid(w.a1) }, { $inc: { score: 5, upVotes: 2 } });
    await posts.updateOne({ _id: oid(w.q) }, { $set: { answerCount: 7, commentCount: 0, isAnswered: false } });
    await posts.updateOne({ _id: oid(w.a2) }, { $set: { downVotes: 0 } });
    await db()
      .collection('spaces')
      .updateOne({}, { $set: { questionCount: 3 } });
    await db()
      .collection('tags')
      .updateOne({ _id: 'config' as never }, { $set: { questionCount: 0 } });
    await users.updateOne({ _id: bobId }, { $set: { answerCount: 5 }, $inc: { reputation: 100 } });
    await users.updateOne({ _id: aliceId }, { $set: { questionCount: 0 } });
    await db()
      .collection('votes')
      .updateOne({ _id: `${rawOf(w.carol.id)}:${rawOf(w.q)}` as never }, { $set: { authorRep: 3 } });
    // carol is "behind": a crash between her last ledger event and her user document's update
    const carolLast = await db().collection('reputation_events').find({ userId: carolId }).sort({ seq: -1 }).limit(2).toArray();
    await users.updateOne({ _id: carolId }, { $set: { reputation: carolLast[1]!.balance, repSeq: carolLast[1]!.seq } });
    // a member whose opening event is missing (a crash right after the user was created)
    const dave = await member(h, 'dave');
    await db()
      .collection('reputation_events')
      .deleteOne({ _id: `join:${rawOf(dave.id)}` as never });
    await users.updateOne({ _id: oid(dave.id) }, { $set: { reputation: 0, repSeq: 0 } });

    const found = await verifyConsistency(h.deps);
    expect(byCheck(found)).toEqual({
      'vote reputation': 1,
      'accept reputation': 0,
      'bounty ledger': 0,
      'bounty state': 0,
      'post score': 2,
      'question answerCount': 1,
      'question isAnswered': 1,
      'post commentCount': 1,
      'post child lists': 0,
      // the question's thread (its page's read model) no longer matches its drifted answer
      'question thread': 1,
      'space questionCount': 1,
      'tag questionCount': 1,
      'user questionCount': 1,
      'user answerCount': 1,
      'user opening event': 1,
      'user reputation': 2, // bob (+100) and carol (behind); dave has no events to sum yet
      'tag stats': 0,
      'tag synonyms': 0,
      'user stats': 0,
      'users ranking': 0,
      'badge counts': 0,
      'close vote tally': 0,
      'review queues': 0,
      'flag counters': 0,
      'flag queue': 0,
      'audit listings': 0,
    });
    expect(found.repaired).toBe(0);
    const report = formatVerifyReport(found);
    expect(report).toMatch(/^check\s+checked\s+drift\s+repaired/);
    expect(report).toMatch(/post score\s+\d+\s+2\s+-/);
    expect(report).toMatch(/Run with --repair/);
    // nothing changed without --repair
    expect((await users.findOne({ _id: bobId }))!.reputation).toBe(126);

    const repaired = await verifyConsistency(h.deps, { repair: true });
    expect(repaired.repaired).toBe(repaired.drift);
    expect(byCheck(repaired)).toEqual(byCheck(found));
    expect(formatVerifyReport(repaired)).toMatch(/Drift in 14 item\(s\); repaired 14\./);

    // everything is back to its facts
    const fixed = await snapshot();
    expect(fixed.posts).toEqual(good.posts);
    expect(fixed.spaces).toEqual(good.spaces);
    expect(fixed.tags).toEqual(good.tags);
    expect(fixed.votes).toEqual(good.votes);
    expect(fixed.users.filter((u) => u.handle !== 'dave')).toEqual(good.users);
    expect(await reps('alice', 'bob', 'carol', 'dave')).toEqual({ alice: 12, bob: 26, carol: 1, dave: 1 }); // alice: 1 + 10 − 1 + 2
    expect(await events('dave')).toEqual([{ delta: 1, reason: 'JOINED' }]);

    // idempotent: clean now, and a second repair does nothing
    const again = await verifyConsistency(h.deps, { repair: true });
    expect(again.drift, formatVerifyReport(again)).toBe(0);
    expect(again.repaired).toBe(0);
    expect(formatVerifyReport(again)).toMatch(/No drift/);
  });

  it('completes a vote change that crashed half-way, exactly as the service would have', async () => {
    const w = await world();
    // the reference: the same change made normally on a twin vote would cost bob 10 + 2 and carol 1;
    // here carol's UP on bob's answer became DOWN in the vote document, then the process died
    const key = `${rawOf(w.carol.id)}:${rawOf(w.a1)}`;
    const before = await reps('bob', 'carol');
    await db()
      .collection('votes')
      .updateOne({ _id: key as never }, { $set: { value: -1, version: 2 } });
    const found = await verifyConsistency(h.deps);
    expect(byCheck(found)).toMatchObject({ 'vote reputation': 1, 'post score': 1, 'question isAnswered': 0 });
    expect(found.checks.find((c) => c.check === 'vote reputation')!.examples[0]).toMatch(
      /missing vote:.*:2:author-undo; missing vote:.*:2:author; missing vote:.*:2:voter/,
    );

    await verifyConsistency(h.deps, { repair: true });
    // bob: 26 − 10 (upvote reversed) − 2 (downvote); carol: 1 − 1 → floor keeps 1
    expect(await reps('bob', 'carol')).toEqual({ bob: before.bob! - 12, carol: 1 });
    expect(
      await db()
        .collection('votes')
        .findOne({ _id: key as never }),
    ).toMatchObject({ value: -1, version: 2, authorRep: -2, voterRep: 0 });
    const page = await h
      .agent()
      .gql(`query($id: ID!) { node(id: $id) { ... on Answer { score upVoteCount downVoteCount } } }`, { id: w.a1 });
    expect(page.data.node).toEqual({ score: -1, upVoteCount: 0, downVoteCount: 1 });
    expect((await verifyConsistency(h.deps)).drift).toBe(0);
    // and the vote keeps working afterwards
    await vote(w.carol, w.a1, 'NONE');
    expect(await reps('bob', 'carol')).toEqual({ bob: before.bob! - 10, carol: 1 });
    expect((await verifyConsistency(h.deps)).drift).toBe(0);
  });

  it('completes a post deletion that crashed before reversing its votes', async () => {
    const w = await world();
    // bob's answer (accepted, +10 upvote) is marked deleted but nothing else happened
    await db()
      .collection('posts')
      .updateOne({ _id: oid(w.a1) }, { $set: { deletedAt: h.clock.now() } });
    const found = await verifyConsistency(h.deps);
    expect(found.checks.find((c) => c.check === 'vote reputation')!.examples.join('\n')).toMatch(/missing delete:.*:1:author/);
    expect(found.checks.find((c) => c.check === 'accept reputation')!.examples.join('\n')).toMatch(
      /missing accept:.*:1:answerer:undo, accept:.*:1:acceptor:undo/,
    );
    await verifyConsistency(h.deps, { repair: true });
    // the vote's +10 and the acceptance's +15 are reversed (bob: 26 − 10 − 15), and alice's +2
    expect(await reps('alice', 'bob')).toEqual({ alice: 10, bob: 1 });
    const again = await verifyConsistency(h.deps);
    expect(again.checks.find((c) => c.check === 'vote reputation')!.drift).toBe(0);
    expect(again.checks.find((c) => c.check === 'accept reputation')!.drift).toBe(0);
  });

  it('completes an acceptance that crashed between the question write and the ledger', async () => {
    const w = await world();
    expect(await reps('alice', 'bob', 'carol')).toEqual({ alice: 12, bob: 26, carol: 1 });
    // alice switches her acceptance from bob's answer to carol's; the question document is
    // written (generation 2), then the process dies before any ledger step
    await db()
      .collection('posts')
      .updateOne({ _id: oid(w.q) }, { $set: { acceptedAnswerId: oid(w.a2), acceptedAt: h.clock.now() }, $inc: { acceptGen: 1 } });
    const found = await verifyConsistency(h.deps);
    const check = found.checks.find((c) => c.check === 'accept reputation')!;
    expect(check.drift).toBe(1);
    expect(check.examples[0]).toMatch(
      /missing accept:\w+:1:answerer:undo, accept:\w+:1:acceptor:undo, accept:\w+:2:answerer, accept:\w+:2:acceptor$/,
    );
    expect(await rep('bob')).toBe(26); // nothing written without --repair

    await verifyConsistency(h.deps, { repair: true });
    // bob loses the +15, carol gains it, alice's +2 moves with it: what acceptAnswer would have done
    expect(await reps('alice', 'bob', 'carol')).toEqual({ alice: 12, bob: 11, carol: 16 });
    expect((await events('carol'))[0]).toEqual({ delta: 15, reason: 'ANSWER_ACCEPTED' }); // newest first
    expect((await verifyConsistency(h.deps)).drift).toBe(0);
    // the service carries on from the repaired state: unaccepting reverses carol's award once
    await w.alice.must(Q.unaccept, { input: { answerId: w.a2 } });
    expect(await reps('alice', 'bob', 'carol')).toEqual({ alice: 10, bob: 11, carol: 1 });
    expect((await verifyConsistency(h.deps)).drift).toBe(0);
  });

  it('reverses an acceptance whose withdrawal crashed before its undo events', async () => {
    const w = await world();
    // unaccept wrote the question, then died
    await db()
      .collection('posts')
      .updateOne({ _id: oid(w.q) }, { $set: { acceptedAnswerId: null, acceptedAt: null } });
    const found = await verifyConsistency(h.deps);
    expect(found.checks.find((c) => c.check === 'accept reputation')!.drift).toBe(1);
    const repaired = await verifyConsistency(h.deps, { repair: true });
    expect(repaired.checks.find((c) => c.check === 'accept reputation')!.repaired).toBe(1);
    expect(await reps('alice', 'bob')).toEqual({ alice: 10, bob: 11 });
    // a second repair changes nothing
    expect((await verifyConsistency(h.deps, { repair: true })).repaired).toBe(0);
    expect(await reps('alice', 'bob')).toEqual({ alice: 10, bob: 11 });
  });

  it('scripts/verify.ts: exit 1 with drift, --repair fixes it (exit 0), then clean (exit 0)', async () => {
    const w = await world();
    await db()
      .collection('posts')
      .updateOne({ _id: oid(w.q) }, { $inc: { score: 3 } });
    const searchDir = mkdtempSync(join(tmpdir(), 'colloquy-verify-search-'));
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'scripts/verify.ts'), ...args],
          {
            cwd: repoRoot,
            timeout: 60_000,
            env: {
              PATH: process.env.PATH ?? '',
              HOME: process.env.HOME ?? '',
              MONGODB_URL: h.deps.config.mongodbUrl,
              REDIS_URL: h.deps.config.redisUrl,
              REDIS_PREFIX: h.deps.config.redisPrefix,
              SEARCH_DATA_DIR: searchDir,
              LOG_LEVEL: 'silent',
            },
          },
          (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    try {
      const dirty = await run([]);
      expect(dirty.stderr).toBe('');
      expect(dirty.code).toBe(1);
      expect(dirty.stdout).toMatch(/post score\s+\d+\s+1\s+-/);
      expect(dirty.stdout).toMatch(/question .*: score 4 → 1/);
      const repair = await run(['--repair']);
      expect(repair.code).toBe(0);
      expect(repair.stdout).toMatch(/post score\s+\d+\s+1\s+1/);
      expect(repair.stdout).toMatch(/repaired 1/);
      const clean = await run([]);
      expect(clean.code).toBe(0);
      expect(clean.stdout).toMatch(/No drift/);
      expect(
        (await db()
          .collection('posts')
          .findOne({ _id: oid(w.q) }))!.score,
      ).toBe(1);
      expect((await run(['--bogus'])).code).toBe(2);
    } finally {
      rmSync(searchDir, { recursive: true, force: true });
    }
  });
});
