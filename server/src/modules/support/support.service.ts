// Vendor support: product versions, SLA policies, the engineer queue, assignment, suggested
// assignees and escalation to support cases. The tickets' timers are kept by the `support`
// activity handler (support.handler.ts) and the breach-warning tick (support.tick.ts).
import { Types } from 'mongoose';
import { z } from 'zod';
import type { AppDeps, Context } from '../../context.js';
import { requestScoped } from '../../graphql/request-scoped.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../lib/errors.js';
import { toObjectId } from '../../lib/ids.js';
import { parseInput } from '../../lib/validate.js';
import { publishActivity } from '../activity/activity.js';
import type { OrganizationDoc } from '../organization/organization.model.js';
import { organizationOf } from '../organization/organization.service.js';
import { loadAnswer, loadQuestion } from '../post/post.service.js';
import { reposOf, servicesOf } from '../services.js';
import { requireWriter } from '../user/user.service.js';
import { isTimeZone } from './business-hours.js';
import type { SupportCaseDoc, SupportSpaceDoc, TicketDoc } from './support.model.js';
import { canEscalate, canWorkSpace, engineerSpaces } from './support.policy.js';
import type { SupportQueue } from './support.repository.js';
import { inQueue, phaseOf, queueScore, slaStateOf, type SlaState } from './support.rules.js';

type Ctx = Pick<Context, 'deps' | 'viewer' | 'cache'>;

export const queueOf = (deps: AppDeps): SupportQueue => deps.repos.support.queue(deps.redis, deps.config.redisPrefix);

/** The viewer's organisation, once per request. */
export function viewerOrg(ctx: Ctx): Promise<OrganizationDoc | null> {
  const viewer = ctx.viewer;
  if (!viewer) return Promise.resolve(null);
  return requestScoped(ctx, 'support:viewer-org', () => organizationOf(ctx.deps, viewer.id));
}

/** The spaces the viewer works as an engineer ('ALL' for admins); none for everybody else. */
export async function viewerEngineerSpaces(ctx: Ctx): Promise<'ALL' | string[]> {
  return engineerSpaces(ctx.viewer, await viewerOrg(ctx));
}

export async function viewerWorksSpace(ctx: Ctx, spaceId: Types.ObjectId | string): Promise<boolean> {
  return canWorkSpace(ctx.viewer, await viewerOrg(ctx), spaceId);
}

async function requireEngineer(ctx: Ctx, spaceId: Types.ObjectId | string): Promise<void> {
  if (!ctx.viewer) throw new UnauthenticatedError();
  if (!(await viewerWorksSpace(ctx, spaceId))) throw new ForbiddenError('Only the vendor’s engineers of this space may do that.');
}

/** A space's support settings (defaults when none were saved). */
export async function supportSpace(deps: AppDeps, spaceId: Types.ObjectId): Promise<SupportSpaceDoc> {
  return (
    (await deps.repos.support.spaces.findCachedById(spaceId)) ?? {
      _id: spaceId,
      versions: [],
      timeZone: 'UTC',
      workingDays: [1, 2, 3, 4, 5],
      startMinute: 540,
      endMinute: 1020,
      holidays: [],
      warnBeforeMinutes: 60,
      targets: [],
    }
  );
}

/** The space (by raw id) when the viewer works it; NOT_FOUND / UNAUTHENTICATED / FORBIDDEN otherwise. */
export async function requireEngineerOfSpace(ctx: Ctx, spaceId: string): Promise<Types.ObjectId> {
  const id = await loadSpaceId(ctx, spaceId);
  await requireEngineer(ctx, id);
  return id;
}

async function loadSpaceId(ctx: Ctx, spaceId: string): Promise<Types.ObjectId> {
  const id = toObjectId(spaceId);
  const space = id ? await reposOf(ctx).spaces.findById(id, '_id') : null;
  if (!space) throw new NotFoundError('The space');
  return space._id;
}

// ---------------------------------------------------------------------------------------------
// product versions

const VERSION = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z][0-9A-Za-z._+-]{0,19}$/, { error: 'use up to 20 letters, digits, ".", "_", "+" or "-"' });
const addVersionInput = z.object({ spaceId: z.string(), version: VERSION });

export async function addProductVersion(ctx: Context, raw: z.input<typeof addVersionInput>): Promise<SupportSpaceDoc> {
  requireWriter(ctx);
  const input = parseInput(addVersionInput, raw);
  const spaceId = await loadSpaceId(ctx, input.spaceId);
  await requireEngineer(ctx, spaceId);
  const current = await supportSpace(ctx.deps, spaceId);
  if (current.versions.includes(input.version)) throw new ValidationError('is already declared', 'version');
  if (current.versions.length >= 100) throw new ValidationError('a space declares at most 100 versions', 'version');
  await reposOf(ctx).support.spaces.update(spaceId, { $push: { versions: input.version } }, { upsert: true });
  await publishActivity(ctx, {
    type: 'support.version.added',
    actorId: ctx.viewer!.id,
    subjectId: spaceId.toHexString(),
    spaceId: spaceId.toHexString(),
    data: { version: input.version },
  });
  return supportSpace(ctx.deps, spaceId);
}

/** verifyAnswer's versions: each declared by the answer's space (bad input changes nothing). */
export async function assertDeclaredVersions(ctx: Ctx, answerId: string, versions: readonly string[]): Promise<void> {
  if (versions.length === 0) return;
  if (versions.length > 50) throw new ValidationError('at most 50 versions', 'versions');
  const answer = await loadAnswer(ctx, answerId);
  const declared = (await supportSpace(ctx.deps, answer.spaceId)).versions;
  const unknown = versions.filter((v) => !declared.includes(v));
  if (unknown.length) throw new ValidationError(`not a version of this product: ${unknown.join(', ')}`, 'versions');
}

// ---------------------------------------------------------------------------------------------
// SLA policy

const policyInput = z.object({
  spaceId: z.string(),
  timeZone: z.string().refine(isTimeZone, { error: 'is not a known time zone' }),
  workingDays: z.array(z.number().int().min(1).max(7)).max(7),
  startMinute: z.number().int().min(0).max(1440),
  endMinute: z.number().int().min(0).max(1440),
  holidays: z
    .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'use YYYY-MM-DD' }))
    .max(200)
    .default([]),
  warnBeforeMinutes: z.number().int().min(0).max(10_080).default(60),
  targets: z
    .array(
      z.object({
        tier: z.string().trim().min(1).max(30),
        firstResponseMinutes: z.number().int().min(1).max(100_000),
        resolutionMinutes: z.number().int().min(1).max(1_000_000),
      }),
    )
    .min(1, { error: 'set at least the DEFAULT target' })
    .max(20),
});

export async function slaPolicy(ctx: Ctx, spaceId: string): Promise<SupportSpaceDoc> {
  const id = await loadSpaceId(ctx, spaceId);
  await requireEngineer(ctx, id);
  return supportSpace(ctx.deps, id);
}

export async function updateSlaPolicy(ctx: Context, raw: z.input<typeof policyInput>): Promise<SupportSpaceDoc> {
  requireWriter(ctx);
  const input = parseInput(policyInput, raw);
  if (input.endMinute <= input.startMinute) throw new ValidationError('must be after the opening time', 'endMinute');
  if (new Set(input.targets.map((t) => t.tier)).size !== input.targets.length) throw new ValidationError('one target per tier', 'targets');
  const spaceId = await loadSpaceId(ctx, input.spaceId);
  await requireEngineer(ctx, spaceId);
  const { spaceId: _ignored, ...set } = input;
  await reposOf(ctx).support.spaces.update(spaceId, { $set: set }, { upsert: true });
  return supportSpace(ctx.deps, spaceId);
}

// ---------------------------------------------------------------------------------------------
// the queue

export interface QueueFilter {
  mine?: boolean | null;
  unassigned?: boolean | null;
  breached?: boolean | null;
  escalated?: boolean | null;
  reverify?: boolean | null;
  spaceId?: string | null;
}

export interface QueueEntry {
  ticket: TicketDoc;
  state: SlaState;
  dueAt: Date | null;
  /** minutes until the deadline (negative: past it); null without one */
  minutesLeft: number | null;
}

export function entryOf(ticket: TicketDoc, now: Date): QueueEntry {
  const { dueAt } = phaseOf(ticket);
  return {
    ticket,
    state: slaStateOf(ticket, now),
    dueAt,
    minutesLeft: dueAt ? Math.floor((dueAt.getTime() - now.getTime()) / 60_000) : null,
  };
}

/** The engineer queue, soonest deadline first; `offset` pages it. */
export async function supportQueue(ctx: Ctx, filter: QueueFilter, window: { offset: number; limit: number }) {
  if (!ctx.viewer) throw new UnauthenticatedError();
  const mine = await viewerEngineerSpaces(ctx);
  if (mine !== 'ALL' && mine.length === 0) throw new ForbiddenError('Only vendor engineers see the support queue.');
  const queue = queueOf(ctx.deps);
  let spaces = mine === 'ALL' ? await queue.spaces() : mine;
  if (filter.spaceId) {
    if (mine !== 'ALL' && !mine.includes(filter.spaceId)) throw new ForbiddenError('This space is not one of your products.');
    spaces = [filter.spaceId];
  }
  const items = await queue.entries(spaces);
  const tickets = await reposOf(ctx).support.tickets.findByIdsOrdered(items.map((i) => new Types.ObjectId(i.id)));
  const now = servicesOf(ctx).clock.now();
  const entries = tickets
    .filter((t): t is TicketDoc => t !== null && inQueue(t))
    .map((t) => entryOf(t, now))
    .filter((e) => {
      const t = e.ticket;
      if (filter.mine && t.assigneeId?.toHexString() !== ctx.viewer!.id) return false;
      if (filter.unassigned && t.assigneeId) return false;
      if (filter.breached && e.state !== 'BREACHED') return false;
      if (filter.escalated && !t.caseOpen) return false;
      if (filter.reverify && !t.reverify) return false;
      return true;
    })
    .sort((a, b) => queueScore(a.ticket) - queueScore(b.ticket) || a.ticket._id.toHexString().localeCompare(b.ticket._id.toHexString()));
  return {
    total: entries.length,
    entries: entries.slice(window.offset, window.offset + window.limit),
    hasNextPage: window.offset + window.limit < entries.length,
  };
}

/** Puts a ticket where it belongs: in its space's queue by deadline, or out of it. */
export async function syncQueue(deps: AppDeps, ticket: TicketDoc): Promise<void> {
  const queue = queueOf(deps);
  if (inQueue(ticket)) await queue.put(ticket.spaceId.toHexString(), ticket._id.toHexString(), queueScore(ticket));
  else await queue.remove(ticket.spaceId.toHexString(), ticket._id.toHexString());
}

/** The ticket of a question the viewer may see (null: not a customer question). */
export async function ticketOfQuestion(ctx: Ctx, questionId: string): Promise<TicketDoc | null> {
  return reposOf(ctx).support.tickets.findCachedById(toObjectId(questionId));
}

async function loadTicket(ctx: Ctx, questionId: string): Promise<TicketDoc> {
  const question = await loadQuestion(ctx, questionId);
  const ticket = await reposOf(ctx).support.tickets.findById(question._id);
  if (!ticket) throw new ValidationError('is not a customer question in a vendor’s space', 'questionId');
  return ticket;
}

// ---------------------------------------------------------------------------------------------
// assignment

const assignInput = z.object({ questionId: z.string(), assigneeId: z.string().optional() });

export async function assignQuestion(ctx: Context, raw: z.input<typeof assignInput>): Promise<TicketDoc> {
  const viewer = requireWriter(ctx);
  const input = parseInput(assignInput, raw);
  const ticket = await loadTicket(ctx, input.questionId);
  await requireEngineer(ctx, ticket.spaceId);
  const assigneeId = toObjectId(input.assigneeId ?? viewer.id);
  if (!assigneeId) throw new ValidationError('is not a member id', 'assigneeId');
  if (assigneeId.toHexString() !== viewer.id) {
    const vendor = await reposOf(ctx).organizations.findById(ticket.vendorOrgId);
    if (!vendor?.memberIds.some((id) => id.equals(assigneeId)))
      throw new ValidationError('is not an engineer of this vendor', 'assigneeId');
  }
  if (ticket.assigneeId?.equals(assigneeId)) return ticket;
  const updated = await reposOf(ctx).support.tickets.updateIfReturning(
    ticket._id,
    { assigneeId: ticket.assigneeId },
    { $set: { assigneeId } },
  );
  if (!updated) throw new ValidationError('was assigned meanwhile; reload and try again', 'questionId');
  const queue = queueOf(ctx.deps);
  if (ticket.assigneeId) await queue.adjustLoad(ticket.assigneeId.toHexString(), -1);
  await queue.adjustLoad(assigneeId.toHexString(), 1);
  await publishActivity(ctx, {
    type: 'support.assigned',
    actorId: viewer.id,
    subjectId: ticket._id.toHexString(),
    questionId: ticket._id.toHexString(),
    spaceId: ticket.spaceId.toHexString(),
    data: { assigneeId: assigneeId.toHexString() },
  });
  return updated;
}

export async function unassignQuestion(ctx: Context, raw: { questionId: string }): Promise<TicketDoc> {
  requireWriter(ctx);
  const input = parseInput(z.object({ questionId: z.string() }), raw);
  const ticket = await loadTicket(ctx, input.questionId);
  await requireEngineer(ctx, ticket.spaceId);
  if (!ticket.assigneeId) return ticket;
  const updated = await reposOf(ctx).support.tickets.updateIfReturning(
    ticket._id,
    { assigneeId: ticket.assigneeId },
    { $set: { assigneeId: null } },
  );
  if (!updated) throw new ValidationError('was reassigned meanwhile; reload and try again', 'questionId');
  await queueOf(ctx.deps).adjustLoad(ticket.assigneeId.toHexString(), -1);
  return updated;
}

export interface SuggestedAssignee {
  userId: string;
  score: number;
  acceptedAnswers: number;
  answers: number;
  answerScore: number;
  /** the question's tags the engineer answers in */
  tags: string[];
  openAssignments: number;
}

/**
 * The vendor's engineers ranked for a question: accepted answers (×3), answers and answer score
 * in its tags (the tags' rollups), plus their profile's top-tag scores there; fewer open
 * assignments first among equals.
 */
export async function suggestedAssignees(ctx: Ctx, questionId: string, limit = 10): Promise<SuggestedAssignee[]> {
  const question = await loadQuestion(ctx, questionId);
  await requireEngineer(ctx, question.spaceId);
  const ticket = await reposOf(ctx).support.tickets.findById(question._id);
  const vendor = ticket ? await reposOf(ctx).organizations.findById(ticket.vendorOrgId) : ((await viewerOrg(ctx)) ?? null);
  const engineers = (vendor?.kind === 'VENDOR' ? vendor.memberIds : []).map((id) => id.toHexString()).slice(0, 200);
  if (engineers.length === 0) return [];
  const tags = question.tags.slice(0, 5);
  const tagStats = await reposOf(ctx).tagStats.findManyByIds(tags);
  const userStats = await reposOf(ctx).userStats.findManyByIds(engineers.map((id) => new Types.ObjectId(id)));
  const load = await queueOf(ctx.deps).load(engineers);
  const out = engineers.map((userId): SuggestedAssignee => {
    const s: SuggestedAssignee = {
      userId,
      score: 0,
      acceptedAnswers: 0,
      answers: 0,
      answerScore: 0,
      tags: [],
      openAssignments: load.get(userId) ?? 0,
    };
    for (const stats of tagStats) {
      const row = stats.answerers.find((a) => a.userId === userId);
      if (!row) continue;
      s.acceptedAnswers += row.acceptedCount;
      s.answers += row.answerCount;
      s.answerScore += row.score;
      s.tags.push(stats._id);
    }
    const profile = userStats.find((u) => u._id.toHexString() === userId);
    const profileScore = (profile?.topTags ?? []).filter((t) => tags.includes(t.name)).reduce((n, t) => n + Math.max(0, t.score), 0);
    s.score = s.acceptedAnswers * 3 + s.answers + Math.max(0, s.answerScore) + profileScore;
    return s;
  });
  return out.sort((a, b) => b.score - a.score || a.openAssignments - b.openAssignments || a.userId.localeCompare(b.userId)).slice(0, limit);
}

// ---------------------------------------------------------------------------------------------
// escalation

const escalateInput = z.object({
  questionId: z.string(),
  reason: z.string().trim().min(10, { error: 'must be at least 10 characters' }).max(2000),
  externalRef: z.string().trim().max(100).optional(),
});

export async function escalateQuestion(ctx: Context, raw: z.input<typeof escalateInput>) {
  const viewer = requireWriter(ctx);
  const input = parseInput(escalateInput, raw);
  const ticket = await loadTicket(ctx, input.questionId);
  if (!canEscalate(viewer, await viewerOrg(ctx), ticket))
    throw new ForbiddenError('Only the asker or the vendor’s engineers escalate a question.');
  if (ticket.caseOpen && ticket.caseId) {
    const open = await reposOf(ctx).support.cases.findById(ticket.caseId);
    if (open && open.status !== 'RESOLVED') throw new ValidationError('is already escalated', 'questionId');
  }
  const created = await reposOf(ctx).support.cases.create({
    questionId: ticket._id,
    spaceId: ticket.spaceId,
    openedById: new Types.ObjectId(viewer.id),
    reason: input.reason,
    status: 'OPEN',
    externalRef: input.externalRef ?? null,
    resolutionAnswerId: null,
    resolutionUrl: null,
    resolvedAt: null,
  });
  const updated = (await reposOf(ctx).support.tickets.updateReturning(ticket._id, { $set: { caseId: created._id, caseOpen: true } }))!;
  await syncQueue(ctx.deps, updated);
  await publishActivity(ctx, {
    type: 'support.escalated',
    actorId: viewer.id,
    subjectId: created._id.toHexString(),
    questionId: ticket._id.toHexString(),
    spaceId: ticket.spaceId.toHexString(),
    data: { caseId: created._id.toHexString(), reason: input.reason, externalRef: created.externalRef },
  });
  return { supportCase: created, ticket: updated };
}

const caseInput = z.object({
  caseId: z.string(),
  status: z.enum(['OPEN', 'IN_PROGRESS', 'RESOLVED']).optional(),
  externalRef: z.string().trim().max(100).optional(),
  resolutionAnswerId: z.string().optional(),
  resolutionUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2000)
    .optional(),
});

export async function loadCase(ctx: Ctx, caseId: string): Promise<SupportCaseDoc> {
  const id = toObjectId(caseId);
  const found = id ? await reposOf(ctx).support.cases.findById(id) : null;
  if (!found) throw new NotFoundError('The support case');
  return found;
}

export async function updateSupportCase(ctx: Context, raw: z.input<typeof caseInput>) {
  const viewer = requireWriter(ctx);
  const input = parseInput(caseInput, raw);
  const supportCase = await loadCase(ctx, input.caseId);
  await requireEngineer(ctx, supportCase.spaceId);
  const set: Record<string, unknown> = {};
  if (input.externalRef !== undefined) set.externalRef = input.externalRef;
  if (input.status) set.status = input.status;
  let resolvedBy: Types.ObjectId | null = null;
  if (input.resolutionAnswerId) {
    const answer = await loadAnswer(ctx, input.resolutionAnswerId);
    if (!answer.questionId?.equals(supportCase.questionId))
      throw new ValidationError('is not an answer to the escalated question', 'resolutionAnswerId');
    resolvedBy = answer._id;
    set.resolutionAnswerId = answer._id;
  }
  if (input.resolutionUrl) set.resolutionUrl = input.resolutionUrl;
  if (input.status === 'RESOLVED') {
    if (!resolvedBy && !input.resolutionUrl && !supportCase.resolutionAnswerId && !supportCase.resolutionUrl)
      throw new ValidationError('resolve with the public answer or a link to it', 'resolutionAnswerId');
    set.resolvedAt = servicesOf(ctx).clock.now();
  }
  const updated = (await reposOf(ctx).support.cases.updateReturning(supportCase._id, { $set: set }))!;
  const ticket = await reposOf(ctx).support.tickets.findById(supportCase.questionId);
  if (ticket?.caseId?.equals(supportCase._id)) {
    const now = servicesOf(ctx).clock.now();
    const ticketSet: Record<string, unknown> = { caseOpen: updated.status !== 'RESOLVED' };
    if (updated.status === 'RESOLVED' && ticket.status === 'OPEN' && (resolvedBy || updated.resolutionUrl)) {
      // the public answer closes the loop: the question leaves the queue
      Object.assign(ticketSet, { status: 'RESOLVED', resolvedAt: now, firstResponseAt: ticket.firstResponseAt ?? now });
    }
    const next = (await reposOf(ctx).support.tickets.updateReturning(ticket._id, { $set: ticketSet }))!;
    await syncQueue(ctx.deps, next);
    if (ticket.assigneeId && !inQueue(next) && inQueue(ticket)) await queueOf(ctx.deps).adjustLoad(ticket.assigneeId.toHexString(), -1);
  }
  if (updated.status === 'RESOLVED' && supportCase.status !== 'RESOLVED') {
    await publishActivity(ctx, {
      type: 'support.resolved',
      actorId: viewer.id,
      subjectId: updated._id.toHexString(),
      questionId: updated.questionId.toHexString(),
      spaceId: updated.spaceId.toHexString(),
      data: {
        caseId: updated._id.toHexString(),
        resolutionAnswerId: updated.resolutionAnswerId?.toHexString() ?? null,
        resolutionUrl: updated.resolutionUrl,
      },
    });
  }
  return updated;
}
