// The badge tests (run by badges.test.ts and badges-scores.test.ts). Badges awarded (Stack Overflow's rules): every catalogue badge earned through the API or the
// activity stream (table-driven), never awarded twice (the same events replayed, the periodic job
// re-run), served by `User.badges`, `User.badgeCounts`, `badges`, `badge(slug).holders`.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publishActivity, type ActivityInput } from '../../server/src/modules/activity/activity.js';
import { verifyConsistency } from '../../server/src/modules/maintenance/verify.service.js';
import { rebuildBadgeReadModels, runBadgeJob } from '../../server/src/modules/badge/badge.awards.js';
import { BADGE_RULES, THRESHOLDS } from '../../server/src/modules/badge/badge.rules.js';
import { accept, answer, ask, createSpace, member, oid, Q, vote, type Member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

/** The score badges (driven by votes on posts) run in badges-scores.test.ts, the rest in badges.test.ts. */
const SCORE_BADGES = new Set(BADGE_RULES.filter((r) => r.trigger === 'post-score').map((r) => r.name));

export function badgeSuite(part: 'scores' | 'activity'): void {
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
  });

  const DAY = 86_400_000;

  interface Awarded {
    counts: { gold: number; silver: number; bronze: number };
    names: string[];
  }

  async function badgesOf(handle: string): Promise<Awarded> {
    const r = await h
      .agent()
      .gql(
        `query($h: String!) { user(handle: $h) { badgeCounts { gold silver bronze } badges(first: 100) { nodes { name tier subjectId } } } }`,
        { h: handle },
      );
    expect(r.errors).toBeUndefined();
    return { counts: r.data.user.badgeCounts, names: r.data.user.badges.nodes.map((n: { name: string }) => n.name).sort() };
  }

  async function emit(input: ActivityInput): Promise<void> {
    await publishActivity({ deps: h.deps }, input);
  }

  const raw = (m: Member) => oid(m.id).toHexString();
  /** A question asked days ago (the clock moves back for the ask only: sessions stay valid). */
  async function askedDaysAgo(w: World, days: number) {
    const now = h.clock.now();
    h.clock.set(new Date(now.getTime() - days * DAY));
    try {
      return await question(w);
    } finally {
      h.clock.set(now);
    }
  }
  const setPost = (id: string, set: Record<string, unknown>) => h.deps.repos.posts.update(oid(id), { $set: set });

  interface World {
    admin: Member;
    alice: Member;
    bob: Member;
  }

  async function world(): Promise<World> {
    const admin = await member(h, 'admin', { role: 'ADMIN' });
    await createSpace(admin);
    return { admin, alice: await member(h, 'alice'), bob: await member(h, 'bob') };
  }

  /** A vote event on a post (its score is what the post says now). */
  const voted = (w: World, postId: string, questionId: string, value = 1): ActivityInput => ({
    type: 'vote.changed',
    actorId: raw(w.admin),
    subjectId: oid(postId).toHexString(),
    questionId: oid(questionId).toHexString(),
    data: { value },
  });

  /**
   * One scenario per badge: sets up the facts, then `earn` (the API calls or events that award it).
   * `earn` runs twice: the second run must award nothing new.
   */
  interface Scenario {
    badge: string;
    /** who earns it */
    who: 'alice' | 'bob' | 'admin';
    /** how many of it the member holds in the end (badges that repeat per subject) */
    times?: number;
    setup: (w: World) => Promise<() => Promise<void>>;
  }

  async function question(w: World, by: Member = w.alice, tags = ['frobnicator']) {
    return ask(by, { tags });
  }

  const scoreScenario = (badge: string, kind: 'question' | 'answer', score: number): Scenario => ({
    badge,
    who: kind === 'question' ? 'alice' : 'bob',
    setup: async (w) => {
      const q = await question(w);
      const post = kind === 'question' ? q : await answer(w.bob, q.id);
      await setPost(post.id, { score });
      return () => emit(voted(w, post.id, q.id));
    },
  });

  /**
   * Counting badges (n distinct posts voted on, edited, commented): the member's progress so far
   * (n - 1 subjects, as earlier events left it in the read model), then the n-th event.
   */
  const many =
    (n: number, type: string, kind: string, actor: (w: World) => Member, data: Record<string, unknown> = {}) =>
    async (w: World) => {
      const me = raw(actor(w));
      const key = `${h.deps.config.redisPrefix}badge:v1:seen:${me}:${kind === 'votes:day' ? `votes:${h.clock.now().toISOString().slice(0, 10)}` : kind}`;
      const earlier = Array.from({ length: n - 1 }, (_, i) => (0x10000 + i).toString(16).padStart(24, '0'));
      await h.deps.redis.sadd(key, ...earlier);
      if (kind === 'votes:day') await h.deps.redis.sadd(`${h.deps.config.redisPrefix}badge:v1:seen:${me}:votes`, ...earlier);
      // one event short: not yet
      return () => emit({ type, actorId: me, subjectId: (0x20000).toString(16).padStart(24, '0'), data });
    };

  const SCENARIOS: Scenario[] = [
    {
      badge: 'Student',
      who: 'alice',
      setup: async (w) => {
        const q = await question(w);
        return async () => void (await vote(w.bob, q.id, 'UP'));
      },
    },
    {
      badge: 'Teacher',
      who: 'bob',
      setup: async (w) => {
        const a = await answer(w.bob, (await question(w)).id);
        return async () => void (await vote(w.alice, a.id, 'UP'));
      },
    },
    scoreScenario('Nice Question', 'question', THRESHOLDS.nice),
    scoreScenario('Good Question', 'question', THRESHOLDS.good),
    scoreScenario('Great Question', 'question', THRESHOLDS.great),
    scoreScenario('Nice Answer', 'answer', THRESHOLDS.nice),
    scoreScenario('Good Answer', 'answer', THRESHOLDS.good),
    scoreScenario('Great Answer', 'answer', THRESHOLDS.great),
    {
      badge: 'Enlightened',
      who: 'bob',
      setup: async (w) => {
        const q = await question(w);
        const a = await answer(w.bob, q.id);
        await accept(w.alice, a.id);
        await setPost(a.id, { score: THRESHOLDS.enlightened });
        return () => emit(voted(w, a.id, q.id));
      },
    },
    {
      badge: 'Guru',
      who: 'bob',
      setup: async (w) => {
        const q = await question(w);
        await answer(w.admin, q.id);
        const a = await answer(w.bob, q.id);
        await accept(w.alice, a.id);
        await setPost(a.id, { score: THRESHOLDS.guru });
        return () => emit(voted(w, a.id, q.id));
      },
    },
    {
      badge: 'Necromancer',
      who: 'bob',
      setup: async (w) => {
        const q = await askedDaysAgo(w, THRESHOLDS.necromancerDays + 1);
        await answer(w.admin, q.id);
        const a = await answer(w.bob, q.id);
        await setPost(a.id, { score: THRESHOLDS.necromancerScore });
        return () => emit(voted(w, a.id, q.id));
      },
    },
    {
      badge: 'Revival',
      who: 'bob',
      setup: async (w) => {
        const q = await askedDaysAgo(w, THRESHOLDS.revivalDays + 1);
        const a = await answer(w.bob, q.id);
        await setPost(a.id, { score: THRESHOLDS.revivalScore });
        return () => emit(voted(w, a.id, q.id));
      },
    },
    {
      badge: 'Self-Learner',
      who: 'alice',
      setup: async (w) => {
        const q = await question(w);
        const a = await answer(w.alice, q.id);
        await setPost(a.id, { score: THRESHOLDS.selfLearner });
        return () => emit(voted(w, a.id, q.id));
      },
    },
    {
      badge: 'Populist',
      who: 'bob',
      setup: async (w) => {
        const q = await question(w);
        const accepted = await answer(w.admin, q.id);
        await accept(w.alice, accepted.id);
        const a = await answer(w.bob, q.id);
        await setPost(accepted.id, { score: THRESHOLDS.populistAccepted });
        await setPost(a.id, { score: 2 * THRESHOLDS.populistAccepted });
        return () => emit(voted(w, a.id, q.id));
      },
    },
    {
      badge: 'Reversal',
      who: 'bob',
      setup: async (w) => {
        const q = await question(w);
        const a = await answer(w.bob, q.id);
        await setPost(q.id, { score: THRESHOLDS.reversalQuestion });
        await setPost(a.id, { score: THRESHOLDS.reversalAnswer });
        return () => emit(voted(w, a.id, q.id));
      },
    },
    {
      badge: 'Mortarboard',
      who: 'alice',
      setup: async (w) => {
        const q = await question(w);
        const day = h.clock.now().toISOString().slice(0, 10);
        await h.deps.repos.users.update(oid(w.alice.id), { $set: { repDay: day, repDayEarned: THRESHOLDS.mortarboard } });
        return () => emit(voted(w, q.id, q.id));
      },
    },
    {
      badge: 'Supporter',
      who: 'bob',
      setup: async (w) => {
        const q = await question(w);
        return async () => void (await vote(w.bob, q.id, 'UP'));
      },
    },
    {
      badge: 'Critic',
      who: 'bob',
      setup: async (w) => {
        const q = await question(w);
        return () => emit({ ...voted(w, q.id, q.id, -1), actorId: raw(w.bob) });
      },
    },
    { badge: 'Civic Duty', who: 'bob', setup: many(THRESHOLDS.civicDuty, 'vote.changed', 'votes', (w) => w.bob, { value: 1 }) },
    { badge: 'Suffrage', who: 'bob', setup: many(THRESHOLDS.suffrage, 'vote.changed', 'votes:day', (w) => w.bob, { value: 1 }) },
    { badge: 'Vox Populi', who: 'bob', setup: many(THRESHOLDS.voxPopuli, 'vote.changed', 'votes:day', (w) => w.bob, { value: -1 }) },
    {
      badge: 'Scholar',
      who: 'alice',
      setup: async (w) => {
        const a = await answer(w.bob, (await question(w)).id);
        return async () => void (await accept(w.alice, a.id).catch(() => undefined));
      },
    },
    {
      badge: 'Editor',
      who: 'alice',
      setup: async (w) => {
        const q = await question(w);
        let n = 0;
        return async () =>
          void (await w.alice.must(Q.updateQuestion, {
            input: { questionId: q.id, body: `An edited body that is long enough to pass, take ${++n}.` },
          }));
      },
    },
    { badge: 'Strunk & White', who: 'bob', setup: many(THRESHOLDS.strunkAndWhite, 'answer.updated', 'edits', (w) => w.bob) },
    { badge: 'Copy Editor', who: 'bob', setup: many(THRESHOLDS.copyEditor, 'question.updated', 'edits', (w) => w.bob) },
    { badge: 'Commentator', who: 'bob', setup: many(THRESHOLDS.commentator, 'comment.created', 'comments', (w) => w.bob) },
    {
      badge: 'Peer Pressure',
      who: 'alice',
      setup: async (w) => {
        const q = await question(w);
        await setPost(q.id, { score: THRESHOLDS.peerPressure });
        return () => emit({ type: 'question.deleted', actorId: raw(w.alice), subjectId: oid(q.id).toHexString() });
      },
    },
    {
      badge: 'Disciplined',
      who: 'bob',
      setup: async (w) => {
        const q = await question(w);
        const a = await answer(w.bob, q.id);
        await setPost(a.id, { score: THRESHOLDS.disciplined });
        return () => emit({ type: 'answer.deleted', actorId: raw(w.bob), subjectId: oid(a.id).toHexString() });
      },
    },
    {
      badge: 'Citizen Patrol',
      who: 'bob',
      setup: async (w) => {
        const q = await question(w);
        return () => emit({ type: 'flag.created', actorId: raw(w.bob), subjectId: oid(q.id).toHexString() });
      },
    },
    {
      badge: 'Autobiographer',
      who: 'bob',
      setup: async (w) => {
        await w.bob.must(
          `mutation { updateProfile(input: { bio: "I build frobnicators for a living." }) { user { bio } errors { code } } }`,
        );
        return async () => void (await runBadgeJob(h.deps));
      },
    },
    ...(['Popular Question', 'Notable Question', 'Famous Question'] as const).map((badge): Scenario => ({
      badge,
      who: 'alice',
      setup: async (w) => {
        const q = await question(w);
        const views = {
          'Popular Question': THRESHOLDS.popularViews,
          'Notable Question': THRESHOLDS.notableViews,
          'Famous Question': THRESHOLDS.famousViews,
        }[badge];
        await setPost(q.id, { viewCount: views });
        return async () => void (await runBadgeJob(h.deps));
      },
    })),
    {
      badge: 'Yearling',
      who: 'bob',
      times: 2,
      setup: async (w) => {
        await h.deps.repos.users.update(oid(w.bob.id), { $set: { reputation: THRESHOLDS.yearlingRep } });
        h.clock.advance(2 * 366 * DAY);
        return async () => void (await runBadgeJob(h.deps));
      },
    },
    {
      badge: 'Tumbleweed',
      who: 'alice',
      setup: async (w) => {
        await question(w);
        h.clock.advance((THRESHOLDS.tumbleweedDays + 1) * DAY);
        return async () => void (await runBadgeJob(h.deps));
      },
    },
  ];

  if (part === 'activity')
    describe('badge catalogue', () => {
      it('has at least 30 awarded badges, each with a scenario below', () => {
        expect(BADGE_RULES.length).toBeGreaterThanOrEqual(30);
        expect(new Set(SCENARIOS.map((s) => s.badge))).toEqual(new Set(BADGE_RULES.map((r) => r.name)));
      });

      it('lists them in the API with tiers and descriptions', async () => {
        const r = await h.agent().gql(`{ badges { name slug tier description } gold: badges(tier: GOLD) { name } }`);
        expect(r.errors).toBeUndefined();
        expect(r.data.badges).toHaveLength(BADGE_RULES.length);
        expect(r.data.badges.find((b: { name: string }) => b.name === 'Great Answer')).toMatchObject({
          slug: 'great-answer',
          tier: 'GOLD',
        });
        expect(r.data.gold.every((b: { name: string }) => BADGE_RULES.find((x) => x.name === b.name)?.tier === 'GOLD')).toBe(true);
      });
    });

  describe('each badge is earned once', () => {
    for (const s of SCENARIOS.filter((x) => SCORE_BADGES.has(x.badge) === (part === 'scores'))) {
      it(s.badge, async () => {
        const w = await world();
        const earn = await s.setup(w);
        const handle = w[s.who].handle;
        const before = await badgesOf(handle);
        expect(before.names).not.toContain(s.badge);
        await earn();
        const after = await badgesOf(handle);
        expect(after.names.filter((n) => n === s.badge)).toHaveLength(s.times ?? 1);
        const tier = BADGE_RULES.find((r) => r.name === s.badge)!.tier.toLowerCase() as 'gold' | 'silver' | 'bronze';
        expect(after.counts[tier]).toBeGreaterThan(before.counts[tier]);
        // the counters agree with the awards
        const total = after.counts.gold + after.counts.silver + after.counts.bronze;
        expect(total).toBe(after.names.length);
        // the same activity again (replayed events, a re-run job): nothing new
        await earn();
        expect(await badgesOf(handle)).toEqual(after);
        expect(await runBadgeJob(h.deps)).toBe(0);
      });
    }
  });

  if (part === 'activity')
    describe('tag badges', () => {
      it('awards bronze, silver and gold in a tag from the answerers statistics, once', async () => {
        const w = await world();
        const q = await question(w, w.alice, ['frobnicator']);
        const a = await answer(w.bob, q.id);
        const { score, answers } = THRESHOLDS.tag.GOLD;
        await h.deps.repos.tagStats.update(
          'frobnicator',
          {
            $set: {
              askers: [],
              answerers: [{ userId: oid(w.bob.id).toHexString(), answerCount: answers, score, acceptedCount: 0 }],
              builtAt: new Date(),
              mark: 1e9,
            },
          },
          { upsert: true },
        );
        await emit(voted(w, a.id, q.id));
        await emit(voted(w, a.id, q.id));
        const r = await h
          .agent()
          .gql(
            `{ user(handle: "bob") { badgeCounts { gold silver bronze } badges(first: 10) { nodes { name tier badge { slug tagBased } } } } }`,
          );
        const tagBadges = r.data.user.badges.nodes.filter((n: { badge: { tagBased: boolean } }) => n.badge.tagBased);
        expect(tagBadges.map((n: { tier: string }) => n.tier).sort()).toEqual(['BRONZE', 'GOLD', 'SILVER']);
        expect(tagBadges.every((n: { name: string }) => n.name === 'frobnicator')).toBe(true);
        const holders = await h
          .agent()
          .gql(`{ badge(name: "frobnicator", tier: GOLD) { slug tagBased holders(first: 5) { nodes { user { handle } } } } }`);
        expect(holders.data.badge).toMatchObject({
          slug: 'tag-gold-frobnicator',
          tagBased: true,
          holders: { nodes: [{ user: { handle: 'bob' } }] },
        });
      });
    });

  if (part === 'activity')
    describe('holders and read models', () => {
      it('lists a badge’s holders newest first, paged, and rebuilds them from the awards', async () => {
        const w = await world();
        const carol = await member(h, 'carol');
        const q = await question(w);
        for (const m of [w.bob, carol, w.admin]) {
          h.clock.advance(60_000);
          await vote(m, q.id, 'UP');
        }
        const page = async (after: string | null) =>
          (
            await h
              .agent()
              .gql(
                `query($a: String) { badge(slug: "supporter") { name awardedCount holders(first: 2, after: $a) { nodes { user { handle } awardedAt } pageInfo { hasNextPage endCursor } } } }`,
                { a: after },
              )
          ).data.badge;
        const first = await page(null);
        expect(first.awardedCount).toBe(3);
        expect(first.holders.nodes.map((n: { user: { handle: string } }) => n.user.handle)).toEqual(['admin', 'carol']);
        expect(first.holders.pageInfo.hasNextPage).toBe(true);
        const second = await page(first.holders.pageInfo.endCursor);
        expect(second.holders.nodes.map((n: { user: { handle: string } }) => n.user.handle)).toEqual(['bob']);
        expect(second.holders.pageInfo.hasNextPage).toBe(false);

        // Redis lost: verify's rebuild brings the holders and counters back from the awards
        const keys = await h.deps.redis.keys(`${h.deps.config.redisPrefix}badge:v1:*`);
        await h.deps.redis.del(...keys);
        await h.deps.repos.users.setBadgeCounts(oid(carol.id), { gold: 0, silver: 0, bronze: 0 });
        const check = await rebuildBadgeReadModels(h.deps, { repair: false });
        expect(check.wrongCounts).toEqual([oid(carol.id).toHexString()]);
        // npm run verify: the `badge counts` check finds the drift and repairs it
        const found = await verifyConsistency(h.deps, { repair: true });
        const badgeCheck = found.checks.find((c) => c.check === 'badge counts')!;
        expect(badgeCheck.drift).toBeGreaterThan(0);
        expect(badgeCheck.repaired).toBe(badgeCheck.drift);
        const again = await verifyConsistency(h.deps, { repair: false });
        expect(again.checks.find((c) => c.check === 'badge counts')!.drift).toBe(0);
        expect((await rebuildBadgeReadModels(h.deps, { repair: false })).wrongCounts).toEqual([]);
        expect((await page(null)).awardedCount).toBe(3);
        expect((await badgesOf('carol')).counts.bronze).toBe(1);
      });
    });
}
