import { builder, needsScope } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { pageWindow, type Connection } from '../../lib/connection.js';
import { ValidationError } from '../../lib/errors.js';
import { rawId } from '../../lib/ids.js';
import { SpaceRef } from '../space/space.refs.js';
import { UserRef } from '../user/user.refs.js';
import type { WebhookAttempt, WebhookDeliveryDoc, WebhookDoc } from './webhook.model.js';
import { WEBHOOK_EVENTS } from './webhook.policy.js';
import {
  createWebhook,
  deleteWebhook,
  getDelivery,
  getWebhook,
  listDeliveries,
  listWebhooks,
  pingWebhook,
  redeliver,
  updateWebhook,
} from './webhook.service.js';

const ADMIN_WEBHOOKS = { tokenScope: 'admin:webhooks' } as const;

const cursorOf = (id: string) => Buffer.from(id).toString('base64url');
function decodeAfter(after: string | null | undefined): string | null {
  if (!after) return null;
  const id = Buffer.from(after, 'base64url').toString('utf8');
  if (!/^[0-9a-zA-Z_]{1,120}$/.test(id)) throw new ValidationError(`"${after.slice(0, 40)}" is not a valid cursor`, 'after');
  return id;
}

function connectionOf<T>(rows: T[], idOf: (row: T) => string, hasNextPage: boolean, hasPreviousPage: boolean): Connection<T> {
  const edges = rows.map((node) => ({ cursor: cursorOf(idOf(node)), node }));
  return {
    edges,
    nodes: rows,
    pageInfo: { hasNextPage, hasPreviousPage, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

const DeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  values: { PENDING: { value: 'pending' }, SUCCEEDED: { value: 'succeeded' }, FAILED: { value: 'failed' } } as const,
});

const HttpHeaderRef = builder.objectRef<{ name: string; value: string }>('HttpHeader').implement({
  fields: (t) => ({ name: t.exposeString('name'), value: t.exposeString('value') }),
});

export const WebhookRef = builder.objectRef<WebhookDoc>('Webhook').implement({
  description: 'An endpoint that receives signed events (Standard Webhooks). Admins only.',
  fields: (t) => ({
    id: t.globalID({ resolve: (w) => ({ type: 'Webhook', id: w._id.toHexString() }) }),
    url: t.exposeString('url'),
    description: t.string({ resolve: (w) => w.description ?? '' }),
    events: t.stringList({ description: 'Event types it receives', resolve: (w) => w.events ?? [] }),
    space: t.field({
      type: SpaceRef,
      nullable: true,
      description: 'The space it is limited to; null: the whole site',
      resolve: (w) => w.spaceId?.toHexString() ?? null,
    }),
    active: t.boolean({ resolve: (w) => !!w.active }),
    disabledAt: t.field({ type: 'DateTime', nullable: true, resolve: (w) => w.disabledAt ?? null }),
    disabledReason: t.string({ nullable: true, resolve: (w) => w.disabledReason ?? null }),
    consecutiveFailures: t.int({ resolve: (w) => w.consecutiveFailures ?? 0 }),
    lastDeliveryAt: t.field({ type: 'DateTime', nullable: true, resolve: (w) => w.lastDeliveryAt ?? null }),
    lastDeliveryStatus: t.field({
      type: DeliveryStatusEnum,
      nullable: true,
      resolve: (w) => (w.lastDeliveryStatus as 'pending' | null) ?? null,
    }),
    createdBy: t.field({ type: UserRef, nullable: true, resolve: (w) => w.createdById?.toHexString() ?? null }),
    createdAt: t.field({ type: 'DateTime', resolve: (w) => w.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (w) => w.updatedAt }),
  }),
});

const AttemptRef = builder.objectRef<WebhookAttempt>('WebhookDeliveryAttempt').implement({
  description: 'One HTTP request of a delivery and what came back.',
  fields: (t) => ({
    number: t.int({ resolve: (a) => a.n }),
    at: t.field({ type: 'DateTime', resolve: (a) => a.at }),
    isRedelivery: t.boolean({ description: 'Sent by "redeliver" or a ping, not a retry', resolve: (a) => !!a.manual }),
    requestHeaders: t.field({
      type: [HttpHeaderRef],
      resolve: (a) =>
        Object.entries((a.requestHeaders ?? {}) as Record<string, string>).map(([name, value]) => ({ name, value: String(value) })),
    }),
    responseStatus: t.int({ nullable: true, resolve: (a) => a.responseStatus ?? null }),
    responseBodyExcerpt: t.string({ nullable: true, description: 'The first 2 KB', resolve: (a) => a.responseBodyExcerpt ?? null }),
    durationMs: t.int({ resolve: (a) => Math.round(a.durationMs ?? 0) }),
    error: t.string({ nullable: true, resolve: (a) => a.error ?? null }),
    succeeded: t.boolean({ resolve: (a) => !a.error && a.responseStatus !== null && a.responseStatus! >= 200 && a.responseStatus! < 300 }),
  }),
});

export const WebhookDeliveryRef = builder.objectRef<WebhookDeliveryDoc>('WebhookDelivery').implement({
  description: 'One event sent to one webhook, with every attempt. Kept 30 days.',
  fields: (t) => ({
    id: t.globalID({ resolve: (d) => ({ type: 'WebhookDelivery', id: d._id }) }),
    messageId: t.string({ description: 'The `webhook-id` header (the same for every attempt)', resolve: (d) => d._id }),
    event: t.string({ description: 'The event type (`ping` for pings)', resolve: (d) => d.eventType }),
    status: t.field({ type: DeliveryStatusEnum, resolve: (d) => d.status as 'pending' }),
    note: t.string({ nullable: true, description: 'Why it was not attempted', resolve: (d) => d.note ?? null }),
    requestBody: t.string({
      nullable: true,
      description: 'The JSON body (null until an aggregated vote is sent)',
      resolve: (d) => d.requestBody ?? null,
    }),
    attempts: t.field({ type: [AttemptRef], resolve: (d) => d.attempts ?? [] }),
    attemptCount: t.int({ resolve: (d) => d.attempts?.length ?? 0 }),
    createdAt: t.field({ type: 'DateTime', resolve: (d) => d.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (d) => d.updatedAt }),
  }),
});

builder.queryFields((t) => ({
  webhooks: t.connection({
    type: WebhookRef,
    description: 'Every webhook, oldest first (admins; tokens need admin:webhooks).',
    authScopes: ADMIN_WEBHOOKS,
    resolve: async (_r, args, ctx) => {
      const window = pageWindow({ first: args.first, after: null }, 50);
      const all = await listWebhooks(ctx);
      const after = decodeAfter(args.after);
      const start = after ? all.findIndex((w) => w._id.toHexString() === after) + 1 : 0;
      const rows = all.slice(start, start + window.limit);
      return connectionOf(rows, (w) => w._id.toHexString(), start + window.limit < all.length, start > 0);
    },
  }),
  webhook: t.field({
    type: WebhookRef,
    nullable: true,
    authScopes: ADMIN_WEBHOOKS,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => getWebhook(ctx, rawId(id, ['Webhook'], 'id')),
  }),
  webhookDeliveries: t.connection({
    type: WebhookDeliveryRef,
    description: "A webhook's deliveries, newest first (the latest 200).",
    authScopes: ADMIN_WEBHOOKS,
    args: { webhookId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const window = pageWindow({ first: args.first, after: null }, 20);
      const after = decodeAfter(args.after);
      const page = await listDeliveries(ctx, rawId(args.webhookId, ['Webhook'], 'webhookId'), { first: window.limit, after });
      return connectionOf(page.deliveries, (d) => d._id, page.hasNextPage, after !== null);
    },
  }),
  webhookDelivery: t.field({
    type: WebhookDeliveryRef,
    nullable: true,
    authScopes: ADMIN_WEBHOOKS,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => getDelivery(ctx, rawId(id, ['WebhookDelivery'], 'id')),
  }),
  webhookEventTypes: t.stringList({
    description: 'The event types a webhook may subscribe to.',
    resolve: () => [...WEBHOOK_EVENTS],
  }),
}));

builder.relayMutationField(
  'createWebhook',
  {
    inputFields: (t) => ({
      url: t.string({ description: 'http(s) endpoint; private, loopback and link-local addresses are refused' }),
      description: t.string({ required: false }),
      events: t.stringList({ description: 'Event types (see webhookEventTypes)' }),
      spaceId: t.id({ required: false, description: 'Limit to one space; omit for the whole site' }),
      active: t.boolean({ required: false }),
    }),
  },
  {
    ...needsScope('admin:webhooks'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () =>
        createWebhook(ctx, {
          url: input.url,
          description: input.description ?? undefined,
          events: input.events,
          spaceId: input.spaceId ? rawId(input.spaceId, ['Space'], 'spaceId') : null,
          active: input.active ?? undefined,
        }),
      ),
  },
  {
    outputFields: (t) => ({
      webhook: t.field({ type: WebhookRef, nullable: true, resolve: (p) => p.webhook ?? null }),
      secret: t.string({
        nullable: true,
        description: 'The signing secret (`whsec_…`). Shown only in this response: store it now.',
        resolve: (p) => p.secret ?? null,
      }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'updateWebhook',
  {
    inputFields: (t) => ({
      webhookId: t.id(),
      url: t.string({ required: false }),
      description: t.string({ required: false }),
      events: t.stringList({ required: false }),
      spaceId: t.id({ required: false, description: 'A space, or null for the whole site; omit to keep' }),
      active: t.boolean({ required: false, description: 'false disables it; true enables it again (resets its failures)' }),
    }),
  },
  {
    ...needsScope('admin:webhooks'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        webhook: await updateWebhook(ctx, {
          webhookId: rawId(input.webhookId, ['Webhook'], 'webhookId'),
          url: input.url ?? undefined,
          description: input.description ?? undefined,
          events: input.events ?? undefined,
          spaceId: input.spaceId === undefined ? undefined : input.spaceId ? rawId(input.spaceId, ['Space'], 'spaceId') : null,
          active: input.active ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      webhook: t.field({ type: WebhookRef, nullable: true, resolve: (p) => p.webhook ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'deleteWebhook',
  { inputFields: (t) => ({ webhookId: t.id() }) },
  {
    ...needsScope('admin:webhooks'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ webhook: await deleteWebhook(ctx, rawId(input.webhookId, ['Webhook'], 'webhookId')) })),
  },
  {
    outputFields: (t) => ({
      deletedWebhookId: t.id({
        nullable: true,
        resolve: (p) => (p.webhook ? Buffer.from(`Webhook:${p.webhook._id.toHexString()}`).toString('base64') : null),
      }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'redeliverWebhookDelivery',
  { inputFields: (t) => ({ deliveryId: t.id() }) },
  {
    ...needsScope('admin:webhooks'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ delivery: await redeliver(ctx, rawId(input.deliveryId, ['WebhookDelivery'], 'deliveryId')) })),
  },
  {
    outputFields: (t) => ({
      delivery: t.field({ type: WebhookDeliveryRef, nullable: true, resolve: (p) => p.delivery ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'pingWebhook',
  { inputFields: (t) => ({ webhookId: t.id() }) },
  {
    ...needsScope('admin:webhooks'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ delivery: await pingWebhook(ctx, rawId(input.webhookId, ['Webhook'], 'webhookId')) })),
  },
  {
    outputFields: (t) => ({
      delivery: t.field({ type: WebhookDeliveryRef, nullable: true, resolve: (p) => p.delivery ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
