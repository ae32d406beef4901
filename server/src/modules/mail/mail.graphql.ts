// E-mail preferences and one-click unsubscribing in the API (thin resolvers over mail.service.ts).
import { builder, needsScope, sessionOnly } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { DIGEST_FREQUENCIES } from './mail.kinds.js';
import { UNSUBSCRIBE_KINDS } from './mail.tokens.js';
import {
  inspectUnsubscribeToken,
  notificationPreferences,
  unsubscribe,
  updateNotificationPreferences,
  type NotificationPreferences,
} from './mail.service.js';

const DigestFrequencyEnum = builder.enumType('DigestFrequency', { values: DIGEST_FREQUENCIES });
const UnsubscribeKindEnum = builder.enumType('UnsubscribeKind', { values: UNSUBSCRIBE_KINDS });

const NotificationPreferencesRef = builder.objectRef<NotificationPreferences>('NotificationPreferences').implement({
  description: 'Which notifications also come by e-mail (the inbox always has them).',
  fields: (t) => ({
    emailOnAnswer: t.exposeBoolean('emailOnAnswer'),
    emailOnMention: t.exposeBoolean('emailOnMention'),
    emailOnModeratorMessage: t.exposeBoolean('emailOnModeratorMessage'),
    digest: t.field({ type: DigestFrequencyEnum, description: 'New questions in followed tags and spaces', resolve: (p) => p.digest }),
  }),
});

interface UnsubscribeInfo {
  kind: (typeof UNSUBSCRIBE_KINDS)[number];
  handle: string;
}
const UnsubscribeInfoRef = builder.objectRef<UnsubscribeInfo>('UnsubscribeLink').implement({
  fields: (t) => ({
    kind: t.field({ type: UnsubscribeKindEnum, resolve: (u) => u.kind }),
    handle: t.exposeString('handle', { description: 'The member the link unsubscribes' }),
  }),
});

builder.queryFields((t) => ({
  notificationPreferences: t.field({
    type: NotificationPreferencesRef,
    authScopes: { loggedIn: true },
    resolve: (_r, _a, ctx) => notificationPreferences(ctx),
  }),
  unsubscribeLink: t.field({
    type: UnsubscribeInfoRef,
    nullable: true,
    description: 'What a signed unsubscribe link would turn off (null when the link is not valid). No session needed.',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_r, { token }, ctx) => inspectUnsubscribeToken(ctx, token).catch(() => null),
  }),
}));

builder.relayMutationField(
  'updateNotificationPreferences',
  {
    inputFields: (t) => ({
      emailOnAnswer: t.boolean({ required: false }),
      emailOnMention: t.boolean({ required: false }),
      emailOnModeratorMessage: t.boolean({ required: false }),
      digest: t.field({ type: DigestFrequencyEnum, required: false }),
    }),
  },
  {
    ...sessionOnly,
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        preferences: await updateNotificationPreferences(ctx, {
          emailOnAnswer: input.emailOnAnswer ?? undefined,
          emailOnMention: input.emailOnMention ?? undefined,
          emailOnModeratorMessage: input.emailOnModeratorMessage ?? undefined,
          digest: input.digest ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      preferences: t.field({ type: NotificationPreferencesRef, nullable: true, resolve: (p) => p.preferences ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'unsubscribe',
  { inputFields: (t) => ({ token: t.string({ description: 'The signed token of an e-mail’s unsubscribe link' }) }) },
  {
    ...needsScope('read'),
    description: 'One-click unsubscribe (RFC 8058): the signed token is the authorization, no session needed.',
    resolve: (_r, { input }, ctx) => asPayload(async () => ({ link: await unsubscribe(ctx, input.token) })),
  },
  {
    outputFields: (t) => ({
      link: t.field({ type: UnsubscribeInfoRef, nullable: true, resolve: (p) => p.link ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
