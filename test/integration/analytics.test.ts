// Community analytics from the worker's daily rollups, for a fixture with known numbers: four
// questions on Monday 2026-01-05 (three customer questions with a 4-business-hour SLA), first
// answers after 30, 90 and 120 minutes, one accepted after 60 minutes, one never answered.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAnalyticsRollups } from '../../server/src/modules/analytics/analytics.rollup.js';
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
  await w.engineers[0].must(S.policy, {
    input: {
      spaceId: w.space.id,
      timeZone: 'UTC',
      workingDays: [1, 2, 3, 4, 5],
      startMinute: 540,
      endMinute: 1020,
      targets: [{ tier: 'DEFAULT', firstResponseMinutes: 240, resolutionMinutes: 960 }],
    },
  });
});

const A = `query($id: ID!, $from: String!, $to: String!) { communityAnalytics(spaceId: $id, from: $from, to: $to) {
  from to days { day questions answered unanswered medianFirstAnswerMinutes medianResolutionMinutes slaMet slaBreached slaPending answers staffAnswers } questions answered answerRate medianFirstAnswerMinutes medianResolutionMinutes
  slaMet slaBreached slaPending slaAttainment unansweredBacklog answers staffAnswers staffShare
  topContributors { user { handle } answers staff } csv } }`;

describe('community analytics', () => {
  it('shows exactly the fixture’s numbers', async () => {
    const [eng1, eng2] = w.engineers;
    const at = (hhmm: string) => h.clock.set(`2026-01-05T${hhmm}:00Z`);
    at('10:00');
    const q1 = await ask(w.carol, { spaceSlug: 'db', title: 'Question one about replication lag' });
    const q2 = await ask(w.carol, { spaceSlug: 'db', title: 'Question two about replication lag' });
    const q3 = await ask(w.mia, { spaceSlug: 'db', title: 'Question three about replication lag' });
    await ask(w.carol, { spaceSlug: 'db', title: 'Question four about replication lag' });
    at('10:30');
    const a1 = await answer(eng1, q1.id); // vendor response in 30 min: SLA met
    at('11:00');
    await accept(w.carol, a1.id); // resolved after 60 min
    at('11:30');
    await answer(w.mia, q2.id); // first answer after 90 min (community)
    at('12:00');
    await answer(w.dave, q3.id); // 120 min; mia's question has no SLA
    at('15:00');
    await answer(eng2, q2.id); // first vendor response after the 14:00 deadline: breached
    h.clock.set('2026-01-06T09:00:00Z'); // question four: unanswered, overdue → breached
    expect(await runAnalyticsRollups(h.deps)).toBeGreaterThan(0);

    const r = await eng1.gql<{ communityAnalytics: Record<string, any> }>(A, { id: w.space.id, from: '2026-01-05', to: '2026-01-06' });
    expect(r.errors).toBeUndefined();
    const a = r.data.communityAnalytics;
    expect(a).toMatchObject({
      from: '2026-01-05',
      to: '2026-01-06',
      days: [
        {
          day: '2026-01-05',
          questions: 4,
          answered: 3,
          unanswered: 1,
          medianFirstAnswerMinutes: 90,
          medianResolutionMinutes: 60,
          slaMet: 1,
          slaBreached: 2,
          slaPending: 0,
          answers: 4,
          staffAnswers: 2,
        },
        {
          day: '2026-01-06',
          questions: 0,
          answered: 0,
          unanswered: 0,
          medianFirstAnswerMinutes: null,
          medianResolutionMinutes: null,
          slaMet: 0,
          slaBreached: 0,
          slaPending: 0,
          answers: 0,
          staffAnswers: 0,
        },
      ],
      questions: 4,
      answered: 3,
      answerRate: 0.75,
      medianFirstAnswerMinutes: 90,
      medianResolutionMinutes: 60,
      slaMet: 1,
      slaBreached: 2,
      slaPending: 0,
      unansweredBacklog: 1,
      answers: 4,
      staffAnswers: 2,
      staffShare: 0.5,
    });
    expect(a.slaAttainment).toBeCloseTo(1 / 3, 10);
    expect(a.topContributors).toHaveLength(4);
    expect(
      a.topContributors
        .filter((c: { staff: boolean }) => c.staff)
        .map((c: { user: { handle: string } }) => c.user.handle)
        .sort(),
    ).toEqual(['eng1', 'eng2']);
    // the CSV export carries the same numbers: per day, then the range's totals
    expect(a.csv.split('\r\n')).toEqual([
      'day,questions,answered,unanswered,answer_rate,median_first_answer_minutes,median_resolution_minutes,sla_met,sla_breached,sla_pending,sla_attainment,answers,staff_answers,staff_share',
      '2026-01-05,4,3,1,0.75,90,60,1,2,0,0.3333,4,2,0.5',
      '2026-01-06,0,0,0,,,,0,0,0,,0,0,',
      'total,4,3,1,0.75,90,60,1,2,0,0.3333,4,2,0.5',
      '',
    ]);

    // recomputing changes nothing (idempotent rollups)
    await h.deps.repos.analytics.mark(h.deps.redis, h.deps.config.redisPrefix, [`${raw(w.space.id)}:2026-01-05`]);
    await runAnalyticsRollups(h.deps);
    const again = await eng1.gql<{ communityAnalytics: Record<string, any> }>(A, { id: w.space.id, from: '2026-01-05', to: '2026-01-06' });
    expect(again.data.communityAnalytics).toEqual(a);
  });

  it('is for the space’s engineers and admins only; bad ranges are refused', async () => {
    const vars = { id: w.space.id, from: '2026-01-01', to: '2026-01-31' };
    expect(code(await w.engineers[0].gql(A, vars))).toBe('OK');
    expect(code(await w.admin.gql(A, vars))).toBe('OK');
    expect(code(await w.carol.gql(A, vars))).toBe('FORBIDDEN');
    expect(code(await w.mia.gql(A, vars))).toBe('FORBIDDEN');
    expect(code(await h.agent().gql(A, vars))).toBe('UNAUTHENTICATED');
    expect(code(await w.engineers[0].gql(A, { ...vars, from: '2026-02-01' }))).toBe('VALIDATION');
    expect(code(await w.engineers[0].gql(A, { ...vars, from: '2020-01-01' }))).toBe('VALIDATION');
    // the dashboard's space list: the vendor's spaces for its engineers, all for admins, none for others
    const SPACES = `{ analyticsSpaces { slug } }`;
    const slugs = async (agent: { gql: (q: string) => Promise<{ data?: unknown }> }) =>
      ((await agent.gql(SPACES)).data as { analyticsSpaces: Array<{ slug: string }> } | undefined)?.analyticsSpaces.map((s) => s.slug);
    expect(await slugs(w.engineers[0])).toEqual(['db']);
    expect(await slugs(w.admin)).toEqual(['db']);
    expect(await slugs(w.carol)).toEqual([]);
    expect(await slugs(w.mia)).toEqual([]);
    expect(await slugs(h.agent())).toEqual([]);
  });
});

const code = (r: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  String(r.errors?.[0]?.extensions?.['code'] ?? 'OK');

const raw = (globalId: string) => {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
};
