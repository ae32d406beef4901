// Moderation's authorization matrix: every moderation mutation (and every privilege-gated write)
// × {anonymous, new member, member at the threshold − 1 and at it, staff, moderator, suspended
// member}. Only the allowed succeed; the others get FORBIDDEN (anonymous: UNAUTHENTICATED) with a
// reason naming the missing privilege, and nothing is written (collections snapshot unchanged).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M, setReputation } from '../factories/moderation.js';
import { ANSWER_BODY, COMMENT_BODY, Q, answer, ask, createSpace, member, payloadErrors, snapshot, type Member } from '../factories/qa.js';
import { startHarness, type Agent, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  // the real thresholds and limits (the harness relaxes them for older tests)
  h = await startHarness({ env: { MODERATION_RULES: '' } });
});
afterAll(async () => {
  await h?.close();
});

const COLLECTIONS = [
  'flags',
  'flag_subjects',
  'audit_log',
  'member_standing',
  'moderator_messages',
  'votes',
  'comments',
  'posts',
  'reputation_events',
];

type Who = 'anonymous' | 'new member' | 'below' | 'at' | 'staff' | 'moderator' | 'suspended';
const WHO: Who[] = ['anonymous', 'new member', 'below', 'at', 'staff', 'moderator', 'suspended'];

let admin: Member;
let author: Member;
let target: Member;
let staff: Member;
let mod: Member;
let fresh: Member;
let suspended: Member;
let anon: Agent;
let question: { id: string };
const atThreshold = new Map<number, { below: Member; at: Member }>();

beforeAll(async () => {
  admin = await member(h, 'admin1', { role: 'ADMIN' });
  author = await member(h, 'author1');
  target = await member(h, 'target1');
  staff = await member(h, 'staff1', { role: 'STAFF' });
  mod = await member(h, 'mod1', { role: 'MODERATOR' });
  fresh = await member(h, 'fresh1');
  suspended = await member(h, 'suspended1');
  anon = h.agent();
  for (const t of [15, 50, 125, 10000]) {
    const below = await member(h, `below${t}`);
    const at = await member(h, `at${t}`);
    await setReputation(h, below.id, t - 1);
    await setReputation(h, at.id, t);
    atThreshold.set(t, { below, at });
  }
  await setReputation(h, suspended.id, 20000);
  await setReputation(h, author.id, 500);
  // accounts older than a day: only the reputation makes "new member"
  h.clock.advance(2 * 86_400_000);
  await createSpace(admin);
  question = await ask(author);
  await mod.must(M.suspend, { input: { userId: suspended.id, days: 7, reason: 'Repeated spam in answers' } });
  const answerer = await member(h, 'answerer1');
  await setReputation(h, answerer.id, 100);
  flaggedAnswer = await answer(answerer, question.id, ANSWER_BODY(9));
  await atThreshold.get(15)!.at.must(M.flag, { input: { subjectId: flaggedAnswer.id, reason: 'NOT_AN_ANSWER' } });
}, 60_000);

function agentFor(who: Who, threshold: number): Agent {
  switch (who) {
    case 'anonymous':
      return anon;
    case 'new member':
      return fresh;
    case 'below':
      return atThreshold.get(threshold)!.below;
    case 'at':
      return atThreshold.get(threshold)!.at;
    case 'staff':
      return staff;
    case 'moderator':
      return mod;
    case 'suspended':
      return suspended;
  }
}

interface Case {
  name: string;
  /** reputation threshold of the privilege (10000 for role-only mutations: reputation never suffices) */
  threshold: number;
  allowed: Who[];
  /** the refusal message for a member without the privilege */
  reason: RegExp;
  run: (agent: Agent, who: Who) => Promise<{ data: Record<string, unknown> | null; errors?: unknown[] }>;
}

const MOD_ONLY = /Only moderators can do that/;
let flaggedAnswer: { id: string } | null = null;

const CASES: Case[] = [
  {
    name: 'flag',
    threshold: 15,
    allowed: ['at', 'staff', 'moderator'],
    reason: /You need 15 reputation to flag posts\./,
    run: (a) => a.gql(M.flag, { input: { subjectId: question.id, reason: 'NEEDS_IMPROVEMENT' } }),
  },
  {
    name: 'vote up',
    threshold: 15,
    allowed: ['at', 'staff', 'moderator'],
    reason: /You need 15 reputation to vote up\./,
    run: (a) => a.gql(Q.vote, { input: { subjectId: question.id, direction: 'UP' } }),
  },
  {
    name: 'vote down',
    threshold: 125,
    allowed: ['at', 'staff', 'moderator'],
    reason: /You need 125 reputation to vote down\./,
    run: (a) => a.gql(Q.vote, { input: { subjectId: question.id, direction: 'DOWN' } }),
  },
  {
    name: 'comment on another member’s post',
    threshold: 50,
    allowed: ['at', 'staff', 'moderator'],
    reason: /You need 50 reputation to comment on posts that are not yours\./,
    run: (a) => a.gql(Q.comment, { input: { subjectId: question.id, body: COMMENT_BODY(1) } }),
  },
  {
    name: 'handleFlags',
    threshold: 10000,
    allowed: ['moderator'],
    reason: MOD_ONLY,
    run: (a) => a.gql(M.handle, { input: { subjectId: flaggedAnswer!.id, resolution: 'DECLINE', note: 'It is an answer' } }),
  },
  {
    name: 'suspendMember',
    threshold: 10000,
    allowed: ['moderator'],
    reason: MOD_ONLY,
    run: (a) => a.gql(M.suspend, { input: { userId: target.id, days: 3, reason: 'Rude comments, twice' } }),
  },
  {
    name: 'unsuspendMember',
    threshold: 10000,
    allowed: ['moderator'],
    reason: MOD_ONLY,
    run: (a) => a.gql(M.unsuspend, { input: { userId: target.id, reason: 'Appeal accepted' } }),
  },
  {
    name: 'silenceMember',
    threshold: 10000,
    allowed: ['moderator'],
    reason: MOD_ONLY,
    run: (a) => a.gql(M.silence, { input: { userId: target.id, hours: 2, reason: 'Cool down, please' } }),
  },
  {
    name: 'sendModeratorMessage',
    threshold: 10000,
    allowed: ['moderator'],
    reason: MOD_ONLY,
    run: (a) =>
      a.gql(M.message, {
        input: { userId: target.id, subject: 'About your comments', body: 'Please keep comments civil and on topic.' },
      }),
  },
];

describe('authorization matrix', () => {
  for (const c of CASES) {
    for (const who of WHO) {
      const allowed = c.allowed.includes(who);
      it(`${c.name} × ${who} → ${allowed ? 'allowed' : 'refused'}`, async () => {
        const agent = agentFor(who, c.threshold);
        const before = await snapshot(COLLECTIONS);
        const r = await c.run(agent, who);
        expect(r.errors ?? []).toEqual([]);
        const errors = payloadErrors(r.data);
        if (allowed) {
          expect(errors).toEqual([]);
          return;
        }
        expect(errors).toHaveLength(1);
        if (who === 'anonymous') expect(errors[0]!.code).toBe('UNAUTHENTICATED');
        else {
          expect(errors[0]!.code).toBe('FORBIDDEN');
          // a suspended member is told about the suspension (role-only mutations: the role comes first)
          if (who === 'suspended' && c.reason !== MOD_ONLY)
            expect(errors[0]!.message).toMatch(/suspended until .*Repeated spam in answers/);
          else expect(errors[0]!.message).toMatch(c.reason);
        }
        expect(await snapshot(COLLECTIONS)).toBe(before);
      });
    }
  }
});

describe('privileges on User', () => {
  it('lists every privilege with its threshold and whether the member holds it', async () => {
    const r = await atThreshold
      .get(125)!
      .at.must<{ viewer: { privileges: Array<{ name: string; reputation: number; granted: boolean; message: string }> } }>(
        `{ viewer { privileges { name reputation granted message } } }`,
      );
    const byName = new Map(r.viewer.privileges.map((p) => [p.name, p]));
    expect(byName.get('voteDown')).toMatchObject({ reputation: 125, granted: true });
    expect(byName.get('reviewFirstPosts')).toMatchObject({
      reputation: 500,
      granted: false,
      message: 'You need 500 reputation to review first posts and late answers.',
    });
    const m = await mod.must<{ viewer: { privileges: Array<{ granted: boolean }> } }>(`{ viewer { privileges { granted } } }`);
    expect(m.viewer.privileges.every((p) => p.granted)).toBe(true);
  });
});
