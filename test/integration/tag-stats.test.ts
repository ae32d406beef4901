// A tag's top askers and top answerers (the tag page's sidebar) and `experts(tag)`, over GraphQL
// against the real database: rankings, deleted posts left out, bad `first` rejected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accept, answer, ANSWER_BODY, ask, BODY, createSpace, member, TITLE, vote, type Member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const TAG_STATS = `query($name: String!, $first: Int) {
  tag(name: $name) {
    topAskers(first: $first) { user { handle } questionCount score }
    topAnswerers(first: $first) { user { handle } answerCount score acceptedCount }
  }
}`;
const EXPERTS = `query($tag: String!, $first: Int) { experts(tag: $tag, first: $first) { user { handle } answerCount score acceptedCount } }`;

describe('tag statistics', () => {
  let ada: Member, bob: Member, cy: Member, dee: Member;

  beforeAll(async () => {
    const admin = await member(h, 'statsadmin', { role: 'ADMIN' });
    await createSpace(admin, 'stats', 'Stats');
    ada = await member(h, 'ada_stats');
    bob = await member(h, 'bob_stats');
    cy = await member(h, 'cy_stats');
    dee = await member(h, 'dee_stats');
    const askIn = (who: Member, n: number, tags: string[]) => ask(who, { spaceSlug: 'stats', title: TITLE(n), body: BODY(n), tags });

    // ada asks two [gpu] questions, bob one; cy and dee answer
    const q1 = await askIn(ada, 1, ['gpu', 'cuda']);
    const q2 = await askIn(ada, 2, ['gpu']);
    const q3 = await askIn(bob, 3, ['gpu']);
    const other = await askIn(bob, 4, ['tpu']);
    await vote(cy, q3.id, 'UP');
    await vote(dee, q3.id, 'UP'); // bob: 1 question scored 2; ada: 2 questions scored 0
    const a1 = await answer(cy, q1.id, ANSWER_BODY(1));
    await answer(cy, q2.id, ANSWER_BODY(2));
    const a3 = await answer(dee, q3.id, ANSWER_BODY(3));
    await answer(dee, other.id, ANSWER_BODY(4)); // another tag: never counted for [gpu]
    await vote(ada, a3.id, 'UP');
    await vote(bob, a3.id, 'UP'); // dee: 1 answer scored 2; cy: 2 answers scored 0, one accepted
    await accept(ada, a1.id);

    // a deleted answer never counts
    const gone = await answer(bob, q1.id, ANSWER_BODY(5));
    await vote(dee, gone.id, 'UP');
    await bob.must(`mutation($input: DeleteAnswerInput!) { deleteAnswer(input: $input) { errors { code } } }`, {
      input: { answerId: gone.id },
    });
  });

  it('ranks askers by the total score of their questions in the tag, then by count', async () => {
    const r = await h.agent().gql<{ tag: { topAskers: unknown[] } }>(TAG_STATS, { name: 'gpu' });
    expect(r.errors).toBeUndefined();
    expect(r.data!.tag.topAskers).toEqual([
      { user: { handle: 'bob_stats' }, questionCount: 1, score: 2 },
      { user: { handle: 'ada_stats' }, questionCount: 2, score: 0 },
    ]);
  });

  it('ranks answerers by answer score, then accepted answers, leaving deleted answers and other tags out', async () => {
    const r = await h.agent().gql<{ tag: { topAnswerers: unknown[] } }>(TAG_STATS, { name: 'gpu' });
    expect(r.data!.tag.topAnswerers).toEqual([
      { user: { handle: 'dee_stats' }, answerCount: 1, score: 2, acceptedCount: 0 },
      { user: { handle: 'cy_stats' }, answerCount: 2, score: 0, acceptedCount: 1 },
    ]);
    const experts = await h.agent().gql<{ experts: unknown[] }>(EXPERTS, { tag: 'GPU', first: 1 });
    expect(experts.data!.experts).toEqual([{ user: { handle: 'dee_stats' }, answerCount: 1, score: 2, acceptedCount: 0 }]);
  });

  it('counts only the tag asked about, and an unused tag has no one', async () => {
    const cuda = await h.agent().gql<{ tag: { topAskers: unknown[]; topAnswerers: unknown[] } }>(TAG_STATS, { name: 'cuda' });
    expect(cuda.data!.tag.topAskers).toEqual([{ user: { handle: 'ada_stats' }, questionCount: 1, score: 0 }]);
    expect(cuda.data!.tag.topAnswerers).toEqual([{ user: { handle: 'cy_stats' }, answerCount: 1, score: 0, acceptedCount: 1 }]);
    // [tpu] has a question whose only answer is by dee: no [gpu] post counts there
    const tpu = await h.agent().gql<{ tag: { topAskers: unknown[]; topAnswerers: unknown[] } }>(TAG_STATS, { name: 'tpu' });
    expect(tpu.data!.tag).toEqual({
      topAskers: [{ user: { handle: 'bob_stats' }, questionCount: 1, score: 0 }],
      topAnswerers: [{ user: { handle: 'dee_stats' }, answerCount: 1, score: 0, acceptedCount: 0 }],
    });
    const empty = await h.agent().gql<{ experts: unknown[] }>(EXPERTS, { tag: 'unused-tag' });
    expect(empty.data!.experts).toEqual([]);
  });

  it('rejects a first outside 1..100 with a VALIDATION error naming it', async () => {
    for (const first of [0, 101]) {
      const r = await h.agent().gql(TAG_STATS, { name: 'gpu', first });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION', field: 'first' });
      const e = await h.agent().gql(EXPERTS, { tag: 'gpu', first });
      expect(e.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION', field: 'first' });
    }
  });
});
