// The activity stream's `webhooks` consumer: every event becomes one delivery per webhook that
// wants it (active, subscribed to the type, site-wide or of the event's space). Idempotent on the
// event id: the delivery's id (and job id) is `<webhookId>_<eventId>`. Votes are aggregated: one
// delivery per webhook and post per VOTE_WINDOW_MS, built when it is sent (the score then).
import type { AppDeps } from '../../context.js';
import type { ActivityEvent, ActivityHandler } from '../activity/activity.js';
import { reposOf, servicesOf } from '../services.js';
import { buildPayload, type WebhookPayload } from './webhook.payload.js';
import { wantsEvent } from './webhook.policy.js';
import { DELIVERY_RETENTION_MS, enqueueDelivery, VOTE_WINDOW_MS } from './webhook.queue.js';

export async function fanOut(deps: AppDeps, event: ActivityEvent): Promise<string[]> {
  const repo = reposOf(deps).webhooks;
  const hooks = (await repo.all()).filter((w) => wantsEvent(w, event));
  if (!hooks.length) return [];
  const now = servicesOf({ deps }).clock.now();
  const expiresAt = new Date(now.getTime() + DELIVERY_RETENTION_MS);
  const aggregated = event.type === 'vote.changed';
  let payload: WebhookPayload | null = null;
  if (!aggregated) payload = await buildPayload(deps, event);
  const created: string[] = [];
  for (const hook of hooks) {
    const hookId = hook._id.toHexString();
    let deliveryId = `${hookId}_${event.id}`;
    let delayMs = 0;
    if (aggregated) {
      const at = new Date(event.at).getTime();
      const window = Math.floor(at / VOTE_WINDOW_MS);
      deliveryId = `${hookId}_vote_${event.subjectId}_${window}`;
      delayMs = Math.max(0, (window + 1) * VOTE_WINDOW_MS - at);
    }
    const fresh = await repo.deliveries.createOnce({
      _id: deliveryId,
      webhookId: hook._id,
      eventId: event.id,
      eventType: event.type,
      requestBody: payload ? JSON.stringify(payload) : null,
      source: aggregated ? event : null,
      expiresAt,
    });
    if (!fresh && aggregated) continue; // this window's delivery is queued already
    await repo.noteDelivery(hook._id, deliveryId);
    await enqueueDelivery(deps, { deliveryId }, { jobId: deliveryId, delayMs });
    created.push(deliveryId);
  }
  return created;
}

export const webhooksHandler: ActivityHandler = {
  name: 'webhooks',
  async handle(deps, event) {
    await fanOut(deps, event);
  },
};
