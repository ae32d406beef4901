// Webhook use cases (admins only: a session, or an API token with `admin:webhooks`):
// contract (zod) → load → policy → write → queue.
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../lib/errors.js';
import { toObjectId } from '../../lib/ids.js';
import { parseInput } from '../../lib/validate.js';
import { viewerHasScope } from '../../lib/scopes.js';
import { reposOf, servicesOf } from '../services.js';
import type { WebhookDeliveryDoc, WebhookDoc } from './webhook.model.js';
import { globalId } from './webhook.payload.js';
import { canManageWebhooks, WEBHOOK_EVENTS } from './webhook.policy.js';
import { DELIVERY_RETENTION_MS, enqueueDelivery } from './webhook.queue.js';
import { assertSafeTarget, UnsafeTargetError } from './webhook.ssrf.js';

/** Checks who asks: signed in, an admin, and (with a token) the `admin:webhooks` scope. */
export function requireWebhookAdmin(ctx: Pick<Context, 'viewer'>) {
  const viewer = ctx.viewer;
  if (!viewer) throw new UnauthenticatedError();
  if (canManageWebhooks(viewer)) return viewer;
  if (viewer.role !== 'ADMIN') throw new ForbiddenError('Only admins manage webhooks.');
  if (!viewerHasScope(viewer, 'admin:webhooks')) throw new ForbiddenError('This API token lacks the admin:webhooks scope.');
  throw new ForbiddenError('You cannot manage webhooks.');
}

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const events = z
  .array(z.string())
  .min(1, { error: 'choose at least one event' })
  .max(WEBHOOK_EVENTS.length)
  .refine((list) => list.every((e) => WEBHOOK_EVENTS.includes(e)), { error: `must be among ${WEBHOOK_EVENTS.join(', ')}` })
  .transform((list) => WEBHOOK_EVENTS.filter((e) => list.includes(e)));
const url = z.string().trim().min(1, { error: 'must not be empty' }).max(2000);
const description = z.string().trim().max(200, { error: 'must be at most 200 characters' });

async function checkUrl(ctx: Context, raw: string): Promise<string> {
  try {
    return (await assertSafeTarget(raw, { allowPrivate: ctx.deps.config.webhooks.allowPrivateTargets })).toString();
  } catch (error) {
    if (error instanceof UnsafeTargetError) throw new ValidationError(error.message, 'url');
    throw error;
  }
}

async function checkSpace(ctx: Context, spaceId: string | null | undefined): Promise<Types.ObjectId | null> {
  if (!spaceId) return null;
  const id = toObjectId(spaceId);
  const space = id ? await reposOf(ctx).spaces.findById(id) : null;
  if (!space) throw new ValidationError('is not a space', 'spaceId');
  return space._id as Types.ObjectId;
}

export async function loadWebhook(ctx: Context, webhookId: string): Promise<WebhookDoc> {
  const id = toObjectId(webhookId);
  const webhook = id ? await reposOf(ctx).webhooks.findById(id) : null;
  if (!webhook) throw new NotFoundError('The webhook');
  return webhook;
}

export async function listWebhooks(ctx: Context): Promise<WebhookDoc[]> {
  requireWebhookAdmin(ctx);
  return reposOf(ctx).webhooks.all();
}

export async function getWebhook(ctx: Context, webhookId: string): Promise<WebhookDoc> {
  requireWebhookAdmin(ctx);
  return loadWebhook(ctx, webhookId);
}

const createInput = z.object({
  url,
  description: description.optional(),
  events,
  spaceId: z.string().nullish(),
  active: z.boolean().optional(),
});

export async function createWebhook(ctx: Context, raw: z.input<typeof createInput>): Promise<{ webhook: WebhookDoc; secret: string }> {
  const viewer = requireWebhookAdmin(ctx);
  const input = parseInput(createInput, raw);
  const target = await checkUrl(ctx, input.url);
  const spaceId = await checkSpace(ctx, input.spaceId);
  const secret = newWebhookSecret();
  const now = servicesOf(ctx).clock.now();
  const webhook = await reposOf(ctx).webhooks.create({
    url: target,
    description: input.description ?? '',
    secret,
    events: input.events,
    spaceId,
    active: input.active ?? true,
    createdById: new Types.ObjectId(viewer.id),
    createdAt: now,
    updatedAt: now,
  });
  ctx.log.info({ webhookId: webhook._id.toHexString(), url: target, by: viewer.handle }, 'webhook created');
  return { webhook, secret };
}

const updateInput = z.object({
  webhookId: z.string(),
  url: url.optional(),
  description: description.optional(),
  events: events.optional(),
  /** undefined: unchanged; null or '': the whole site */
  spaceId: z.string().nullish(),
  active: z.boolean().optional(),
});

export async function updateWebhook(ctx: Context, raw: z.input<typeof updateInput>): Promise<WebhookDoc> {
  const viewer = requireWebhookAdmin(ctx);
  const input = parseInput(updateInput, raw);
  const webhook = await loadWebhook(ctx, input.webhookId);
  const set: Record<string, unknown> = {};
  if (input.url !== undefined) set.url = await checkUrl(ctx, input.url);
  if (input.description !== undefined) set.description = input.description;
  if (input.events !== undefined) set.events = input.events;
  if (input.spaceId !== undefined) set.spaceId = await checkSpace(ctx, input.spaceId);
  if (input.active === true && !webhook.active)
    Object.assign(set, { active: true, disabledAt: null, disabledReason: null, consecutiveFailures: 0 });
  if (input.active === false && webhook.active)
    Object.assign(set, { active: false, disabledAt: servicesOf(ctx).clock.now(), disabledReason: `Disabled by ${viewer.handle}.` });
  if (!Object.keys(set).length) return webhook;
  const updated = await reposOf(ctx).webhooks.updateReturning(webhook._id, { $set: set });
  if (!updated) throw new NotFoundError('The webhook');
  return updated;
}

export async function deleteWebhook(ctx: Context, webhookId: string): Promise<WebhookDoc> {
  const viewer = requireWebhookAdmin(ctx);
  const webhook = await loadWebhook(ctx, webhookId);
  await reposOf(ctx).webhooks.remove(webhook._id);
  ctx.log.info({ webhookId, by: viewer.handle }, 'webhook deleted');
  return webhook;
}

export interface DeliveryPage {
  deliveries: WebhookDeliveryDoc[];
  hasNextPage: boolean;
}

/** A webhook's deliveries, newest first, read by id from its list (`after`: a delivery id). */
export async function listDeliveries(
  ctx: Context,
  webhookId: string,
  page: { first: number; after?: string | null },
): Promise<DeliveryPage> {
  requireWebhookAdmin(ctx);
  const webhook = await loadWebhook(ctx, webhookId);
  const ids = [...(webhook.recentDeliveryIds ?? [])].reverse();
  const start = page.after ? ids.indexOf(page.after) + 1 : 0;
  if (page.after && start === 0) throw new ValidationError('is not a cursor of this list', 'after');
  const wanted = ids.slice(start, start + page.first);
  const docs = await reposOf(ctx).webhooks.deliveries.findByIdsOrdered(wanted);
  return { deliveries: docs.filter((d): d is WebhookDeliveryDoc => d !== null), hasNextPage: start + page.first < ids.length };
}

export async function getDelivery(ctx: Context, deliveryId: string): Promise<WebhookDeliveryDoc> {
  requireWebhookAdmin(ctx);
  const delivery = await reposOf(ctx).webhooks.deliveries.findById(deliveryId);
  if (!delivery) throw new NotFoundError('The delivery');
  return delivery;
}

/** Sends a delivery again now (one attempt, same `webhook-id`, a fresh signature), recorded as manual. */
export async function redeliver(ctx: Context, deliveryId: string): Promise<WebhookDeliveryDoc> {
  requireWebhookAdmin(ctx);
  const repo = reposOf(ctx).webhooks;
  const delivery = await repo.deliveries.findById(deliveryId);
  if (!delivery) throw new NotFoundError('The delivery');
  const webhook = await repo.findById(delivery.webhookId);
  if (!webhook) throw new NotFoundError('The webhook');
  const updated = await repo.deliveries.updateReturning(delivery._id, { $set: { status: 'pending', note: null } });
  await enqueueDelivery(
    ctx.deps,
    { deliveryId: delivery._id, manual: true },
    { jobId: `${delivery._id}_r${randomBytes(6).toString('hex')}` },
  );
  return updated ?? delivery;
}

/** A `ping` event sent to the webhook now (also when it is disabled: a way to test it). */
export async function pingWebhook(ctx: Context, webhookId: string): Promise<WebhookDeliveryDoc> {
  const viewer = requireWebhookAdmin(ctx);
  const webhook = await loadWebhook(ctx, webhookId);
  const repo = reposOf(ctx).webhooks;
  const now = servicesOf(ctx).clock.now();
  const eventId = new Types.ObjectId().toHexString();
  const deliveryId = `${webhook._id.toHexString()}_ping_${eventId}`;
  const payload = {
    type: 'ping',
    timestamp: now.toISOString(),
    data: {
      webhook: { id: globalId('Webhook', webhook._id), url: webhook.url, events: webhook.events },
      actor: { id: globalId('User', viewer.id), handle: viewer.handle },
    },
  };
  await repo.deliveries.createOnce({
    _id: deliveryId,
    webhookId: webhook._id,
    eventId,
    eventType: 'ping',
    requestBody: JSON.stringify(payload),
    source: null,
    expiresAt: new Date(now.getTime() + DELIVERY_RETENTION_MS),
  });
  await repo.noteDelivery(webhook._id, deliveryId);
  await enqueueDelivery(ctx.deps, { deliveryId, manual: true }, { jobId: deliveryId });
  return (await repo.deliveries.findById(deliveryId))!;
}
