// Awarding badges: the `badges` activity handler (event-driven rules) and the periodic job
// (time-based rules). Every read here is by `_id` (posts, users, tag statistics) or a Redis set;
// the periodic job alone scans (it runs in the worker). Each award is written once: its `_id` is
// derived from (badge, member[, subject]) and a second insert is refused, so replays and re-runs
// of the job award nothing new.
import { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import { utcDay } from '../../lib/clock.js';
import { publishActivity, type ActivityEvent, type ActivityHandler } from '../activity/activity.js';
import type { PostDoc } from '../post/post.model.js';
import type { UserDoc } from '../user/user.model.js';
import { awardId, BadgeIndex } from './badge.repository.js';
import { badgeSlug, RULES_BY_NAME, tagBadgeTiers, THRESHOLDS as T, type BadgeTier } from './badge.rules.js';

const DAY = 86_400_000;

export function badgeIndexOf(deps: AppDeps): BadgeIndex {
  return new BadgeIndex(deps.redis, deps.config.redisPrefix);
}

interface AwardSpec {
  name: string;
  tier: BadgeTier;
  key: string | null;
  tagBased: boolean;
  subjectId: string | null;
}

/** A catalogue badge by name (per subject when its rule says so). */
function catalogue(name: string, subjectId: string | null = null): AwardSpec {
  const rule = RULES_BY_NAME.get(name);
  if (!rule) throw new Error(`no rule for badge "${name}"`);
  return { name, tier: rule.tier, key: rule.key, tagBased: false, subjectId: rule.perSubject ? subjectId : null };
}

/**
 * Awards a badge to a member once: the award, then the member's counter, the read models and a
 * `badge.awarded` event. Returns false when the member holds it already (for that subject).
 */
export async function awardBadge(deps: AppDeps, userId: Types.ObjectId, spec: AwardSpec, at: Date): Promise<boolean> {
  const slug = badgeSlug(spec);
  const _id = awardId(slug, userId.toHexString(), spec.subjectId);
  const index = badgeIndexOf(deps);
  // held already (the read model is written after the award): no write at all
  if (await index.holds(userId.toHexString(), _id.toHexString())) return false;
  const doc = {
    _id,
    userId,
    name: spec.name,
    key: spec.key,
    tier: spec.tier,
    tagBased: spec.tagBased,
    subjectId: spec.subjectId,
    awardedAt: at,
    imported: false,
  };
  const inserted = await deps.repos.badges.insertOnce(doc);
  if (!inserted) return false;
  await deps.repos.users.addBadgeCount(userId, spec.tier);
  await index.add([doc]);
  await publishActivity(
    { deps },
    {
      type: 'badge.awarded',
      actorId: null,
      subjectId: _id.toHexString(),
      data: { userId: userId.toHexString(), name: spec.name, tier: spec.tier, slug, subjectId: spec.subjectId },
      at,
    },
  );
  return true;
}

const oid = (id: string | null | undefined) => (id && Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : null);

async function postById(deps: AppDeps, id: Types.ObjectId | null | undefined): Promise<PostDoc | null> {
  return id ? deps.repos.posts.findById(id) : null;
}

/** The score badges of a post's author, judged on the post as it is now. */
async function scoreBadges(deps: AppDeps, post: PostDoc, at: Date): Promise<void> {
  if (post.deletedAt) return;
  const author = post.authorId;
  const id = post._id.toHexString();
  const give = (name: string) => awardBadge(deps, author, catalogue(name, id), at);
  if (post.type === 'question') {
    if (post.score >= 1) await give('Student');
    if (post.score >= T.nice) await give('Nice Question');
    if (post.score >= T.good) await give('Good Question');
    if (post.score >= T.great) await give('Great Question');
    return;
  }
  if (post.score >= 1) await give('Teacher');
  if (post.score >= T.nice) await give('Nice Answer');
  if (post.score >= T.good) await give('Good Answer');
  if (post.score >= T.great) await give('Great Answer');
  const question = await postById(deps, post.questionId);
  if (!question || question.deletedAt) return;
  const accepted = question.acceptedAnswerId?.equals(post._id) ?? false;
  const firstAnswer = question.answerIds?.[0]?.equals(post._id) ?? false;
  const lateBy = post.createdAt.getTime() - question.createdAt.getTime();
  if (accepted && firstAnswer && post.score >= T.enlightened) await give('Enlightened');
  if (accepted && post.score >= T.guru) await give('Guru');
  if (lateBy > T.necromancerDays * DAY && post.score >= T.necromancerScore) await give('Necromancer');
  if (firstAnswer && lateBy > T.revivalDays * DAY && post.score >= T.revivalScore) await give('Revival');
  if (question.authorId.equals(author) && post.score >= T.selfLearner) await give('Self-Learner');
  if (post.score >= T.reversalAnswer && question.score <= T.reversalQuestion) await give('Reversal');
  if (!accepted && question.acceptedAnswerId) {
    const acc = await postById(deps, question.acceptedAnswerId);
    if (acc && !acc.deletedAt && acc.score >= T.populistAccepted && post.score >= 2 * acc.score) await give('Populist');
  }
  await tagBadges(deps, author, question.tags ?? [], at);
}

/** Tag badges from the tag statistics read model (a member's answers' count and score per tag). */
async function tagBadges(deps: AppDeps, userId: Types.ObjectId, tags: readonly string[], at: Date): Promise<void> {
  if (tags.length === 0) return;
  const stats = await deps.repos.tagStats.findManyByIds(tags);
  const me = userId.toHexString();
  for (const s of stats) {
    const row = s.answerers.find((a) => a.userId === me);
    if (!row) continue;
    for (const tier of tagBadgeTiers(row.score, row.answerCount)) {
      await awardBadge(deps, userId, { name: s._id, tier, key: null, tagBased: true, subjectId: null }, at);
    }
  }
}

async function profileBadges(deps: AppDeps, user: Pick<UserDoc, '_id' | 'bio'> | null, at: Date): Promise<void> {
  if (user && (user.bio ?? '').trim().length > 0) await awardBadge(deps, user._id, catalogue('Autobiographer'), at);
}

/** The rules one activity event can satisfy. */
export async function badgesForEvent(deps: AppDeps, event: ActivityEvent): Promise<void> {
  const at = new Date(event.at);
  const actor = oid(event.actorId);
  const index = badgeIndexOf(deps);
  switch (event.type) {
    case 'vote.changed': {
      const post = await postById(deps, oid(event.subjectId));
      if (post) {
        await scoreBadges(deps, post, at);
        const author = await deps.repos.users.findById(post.authorId, 'repDay repDayEarned');
        if (author && author.repDay === utcDay(at) && author.repDayEarned >= T.mortarboard)
          await awardBadge(deps, post.authorId, catalogue('Mortarboard'), at);
      }
      const value = Number(event.data?.value ?? 0);
      if (actor && value !== 0) {
        await awardBadge(deps, actor, catalogue(value > 0 ? 'Supporter' : 'Critic'), at);
        const me = actor.toHexString();
        if ((await index.seen(me, 'votes', event.subjectId)) >= T.civicDuty) await awardBadge(deps, actor, catalogue('Civic Duty'), at);
        const today = await index.seen(me, `votes:${utcDay(at)}`, event.subjectId);
        if (today >= T.suffrage) await awardBadge(deps, actor, catalogue('Suffrage'), at);
        if (today >= T.voxPopuli) await awardBadge(deps, actor, catalogue('Vox Populi'), at);
      }
      break;
    }
    case 'answer.accepted': {
      const answer = await postById(deps, oid(event.subjectId));
      if (answer) await scoreBadges(deps, answer, at);
      const question = await postById(deps, oid(event.questionId));
      if (question && actor && question.authorId.equals(actor)) await awardBadge(deps, actor, catalogue('Scholar'), at);
      break;
    }
    case 'answer.created': {
      const answer = await postById(deps, oid(event.subjectId));
      if (answer) await scoreBadges(deps, answer, at);
      break;
    }
    case 'question.updated':
    case 'answer.updated': {
      if (!actor) break;
      const edited = await index.seen(actor.toHexString(), 'edits', event.subjectId);
      await awardBadge(deps, actor, catalogue('Editor'), at);
      if (edited >= T.strunkAndWhite) await awardBadge(deps, actor, catalogue('Strunk & White'), at);
      if (edited >= T.copyEditor) await awardBadge(deps, actor, catalogue('Copy Editor'), at);
      break;
    }
    case 'comment.created': {
      if (actor && (await index.seen(actor.toHexString(), 'comments', event.subjectId)) >= T.commentator)
        await awardBadge(deps, actor, catalogue('Commentator'), at);
      break;
    }
    case 'question.deleted':
    case 'answer.deleted': {
      const post = await postById(deps, oid(event.subjectId));
      if (post && actor && post.authorId.equals(actor)) {
        if (post.score <= T.peerPressure) await awardBadge(deps, actor, catalogue('Peer Pressure'), at);
        if (post.score >= T.disciplined) await awardBadge(deps, actor, catalogue('Disciplined'), at);
      }
      break;
    }
    case 'flag.created':
      if (actor) await awardBadge(deps, actor, catalogue('Citizen Patrol'), at);
      break;
    default:
      break;
  }
  // whoever acts with a completed profile
  if (actor && event.type !== 'badge.awarded') await profileBadges(deps, await deps.repos.users.findById(actor, 'bio'), at);
}

export const badgesHandler: ActivityHandler = {
  name: 'badges',
  handle: (deps, event) => badgesForEvent(deps, event),
};

/**
 * The periodic job (worker): time-based badges — Popular/Notable/Famous Question by views,
 * Tumbleweed, Yearling (per year of membership), Autobiographer. Returns how many were awarded
 * (a second run at the same time awards nothing).
 */
export async function runBadgeJob(deps: AppDeps): Promise<number> {
  const now = deps.services.clock.now();
  let awarded = 0;
  const give = async (userId: Types.ObjectId, spec: AwardSpec) => void ((await awardBadge(deps, userId, spec, now)) && awarded++);
  for await (const q of deps.repos.posts.scan<
    Pick<PostDoc, '_id' | 'authorId' | 'viewCount' | 'score' | 'answerCount' | 'commentCount' | 'createdAt'>
  >({ type: 'question', deletedAt: null }, '_id authorId viewCount score answerCount commentCount createdAt')) {
    const id = q._id.toHexString();
    if (q.viewCount >= T.popularViews) await give(q.authorId, catalogue('Popular Question', id));
    if (q.viewCount >= T.notableViews) await give(q.authorId, catalogue('Notable Question', id));
    if (q.viewCount >= T.famousViews) await give(q.authorId, catalogue('Famous Question', id));
    if (
      q.score === 0 &&
      q.answerCount === 0 &&
      q.commentCount === 0 &&
      q.viewCount < T.tumbleweedViews &&
      now.getTime() - q.createdAt.getTime() >= T.tumbleweedDays * DAY
    )
      await give(q.authorId, catalogue('Tumbleweed', id));
  }
  for await (const u of deps.repos.users.scan<Pick<UserDoc, '_id' | 'createdAt' | 'reputation' | 'bio'>>(
    {},
    '_id createdAt reputation bio',
  )) {
    const years = Math.floor((now.getTime() - u.createdAt.getTime()) / (365 * DAY));
    if (years >= 1 && u.reputation >= T.yearlingRep) for (let y = 1; y <= years; y++) await give(u._id, catalogue('Yearling', String(y)));
    if ((u.bio ?? '').trim().length > 0) await give(u._id, catalogue('Autobiographer'));
  }
  return awarded;
}

/** What rebuilding the badges' derived state needs (the app's dependencies or verify's). */
export interface BadgeRebuildDeps {
  repos: Pick<AppDeps['repos'], 'badges' | 'users'>;
  redis?: AppDeps['redis'];
  config?: { redisPrefix: string };
}

/**
 * Checks (and with `repair`, rebuilds) the members' badge counters and the Redis read models
 * from the awards: after an import, and by `npm run verify`. Returns the awards seen, the members
 * whose counters were wrong and those whose badge list in Redis was.
 */
export async function rebuildBadgeReadModels(
  deps: BadgeRebuildDeps,
  options: { repair: boolean },
): Promise<{ awards: number; members: number; wrongCounts: string[]; wrongIndex: string[] }> {
  const index = deps.redis && deps.config ? new BadgeIndex(deps.redis, deps.config.redisPrefix) : null;
  const counts = new Map<string, { gold: number; silver: number; bronze: number }>();
  let batch: Parameters<BadgeIndex['add']>[0][number][] = [];
  let awards = 0;
  if (options.repair) await index?.clear();
  for await (const b of deps.repos.badges.scan({}, '_id userId name key tier tagBased awardedAt')) {
    awards++;
    const c = counts.get(b.userId.toHexString()) ?? { gold: 0, silver: 0, bronze: 0 };
    c[b.tier.toLowerCase() as 'gold' | 'silver' | 'bronze']++;
    counts.set(b.userId.toHexString(), c);
    if (options.repair && index) {
      batch.push(b);
      if (batch.length >= 1000) {
        await index.add(batch);
        batch = [];
      }
    }
  }
  if (options.repair) await index?.add(batch);
  const wrongCounts: string[] = [];
  const wrongIndex: string[] = [];
  let members = 0;
  for await (const u of deps.repos.users.scan<Pick<UserDoc, '_id' | 'badgeCounts'>>({}, '_id badgeCounts')) {
    members++;
    const id = u._id.toHexString();
    const want = counts.get(id) ?? { gold: 0, silver: 0, bronze: 0 };
    const have = u.badgeCounts ?? { gold: 0, silver: 0, bronze: 0 };
    if (have.gold !== want.gold || have.silver !== want.silver || have.bronze !== want.bronze) {
      wrongCounts.push(id);
      if (options.repair) await deps.repos.users.setBadgeCounts(u._id, want);
    }
    if (index && !options.repair && (await index.countOf(id)) !== want.gold + want.silver + want.bronze) wrongIndex.push(id);
  }
  return { awards, members, wrongCounts, wrongIndex };
}
