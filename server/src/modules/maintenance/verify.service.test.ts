// Verify and the child-list fill without a database: verify-store.ts (the maintenance module's
// only database access) is replaced by an in-memory one holding a tiny consistent community.
import { Types } from 'mongoose';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_REPUTATION_RULES } from '../reputation/reputation.rules.js';

type Id = Types.ObjectId;
type Row = Record<string, any>;
const state = vi.hoisted(() => ({
  db: {} as Record<'votes' | 'posts' | 'comments' | 'events' | 'users' | 'spaces' | 'tags' | 'tagStats' | 'userStats', Row[]>,
  ledgerSteps: [] as Row[],
  /** the members ranking: user id → the reputation it lists them at (null: not built) */
  ranking: null as Map<string, number> | null,
  /** tags and members (hex) marked for the rollup job */
  pending: new Set<string>(),
}));

// the feature modules' own checks (badges, close votes and review queues, flags) read their
// repositories and Redis: their integration tests run them (badges, close-votes, moderation-flows)
vi.mock('../badge/badge.verify.js', () => ({ checkBadges: async () => undefined }));
vi.mock('../bounty/bounty.verify.js', () => ({ checkBounties: async () => undefined }));
vi.mock('./verify-review.js', () => ({ checkCloseVotes: async () => undefined, checkReviewQueues: async () => undefined }));
vi.mock('./verify-moderation.js', () => ({ checkFlags: async () => undefined }));

vi.mock('./verify-store.js', () => {
  // the collections of the current test (beforeEach lays them anew)
  const db = new Proxy({} as typeof state.db, { get: (_target, name: keyof typeof state.db) => state.db[name] });
  const key = (v: unknown) => String(v);
  const page =
    (rows: () => Row[], filter: (r: Row) => boolean = () => true) =>
    async (last: unknown, limit: number) =>
      rows()
        .filter(filter)
        .filter((r) => last === undefined || key(r._id) > key(last))
        .sort((a, b) => (key(a._id) < key(b._id) ? -1 : 1))
        .slice(0, limit);
  const byIds = (rows: () => Row[]) => async (ids: unknown[]) => rows().filter((r) => ids.map(key).includes(key(r._id)));
  const among = (ids: unknown[], v: unknown) => ids.map(key).includes(key(v));
  const one = (rows: Row[], id: unknown) => rows.find((r) => key(r._id) === key(id));
  const guarded = (rows: () => Row[], id: unknown, guard: Row, set: Row) => {
    const r = one(rows(), id);
    if (!r || Object.entries(guard).some(([k, v]) => key(r[k]) !== key(v))) return { matchedCount: 0, modifiedCount: 0 };
    Object.assign(r, set);
    return { matchedCount: 1, modifiedCount: 1 };
  };
  const addIds = (id: unknown, add: Record<string, { $each: Id[] }>) => {
    const p = one(db.posts, id)!;
    for (const [field, { $each }] of Object.entries(add)) {
      p[field] ??= [];
      for (const x of $each) if (!among(p[field], x)) p[field].push(x);
    }
  };
  const appendEvent = (userId: Id, key: string, delta: number) => {
    const user = one(db.users, userId)!;
    user.reputation += delta;
    user.repSeq += 1;
    db.events.push({ _id: key, userId, delta, seq: user.repSeq, day: '', dayEarned: 0 });
  };
  const store = {
    votePage: page(() => db.votes),
    acceptedQuestionPage: page(
      () => db.posts,
      (p) => p.type === 'question' && p.acceptGen > 0,
    ),
    postScorePage: page(() => db.posts),
    postCounterPage: page(() => db.posts),
    // no thread is built in these fixtures (a missing thread is no drift)
    questionPage: page(
      () => db.posts,
      (r) => r.type === 'question',
    ),
    threadsOf: async (ids: unknown[]) => ids.map(() => null),
    expectedThread: async () => ({ answers: [], comments: {} }),
    rebuildThread: async () => null,
    spacePage: page(() => db.spaces),
    tagPage: page(() => db.tags),
    userPage: page(() => db.users),
    votedPostsByIds: byIds(() => db.posts),
    answersByIds: byIds(() => db.posts),
    ledgerDeltasByKeys: byIds(() => db.events),
    ledgerEventsByKeys: byIds(() => db.events),
    existingLedgerKeys: byIds(() => db.events),
    userReputationsByIds: byIds(() => db.users),
    votesOnPosts: async (ids: Id[]) => db.votes.filter((v) => among(ids, v.postId)),
    commentsOnPosts: async (ids: Id[]) => db.comments.filter((c) => among(ids, c.postId)),
    answersToQuestions: async (ids: Id[]) => db.posts.filter((p) => p.type === 'answer' && among(ids, p.questionId)),
    liveQuestionsInSpaces: async (ids: Id[]) => db.posts.filter((p) => p.type === 'question' && !p.deletedAt && among(ids, p.spaceId)),
    liveQuestionsWithTags: async (names: string[]) =>
      db.posts.filter((p) => p.type === 'question' && !p.deletedAt && p.tags.some((t: string) => names.includes(t))),
    livePostsByAuthors: async (ids: Id[]) => db.posts.filter((p) => !p.deletedAt && among(ids, p.authorId)),
    ledgerEventsOfUsers: async (ids: Id[]) => db.events.filter((e) => among(ids, e.userId)),
    applyLedgerStep: async (_rules: unknown, step: Row) => {
      state.ledgerSteps.push(step);
      appendEvent(step.userId, step.key, step.nominal);
      return step.nominal;
    },
    openMemberLedger: async (deps: { services: { reputationRules: { initial: number } } }, userId: Id) =>
      appendEvent(userId, `join:${userId.toHexString()}`, deps.services.reputationRules.initial),
    setVoteReputation: async (id: string, version: number, authorRep: number, voterRep: number) =>
      void guarded(() => db.votes, id, { version }, { authorRep, voterRep }),
    setPostFieldsIf: async (id: Id, guard: Row, set: Row) => guarded(() => db.posts, id, guard, set),
    addToPostChildLists: async (id: Id, add: Record<string, { $each: Id[] }>) => addIds(id, add),
    setSpaceQuestionCountIf: async (id: Id, from: number, to: number) =>
      guarded(() => db.spaces, id, { questionCount: from }, { questionCount: to }),
    setTagQuestionCountIf: async (id: string, from: number, to: number) =>
      guarded(() => db.tags, id, { questionCount: from }, { questionCount: to }),
    synonymsPointingAt: async (names: string[]) => db.tags.filter((t) => names.includes(t.synonymOf)),
    setTagSynonyms: async (name: string, synonyms: string[]) => {
      one(db.tags, name)!.synonyms = synonyms;
    },
    setUserCounterIf: async (id: Id, field: string, from: number, to: number) =>
      guarded(() => db.users, id, { [field]: from }, { [field]: to }),
    setUserReputationIf: async (id: Id, read: Row, ledger: { sum: number; last: Row }) =>
      guarded(() => db.users, id, read, { reputation: ledger.sum, repSeq: ledger.last.seq }),
    scanAnswerQuestionIds: async function* () {
      yield* db.posts.filter((p) => p.type === 'answer');
    },
    scanCommentPostIds: async function* () {
      yield* db.comments;
    },
    scanPostChildLists: async function* () {
      yield* db.posts;
    },
    appendChildIds: async (id: Id, add: Record<string, { $each: Id[] }>) => addIds(id, add),
    // rollups: what the posts make is computed the simple way (askers only; top tags from questions)
    rollupSequence: async () => 7,
    pendingRollups: async (_kind: string, names: string[]) => new Set(names.filter((n) => state.pending.has(n))),
    storedTagStats: byIds(() => db.tagStats),
    expectedTagStats: async (names: string[], mark: number) =>
      names.map((name) => ({ _id: name, askers: expectedAskers(name), answerers: [], mark })),
    sameTagStats: (a: Row, b: Row) => JSON.stringify(a.askers) === JSON.stringify(b.askers),
    storeTagStats: async (doc: Row) => void replace(db.tagStats, doc),
    storedUserStats: byIds(() => db.userStats),
    expectedUserStats: async (ids: Id[], mark: number) => ids.map((id) => ({ _id: id, topTags: expectedTopTags(id), mark })),
    sameUserStats: (a: Row, b: Row) => JSON.stringify(a.topTags) === JSON.stringify(b.topTags),
    storeUserStats: async (doc: Row) => void replace(db.userStats, doc),
    rankingReady: async () => state.ranking !== null,
    rankingMismatches: async (rows: Row[]) => rows.filter((u) => state.ranking!.get(key(u._id)) !== u.reputation),
    repairRanking: async (ids: Id[]) => {
      for (const id of ids) state.ranking!.set(key(id), one(db.users, id)!.reputation);
    },
    rankingStrays: async (remove: boolean) => {
      const strays = [...state.ranking!.keys()].filter((id) => !one(db.users, id));
      if (remove) for (const id of strays) state.ranking!.delete(id);
      return strays;
    },
  };
  const live = (p: Row) => !p.deletedAt;
  function replace(rows: Row[], doc: Row) {
    const i = rows.findIndex((r) => key(r._id) === key(doc._id));
    if (i < 0) rows.push(doc);
    else rows[i] = doc;
  }
  function expectedAskers(tag: string) {
    const byAuthor = new Map<string, number>();
    for (const p of db.posts.filter((q) => q.type === 'question' && live(q) && q.tags.includes(tag)))
      byAuthor.set(key(p.authorId), (byAuthor.get(key(p.authorId)) ?? 0) + 1);
    return [...byAuthor].map(([userId, questionCount]) => ({ userId, questionCount }));
  }
  function expectedTopTags(userId: Id) {
    return db.posts.filter((p) => p.type === 'question' && live(p) && key(p.authorId) === key(userId)).flatMap((p) => p.tags);
  }
  return { verifyStore: () => store };
});

const { formatVerifyReport, verifyConsistency } = await import('./verify.service.js');
const { fillChildLists } = await import('./child-lists.js');
const { verifyStore } = await import('./verify-store.js');

const [u1, u2, u3, s1, q1, a1, c1] = Array.from({ length: 7 }, (_, i) => new Types.ObjectId(`65a0000000000000000000${String(i + 10)}`));
const voteId = `${u3!.toHexString()}:${a1!.toHexString()}`;
const changed: string[][] = [];
const deps = {
  services: {
    reputationRules: DEFAULT_REPUTATION_RULES,
    clock: { now: () => new Date('2027-01-01T00:00:00Z') },
    events: { postsChanged: async (ids: string[]) => void changed.push(ids) },
  },
} as unknown as Parameters<typeof verifyConsistency>[0];

/** ada asks (space s, tag t), ben answers, cy comments on the question and upvotes the answer. */
function community(): typeof state.db {
  const member = (id: Id, handle: string, reputation: number, repSeq: number, questionCount: number, answerCount: number) => ({
    _id: id,
    handle,
    createdAt: new Date('2026-01-01'),
    reputation,
    repSeq,
    questionCount,
    answerCount,
  });
  const counters = { scoreBase: 0, downVotes: 0, deletedAt: null };
  return {
    users: [member(u1!, 'ada', 1, 1, 1, 0), member(u2!, 'ben', 11, 2, 0, 1), member(u3!, 'cy', 1, 1, 0, 0)],
    // ada's rollups are stored (computed once), ben's and cy's not yet (no drift)
    tagStats: [{ _id: 't', askers: [{ userId: u1!.toHexString(), questionCount: 1 }], answerers: [], mark: 1 }],
    userStats: [{ _id: u1, topTags: ['t'], mark: 1 }],
    spaces: [{ _id: s1, slug: 's', questionCount: 1 }],
    tags: [{ _id: 't', questionCount: 1, synonyms: [] }],
    posts: [
      {
        _id: q1,
        type: 'question',
        authorId: u1,
        spaceId: s1,
        tags: ['t'],
        ...counters,
        score: 0,
        upVotes: 0,
        answerCount: 1,
        commentCount: 1,
        isAnswered: true,
        acceptedAnswerId: null,
        acceptGen: 0,
        answerIds: [a1],
        commentIds: [c1],
      },
      { _id: a1, type: 'answer', questionId: q1, authorId: u2, ...counters, score: 1, upVotes: 1, commentCount: 0, commentIds: [] },
    ],
    comments: [{ _id: c1, postId: q1, deletedAt: null }],
    votes: [{ _id: voteId, userId: u3, postId: a1, value: 1, version: 1, authorRep: 10, voterRep: 0 }],
    events: [
      ...[u1!, u2!, u3!].map((u) => ({ _id: `join:${u.toHexString()}`, userId: u, delta: 1, seq: 1, day: '', dayEarned: 0 })),
      { _id: `vote:${voteId}:1:author`, userId: u2, delta: 10, seq: 2, day: '', dayEarned: 0 },
    ],
  };
}

beforeEach(() => {
  state.db = community();
  state.ranking = new Map(state.db.users.map((u) => [u._id.toHexString(), u.reputation as number]));
  state.pending.clear();
  state.ledgerSteps.length = 0;
  changed.length = 0;
});

const driftOf = (r: Awaited<ReturnType<typeof verifyConsistency>>) =>
  Object.fromEntries(r.checks.filter((c) => c.drift).map((c) => [c.check, c.drift]));

describe('verifyConsistency', () => {
  it('finds no drift in a consistent community, and has examined every item', async () => {
    const r = await verifyConsistency(deps, { batchSize: 2 });
    expect(r.drift).toBe(0);
    expect(r.checks.map((c) => [c.check, c.checked])).toEqual([
      ['vote reputation', 1],
      ['accept reputation', 0],
      // mocked too (test/integration/bounties.test.ts runs it)
      ['bounty ledger', 0],
      ['bounty state', 0],
      ['post score', 2],
      ['question answerCount', 1],
      ['question isAnswered', 1],
      ['post commentCount', 2],
      ['post child lists', 2],
      ['question thread', 0],
      ['space questionCount', 1],
      ['tag questionCount', 1],
      ['tag synonyms', 1],
      ['user questionCount', 3],
      ['user answerCount', 3],
      ['user opening event', 3],
      ['user reputation', 3],
      ['tag stats', 1],
      ['user stats', 3],
      ['users ranking', 3],
      // the feature modules' checks (mocked here: see above) are listed, with nothing examined
      ['badge counts', 0],
      ['close vote tally', 0],
      ['review queues', 0],
      ['flag counters', 0],
      ['flag queue', 0],
      ['audit listings', 0],
    ]);
    expect(formatVerifyReport(r)).toMatch(/No drift: every derived value matches its facts\.$/);
  });

  it('reports each kind of drift, repairs it, and is then clean', async () => {
    const { db } = state;
    db.tags[0]!.questionCount = 5;
    db.spaces[0]!.questionCount = 0;
    Object.assign(db.posts[0]!, { answerCount: 0, answerIds: [] });
    db.posts[1]!.score = 3;
    db.users[2]!.answerCount = 2;
    db.tags[0]!.synonyms = ['ghost'];
    db.events = db.events.filter((e) => e._id !== `vote:${voteId}:1:author` && e._id !== `join:${u1!.toHexString()}`);
    const found = await verifyConsistency(deps, { batchSize: 2 });
    expect(driftOf(found)).toEqual({
      'vote reputation': 1,
      'post score': 1,
      'question answerCount': 1,
      'post child lists': 1,
      'space questionCount': 1,
      'tag questionCount': 1,
      'tag synonyms': 1,
      'user answerCount': 1,
      'user opening event': 1,
      'user reputation': 1,
    });
    const report = formatVerifyReport(found);
    expect(report).toContain(`vote ${voteId} v1: missing vote:${voteId}:1:author; authorRep/voterRep 10/0, ledger says 0/0`);
    expect(report).toContain('tag t: 5 → 1');
    expect(report).toContain('tag t: [ghost] → []');
    expect(report).toContain('space s: 0 → 1');
    expect(report).toContain(`answer ${a1!.toHexString()}: score 3 → 1`);
    expect(report).toContain(`question ${q1!.toHexString()}: answerIds misses 1`);
    expect(report).toContain('@cy: 2 → 0');
    expect(report).toContain(`@ada: no join:${u1!.toHexString()}`);
    expect(report).toMatch(/Drift in 10 item\(s\)\. Run with --repair to fix it\.$/);

    const repaired = await verifyConsistency(deps, { repair: true, batchSize: 2 });
    expect(repaired.repaired).toBe(repaired.drift);
    expect(state.ledgerSteps).toEqual([
      expect.objectContaining({ key: `vote:${voteId}:1:author`, userId: u2, nominal: 10, reason: 'ANSWER_UPVOTED', capped: true }),
    ]);
    expect(changed.flat().sort()).toEqual([a1!.toHexString(), q1!.toHexString()].sort());
    const again = await verifyConsistency(deps, { batchSize: 2 });
    expect(again.drift, formatVerifyReport(again)).toBe(0);
  });
});

describe('verifyConsistency: rollups and the members ranking', () => {
  it('finds stored rollups and ranking entries that differ from their facts (not rollups marked for the job) and repairs them', async () => {
    const { db } = state;
    db.tagStats[0]!.askers = [];
    db.userStats[0]!.topTags = ['x'];
    state.ranking!.set(u2!.toHexString(), 99);
    state.ranking!.set('65a00000000000000000ffff', 5); // an entry of no member
    const found = await verifyConsistency(deps, { batchSize: 2 });
    expect(driftOf(found)).toEqual({ 'tag stats': 1, 'user stats': 1, 'users ranking': 2 });
    const report = formatVerifyReport(found);
    expect(report).toContain('tag t: its top askers/answerers differ from its posts');
    expect(report).toContain('@ada: top tags differ from their posts');
    expect(report).toContain('@ben: not listed at reputation 11');
    expect(report).toContain('entry 65a00000000000000000ffff stands for no member as they are');

    // marked for the job: the worker recomputes them in a moment, no drift
    state.pending.add('t').add(u1!.toHexString());
    expect(driftOf(await verifyConsistency(deps, { batchSize: 2 }))).toEqual({ 'users ranking': 2 });
    state.pending.clear();

    const repaired = await verifyConsistency(deps, { repair: true, batchSize: 2 });
    expect(repaired.repaired).toBe(4);
    expect(db.tagStats[0]).toMatchObject({ askers: [{ userId: u1!.toHexString(), questionCount: 1 }], mark: 7 });
    expect(db.userStats[0]).toMatchObject({ topTags: ['t'] });
    expect([...state.ranking!]).toEqual(db.users.map((u) => [u._id.toHexString(), u.reputation]));
    const again = await verifyConsistency(deps, { batchSize: 2 });
    expect(again.drift, formatVerifyReport(again)).toBe(0);
  });

  it('checks no ranking where none is built (the database answers)', async () => {
    state.ranking = null;
    const r = await verifyConsistency(deps);
    expect(r.checks.find((c) => c.check === 'users ranking')).toMatchObject({ checked: 3, drift: 0 });
  });
});

describe('fillChildLists', () => {
  it('appends the missing answer and comment ids (and creates absent lists)', async () => {
    const { db } = state;
    db.posts[0]!.answerIds = [];
    delete db.posts[1]!.commentIds;
    const progress: number[] = [];
    expect(await fillChildLists(verifyStore(deps.repos), (n) => progress.push(n))).toEqual({ posts: 2, updated: 2 });
    expect(db.posts[0]!.answerIds).toEqual([a1]);
    expect(db.posts[1]!.commentIds).toEqual([]);
    expect(progress).toEqual([2]);
    expect(await fillChildLists(verifyStore(deps.repos))).toEqual({ posts: 2, updated: 0 });
  });
});
