// The inbox in the API: Notification, `notifications`, `unreadNotificationCount`,
// `markNotificationsRead`. Thin resolvers over notification.service.ts.
import { builder, needsScope } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { rawId } from '../../lib/ids.js';
import { NotFoundError } from '../../lib/errors.js';
import { toObjectId } from '../../lib/ids.js';
import { visiblePostLoader } from '../loaders.js';
import { PostInterface } from '../post/post.graphql.js';
import { QuestionRef } from '../post/post.refs.js';
import { reposOf } from '../services.js';
import { UserRef } from '../user/user.refs.js';
import { NOTIFICATION_KINDS } from './notification.kinds.js';
import type { NotificationDoc } from './notification.model.js';
import { mentionSuggestions } from './mention.suggestions.js';
import {
  listNotifications,
  markNotificationsRead,
  notificationPath,
  unreadNotificationCount,
  visibleNotifications,
} from './notification.service.js';

export const NotificationKindEnum = builder.enumType('NotificationKind', {
  description: 'What an inbox entry is about.',
  values: NOTIFICATION_KINDS,
});

export const NotificationRef = builder.loadableNodeRef<NotificationDoc, string, string>('Notification', {
  id: { resolve: (n) => n._id.toHexString() },
  load: async (ids, ctx) => {
    const docs = await reposOf(ctx).notifications.findByIdsOrdered(
      ids.map((id) => toObjectId(id) ?? id),
      (id) => String(id),
    );
    const visible = ctx.viewer ? await visibleNotifications(ctx, ctx.viewer, docs) : docs.map(() => null);
    return visible.map((d) => d ?? new NotFoundError('The notification'));
  },
});

NotificationRef.implement({
  description: 'An entry of the viewer’s inbox; entries of one kind on one question group while unread.',
  fields: (t) => ({
    kind: t.field({ type: NotificationKindEnum, resolve: (n) => n.kind }),
    count: t.exposeInt('count', { description: 'How many answers, comments… this entry stands for' }),
    isRead: t.boolean({ resolve: (n) => !!n.readAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (n) => n.createdAt }),
    updatedAt: t.field({ type: 'DateTime', description: 'The newest event it counts', resolve: (n) => n.at }),
    actors: t.field({
      type: [UserRef],
      description: 'Who did it (the newest last; at most 5)',
      resolve: (n) => n.actorIds.slice(-5).map((id) => id.toHexString()),
    }),
    actorCount: t.int({ resolve: (n) => n.actorIds.length }),
    text: t.string({ nullable: true, resolve: (n) => n.text ?? null }),
    url: t.string({ description: 'Where it leads: the question, at the answer', resolve: (n) => notificationPath(n) }),
    question: t.field({
      type: QuestionRef,
      nullable: true,
      resolve: async (n, _a, ctx) => (n.questionId ? visiblePostLoader(ctx).load(n.questionId.toHexString()) : null),
    }),
    post: t.field({
      type: PostInterface,
      nullable: true,
      resolve: async (n, _a, ctx) => (n.postId ? visiblePostLoader(ctx).load(n.postId.toHexString()) : null),
    }),
  }),
});

builder.queryFields((t) => ({
  notifications: t.connection({
    type: NotificationRef,
    description: 'The viewer’s inbox, newest first (forward paging only).',
    authScopes: { loggedIn: true },
    args: { unreadOnly: t.arg.boolean({ required: false }) },
    resolve: (_r, args, ctx) => listNotifications(ctx, args),
  }),
  unreadNotificationCount: t.int({
    description: 'Unread entries in the viewer’s inbox (0 for anonymous visitors).',
    resolve: (_r, _a, ctx) => unreadNotificationCount(ctx),
  }),
}));

builder.relayMutationField(
  'markNotificationsRead',
  {
    inputFields: (t) => ({
      ids: t.idList({ required: false, description: 'Notifications to mark read (at most 100)' }),
      all: t.boolean({ required: false, description: 'Mark every unread notification read' }),
    }),
  },
  {
    ...needsScope('read'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => {
        const ids = input.ids?.map((id) => rawId(id, ['Notification'], 'ids'));
        return markNotificationsRead(ctx, { ids: ids ?? undefined, all: input.all ?? undefined });
      }),
  },
  {
    outputFields: (t) => ({
      markedIds: t.idList({
        resolve: (p) => (p.marked ?? []).map((id) => Buffer.from(`Notification:${id}`).toString('base64')),
      }),
      unreadCount: t.int({ nullable: true, resolve: (p) => p.unreadCount ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.queryField('mentionSuggestions', (t) =>
  t.field({
    type: [UserRef],
    description:
      'Members the viewer may mean by `@prefix` while writing on a question: its participants first (asker, answerers, commenters), then members by handle prefix. An empty prefix lists participants only.',
    authScopes: { loggedIn: true },
    args: {
      questionId: t.arg.id({ required: true }),
      prefix: t.arg.string({ required: true, description: 'What follows the "@" so far' }),
      first: t.arg.int({ required: false, description: '1..20, default 8' }),
    },
    resolve: (_r, args, ctx) =>
      mentionSuggestions(ctx, { questionId: rawId(args.questionId, ['Question'], 'questionId'), prefix: args.prefix, first: args.first }),
  }),
);
