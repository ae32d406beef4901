// Analytics rollups: the `analytics` activity handler marks the days a write touched (the day
// a question was asked, the day an answer was written); the worker recomputes each marked day of
// a space from its posts and support tickets (index-backed queries: posts by space, type and
// creation time) — never per request.
import { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import { utcDay } from '../../lib/clock.js';
import { op } from '../../lib/mongo-ops.js';
import type { ActivityHandler } from '../activity/activity.js';
import type { PostDoc } from '../post/post.model.js';
import { slaStateOf } from '../support/support.rules.js';
import { rollupSpaceExperts } from './analytics.experts.js';
import { rebuildPeopleIndex } from './analytics.people.js';
import type { AnalyticsDayDoc } from './analytics.model.js';

const DAY_MS = 86_400_000;
const minutes = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 60_000);

/** Recomputes one space's day. */
export async function rollupDay(deps: AppDeps, spaceId: Types.ObjectId, day: string): Promise<AnalyticsDayDoc> {
  const start = new Date(`${day}T00:00:00.000Z`);
  const end = new Date(start.getTime() + DAY_MS);
  const range = op.range(start, end);
  const posts = deps.repos.posts;
  const questions = (await posts.findWhere<PostDoc>({ spaceId, type: 'question', createdAt: range })).filter((q) => !q.deletedAt);
  const now = deps.services.clock.now();
  const doc: AnalyticsDayDoc = {
    _id: `${spaceId.toHexString()}:${day}`,
    spaceId,
    day,
    questions: questions.length,
    answered: 0,
    unanswered: 0,
    firstAnswerMinutes: [],
    resolutionMinutes: [],
    slaMet: 0,
    slaBreached: 0,
    slaPending: 0,
    contributors: [],
    builtAt: now,
  };
  for (const q of questions) {
    const answers = (await posts.findManyByIds<PostDoc>(q.answerIds ?? [])).filter((a) => !a.deletedAt);
    if (answers.length === 0) doc.unanswered++;
    else {
      doc.answered++;
      const first = answers.reduce((min, a) => (a.createdAt < min ? a.createdAt : min), answers[0]!.createdAt);
      doc.firstAnswerMinutes.push(minutes(q.createdAt, first));
    }
    const resolvedAt = [q.acceptedAt, answers.find((a) => q.verifiedAnswerId?.equals(a._id))?.verifiedAt]
      .filter((d): d is Date => d instanceof Date)
      .sort((a, b) => a.getTime() - b.getTime())[0];
    if (resolvedAt) doc.resolutionMinutes.push(minutes(q.createdAt, resolvedAt));
    const ticket = await deps.repos.support.tickets.findById(q._id);
    if (ticket?.firstResponseDue) {
      if (ticket.firstResponseAt) {
        if (ticket.firstResponseAt <= ticket.firstResponseDue) doc.slaMet++;
        else doc.slaBreached++;
      } else if (slaStateOf(ticket, now) === 'BREACHED') doc.slaBreached++;
      else doc.slaPending++;
    }
  }
  const answersOfDay = (await posts.findWhere<PostDoc>({ spaceId, type: 'answer', createdAt: range })).filter((a) => !a.deletedAt);
  const byAuthor = new Map<string, number>();
  for (const a of answersOfDay) byAuthor.set(a.authorId.toHexString(), (byAuthor.get(a.authorId.toHexString()) ?? 0) + 1);
  const authors = await deps.repos.users.findManyByIds(
    [...byAuthor.keys()].map((id) => new Types.ObjectId(id)),
    'role',
  );
  const staff = new Set(authors.filter((u) => u.role !== 'MEMBER').map((u) => u._id.toHexString()));
  doc.contributors = [...byAuthor].map(([userId, n]) => ({ userId, answers: n, staff: staff.has(userId) }));
  await deps.repos.analytics.put(doc);
  return doc;
}

/**
 * Recomputes the marked days and spaces' experts (the worker, every few seconds), and builds the
 * people finder's index when Redis has none; returns how many days and spaces.
 */
export async function runAnalyticsRollups(deps: AppDeps, batch = 200): Promise<number> {
  const repo = deps.repos.analytics;
  const prefix = deps.config.redisPrefix;
  let done = 0;
  // Redis lost the index (or this is the first round of a new deployment): rebuild it, and
  // recompute every space's experts
  if (!(await repo.peopleIndexBuilt(deps.redis, prefix)) && (await repo.lockPeopleRebuild(deps.redis, prefix))) {
    try {
      const spaces: string[] = [];
      for await (const s of deps.repos.spaces.scan<{ _id: Types.ObjectId }>({}, '_id')) spaces.push(s._id.toHexString());
      await repo.markExperts(deps.redis, prefix, spaces);
      await rebuildPeopleIndex(deps);
    } finally {
      await repo.unlockPeopleRebuild(deps.redis, prefix);
    }
  }
  for (;;) {
    const spaces = await repo.takeMarkedExperts(deps.redis, prefix, batch);
    if (spaces.length === 0) break;
    for (const spaceId of spaces) {
      try {
        await rollupSpaceExperts(deps, new Types.ObjectId(spaceId));
      } catch (error) {
        await repo.markExperts(deps.redis, prefix, [spaceId]);
        throw error;
      }
      done++;
    }
  }
  for (;;) {
    const keys = await deps.repos.analytics.takeMarked(deps.redis, deps.config.redisPrefix, batch);
    if (keys.length === 0) return done;
    for (const key of keys) {
      const [spaceId, day] = key.split(':');
      try {
        await rollupDay(deps, new Types.ObjectId(spaceId), day!);
      } catch (error) {
        await deps.repos.analytics.mark(deps.redis, deps.config.redisPrefix, [key]);
        throw error;
      }
      done++;
    }
  }
}

const MARKING = new Set([
  'question.created',
  'question.deleted',
  'answer.created',
  'answer.deleted',
  'answer.accepted',
  'answer.unaccepted',
  'answer.verified',
  'support.breached',
  'support.resolved',
]);

/** Events that change a space's experts. */
const EXPERTS = new Set([
  'answer.created',
  'answer.deleted',
  'answer.accepted',
  'answer.unaccepted',
  'answer.verified',
  'question.deleted',
  'vote.changed',
]);

/**
 * Marks the days an event changes (its question's day and, for answers, the answer's day) and the
 * space whose experts it changes.
 */
export const analyticsHandler: ActivityHandler = {
  name: 'analytics',
  async handle(deps, event) {
    const answerVote = event.type !== 'vote.changed' || event.data?.['postType'] === 'answer';
    if (EXPERTS.has(event.type) && answerVote && event.spaceId && Types.ObjectId.isValid(event.spaceId))
      await deps.repos.analytics.markExperts(deps.redis, deps.config.redisPrefix, [event.spaceId]);
    if (!MARKING.has(event.type) || !event.spaceId) return;
    const keys = new Set<string>();
    const ids = [event.questionId, event.subjectId].filter((id): id is string => !!id && /^[0-9a-f]{24}$/.test(id));
    const found = await deps.repos.posts.findManyByIds<PostDoc>(
      ids.map((id) => new Types.ObjectId(id)),
      'createdAt spaceId',
    );
    for (const p of found) keys.add(`${p.spaceId.toHexString()}:${utcDay(p.createdAt)}`);
    await deps.repos.analytics.mark(deps.redis, deps.config.redisPrefix, [...keys]);
  },
};
