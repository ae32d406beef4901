// Moderation's GraphQL: privileges on User, flags and their queue, suspensions, moderator
// messages and the audit log. Thin resolvers: one service call each.
import { Types } from 'mongoose';
import { builder, needsScope, sessionOnly } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { ValidationError } from '../../lib/errors.js';
import { rawId } from '../../lib/ids.js';
import { isModerator } from '../user/user.policy.js';
import { CommentRef } from '../comment/comment.refs.js';
import { visiblePostLoader } from '../loaders.js';
import { PostInterface } from '../post/post.graphql.js';
import { UserRef } from '../user/user.refs.js';
import type { UserDoc } from '../user/user.model.js';
import type { AuditDoc } from './audit.model.js';
import { moderationLog } from './audit.service.js';
import type { FlagDoc, FlagSubjectDoc } from './flag.model.js';
import { FLAG_REASONS, FLAG_SUBJECT_TYPES } from './flag.rules.js';
import { activeFlagsOf, flag, flagQueue, FLAG_RESOLUTIONS, handleFlags } from './flag.service.js';
import { isSilenced, isSuspended, rulesOf, standingOf, viewerHasPrivilege } from './member.js';
import { hasPrivilege, PRIVILEGE_ACTIONS, PRIVILEGE_NAMES, PRIVILEGES, privilegeMessage, type PrivilegeName } from './privileges.js';
import type { ModeratorMessageDoc, StandingDoc } from './standing.model.js';
import {
  acknowledgeModeratorMessage,
  pendingMessagesOf,
  sendModeratorMessage,
  silenceMember,
  suspendedMembers,
  suspendMember,
  unsuspendMember,
} from './suspension.service.js';

const gid = (type: string, id: string | Types.ObjectId) => Buffer.from(`${type}:${String(id)}`).toString('base64');

const PrivilegeNameEnum = builder.enumType('PrivilegeName', { values: PRIVILEGE_NAMES });

interface PrivilegeShape {
  name: PrivilegeName;
  reputation: number;
  granted: boolean;
}

const PrivilegeRef = builder.objectRef<PrivilegeShape>('Privilege').implement({
  description: 'A privilege earned by reputation (moderators hold every one; staff the everyday ones).',
  fields: (t) => ({
    name: t.field({ type: PrivilegeNameEnum, resolve: (p) => p.name }),
    reputation: t.exposeInt('reputation', { description: 'Reputation that earns it' }),
    description: t.string({ resolve: (p) => PRIVILEGE_ACTIONS[p.name] }),
    granted: t.exposeBoolean('granted', { description: 'Whether the member holds it' }),
    message: t.string({
      description: 'What a member without it is told, e.g. "You need 15 reputation to vote up."',
      resolve: (p) => privilegeMessage(p.name, { ...PRIVILEGES, [p.name]: p.reputation }),
    }),
  }),
});

const ModeratorMessageRef = builder.objectRef<ModeratorMessageDoc>('ModeratorMessage').implement({
  description: 'A private message from the moderators, shown until the member acknowledges it.',
  fields: (t) => ({
    id: t.id({ resolve: (m) => gid('ModeratorMessage', m._id) }),
    subject: t.exposeString('subject'),
    body: t.exposeString('body'),
    bodyHTML: t.exposeString('bodyHTML'),
    createdAt: t.field({ type: 'DateTime', resolve: (m) => m.createdAt }),
    acknowledgedAt: t.field({ type: 'DateTime', nullable: true, resolve: (m) => m.acknowledgedAt ?? null }),
  }),
});

const canSeeStanding = (ctx: { viewer: { id: string; role: string } | null }, u: UserDoc) =>
  ctx.viewer?.id === u._id.toHexString() || isModerator(ctx.viewer as never);

async function activeStanding(ctx: Parameters<typeof standingOf>[0], u: UserDoc): Promise<StandingDoc | null> {
  return canSeeStanding(ctx, u) ? standingOf(ctx, u._id.toHexString()) : null;
}

builder.objectFields(UserRef, (t) => ({
  privileges: t.field({
    type: [PrivilegeRef],
    description: 'Every privilege with its threshold and whether this member holds it.',
    resolve: (u, _a, ctx) => {
      const thresholds = rulesOf(ctx).privileges;
      return PRIVILEGE_NAMES.map((name) => ({ name, reputation: thresholds[name], granted: hasPrivilege(u, name, thresholds) }));
    },
  }),
  suspendedUntil: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'End of the current suspension (only the member and moderators see it).',
    resolve: async (u, _a, ctx) => {
      const s = await activeStanding(ctx, u);
      return isSuspended(s, ctx.deps.services.clock.now()) ? s!.suspendedUntil! : null;
    },
  }),
  suspensionReason: t.string({
    nullable: true,
    description: 'Why the member is suspended (only the member and moderators see it).',
    resolve: async (u, _a, ctx) => {
      const s = await activeStanding(ctx, u);
      return isSuspended(s, ctx.deps.services.clock.now()) ? (s!.suspensionReason ?? null) : null;
    },
  }),
  silencedUntil: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'End of the current silence (no posting; only the member and moderators see it).',
    resolve: async (u, _a, ctx) => {
      const s = await activeStanding(ctx, u);
      return isSilenced(s, ctx.deps.services.clock.now()) ? s!.silencedUntil! : null;
    },
  }),
  flagWeight: t.field({
    type: FlagWeightRef,
    nullable: true,
    description: 'Outcomes of the member’s handled flags (the member and moderators).',
    resolve: async (u, _a, ctx) => {
      if (!canSeeStanding(ctx, u)) return null;
      const s = await standingOf(ctx, u._id.toHexString());
      return { helpful: s?.flagsHelpful ?? 0, declined: s?.flagsDeclined ?? 0 };
    },
  }),
  moderatorMessages: t.field({
    type: [ModeratorMessageRef],
    description: 'Unacknowledged moderator messages (only the member themself).',
    resolve: async (u, _a, ctx) =>
      ctx.viewer?.id === u._id.toHexString() ? pendingMessagesOf(ctx, await standingOf(ctx, u._id.toHexString())) : [],
  }),
  viewerCanFlag: t.boolean({
    description: 'The viewer may flag this member',
    resolve: async (u, _a, ctx) => ctx.viewer !== null && ctx.viewer.id !== u._id.toHexString() && viewerHasPrivilege(ctx, 'flag'),
  }),
}));

builder.interfaceFields(PostInterface, (t) => ({
  isHidden: t.boolean({
    description: 'Hidden pending review by spam / rude flags (then only its author and moderators see it)',
    resolve: (p) => !!p.hiddenAt,
  }),
}));

const FlagWeightRef = builder.objectRef<{ helpful: number; declined: number }>('FlagWeight').implement({
  fields: (t) => ({ helpful: t.exposeInt('helpful'), declined: t.exposeInt('declined') }),
});

builder.queryField('privilegeThresholds', (t) =>
  t.field({
    type: [PrivilegeRef],
    description: 'Every privilege and the reputation that earns it (granted: whether the viewer holds it).',
    resolve: async (_r, _a, ctx) => {
      const thresholds = rulesOf(ctx).privileges;
      return Promise.all(
        PRIVILEGE_NAMES.map(async (name) => ({ name, reputation: thresholds[name], granted: await viewerHasPrivilege(ctx, name) })),
      );
    },
  }),
);

// ---------------------------------------------------------------------------------------------
// flags

const FlagReasonEnum = builder.enumType('FlagReason', { values: FLAG_REASONS });
const FlagSubjectTypeEnum = builder.enumType('FlagSubjectType', { values: FLAG_SUBJECT_TYPES });
const FlagResolutionEnum = builder.enumType('FlagResolution', {
  values: FLAG_RESOLUTIONS,
  description:
    'DELETE: the flags were right, delete the item (spam / abuse penalises its author); HELPFUL: right, keep it; DECLINE: wrong.',
});

const FlagRef = builder.objectRef<FlagDoc>('Flag').implement({
  description: 'One member’s flag on a post, comment or member.',
  fields: (t) => ({
    id: t.id({ resolve: (f) => gid('Flag', f._id) }),
    reason: t.field({ type: FlagReasonEnum, resolve: (f) => f.reason }),
    details: t.string({ nullable: true, resolve: (f) => f.details ?? null }),
    status: t.string({ description: 'ACTIVE, HELPFUL or DECLINED', resolve: (f) => f.status }),
    flagger: t.field({ type: UserRef, resolve: (f) => f.flaggerId.toHexString() }),
    duplicateOf: t.field({
      type: PostInterface,
      nullable: true,
      resolve: (f, _a, ctx) => (f.targetId ? visiblePostLoader(ctx).load(f.targetId.toHexString()) : null),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (f) => f.createdAt }),
  }),
});

const FlaggedItemRef = builder.objectRef<FlagSubjectDoc>('FlaggedItem').implement({
  description: 'A flagged post, comment or member with its active flags (the moderators’ queue).',
  fields: (t) => ({
    subjectId: t.id({ resolve: (s) => gid(s.subjectType, s._id) }),
    subjectType: t.field({ type: FlagSubjectTypeEnum, resolve: (s) => s.subjectType }),
    post: t.field({
      type: PostInterface,
      nullable: true,
      resolve: (s, _a, ctx) => (s.subjectType === 'Question' || s.subjectType === 'Answer' ? visiblePostLoader(ctx).load(s._id) : null),
    }),
    comment: t.field({ type: CommentRef, nullable: true, resolve: (s) => (s.subjectType === 'Comment' ? s._id : null) }),
    member: t.field({ type: UserRef, nullable: true, resolve: (s) => (s.subjectType === 'User' ? s._id : null) }),
    author: t.field({ type: UserRef, nullable: true, resolve: (s) => s.authorId?.toHexString() ?? null }),
    activeCount: t.exposeInt('activeCount', { description: 'Active flags' }),
    spamOrRudeCount: t.exposeInt('hidingCount', { description: 'Active spam / rude flags (hide the post at the configured count)' }),
    reasonCounts: t.field({
      type: [ReasonCountRef],
      resolve: (s) =>
        Object.entries(s.reasonCounts ?? {}).map(([reason, count]) => ({
          reason: reason as (typeof FLAG_REASONS)[number],
          count: Number(count),
        })),
    }),
    isHidden: t.boolean({ resolve: (s) => !!s.hiddenAt }),
    status: t.string({ description: 'OPEN or HANDLED', resolve: (s) => s.status }),
    lastFlaggedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.lastFlaggedAt ?? null }),
    flags: t.field({ type: [FlagRef], resolve: (s, _a, ctx) => (isModerator(ctx.viewer) ? activeFlagsOf(ctx, s) : []) }),
  }),
});

const ReasonCountRef = builder.objectRef<{ reason: (typeof FLAG_REASONS)[number]; count: number }>('FlagReasonCount').implement({
  fields: (t) => ({ reason: t.field({ type: FlagReasonEnum, resolve: (r) => r.reason }), count: t.exposeInt('count') }),
});

const SUBJECT_TYPES = ['Question', 'Answer', 'Comment', 'User'];

function decodeSubject(globalId: string | number, field: string): { id: string; type: (typeof FLAG_SUBJECT_TYPES)[number] } {
  const id = rawId(globalId, SUBJECT_TYPES, field);
  const type = Buffer.from(String(globalId), 'base64').toString('utf8').split(':')[0] as (typeof FLAG_SUBJECT_TYPES)[number];
  return { id, type };
}

builder.relayMutationField(
  'flag',
  {
    inputFields: (t) => ({
      subjectId: t.id({ description: 'The question, answer, comment or member' }),
      reason: t.field({ type: FlagReasonEnum }),
      details: t.string({ required: false, description: 'Required for NEEDS_MODERATOR_ATTENTION (10–500 characters)' }),
      targetId: t.id({ required: false, description: 'DUPLICATE: the question this one duplicates' }),
    }),
  },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => {
        const subject = decodeSubject(input.subjectId, 'subjectId');
        const result = await flag(ctx, {
          subjectId: subject.id,
          subjectType: subject.type,
          reason: input.reason,
          details: input.details ?? null,
          targetId: input.targetId ? rawId(input.targetId, ['Question'], 'targetId') : null,
        });
        return result;
      }),
  },
  {
    outputFields: (t) => ({
      flag: t.field({ type: FlagRef, nullable: true, resolve: (p) => p.flag ?? null }),
      item: t.field({
        type: FlaggedItemRef,
        nullable: true,
        description: 'The flagged item (its counts only for moderators)',
        resolve: (p, _a, ctx) => (p.subject && isModerator(ctx.viewer) ? p.subject : null),
      }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'handleFlags',
  {
    inputFields: (t) => ({
      subjectId: t.id({ description: 'The flagged question, answer, comment or member' }),
      resolution: t.field({ type: FlagResolutionEnum }),
      note: t.string({ required: false, description: 'Why (kept in the audit log)' }),
    }),
  },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        item: await handleFlags(ctx, {
          subjectId: decodeSubject(input.subjectId, 'subjectId').id,
          resolution: input.resolution,
          note: input.note ?? null,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      item: t.field({ type: FlaggedItemRef, nullable: true, resolve: (p) => p.item ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.queryField('flags', (t) =>
  t.connection({
    type: FlaggedItemRef,
    description: 'The moderators’ flag queue: flagged items with their counts, newest flag first (moderators only).',
    resolve: async (_r, args, ctx) => {
      if (args.last != null || args.before != null) throw new ValidationError('page forward with first/after', 'last');
      const page = await flagQueue(ctx, { first: args.first ?? 20, after: args.after ?? null });
      const edges = page.rows.map((r) => ({ cursor: r.cursor, node: r.subject }));
      return {
        edges,
        totalCount: page.totalCount,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: !!args.after,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);

// ---------------------------------------------------------------------------------------------
// suspensions and messages

const MemberStandingRef = builder.objectRef<StandingDoc>('MemberStanding').implement({
  description: 'A member’s standing with the moderators.',
  fields: (t) => ({
    member: t.field({ type: UserRef, resolve: (s) => s._id.toHexString() }),
    suspendedUntil: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.suspendedUntil ?? null }),
    suspensionReason: t.string({ nullable: true, resolve: (s) => s.suspensionReason ?? null }),
    silencedUntil: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.silencedUntil ?? null }),
  }),
});

const standingPayload = {
  outputFields: (t: PothosOutputFields) => ({
    standing: t.field({ type: MemberStandingRef, nullable: true, resolve: (p: { standing?: StandingDoc }) => p.standing ?? null }),
    errors: t.field({ type: [ErrorInterface], resolve: (p: { errors: never[] }) => p.errors }),
  }),
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the Pothos field builder of a payload
type PothosOutputFields = any;

builder.relayMutationField(
  'suspendMember',
  {
    inputFields: (t) => ({
      userId: t.id(),
      days: t.int({ description: '1–365' }),
      reason: t.string({ description: 'Shown to the member' }),
    }),
  },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        standing: await suspendMember(ctx, { userId: rawId(input.userId, ['User'], 'userId'), days: input.days, reason: input.reason }),
      })),
  },
  standingPayload,
);

builder.relayMutationField(
  'unsuspendMember',
  { inputFields: (t) => ({ userId: t.id(), reason: t.string({ required: false }) }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        standing: await unsuspendMember(ctx, { userId: rawId(input.userId, ['User'], 'userId'), reason: input.reason ?? null }),
      })),
  },
  standingPayload,
);

builder.relayMutationField(
  'silenceMember',
  { inputFields: (t) => ({ userId: t.id(), hours: t.int({ description: '1–720' }), reason: t.string() }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        standing: await silenceMember(ctx, { userId: rawId(input.userId, ['User'], 'userId'), hours: input.hours, reason: input.reason }),
      })),
  },
  standingPayload,
);

builder.relayMutationField(
  'sendModeratorMessage',
  { inputFields: (t) => ({ userId: t.id(), subject: t.string(), body: t.string({ description: 'Markdown' }) }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        message: await sendModeratorMessage(ctx, {
          userId: rawId(input.userId, ['User'], 'userId'),
          subject: input.subject,
          body: input.body,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      message: t.field({ type: ModeratorMessageRef, nullable: true, resolve: (p) => p.message ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'acknowledgeModeratorMessage',
  { inputFields: (t) => ({ messageId: t.id() }) },
  {
    ...sessionOnly,
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        message: await acknowledgeModeratorMessage(ctx, rawId(input.messageId, ['ModeratorMessage'], 'messageId')),
      })),
  },
  {
    outputFields: (t) => ({
      message: t.field({ type: ModeratorMessageRef, nullable: true, resolve: (p) => p.message ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.queryField('suspendedMembers', (t) =>
  t.field({
    type: [MemberStandingRef],
    description: 'Members suspended now, soonest end first (moderators only).',
    args: { first: t.arg.int({ required: false }) },
    resolve: (_r, args, ctx) => suspendedMembers(ctx, args.first ?? 50),
  }),
);

// ---------------------------------------------------------------------------------------------
// the audit log

const AuditEntryRef = builder.objectRef<AuditDoc>('AuditEntry').implement({
  description: 'One moderation or administrative action (append-only).',
  fields: (t) => ({
    id: t.id({ resolve: (e) => gid('AuditEntry', e._id) }),
    action: t.exposeString('action'),
    actor: t.field({ type: UserRef, nullable: true, description: 'null: the system', resolve: (e) => e.actorId?.toHexString() ?? null }),
    targetType: t.exposeString('targetType'),
    targetId: t.id({ description: 'Global id of the target', resolve: (e) => gid(e.targetType, e.targetId) }),
    reason: t.string({ nullable: true, resolve: (e) => e.reason ?? null }),
    before: t.string({ nullable: true, description: 'JSON', resolve: (e) => (e.before == null ? null : JSON.stringify(e.before)) }),
    after: t.string({ nullable: true, description: 'JSON', resolve: (e) => (e.after == null ? null : JSON.stringify(e.after)) }),
    data: t.string({ nullable: true, description: 'JSON', resolve: (e) => (e.data == null ? null : JSON.stringify(e.data)) }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

function targetRaw(globalId: string): string {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i > 0 ? decoded.slice(i + 1) : globalId;
}

builder.queryField('moderationLog', (t) =>
  t.connection({
    type: AuditEntryRef,
    description: 'The audit log, newest first, filtered by actor, target and/or action (moderators only).',
    args: {
      actorId: t.arg.id({ required: false }),
      targetId: t.arg.id({ required: false, description: 'Global id of any target' }),
      action: t.arg.string({ required: false, description: 'e.g. flags.confirmed, member.suspended, question.closed' }),
    },
    resolve: async (_r, args, ctx) => {
      const after = args.after ? targetRaw(args.after) : null;
      const page = await moderationLog(ctx, {
        first: args.first ?? 30,
        after,
        actorId: args.actorId ? rawId(args.actorId, ['User'], 'actorId') : null,
        targetId: args.targetId ? targetRaw(String(args.targetId)) : null,
        action: args.action ?? null,
      });
      const edges = page.entries.map((e) => ({ cursor: gid('AuditEntry', e._id), node: e }));
      return {
        edges,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: !!args.after,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);
