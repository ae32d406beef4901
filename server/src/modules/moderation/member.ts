// The viewer as moderation sees them: their member document (role, reputation, account age,
// through the users' entity cache) and their standing (suspension, silence), loaded once per
// request. Every write path asks `requireActiveMember`; privilege checks ask
// `requireViewerPrivilege`, which names the missing privilege.
import { Types } from 'mongoose';
import type { Context, Viewer } from '../../context.js';
import { ForbiddenError, UnauthenticatedError } from '../../lib/errors.js';
import { reposOf } from '../services.js';
import type { UserDoc } from '../user/user.model.js';
import { isModerator } from '../user/user.policy.js';
import { requireWriter } from '../user/user.service.js';
import { moderationRulesOf, type ModerationRules } from './moderation.rules.js';
import { hasPrivilege, requirePrivilege, type PrivilegeName } from './privileges.js';
import type { StandingDoc } from './standing.model.js';

type Ctx = Pick<Context, 'deps' | 'viewer' | 'cache'>;

export interface ActiveMember {
  viewer: Viewer;
  member: UserDoc;
  standing: StandingDoc | null;
}

/** The member document of a user (entity cache), memoised per request. */
export async function memberOf(ctx: Ctx, userId: string): Promise<UserDoc | null> {
  const key = `moderation:member:${userId}`;
  if (!ctx.cache.has(key)) {
    const id = Types.ObjectId.isValid(userId) ? new Types.ObjectId(userId) : null;
    ctx.cache.set(
      key,
      id
        ? reposOf(ctx)
            .users.findManyByIds([id])
            .then((r) => r[0] ?? null)
        : Promise.resolve(null),
    );
  }
  return ctx.cache.get(key) as Promise<UserDoc | null>;
}

/** A member's standing (null: never suspended, flagged or messaged), memoised per request. */
export async function standingOf(ctx: Ctx, userId: string): Promise<StandingDoc | null> {
  const key = `moderation:standing:${userId}`;
  if (!ctx.cache.has(key)) {
    const id = Types.ObjectId.isValid(userId) ? new Types.ObjectId(userId) : null;
    ctx.cache.set(key, id ? reposOf(ctx).standing.findById(id) : Promise.resolve(null));
  }
  return ctx.cache.get(key) as Promise<StandingDoc | null>;
}

/** Forget memoised standing after a write in this request. */
export function forgetStanding(ctx: Ctx, userId: string): void {
  ctx.cache.delete(`moderation:standing:${userId}`);
}

const when = (d: Date) =>
  d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace('T', ' ')
    .replace('Z', ' UTC');

/** Whether a standing suspends writes at `now`. */
export const isSuspended = (s: Pick<StandingDoc, 'suspendedUntil'> | null, now: Date) => !!s?.suspendedUntil && s.suspendedUntil > now;
export const isSilenced = (s: Pick<StandingDoc, 'silencedUntil'> | null, now: Date) => !!s?.silencedUntil && s.silencedUntil > now;

export function suspensionMessage(s: Pick<StandingDoc, 'suspendedUntil' | 'suspensionReason'>): string {
  return `Your account is suspended until ${when(s.suspendedUntil!)}: ${s.suspensionReason ?? 'no reason given'}. You can sign in and read, but not post, vote, flag or edit.`;
}

/**
 * A signed-in viewer allowed to write who is not suspended (nor silenced, for `posting`):
 * FORBIDDEN saying why and until when otherwise.
 */
export async function requireActiveMember(ctx: Ctx, options: { posting?: boolean } = {}): Promise<ActiveMember> {
  const viewer = requireWriter(ctx);
  const [member, standing] = await Promise.all([memberOf(ctx, viewer.id), standingOf(ctx, viewer.id)]);
  if (!member) throw new UnauthenticatedError();
  const now = ctx.deps.services.clock.now();
  if (isSuspended(standing, now)) throw new ForbiddenError(suspensionMessage(standing!));
  if (options.posting && isSilenced(standing, now)) {
    throw new ForbiddenError(
      `You are silenced until ${when(standing!.silencedUntil!)}: ${standing!.silenceReason ?? 'no reason given'}. You cannot post until then.`,
    );
  }
  return { viewer, member, standing };
}

/** The rules in force (thresholds from MODERATION_RULES). */
export const rulesOf = (ctx: Pick<Context, 'deps'>): ModerationRules => moderationRulesOf(ctx);

/** An active member holding the privilege; FORBIDDEN naming it otherwise ("You need 15 reputation to vote up."). */
export async function requireViewerPrivilege(ctx: Ctx, name: PrivilegeName): Promise<ActiveMember> {
  const active = await requireActiveMember(ctx);
  requirePrivilege(active.member, name, rulesOf(ctx).privileges);
  return active;
}

/** Whether the viewer holds a privilege (hints; no throw). */
export async function viewerHasPrivilege(ctx: Ctx, name: PrivilegeName): Promise<boolean> {
  if (!ctx.viewer) return false;
  const member = await memberOf(ctx, ctx.viewer.id);
  return hasPrivilege(member ? { role: member.role, reputation: member.reputation } : ctx.viewer, name, rulesOf(ctx).privileges);
}

/** Moderators and admins (by role), not suspended. */
export async function requireModerator(ctx: Ctx): Promise<ActiveMember> {
  if (!ctx.viewer) throw new UnauthenticatedError();
  if (!isModerator(ctx.viewer)) throw new ForbiddenError('Only moderators can do that.');
  return requireActiveMember(ctx);
}

/** Whether the member is new (limits apply): low reputation or a young account. */
export function isNewMember(rules: ModerationRules, member: Pick<UserDoc, 'reputation' | 'createdAt' | 'role'>, now: Date): boolean {
  if (member.role !== 'MEMBER') return false;
  const young = now.getTime() - new Date(member.createdAt).getTime() < rules.newMember.accountAgeHours * 3_600_000;
  return (member.reputation ?? 0) < rules.newMember.reputationBelow || young;
}
