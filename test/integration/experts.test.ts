// The expertise locator (issue 15 item 4) over the worker's read models: a space's experts (the
// space_experts rollup) and the people finder (profile skills and about words in Redis, the
// tags' answerers), in the vendor-support world of analytics.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAnalyticsRollups } from '../../server/src/modules/analytics/analytics.rollup.js';
import { runRollupsUntilIdle } from '../../server/src/modules/post/post.rollups.js';
import { accept, answer, ask } from '../factories/qa.js';
import { S, supportWorld, type SupportWorld } from '../factories/support.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

let w: SupportWorld;
beforeEach(async () => {
  await h.reset();
  w = await supportWorld(h);
});

const EXPERTS = `query($slug: String!) { space(slug: $slug) { experts(first: 10) { user { handle } answerCount score acceptedCount verifiedCount } } }`;

describe('a space’s experts', () => {
  it('ranks members by accepted and verified answers, answers and score, from the worker’s rollup', async () => {
    const tags = ['replication'];
    const q1 = await ask(w.carol, { spaceSlug: 'db', title: 'Replication lag after the upgrade to 4.0', tags });
    const q2 = await ask(w.carol, { spaceSlug: 'db', title: 'Replication stops when the disk is full', tags });
    await answer(w.mia, q1.id);
    const byDave = await answer(w.dave, q1.id);
    await answer(w.engineers[0], q2.id);
    const byMia = await answer(w.mia, q2.id);
    await accept(w.carol, byDave.id);
    await w.engineers[0].must(S.verify, { input: { answerId: byMia.id } });
    // nothing before the worker's round: the page reads the rollup only
    expect((await h.agent().must<{ space: { experts: unknown[] } }>(EXPERTS, { slug: 'db' })).space.experts).toEqual([]);
    await runAnalyticsRollups(h.deps);

    const experts = (await h.agent().must<{ space: { experts: unknown[] } }>(EXPERTS, { slug: 'db' })).space.experts;
    // mia: 2 answers + 1 verified (3) = 5 points; dave: 1 answer + 1 accepted = 4; eng1: 1
    expect(experts).toEqual([
      { user: { handle: 'mia' }, answerCount: 2, score: 0, acceptedCount: 0, verifiedCount: 1 },
      { user: { handle: 'dave' }, answerCount: 1, score: 0, acceptedCount: 1, verifiedCount: 0 },
      { user: { handle: 'eng1' }, answerCount: 1, score: 0, acceptedCount: 0, verifiedCount: 0 },
    ]);
    expect(code(await h.agent().gql(`{ space(slug: "db") { experts(first: 101) { answerCount } } }`))).toBe('VALIDATION');
  });
});

const PEOPLE = `query($skill: String!) { people(skill: $skill, first: 10) { user { handle } points declaredSkills aboutMentions tags { name answerCount acceptedCount score } } }`;
const PROFILE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { handle } errors { code message } } }`;

describe('the people finder', () => {
  it('finds members by profile skills, about text and answers in the tag; several words must all match', async () => {
    await w.mia.must(PROFILE, { input: { expertiseTags: ['postgresql'], bio: 'I tune **Kafka** consumers and PostgreSQL replication.' } });
    const q = await ask(w.carol, { spaceSlug: 'db', title: 'Vacuum never finishes on a large table', tags: ['postgresql'] });
    await answer(w.dave, q.id);
    await runRollupsUntilIdle(h.deps);
    // signed in: anonymous responses may come from the response cache (tested apart below)
    const people = async (skill: string) => (await w.carol.must<{ people: Array<Record<string, unknown>> }>(PEOPLE, { skill })).people;

    expect(await people('postgresql')).toEqual([
      { user: { handle: 'mia' }, points: 12, declaredSkills: ['postgresql'], aboutMentions: ['postgresql'], tags: [] },
      {
        user: { handle: 'dave' },
        points: 1,
        declaredSkills: [],
        aboutMentions: [],
        tags: [{ name: 'postgresql', answerCount: 1, acceptedCount: 0, score: 0 }],
      },
    ]);
    expect((await people('[PostgreSQL]')).map((p) => (p.user as { handle: string }).handle)).toEqual(['mia', 'dave']);
    expect(await people('kafka')).toEqual([{ user: { handle: 'mia' }, points: 2, declaredSkills: [], aboutMentions: ['kafka'], tags: [] }]);
    expect((await people('postgresql kafka')).map((p) => (p.user as { handle: string }).handle)).toEqual(['mia']);
    expect(await people('cobol')).toEqual([]);
    expect((await h.agent().must<{ people: unknown[] }>(PEOPLE, { skill: 'postgresql' })).people).toEqual(await people('postgresql'));
    expect(code(await h.agent().gql(PEOPLE, { skill: '  ' }))).toBe('VALIDATION');
    expect(code(await h.agent().gql(PEOPLE, { skill: 'alpha beta gamma delta epsilon zeta' }))).toBe('VALIDATION');

    // the index follows profile edits (and the anonymous response cache with it)…
    await w.mia.must(PROFILE, { input: { expertiseTags: [], bio: 'Mostly Kafka these days.' } });
    expect((await people('postgresql')).map((p) => (p.user as { handle: string }).handle)).toEqual(['dave']);
    expect((await h.agent().must<{ people: unknown[] }>(PEOPLE, { skill: 'postgresql' })).people).toEqual(await people('postgresql'));
    expect((await people('kafka')).map((p) => (p.user as { handle: string }).handle)).toEqual(['mia']);

    // …and the worker rebuilds it from the members when Redis lost it
    const prefix = h.deps.config.redisPrefix;
    const keys = await h.deps.redis.keys(`${prefix}people:*`);
    await h.deps.redis.del(...keys);
    expect(await people('kafka')).toEqual([]);
    await runAnalyticsRollups(h.deps);
    expect((await people('kafka')).map((p) => (p.user as { handle: string }).handle)).toEqual(['mia']);
  });
});

const code = (r: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  String(r.errors?.[0]?.extensions?.['code'] ?? 'OK');
