// The audit log: every moderation and administrative action, appended once with its actor,
// target, reason and before/after. Services of any module call `recordAudit` after their write.
import { Types } from 'mongoose';
import type { AppDeps, Context } from '../../context.js';
import { ValidationError } from '../../lib/errors.js';
import { reposOf } from '../services.js';
import type { AuditDoc } from './audit.model.js';
import { requireModerator } from './member.js';

export interface AuditInput {
  /** e.g. "flag.helpful", "post.hidden", "member.suspended" */
  action: string;
  targetType: string;
  targetId: string | Types.ObjectId;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
  data?: Record<string, unknown> | null;
  /** who did it; default: the viewer (null: the system) */
  actorId?: string | Types.ObjectId | null;
  at?: Date;
}

/** Appends one entry to the audit log (append-only). */
export async function recordAudit(ctx: { deps: AppDeps; viewer?: Context['viewer'] }, input: AuditInput): Promise<AuditDoc> {
  const actor = input.actorId === undefined ? (ctx.viewer?.id ?? null) : input.actorId;
  return reposOf(ctx).audit.append({
    at: input.at ?? ctx.deps.services.clock.now(),
    actorId: actor ? new Types.ObjectId(String(actor)) : null,
    action: input.action,
    targetType: input.targetType,
    targetId: String(input.targetId),
    reason: input.reason ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    data: input.data ?? null,
  });
}

const HEX = /^[0-9a-f]{24}$/i;

/** Moderators read the log, newest first, filtered by actor, target and/or action. */
export async function moderationLog(
  ctx: Context,
  args: { first: number; after?: string | null; actorId?: string | null; targetId?: string | null; action?: string | null },
): Promise<{ entries: AuditDoc[]; hasNextPage: boolean }> {
  await requireModerator(ctx);
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > 100)
    throw new ValidationError('first must be between 1 and 100', 'first');
  if (args.after && !HEX.test(args.after)) throw new ValidationError('is not a valid cursor', 'after');
  if (args.actorId && !HEX.test(args.actorId)) throw new ValidationError('is not a member id', 'actorId');
  const rows = await reposOf(ctx).audit.pageOf(
    { actorId: args.actorId ?? null, targetId: args.targetId ?? null, action: args.action ?? null },
    args.after ?? null,
    args.first + 1,
  );
  return { entries: rows.slice(0, args.first), hasNextPage: rows.length > args.first };
}
