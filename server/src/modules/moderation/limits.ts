// New-member limits (Discourse's trust level 0, Stack Overflow's new users): below a reputation or
// while the account is young, a post holds a few links and no images, and questions, answers and
// comments are rate-limited (rate-limiter-flexible over Redis, like infra/rate-limit.ts). Each
// refusal says the limit and when it lifts.
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Context } from '../../context.js';
import { ForbiddenError, ValidationError } from '../../lib/errors.js';
import { reposOf } from '../services.js';
import type { UserDoc } from '../user/user.model.js';
import { requirePrivilege } from './privileges.js';
import { isNewMember, requireActiveMember, rulesOf, type ActiveMember } from './member.js';
import type { ModerationRules } from './moderation.rules.js';

export type PostingKind = 'question' | 'answer' | 'comment';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>()[\]"'`]+/gi;
const IMAGE_PATTERN = /!\[[^\]]*\]\([^)]*\)|<img\b/i;

/** Distinct links in a Markdown body. */
export function countLinks(body: string): number {
  return new Set((body.match(URL_PATTERN) ?? []).map((u) => u.replace(/[.,;:!?]+$/, '').toLowerCase())).size;
}

export const hasImage = (body: string) => IMAGE_PATTERN.test(body);

const when = (d: Date) =>
  d
    .toISOString()
    .replace(/\.\d{3}Z$/, ' UTC')
    .replace('T', ' ');

/** When the member stops being new by age (their reputation may lift it sooner). */
function liftsText(rules: ModerationRules, member: Pick<UserDoc, 'createdAt'>, now: Date): string {
  const byAge = new Date(new Date(member.createdAt).getTime() + rules.newMember.accountAgeHours * 3_600_000);
  const rep = `at ${rules.newMember.reputationBelow} reputation`;
  return byAge > now
    ? `The limit lifts ${rep} or once your account is ${rules.newMember.accountAgeHours} hours old (${when(byAge)}).`
    : `The limit lifts ${rep}.`;
}

/** Pure content checks (links, images) for a new member; null when allowed. */
export function contentProblem(rules: ModerationRules, body: string): string | null {
  const links = countLinks(body);
  if (links > rules.newMember.maxLinksPerPost)
    return `New members can include at most ${rules.newMember.maxLinksPerPost} links in a post (this one has ${links}).`;
  if (!rules.newMember.imagesAllowed && hasImage(body)) return 'New members cannot post images.';
  return null;
}

const limiters = new WeakMap<object, Record<PostingKind, RateLimiterRedis>>();

function limitersOf(ctx: Pick<Context, 'deps'>): Record<PostingKind, RateLimiterRedis> {
  let built = limiters.get(ctx.deps);
  if (!built) {
    const rules = rulesOf(ctx).newMember;
    const make = (kind: PostingKind, points: number, duration: number) =>
      new RateLimiterRedis({ storeClient: ctx.deps.redis, keyPrefix: `${ctx.deps.config.redisPrefix}rl:new-${kind}`, points, duration });
    built = {
      question: make('question', rules.questionsPerDay, 86_400),
      answer: make('answer', rules.answersPerHour, 3_600),
      comment: make('comment', rules.commentsPerHour, 3_600),
    };
    limiters.set(ctx.deps, built);
  }
  return built;
}

const RATE_TEXT: Record<PostingKind, (r: ModerationRules) => string> = {
  question: (r) => `New members can ask ${r.newMember.questionsPerDay} questions per day.`,
  answer: (r) => `New members can post ${r.newMember.answersPerHour} answers per hour.`,
  comment: (r) => `New members can add ${r.newMember.commentsPerHour} comments per hour.`,
};

/**
 * The checks of a new post by the viewer: active (not suspended or silenced), then, for a new
 * member, content (VALIDATION on `field`) and rate (FORBIDDEN) limits.
 */
export async function requirePostingAllowed(
  ctx: Pick<Context, 'deps' | 'viewer' | 'cache'>,
  kind: PostingKind,
  body: string,
  field = 'body',
): Promise<ActiveMember> {
  const active = await requireActiveMember(ctx, { posting: true });
  const rules = rulesOf(ctx);
  const now = ctx.deps.services.clock.now();
  if (!isNewMember(rules, active.member, now)) return active;
  const problem = kind === 'comment' ? null : contentProblem(rules, body);
  if (problem) throw new ValidationError(`${problem} ${liftsText(rules, active.member, now)}`, field);
  if (kind === 'comment' && countLinks(body) > rules.newMember.maxLinksPerPost) {
    throw new ValidationError(
      `New members can include at most ${rules.newMember.maxLinksPerPost} links in a comment. ${liftsText(rules, active.member, now)}`,
      field,
    );
  }
  try {
    await limitersOf(ctx)[kind].consume(active.viewer.id, 1);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) return active; // Redis down: no new-member rate limit (fail open)
    const again = new Date(now.getTime() + error.msBeforeNext);
    throw new ForbiddenError(`${RATE_TEXT[kind](rules)} You can post again at ${when(again)}. ${liftsText(rules, active.member, now)}`);
  }
  return active;
}

/**
 * A comment by the viewer on a post: their own posts and answers to their own question always;
 * elsewhere the commentEverywhere privilege; then the new-member limits.
 */
export async function requireCommentAllowed(
  ctx: Pick<Context, 'deps' | 'viewer' | 'cache'>,
  post: { authorId: { toString(): string }; type: string; questionId?: { toString(): string } | null },
  body: string,
): Promise<ActiveMember> {
  const active = await requireActiveMember(ctx, { posting: true });
  if (post.authorId.toString() !== active.viewer.id) {
    const question =
      post.type === 'answer' && post.questionId ? await reposOf(ctx).posts.findById(String(post.questionId), 'authorId') : null;
    if (question?.authorId.toString() !== active.viewer.id) requirePrivilege(active.member, 'commentEverywhere', rulesOf(ctx).privileges);
  }
  return requirePostingAllowed(ctx, 'comment', body);
}
