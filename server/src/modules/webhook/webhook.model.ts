import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/** A subscriber endpoint: events of one space (or the whole site) are POSTed to `url`, signed with `secret`. */
const webhookSchema = new Schema(
  {
    url: { type: String, required: true },
    description: { type: String, default: '' },
    /** Standard Webhooks signing secret (`whsec_` + base64); shown once, at creation */
    secret: { type: String, required: true },
    events: { type: [String], default: [] },
    /** null: the whole site */
    spaceId: { type: Schema.Types.ObjectId, default: null },
    active: { type: Boolean, default: true },
    disabledAt: { type: Date, default: null },
    disabledReason: { type: String, default: null },
    /** deliveries that failed in a row (every attempt); reset by a success */
    consecutiveFailures: { type: Number, default: 0 },
    createdById: { type: Schema.Types.ObjectId, required: true },
    /** the latest deliveries' ids, newest last (capped): the delivery log reads them by id */
    recentDeliveryIds: { type: [String], default: [] },
    lastDeliveryAt: { type: Date, default: null },
    lastDeliveryStatus: { type: String, default: null },
  },
  { timestamps: true, collection: 'webhooks' },
);

export type WebhookDoc = InferSchemaType<typeof webhookSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const WebhookModel = model('Webhook', webhookSchema);

/** The one registry document (`_id: 'registry'`): every webhook's id, read by id for each event. */
const webhookRegistrySchema = new Schema(
  {
    _id: { type: String, required: true },
    ids: { type: [Schema.Types.ObjectId], default: [] },
  },
  { timestamps: true, collection: 'webhook_registry' },
);

export type WebhookRegistryDoc = InferSchemaType<typeof webhookRegistrySchema>;
export const WebhookRegistryModel = model('WebhookRegistry', webhookRegistrySchema);

const attemptSchema = new Schema(
  {
    n: { type: Number, required: true },
    at: { type: Date, required: true },
    /** a manual redelivery (not a retry) */
    manual: { type: Boolean, default: false },
    requestHeaders: { type: Schema.Types.Mixed, default: {} },
    responseStatus: { type: Number, default: null },
    /** the first 2 KB of the response body */
    responseBodyExcerpt: { type: String, default: null },
    durationMs: { type: Number, default: 0 },
    error: { type: String, default: null },
  },
  { _id: false },
);

/**
 * One message to one webhook: `_id` is `<webhookId>_<eventId>` (or `<webhookId>_vote_<postId>_<window>`
 * for aggregated votes, `<webhookId>_ping_<n>`), which is also the BullMQ job id and the
 * `webhook-id` header, stable across retries. Kept 30 days (`expiresAt`, purged by the webhook worker).
 */
const webhookDeliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    webhookId: { type: Schema.Types.ObjectId, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    /** the JSON body sent (fixed at the first attempt; aggregated votes are built then) */
    requestBody: { type: String, default: null },
    /** what the payload is built from when `requestBody` is still null */
    source: { type: Schema.Types.Mixed, default: null },
    attempts: { type: [attemptSchema], default: [] },
    status: { type: String, enum: ['pending', 'succeeded', 'failed'], default: 'pending' },
    /** why it was not attempted (its webhook deleted or disabled) */
    note: { type: String, default: null },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'webhook_deliveries' },
);
// no TTL option (FerretDB takes only key, name, unique): the webhook worker purges expired
// deliveries every hour (webhook.worker.ts) through this index
webhookDeliverySchema.index({ expiresAt: 1 });
webhookDeliverySchema.index({ webhookId: 1, createdAt: -1 });

export type WebhookAttempt = InferSchemaType<typeof attemptSchema>;
export type WebhookDeliveryDoc = Omit<InferSchemaType<typeof webhookDeliverySchema>, 'attempts'> & {
  _id: string;
  attempts: WebhookAttempt[];
  createdAt: Date;
  updatedAt: Date;
};
export const WebhookDeliveryModel = model('WebhookDelivery', webhookDeliverySchema);
