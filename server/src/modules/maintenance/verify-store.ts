// Every database access of the maintenance module (verify and child lists), as named queries and
// updates over the owning modules' repositories (`verifyStore(repos)`): the checkers import no
// model and no repository.
//
// Reads by _id go through the repositories' batched reads (one query per id on FerretDB 1.x, which
// scans every other filter; real MongoDB uses the indexes declared on the models). Pages walk a
// collection in _id order (`after`: the last _id of the previous page, undefined for the first).
// Repairs are guarded by the values read: a concurrent change wins, a later run catches up.
import type { Types } from 'mongoose';
import type { Guard, GuardedResult } from '../../infra/storage.js';
import { op } from '../../lib/mongo-ops.js';
import type { PostDoc } from '../post/post.model.js';
import { pendingRollups, rollupSequence, type RollupDeps } from '../post/post.rollups.js';
import { computeTagStats } from '../post/tag-stats.compute.js';
import type { TagStatsDoc } from '../post/tag-stats.model.js';
import { computeUserStats } from '../post/user-stats.compute.js';
import type { UserStatsDoc } from '../post/user-stats.model.js';
import type { Repositories } from '../repositories.js';
import { applyReputation, openLedger, type ReputationChange } from '../reputation/reputation.service.js';
import type { VerifyDeps } from './verify-checks.js';

export type { Guard };

type Id = Types.ObjectId;
const after = (last: unknown): Record<string, unknown> => (last === undefined ? {} : { _id: op.gt(last) });

export interface VoteRow {
  _id: string;
  userId: Id;
  postId: Id;
  value: number;
  version: number;
  authorRep: number;
  voterRep: number;
  imported?: boolean;
}

export interface AcceptRow {
  _id: Id;
  authorId: Id;
  acceptedAnswerId: Id | null;
  acceptGen: number;
  deletedAt: Date | null;
}

export interface PostRow {
  _id: Id;
  type: 'question' | 'answer';
  score: number;
  scoreBase: number;
  upVotes: number;
  downVotes: number;
  answerCount: number;
  commentCount: number;
  isAnswered: boolean;
  acceptedAnswerId: Id | null;
  answerIds?: Id[];
  commentIds?: Id[];
}

export type SpaceRow = { _id: Id; slug: string; questionCount: number };
export type TagRow = { _id: string; questionCount: number; synonymOf?: string | null; synonyms?: string[] };

export interface UserRow {
  _id: Id;
  handle: string;
  createdAt: Date;
  reputation: number;
  repSeq: number;
  questionCount: number;
  answerCount: number;
}

export type LedgerEventRow = { userId: Id; seq: number; delta: number; day: string; dayEarned: number };

type VerifyRepos = Pick<
  Repositories,
  'posts' | 'threads' | 'votes' | 'comments' | 'reputation' | 'users' | 'spaces' | 'tags' | 'tagStats' | 'userStats'
>;

/**
 * `queue`: where the rollups' marks live (Redis). Without it a repair stores what it computed
 * regardless of the marks, and no rollup counts as marked.
 */
export function verifyStore(repos: VerifyRepos, queue: Pick<RollupDeps, 'redis' | 'config'> | null = null) {
  const { posts, threads, votes, comments, reputation, users, spaces, tags, tagStats, userStats } = repos;
  return {
    // -------------------------------------------------------------------------------------------
    // pages in _id order
    votePage: (last: unknown, limit: number) =>
      votes.page<VoteRow>(after(last), 'userId postId value version authorRep voterRep imported', limit),
    /** Questions that ever accepted an answer (generation > 0). */
    acceptedQuestionPage: (last: unknown, limit: number) =>
      posts.page<AcceptRow>(
        { ...after(last), type: 'question', acceptGen: op.gt(0) },
        'authorId acceptedAnswerId acceptGen deletedAt',
        limit,
      ),
    /** Posts with their score and vote counts. */
    postScorePage: (last: unknown, limit: number) => posts.page<PostRow>(after(last), 'type score scoreBase upVotes downVotes', limit),
    /** Posts with their counters and child lists. */
    postCounterPage: (last: unknown, limit: number) =>
      posts.page<PostRow>(after(last), 'type answerCount commentCount isAnswered acceptedAnswerId answerIds commentIds', limit),
    spacePage: (last: unknown, limit: number) => spaces.page<SpaceRow>(after(last), 'slug questionCount', limit),
    tagPage: (last: unknown, limit: number) => tags.page<TagRow>(after(last), 'questionCount synonymOf synonyms', limit),
    userPage: (last: unknown, limit: number) =>
      users.page<UserRow>(after(last), 'handle createdAt reputation repSeq questionCount answerCount', limit),

    // -------------------------------------------------------------------------------------------
    // by _id
    /** The voted posts (type, author, deletion). */
    votedPostsByIds: (ids: Id[]) =>
      posts.findManyByIds<{ _id: Id; type: 'question' | 'answer'; authorId: Id; deletedAt: Date | null }>(ids, 'type authorId deletedAt'),
    /** The accepted answers (author, deletion). */
    answersByIds: (ids: Id[]) => posts.findManyByIds<{ _id: Id; authorId: Id; deletedAt: Date | null }>(ids, 'authorId deletedAt'),
    /** Ledger events by cause key: their deltas. */
    ledgerDeltasByKeys: (keys: string[]) => reputation.findManyByIds<{ _id: string; delta: number }>(keys, 'delta'),
    /** Ledger events by cause key: member, delta and subject. */
    ledgerEventsByKeys: (keys: string[]) =>
      reputation.findManyByIds<{ _id: string; userId: Id; delta: number; subjectId?: Id | null }>(keys, 'userId delta subjectId'),
    /** Which of these cause keys exist. */
    existingLedgerKeys: (keys: string[]) => reputation.findManyByIds<{ _id: string }>(keys, '_id'),
    /** The members' stored reputation and sequence, as they are now. */
    userReputationsByIds: (ids: Id[]) => users.findManyByIds<{ _id: Id; reputation: number; repSeq: number }>(ids, 'reputation repSeq'),

    // -------------------------------------------------------------------------------------------
    // facts of a page
    votesOnPosts: (postIds: Id[]) => votes.onPosts<{ postId: Id; value: number }>(postIds, 'postId value'),
    /** Comments on these posts, deleted ones too. */
    commentsOnPosts: (postIds: Id[]) => comments.onPosts<{ _id: Id; postId: Id; deletedAt: Date | null }>(postIds, 'postId deletedAt'),
    /** Answers to these questions, deleted ones too. */
    answersToQuestions: (questionIds: Id[]) =>
      posts.findWhere<{ _id: Id; questionId: Id; score: number; deletedAt: Date | null }>(
        { type: 'answer', questionId: op.in(questionIds) },
        'questionId score deletedAt',
      ),
    /** Non-deleted questions in these spaces. */
    liveQuestionsInSpaces: (spaceIds: Id[]) =>
      posts.findWhere<{ spaceId: Id }>({ type: 'question', deletedAt: null, spaceId: op.in(spaceIds) }, 'spaceId'),
    /** Non-deleted questions carrying any of these tags. */
    liveQuestionsWithTags: (names: string[]) =>
      posts.findWhere<{ tags: string[] }>({ type: 'question', deletedAt: null, tags: op.in(names) }, 'tags'),
    /** Non-deleted posts by these members. */
    livePostsByAuthors: (authorIds: Id[]) =>
      posts.findWhere<{ authorId: Id; type: string }>({ authorId: op.in(authorIds), deletedAt: null }, 'authorId type'),
    /** Every ledger event of these members. */
    ledgerEventsOfUsers: (userIds: Id[]) =>
      reputation.findWhere<LedgerEventRow>({ userId: op.in(userIds) }, 'userId seq delta day dayEarned'),

    // -------------------------------------------------------------------------------------------
    // repairs
    /** One ledger step through the reputation service (idempotent by its cause key); its delta. */
    applyLedgerStep: (deps: VerifyDeps, change: ReputationChange): Promise<number> =>
      applyReputation(repos, deps.services.reputationRules, change),
    /** The member's opening ledger event (`join:<id>`), through the reputation service. */
    openMemberLedger: (deps: VerifyDeps, userId: Id, at: Date): Promise<void> =>
      openLedger(repos, deps.services.reputationRules, userId, at),
    /** A vote's authorRep/voterRep, while it is still at `version`. */
    setVoteReputation: async (voteId: string, version: number, authorRep: number, voterRep: number): Promise<void> => {
      await votes.updateIf(voteId, { version }, { $set: { authorRep, voterRep } });
    },
    /** Post fields (bumping its version) when the guard fields still hold what was read. */
    setPostFieldsIf: (postId: Id, guard: Guard, set: Record<string, unknown>): Promise<GuardedResult> =>
      posts.updateIf(postId, guard, { $set: set, $inc: { version: 1 } }),
    /** Appends ids to a post's child lists (creating a missing list). */
    addToPostChildLists: async (postId: Id, add: Record<string, { $each: Id[] }>): Promise<void> => {
      await posts.update(postId, { $addToSet: add });
    },
    setSpaceQuestionCountIf: (spaceId: Id, from: number, to: number): Promise<GuardedResult> =>
      spaces.updateIf(spaceId, { questionCount: from }, { $set: { questionCount: to } }),
    setTagQuestionCountIf: (name: string, from: number, to: number): Promise<GuardedResult> =>
      tags.updateIf(name, { questionCount: from }, { $set: { questionCount: to } }),
    /** The synonyms of these tags, from the synonyms' pointers (batch path). */
    synonymsPointingAt: (names: string[]) => tags.findWhere<{ _id: string; synonymOf: string }>({ synonymOf: op.in(names) }, 'synonymOf'),
    /** A master tag's kept list of synonyms. */
    setTagSynonyms: async (name: string, synonyms: string[]): Promise<void> => {
      await tags.update(name, { $set: { synonyms } });
    },
    /** A member's questionCount or answerCount, from the value read. */
    setUserCounterIf: (userId: Id, field: 'questionCount' | 'answerCount', from: number, to: number): Promise<GuardedResult> =>
      users.updateIf(userId, { [field]: from }, { $set: { [field]: to } }),
    /** A member's reputation fields from the ledger's sum and last event, from the values read. */
    setUserReputationIf: (
      userId: Id,
      read: { reputation: number; repSeq: number },
      ledger: { sum: number; last: LedgerEventRow },
    ): Promise<GuardedResult> =>
      // through the repository's reputation write: the members ranking follows
      users.setReputationIf(
        userId,
        { reputation: read.reputation, repSeq: read.repSeq },
        { reputation: ledger.sum, repSeq: ledger.last.seq, repDay: ledger.last.day, repDayEarned: ledger.last.dayEarned },
      ),

    // -------------------------------------------------------------------------------------------
    // question threads (the question page's read model)
    /** Whole questions, in _id order. */
    questionPage: (last: unknown, limit: number) => posts.page<PostDoc>({ ...after(last), type: 'question' }, '', limit),
    threadsOf: (questionIds: Id[]) => threads.threadsOf(questionIds, true),
    /** The thread the facts make now (reads the question's answers and comments). */
    expectedThread: (question: PostDoc) => threads.compute(question, true),
    rebuildThread: (questionId: Id) => threads.rebuild(questionId),

    // -------------------------------------------------------------------------------------------
    // rollups (post/post.rollups.ts) and the members ranking (user/user.ranking.ts)
    /** The rollup sequence now (null without Redis): a computation's facts read after it cover every mark up to it. */
    rollupSequence: async (): Promise<number | null> => (queue ? rollupSequence(queue).catch(() => null) : null),
    /** Which of these tags or members (hex ids) are marked for the job. */
    pendingRollups: async (kind: 'tags' | 'users', names: string[]): Promise<Set<string>> =>
      queue ? pendingRollups(queue, kind, names).catch(() => new Set<string>()) : new Set<string>(),
    storedTagStats: (names: string[]) => tagStats.findStoredByIds<TagStatsDoc>(names),
    expectedTagStats: (names: string[], mark: number) => computeTagStats(posts, names, mark),
    sameTagStats: (stored: TagStatsDoc, expected: TagStatsDoc) => tagStats.sameContent(stored, expected),
    storeTagStats: (doc: TagStatsDoc, force: boolean) => tagStats.storeComputed(doc, force),
    storedUserStats: (ids: Id[]) => userStats.findStoredByIds<UserStatsDoc>(ids),
    expectedUserStats: (ids: Id[], mark: number) => computeUserStats(posts, ids, mark),
    sameUserStats: (stored: UserStatsDoc, expected: UserStatsDoc) => userStats.sameContent(stored, expected),
    storeUserStats: (doc: UserStatsDoc, force: boolean) => userStats.storeComputed(doc, force),
    /** Whether the ranking is in use and built (else the database answers: nothing to check). */
    rankingReady: async (): Promise<boolean> => !!users.rankings && (await users.rankings.isReady()),
    /** The members whose ranking entry is not their reputation's. */
    rankingMismatches: async <U extends { _id: Id; reputation: number; repSeq: number }>(rows: U[]): Promise<U[]> =>
      users.rankings ? ((await users.rankings.mismatches(rows)) as U[]) : [],
    /** Re-lists members at their reputation as stored now. */
    repairRanking: async (ids: Id[]): Promise<void> => {
      const now = await users.findManyByIds<{ _id: Id; reputation: number; repSeq: number }>(ids, 'reputation repSeq');
      await users.rankings?.repair(now);
    },
    /** Ranking entries that stand for no member as they are (removed with `remove`). */
    rankingStrays: async (remove: boolean): Promise<string[]> => (users.rankings ? users.rankings.dropStrays(null, remove) : []),

    // -------------------------------------------------------------------------------------------
    // child lists (one pass over every answer, comment and post)
    /** Every answer's question id, streamed. */
    scanAnswerQuestionIds: () => posts.scan<{ _id: Id; questionId: Id | null }>({ type: 'answer' }, 'questionId'),
    /** Every comment's post id, streamed. */
    scanCommentPostIds: () => comments.scan<{ _id: Id; postId: Id }>({}, 'postId'),
    /** Every post's type and child lists, streamed. */
    scanPostChildLists: () => posts.scan<{ _id: Id; type: string; answerIds?: Id[]; commentIds?: Id[] }>({}, 'type answerIds commentIds'),
    /** Appends ids to a post's child lists without touching updatedAt (a bulk fill after an import). */
    appendChildIds: async (postId: Id, add: Record<string, { $each: Id[] }>): Promise<void> => {
      await posts.updateWithoutTimestamps(postId, { $addToSet: add });
    },
  };
}

export type VerifyStore = ReturnType<typeof verifyStore>;
