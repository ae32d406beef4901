// The webhooks, their registry and their delivery log: the only code that touches these collections.
// Request-time reads are by `_id` only: the registry document lists every webhook's id, and a
// webhook lists its recent deliveries' ids.
import type { Types } from 'mongoose';
import { op } from '../../lib/mongo-ops.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import {
  WebhookDeliveryModel,
  WebhookModel,
  WebhookRegistryModel,
  type WebhookAttempt,
  type WebhookDeliveryDoc,
  type WebhookDoc,
} from './webhook.model.js';

const REGISTRY_ID = 'registry';
/** deliveries a webhook lists (the log page pages through these) */
export const RECENT_DELIVERIES = 200;

export class WebhookRepository extends Repository<WebhookDoc> {
  readonly deliveries: WebhookDeliveryRepository;

  constructor(storage: Storage) {
    super(storage, WebhookModel);
    this.deliveries = new WebhookDeliveryRepository(storage);
  }

  /** Every webhook's id (the registry document), oldest first. */
  async allIds(): Promise<Types.ObjectId[]> {
    const registry = (await WebhookRegistryModel.findById(REGISTRY_ID).lean()) as { ids?: Types.ObjectId[] } | null;
    return registry?.ids ?? [];
  }

  /** Every webhook, oldest first (read by id from the registry). */
  async all(): Promise<WebhookDoc[]> {
    const ids = await this.allIds();
    const docs = await this.findManyByIds(ids);
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return ids.map((id) => byId.get(id.toHexString())).filter((d): d is WebhookDoc => d !== undefined);
  }

  /** Inserts a webhook, then lists it in the registry (a crash between leaves an unlisted one `rebuildRegistry` adds). */
  async create(doc: Partial<WebhookDoc> & Record<string, unknown>): Promise<WebhookDoc> {
    const created = await WebhookModel.create(doc);
    await this.storage.updateById(WebhookRegistryModel, REGISTRY_ID, { $addToSet: { ids: created._id } }, { upsert: true });
    return created.toObject() as WebhookDoc;
  }

  /** Unlists a webhook, then deletes it (its deliveries expire with the log). */
  async remove(id: Types.ObjectId): Promise<void> {
    await this.storage.updateById(WebhookRegistryModel, REGISTRY_ID, { $pull: { ids: id } }, { upsert: true });
    await this.deleteById(id);
  }

  /** Lists a delivery on its webhook (newest last, capped at RECENT_DELIVERIES). */
  async noteDelivery(webhookId: Types.ObjectId, deliveryId: string): Promise<void> {
    const doc = await this.updateReturning(webhookId, { $addToSet: { recentDeliveryIds: deliveryId } });
    const ids = doc?.recentDeliveryIds ?? [];
    if (ids.length > RECENT_DELIVERIES)
      await this.update(webhookId, { $pullAll: { recentDeliveryIds: ids.slice(0, ids.length - RECENT_DELIVERIES) } });
  }

  /** Rebuilds the registry from the collection (maintenance: a scan). */
  async rebuildRegistry(): Promise<number> {
    const ids: Types.ObjectId[] = [];
    for await (const w of this.scan<{ _id: Types.ObjectId }>({}, '_id')) ids.push(w._id);
    await this.storage.updateById(WebhookRegistryModel, REGISTRY_ID, { $set: { ids } }, { upsert: true });
    return ids.length;
  }
}

export class WebhookDeliveryRepository extends Repository<WebhookDeliveryDoc> {
  constructor(storage: Storage) {
    super(storage, WebhookDeliveryModel);
  }

  /** Creates the delivery unless it exists (idempotent on its id); true when this call created it. */
  async createOnce(doc: Omit<WebhookDeliveryDoc, 'createdAt' | 'updatedAt' | 'attempts' | 'status'>): Promise<boolean> {
    const { _id, ...fields } = doc;
    const result = await this.storage.updateById(
      this.model,
      _id,
      { $setOnInsert: { ...fields, attempts: [], status: 'pending' } },
      { upsert: true },
    );
    return result.matchedCount === 0;
  }

  async addAttempt(id: string, attempt: WebhookAttempt, status: 'pending' | 'succeeded' | 'failed'): Promise<void> {
    await this.update(id, { $push: { attempts: attempt }, $set: { status } });
  }

  /** Deliveries past their `expiresAt` removed (the worker's hourly purge; index-backed). */
  async purgeExpired(now: Date): Promise<number> {
    const result = await WebhookDeliveryModel.deleteMany({ expiresAt: op.lt(now) });
    return result.deletedCount ?? 0;
  }
}
