import DataLoader from 'dataloader';
import type { Types } from 'mongoose';
import { builder, needsScope } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { noteReads, requestScoped } from '../../graphql/request-scoped.js';
import { rawId, toObjectId } from '../../lib/ids.js';
import { OrganizationRef } from '../organization/organization.graphql.js';
import { AnswerRef, QuestionRef } from '../post/post.refs.js';
import { SpaceRef } from '../space/space.refs.js';
import { UserRef } from '../user/user.refs.js';
import { reposOf, servicesOf } from '../services.js';
import type { SlaTarget, SupportCaseDoc, SupportSpaceDoc, TicketDoc } from './support.model.js';
import { canEscalate, canSeeCase } from './support.policy.js';
import { coversLatest, phaseOf, verificationLabel } from './support.rules.js';
import {
  addProductVersion,
  assignQuestion,
  entryOf,
  escalateQuestion,
  loadCase,
  slaPolicy,
  suggestedAssignees,
  supportQueue,
  supportSpace,
  unassignQuestion,
  updateSlaPolicy,
  updateSupportCase,
  viewerOrg,
  viewerWorksSpace,
  type QueueEntry,
  type SuggestedAssignee,
} from './support.service.js';
import type { Context } from '../../context.js';

const SlaStateEnum = builder.enumType('SlaState', {
  values: ['ON_TRACK', 'BREACHING', 'BREACHED', 'MET', 'NONE'] as const,
  description: 'BREACHING: within the warning window before the deadline; BREACHED: past it.',
});
const SlaPhaseEnum = builder.enumType('SlaPhase', {
  values: ['FIRST_RESPONSE', 'RESOLUTION', 'REVERIFY', 'CASE', 'DONE'] as const,
});
const SupportCaseStatusEnum = builder.enumType('SupportCaseStatus', { values: ['OPEN', 'IN_PROGRESS', 'RESOLVED'] as const });

const SlaTargetRef = builder.objectRef<SlaTarget>('SlaTarget').implement({
  fields: (t) => ({
    tier: t.exposeString('tier'),
    firstResponseMinutes: t.exposeInt('firstResponseMinutes', { description: 'business minutes to the first vendor response' }),
    resolutionMinutes: t.exposeInt('resolutionMinutes', { description: 'business minutes to an accepted or verified answer' }),
  }),
});

const SlaPolicyRef = builder.objectRef<SupportSpaceDoc>('SlaPolicy').implement({
  description: 'A space’s SLA policy: business calendar and targets per customer support tier.',
  fields: (t) => ({
    space: t.field({ type: SpaceRef, resolve: (p) => p._id.toHexString() }),
    timeZone: t.exposeString('timeZone'),
    workingDays: t.exposeIntList('workingDays', { description: 'ISO weekdays: 1 = Monday … 7 = Sunday' }),
    startMinute: t.exposeInt('startMinute'),
    endMinute: t.exposeInt('endMinute'),
    holidays: t.exposeStringList('holidays'),
    warnBeforeMinutes: t.exposeInt('warnBeforeMinutes'),
    targets: t.field({ type: [SlaTargetRef], resolve: (p) => p.targets }),
  }),
});

export const SupportCaseRef = builder.loadableNodeRef<SupportCaseDoc, string, string>('SupportCase', {
  id: { resolve: (c) => c._id.toHexString() },
  load: async (ids, ctx: Context) => {
    noteReads(
      ctx,
      ids.map((id) => `support_cases:${id}`),
    );
    const docs = await reposOf(ctx).support.cases.findManyByIds(ids.map((id) => toObjectId(id)).filter((id) => id !== null));
    const org = await viewerOrg(ctx);
    const byId = new Map(
      docs.filter((d) => canSeeCase(ctx.viewer, org, { askerId: d.openedById, spaceId: d.spaceId })).map((d) => [d._id.toHexString(), d]),
    );
    return ids.map((id) => byId.get(id) ?? new Error(`SupportCase ${id} not found`));
  },
});

SupportCaseRef.implement({
  description: 'A question escalated to the vendor’s support.',
  fields: (t) => ({
    status: t.field({ type: SupportCaseStatusEnum, resolve: (c) => c.status }),
    reason: t.exposeString('reason'),
    externalRef: t.exposeString('externalRef', { nullable: true, description: 'The ticket in the vendor’s support system' }),
    question: t.field({ type: QuestionRef, resolve: (c) => c.questionId.toHexString() }),
    openedBy: t.field({ type: UserRef, resolve: (c) => c.openedById.toHexString() }),
    resolutionAnswer: t.field({ type: AnswerRef, nullable: true, resolve: (c) => c.resolutionAnswerId?.toHexString() ?? null }),
    resolutionUrl: t.exposeString('resolutionUrl', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    resolvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.resolvedAt }),
  }),
});

const SupportQueueEntryRef = builder.objectRef<QueueEntry>('SupportQueueEntry').implement({
  description: 'A customer question in the engineer queue, with its SLA timers.',
  fields: (t) => ({
    question: t.field({ type: QuestionRef, resolve: (e) => e.ticket._id.toHexString() }),
    slaState: t.field({ type: SlaStateEnum, resolve: (e) => e.state }),
    phase: t.field({ type: SlaPhaseEnum, resolve: (e) => phaseOf(e.ticket).phase }),
    dueAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.dueAt }),
    minutesLeft: t.int({ nullable: true, resolve: (e) => e.minutesLeft }),
    askedAt: t.field({ type: 'DateTime', resolve: (e) => e.ticket.askedAt }),
    firstResponseDue: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.ticket.firstResponseDue }),
    firstResponseAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.ticket.firstResponseAt }),
    resolutionDue: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.ticket.resolutionDue }),
    resolvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.ticket.resolvedAt }),
    tier: t.string({ resolve: (e) => e.ticket.tier }),
    customer: t.field({ type: OrganizationRef, resolve: (e) => e.ticket.customerOrgId.toHexString() }),
    assignee: t.field({ type: UserRef, nullable: true, resolve: (e) => e.ticket.assigneeId?.toHexString() ?? null }),
    reverify: t.boolean({ resolve: (e) => e.ticket.reverify }),
    escalated: t.boolean({ resolve: (e) => e.ticket.caseOpen }),
    supportCase: t.field({ type: SupportCaseRef, nullable: true, resolve: (e) => e.ticket.caseId?.toHexString() ?? null }),
    // a ticket upserted with an empty list may come back without the field (FerretDB)
    verifiedVersions: t.stringList({ resolve: (e) => e.ticket.verifiedVersions ?? [] }),
  }),
});

const SupportQueuePageRef = builder
  .objectRef<{ total: number; entries: QueueEntry[]; hasNextPage: boolean; offset: number }>('SupportQueuePage')
  .implement({
    fields: (t) => ({
      totalCount: t.exposeInt('total'),
      nodes: t.field({ type: [SupportQueueEntryRef], resolve: (p) => p.entries }),
      hasNextPage: t.exposeBoolean('hasNextPage'),
      endCursor: t.string({ nullable: true, resolve: (p) => (p.hasNextPage ? String(p.offset + p.entries.length) : null) }),
    }),
  });

const SuggestedAssigneeRef = builder.objectRef<SuggestedAssignee>('SuggestedAssignee').implement({
  description: 'An engineer ranked for a question by expertise in its tags and current load.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (s) => s.userId }),
    score: t.exposeInt('score'),
    acceptedAnswers: t.exposeInt('acceptedAnswers'),
    answers: t.exposeInt('answers'),
    answerScore: t.exposeInt('answerScore'),
    tags: t.exposeStringList('tags'),
    openAssignments: t.exposeInt('openAssignments'),
  }),
});

const SupportQueueFilterInput = builder.inputType('SupportQueueFilter', {
  fields: (t) => ({
    mine: t.boolean({ required: false }),
    unassigned: t.boolean({ required: false }),
    breached: t.boolean({ required: false }),
    escalated: t.boolean({ required: false }),
    reverify: t.boolean({ required: false }),
    spaceId: t.id({ required: false }),
  }),
});

builder.objectFields(SpaceRef, (t) => ({
  versions: t.stringList({
    description: 'The product’s versions, oldest first.',
    resolve: async (s, _a, ctx) => {
      return (await spaceSettings(ctx, s._id)).versions;
    },
  }),
}));

/** An answer's verification, batched per request (one read by `_id` per answer). */
function verificationOf(ctx: Context, answerId: string) {
  const loader = requestScoped(
    ctx,
    'support:verifications',
    () =>
      new DataLoader(async (ids: readonly string[]) => {
        const oids = ids.map((id) => toObjectId(id)).filter((id) => id !== null);
        const docs = await reposOf(ctx).support.verifications.findManyByIds(oids);
        const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
  );
  return loader.load(answerId);
}

/** A space's support settings, once per request and space. */
function spaceSettings(ctx: Context, spaceId: Types.ObjectId): Promise<SupportSpaceDoc> {
  const memo = requestScoped(ctx, 'support:spaces', () => new Map<string, Promise<SupportSpaceDoc>>());
  const key = spaceId.toHexString();
  let hit = memo.get(key);
  if (!hit) {
    noteReads(ctx, [`support_spaces:${key}`]);
    hit = supportSpace(ctx.deps, spaceId);
    memo.set(key, hit);
  }
  return hit;
}

builder.objectFields(AnswerRef, (t) => ({
  verifiedVersions: t.stringList({
    description: 'The product versions a staff member verified this answer for.',
    resolve: async (a, _x, ctx) => (a.verifiedAt ? ((await verificationOf(ctx, a._id.toHexString()))?.versions ?? []) : []),
  }),
  verificationLabel: t.string({
    nullable: true,
    description: '"Verified for 3.2–4.0"; lower-case "verified for 4.0" when the newest version is not covered.',
    resolve: async (a, _x, ctx) => {
      if (!a.verifiedAt) return null;
      const versions = (await verificationOf(ctx, a._id.toHexString()))?.versions ?? [];
      return verificationLabel((await spaceSettings(ctx, a.spaceId)).versions, versions);
    },
  }),
  verificationOutdated: t.boolean({
    description: 'Verified for versions that do not include the newest one.',
    resolve: async (a, _x, ctx) => {
      const versions = a.verifiedAt ? ((await verificationOf(ctx, a._id.toHexString()))?.versions ?? []) : [];
      return versions.length > 0 && !coversLatest((await spaceSettings(ctx, a.spaceId)).versions, versions);
    },
  }),
}));

/** A question's support ticket (null: not a customer question), once per request. */
function ticketFor(ctx: Context, questionId: string): Promise<TicketDoc | null> {
  const memo = requestScoped(ctx, 'support:tickets', () => new Map<string, Promise<TicketDoc | null>>());
  let hit = memo.get(questionId);
  if (!hit) {
    const id = toObjectId(questionId);
    noteReads(ctx, [`support_tickets:${questionId}`]);
    hit = reposOf(ctx).support.tickets.findCachedById(id);
    memo.set(questionId, hit);
  }
  return hit;
}

builder.objectFields(QuestionRef, (t) => ({
  escalatedToSupport: t.boolean({
    description: 'An open support case exists for this question.',
    resolve: async (q, _a, ctx) => !!(await ticketFor(ctx, q._id.toHexString()))?.caseOpen,
  }),
  verifiedVersionsLabel: t.string({
    nullable: true,
    description: 'Which product versions the verified answer applies to, e.g. "Verified for 3.2–4.0".',
    resolve: async (q, _a, ctx) => {
      if (!q.verifiedAnswerId) return null;
      const v = await verificationOf(ctx, q.verifiedAnswerId.toHexString());
      return v ? verificationLabel((await spaceSettings(ctx, q.spaceId)).versions, v.versions) : null;
    },
  }),
  supportCase: t.field({
    type: SupportCaseRef,
    nullable: true,
    description: 'The latest support case (the asker and the vendor’s engineers).',
    resolve: async (q, _a, ctx) => {
      const ticket = await ticketFor(ctx, q._id.toHexString());
      if (!ticket?.caseId) return null;
      return canSeeCase(ctx.viewer, await viewerOrg(ctx), ticket) ? ticket.caseId.toHexString() : null;
    },
  }),
  viewerCanEscalate: t.boolean({
    description: 'A customer question the viewer (its asker or an engineer of its space) may escalate now.',
    resolve: async (q, _a, ctx) => {
      const ticket = await ticketFor(ctx, q._id.toHexString());
      if (!ticket || ticket.caseOpen || q.deletedAt) return false;
      return canEscalate(ctx.viewer, await viewerOrg(ctx), ticket);
    },
  }),
  viewerWorksSupport: t.boolean({
    description: 'The viewer is an engineer of the question’s space (assign, verify for versions, resolve cases).',
    resolve: (q, _a, ctx) => viewerWorksSpace(ctx, q.spaceId),
  }),
  support: t.field({
    type: SupportQueueEntryRef,
    nullable: true,
    description: 'SLA timers and assignment (the vendor’s engineers only).',
    resolve: async (q, _a, ctx) => {
      const ticket = await ticketFor(ctx, q._id.toHexString());
      if (!ticket || !(await viewerWorksSpace(ctx, ticket.spaceId))) return null;
      return entryOf(ticket, servicesOf(ctx).clock.now());
    },
  }),
}));

builder.queryFields((t) => ({
  slaPolicy: t.field({
    type: SlaPolicyRef,
    args: { spaceId: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => slaPolicy(ctx, rawId(args.spaceId, ['Space'], 'spaceId')),
  }),
  supportQueue: t.field({
    type: SupportQueuePageRef,
    description: 'Customer questions needing the vendor, soonest deadline first (vendor engineers).',
    args: {
      filter: t.arg({ type: SupportQueueFilterInput, required: false }),
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
    },
    resolve: async (_r, args, ctx) => {
      const f = args.filter ?? {};
      const offset = Math.max(0, Number.parseInt(args.after ?? '0', 10) || 0);
      const limit = Math.min(100, Math.max(1, args.first ?? 25));
      const page = await supportQueue(ctx, { ...f, spaceId: f.spaceId ? rawId(f.spaceId, ['Space'], 'spaceId') : null }, { offset, limit });
      return { ...page, offset };
    },
  }),
  suggestedAssignees: t.field({
    type: [SuggestedAssigneeRef],
    args: { questionId: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => suggestedAssignees(ctx, rawId(args.questionId, ['Question'], 'questionId')),
  }),
  supportCase: t.field({
    type: SupportCaseRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const c = await loadCase(ctx, rawId(args.id, ['SupportCase'], 'id')).catch(() => null);
      return c && canSeeCase(ctx.viewer, await viewerOrg(ctx), { askerId: c.openedById, spaceId: c.spaceId }) ? c : null;
    },
  }),
}));

builder.relayMutationField(
  'addProductVersion',
  { inputFields: (t) => ({ spaceId: t.id(), version: t.string() }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => {
        const s = await addProductVersion(ctx, { spaceId: rawId(input.spaceId, ['Space'], 'spaceId'), version: input.version });
        return { space: s._id.toHexString(), versions: s.versions };
      }),
  },
  {
    outputFields: (t) => ({
      space: t.field({ type: SpaceRef, nullable: true, resolve: (p) => p.space ?? null }),
      versions: t.stringList({ resolve: (p) => p.versions ?? [] }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

const SlaTargetInput = builder.inputType('SlaTargetInput', {
  fields: (t) => ({ tier: t.string(), firstResponseMinutes: t.int(), resolutionMinutes: t.int() }),
});

builder.relayMutationField(
  'updateSlaPolicy',
  {
    inputFields: (t) => ({
      spaceId: t.id(),
      timeZone: t.string(),
      workingDays: t.intList(),
      startMinute: t.int(),
      endMinute: t.int(),
      holidays: t.stringList({ required: false }),
      warnBeforeMinutes: t.int({ required: false }),
      targets: t.field({ type: [SlaTargetInput] }),
    }),
  },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        policy: await updateSlaPolicy(ctx, {
          ...input,
          spaceId: rawId(input.spaceId, ['Space'], 'spaceId'),
          holidays: input.holidays ?? undefined,
          warnBeforeMinutes: input.warnBeforeMinutes ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      policy: t.field({ type: SlaPolicyRef, nullable: true, resolve: (p) => p.policy ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

const entryPayload = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the field builder of several mutations' payloads
  outputFields: (t: any) => ({
    entry: t.field({ type: SupportQueueEntryRef, nullable: true, resolve: (p: { entry?: QueueEntry }) => p.entry ?? null }),
    errors: t.field({ type: [ErrorInterface], resolve: (p: { errors: unknown[] }) => p.errors }),
  }),
};

builder.relayMutationField(
  'assignQuestion',
  { inputFields: (t) => ({ questionId: t.id(), assigneeId: t.id({ required: false, description: 'default: yourself' }) }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => {
        const ticket = await assignQuestion(ctx, {
          questionId: rawId(input.questionId, ['Question'], 'questionId'),
          assigneeId: input.assigneeId ? rawId(input.assigneeId, ['User'], 'assigneeId') : undefined,
        });
        return { entry: entryOf(ticket, servicesOf(ctx).clock.now()) };
      }),
  },
  entryPayload,
);

builder.relayMutationField(
  'unassignQuestion',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => {
        const ticket = await unassignQuestion(ctx, { questionId: rawId(input.questionId, ['Question'], 'questionId') });
        return { entry: entryOf(ticket, servicesOf(ctx).clock.now()) };
      }),
  },
  entryPayload,
);

builder.relayMutationField(
  'escalateQuestion',
  { inputFields: (t) => ({ questionId: t.id(), reason: t.string(), externalRef: t.string({ required: false }) }) },
  {
    ...needsScope('write:questions'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => {
        const r = await escalateQuestion(ctx, {
          questionId: rawId(input.questionId, ['Question'], 'questionId'),
          reason: input.reason,
          externalRef: input.externalRef ?? undefined,
        });
        return { supportCase: r.supportCase };
      }),
  },
  {
    outputFields: (t) => ({
      supportCase: t.field({ type: SupportCaseRef, nullable: true, resolve: (p) => p.supportCase ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'updateSupportCase',
  {
    inputFields: (t) => ({
      caseId: t.id(),
      status: t.field({ type: SupportCaseStatusEnum, required: false }),
      externalRef: t.string({ required: false }),
      resolutionAnswerId: t.id({ required: false }),
      resolutionUrl: t.string({ required: false }),
    }),
  },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        supportCase: await updateSupportCase(ctx, {
          caseId: rawId(input.caseId, ['SupportCase'], 'caseId'),
          status: input.status ?? undefined,
          externalRef: input.externalRef ?? undefined,
          resolutionAnswerId: input.resolutionAnswerId ? rawId(input.resolutionAnswerId, ['Answer'], 'resolutionAnswerId') : undefined,
          resolutionUrl: input.resolutionUrl ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      supportCase: t.field({ type: SupportCaseRef, nullable: true, resolve: (p) => p.supportCase ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
