// Suspensions, silences and moderator messages. A suspended member signs in and reads but every
// write fails (member.ts requireActiveMember) with the reason and the end; a silenced one cannot
// post. Moderator messages wait on the member's standing until acknowledged (a banner).
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { renderMarkdown } from '../../lib/markdown.js';
import { parseInput } from '../../lib/validate.js';
import { isAtLeast } from '../../lib/roles.js';
import { reposOf, servicesOf } from '../services.js';
import { requireWriter } from '../user/user.service.js';
import { requireModerator, forgetStanding, isSuspended } from './member.js';
import { recordAudit } from './audit.service.js';
import type { ModeratorMessageDoc, StandingDoc } from './standing.model.js';

const reason = z.string().trim().min(5, { error: 'must be at least 5 characters' }).max(500, { error: 'must be at most 500 characters' });

async function loadTarget(ctx: Context, userId: string, moderatorId: string) {
  const oid = Types.ObjectId.isValid(userId) ? new Types.ObjectId(userId) : null;
  const user = oid ? await reposOf(ctx).users.findById(oid, '_id handle role') : null;
  if (!user) throw new NotFoundError('The member');
  if (user._id.toHexString() === moderatorId) throw new ForbiddenError('You cannot suspend or silence yourself.');
  if (isAtLeast(user.role, 'MODERATOR') && ctx.viewer?.role !== 'ADMIN')
    throw new ForbiddenError('Only administrators can suspend moderators.');
  return user;
}

const suspendInput = z.object({
  userId: z.string(),
  days: z
    .number()
    .int({ error: 'must be a whole number of days' })
    .min(1, { error: 'must be 1 to 365 days' })
    .max(365, { error: 'must be 1 to 365 days' }),
  reason,
});

export async function suspendMember(ctx: Context, raw: z.input<typeof suspendInput>): Promise<StandingDoc> {
  const { viewer } = await requireModerator(ctx);
  const input = parseInput(suspendInput, raw);
  const user = await loadTarget(ctx, input.userId, viewer.id);
  const now = servicesOf(ctx).clock.now();
  const until = new Date(now.getTime() + input.days * 86_400_000);
  const standing = reposOf(ctx).standing;
  const before = await standing.findById(user._id);
  const after = await standing.set(user._id, { suspendedUntil: until, suspensionReason: input.reason });
  forgetStanding(ctx, user._id.toHexString());
  await recordAudit(ctx, {
    action: 'member.suspended',
    targetType: 'User',
    targetId: user._id,
    reason: input.reason,
    before: { suspendedUntil: before?.suspendedUntil ?? null },
    after: { suspendedUntil: until },
    data: { days: input.days },
  });
  return after!;
}

export async function unsuspendMember(ctx: Context, raw: { userId: string; reason?: string | null }): Promise<StandingDoc> {
  const { viewer } = await requireModerator(ctx);
  const user = await loadTarget(ctx, raw.userId, viewer.id);
  const standing = reposOf(ctx).standing;
  const before = await standing.findById(user._id);
  if (!isSuspended(before, servicesOf(ctx).clock.now())) throw new ValidationError('this member is not suspended', 'userId');
  const after = await standing.set(user._id, { suspendedUntil: null, suspensionReason: null });
  await recordAudit(ctx, {
    action: 'member.unsuspended',
    targetType: 'User',
    targetId: user._id,
    reason: raw.reason ?? null,
    before: { suspendedUntil: before?.suspendedUntil ?? null },
    after: { suspendedUntil: null },
  });
  return after!;
}

const silenceInput = z.object({
  userId: z.string(),
  hours: z.number().int().min(1, { error: 'must be 1 to 720 hours' }).max(720, { error: 'must be 1 to 720 hours' }),
  reason,
});

export async function silenceMember(ctx: Context, raw: z.input<typeof silenceInput>): Promise<StandingDoc> {
  const { viewer } = await requireModerator(ctx);
  const input = parseInput(silenceInput, raw);
  const user = await loadTarget(ctx, input.userId, viewer.id);
  const until = new Date(servicesOf(ctx).clock.now().getTime() + input.hours * 3_600_000);
  const before = await reposOf(ctx).standing.findById(user._id);
  const after = await reposOf(ctx).standing.set(user._id, { silencedUntil: until, silenceReason: input.reason });
  await recordAudit(ctx, {
    action: 'member.silenced',
    targetType: 'User',
    targetId: user._id,
    reason: input.reason,
    before: { silencedUntil: before?.silencedUntil ?? null },
    after: { silencedUntil: until },
    data: { hours: input.hours },
  });
  return after!;
}

const messageInput = z.object({
  userId: z.string(),
  subject: z.string().trim().min(5, { error: 'must be at least 5 characters' }).max(150, { error: 'must be at most 150 characters' }),
  body: z.string().trim().min(20, { error: 'must be at least 20 characters' }).max(5000, { error: 'must be at most 5,000 characters' }),
});

export async function sendModeratorMessage(ctx: Context, raw: z.input<typeof messageInput>): Promise<ModeratorMessageDoc> {
  const { viewer } = await requireModerator(ctx);
  const input = parseInput(messageInput, raw);
  const oid = Types.ObjectId.isValid(input.userId) ? new Types.ObjectId(input.userId) : null;
  const user = oid ? await reposOf(ctx).users.findById(oid, '_id') : null;
  if (!user) throw new NotFoundError('The member');
  const message = await reposOf(ctx).standing.createMessage({
    _id: new Types.ObjectId(),
    userId: user._id,
    fromId: new Types.ObjectId(viewer.id),
    subject: input.subject,
    body: input.body,
    bodyHTML: renderMarkdown(input.body),
    createdAt: servicesOf(ctx).clock.now(),
  });
  await recordAudit(ctx, {
    action: 'member.messaged',
    targetType: 'User',
    targetId: user._id,
    reason: input.subject,
    data: { messageId: message._id.toHexString() },
  });
  return message;
}

/** The member acknowledges a moderator message addressed to them (allowed while suspended). */
export async function acknowledgeModeratorMessage(ctx: Context, messageId: string): Promise<ModeratorMessageDoc> {
  const viewer = requireWriter(ctx);
  const oid = Types.ObjectId.isValid(messageId) ? new Types.ObjectId(messageId) : null;
  const repo = reposOf(ctx).standing;
  const message = oid ? await repo.findMessage(oid) : null;
  if (!message || message.userId.toHexString() !== viewer.id) throw new NotFoundError('The message');
  const acknowledged = await repo.acknowledgeMessage(message, servicesOf(ctx).clock.now());
  forgetStanding(ctx, viewer.id);
  return acknowledged!;
}

/** The viewer's unacknowledged moderator messages (their own only). */
export async function pendingMessagesOf(ctx: Pick<Context, 'deps'>, standing: StandingDoc | null): Promise<ModeratorMessageDoc[]> {
  if (!standing?.pendingMessageIds?.length) return [];
  const docs = await reposOf(ctx).standing.findMessages(standing.pendingMessageIds);
  return docs.filter((m) => !m.acknowledgedAt).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** Suspended members now (moderators' dashboard). */
export async function suspendedMembers(ctx: Context, first: number) {
  await requireModerator(ctx);
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new ValidationError('first must be between 1 and 100', 'first');
  const repo = reposOf(ctx).standing;
  const rows = await repo.suspendedAt(servicesOf(ctx).clock.now(), first);
  const standings = new Map((await repo.findManyByIds(rows.map((r) => new Types.ObjectId(r.userId)))).map((s) => [s._id.toHexString(), s]));
  return rows.map((r) => standings.get(r.userId)).filter((s): s is StandingDoc => !!s);
}
