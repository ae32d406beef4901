// The audit log (collection `audit_log`): the only code that touches it. Entries are read by
// `_id`; which ids to read comes from Redis sorted sets (every entry, per actor, per target, per
// action) whose members are the ids (ObjectIds sort by time), all with score 0: ZREVRANGEBYLEX
// pages newest first with an exact keyset. Without Redis (batch tools) or before the sets are
// built, the indexed queries answer (MongoDB) — FerretDB would scan, so the sets are the norm.
import { Types } from 'mongoose';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { AuditModel, type AuditDoc } from './audit.model.js';

export interface AuditFilter {
  actorId?: string | null;
  targetId?: string | null;
  action?: string | null;
}

export class AuditRepository extends Repository<AuditDoc> {
  constructor(storage: Storage) {
    super(storage, AuditModel);
  }

  private keys(entry: Pick<AuditDoc, 'actorId' | 'targetId' | 'action'>): string[] {
    const p = this.storage.cache?.prefix ?? '';
    return [
      `${p}audit:all`,
      ...(entry.actorId ? [`${p}audit:actor:${entry.actorId.toString()}`] : []),
      `${p}audit:target:${entry.targetId}`,
      `${p}audit:action:${entry.action}`,
    ];
  }

  /** Appends one entry and lists it (a failed listing is repaired by verify). */
  async append(entry: Omit<AuditDoc, '_id'> & { _id?: Types.ObjectId }): Promise<AuditDoc> {
    const _id = entry._id ?? new Types.ObjectId();
    const doc = { ...entry, _id } as AuditDoc;
    await AuditModel.create(doc);
    await this.list([doc]).catch(() => undefined);
    return doc;
  }

  /** Adds entries to the Redis listings. */
  async list(entries: ReadonlyArray<Pick<AuditDoc, '_id' | 'actorId' | 'targetId' | 'action'>>): Promise<void> {
    const cache = this.storage.cache;
    if (!cache || entries.length === 0) return;
    const pipeline = cache.redis.pipeline();
    for (const e of entries) for (const key of this.keys(e)) pipeline.zadd(key, 0, e._id.toHexString());
    await pipeline.exec();
  }

  /** The most selective listing for a filter (target, then actor, then action, else all). */
  private listingKey(filter: AuditFilter): string {
    const p = this.storage.cache?.prefix ?? '';
    if (filter.targetId) return `${p}audit:target:${filter.targetId}`;
    if (filter.actorId) return `${p}audit:actor:${filter.actorId}`;
    if (filter.action) return `${p}audit:action:${filter.action}`;
    return `${p}audit:all`;
  }

  /**
   * Entries matching the filter, newest first, after the entry `afterId` (exclusive), at most
   * `limit`. Reads ids from the most selective listing, then the entries by `_id`; the other
   * filter fields are checked on the entries.
   */
  async pageOf(filter: AuditFilter, afterId: string | null, limit: number): Promise<AuditDoc[]> {
    const cache = this.storage.cache;
    const matches = (e: AuditDoc) =>
      (!filter.actorId || e.actorId?.toHexString() === filter.actorId) &&
      (!filter.targetId || e.targetId === filter.targetId) &&
      (!filter.action || e.action === filter.action);
    if (!cache) {
      const query: Record<string, unknown> = {};
      if (filter.actorId) query.actorId = new Types.ObjectId(filter.actorId);
      if (filter.targetId) query.targetId = filter.targetId;
      if (filter.action) query.action = filter.action;
      if (afterId) query._id = { $lt: new Types.ObjectId(afterId) };
      return (await AuditModel.find(query).sort({ _id: -1 }).limit(limit).lean()) as AuditDoc[];
    }
    const key = this.listingKey(filter);
    const found: AuditDoc[] = [];
    let from = afterId ? `(${afterId}` : '+';
    const batch = Math.max(limit, 50);
    for (let round = 0; round < 20 && found.length < limit; round++) {
      const ids = await cache.redis.zrevrangebylex(key, from, '-', 'LIMIT', 0, batch);
      if (ids.length === 0) break;
      const docs = await this.findByIdsOrdered(
        ids.map((id) => new Types.ObjectId(id)),
        (id) => String(id),
      );
      for (const d of docs) if (d && matches(d) && found.length < limit) found.push(d);
      if (ids.length < batch) break;
      from = `(${ids[ids.length - 1]}`;
    }
    return found;
  }

  /** Listed ids (every entry), for verify. */
  async listedCount(): Promise<number | null> {
    const cache = this.storage.cache;
    return cache ? cache.redis.zcard(`${cache.prefix}audit:all`) : null;
  }

  /** Rebuilds every listing from the collection (verify --repair). */
  async rebuildListings(): Promise<number> {
    const cache = this.storage.cache;
    if (!cache) return 0;
    let stream = '0';
    const stale: string[] = [];
    do {
      const [next, keys] = await cache.redis.scan(stream, 'MATCH', `${cache.prefix}audit:*`, 'COUNT', 500);
      stale.push(...keys);
      stream = next;
    } while (stream !== '0');
    if (stale.length) await cache.redis.del(...stale);
    let n = 0;
    let chunk: AuditDoc[] = [];
    for await (const e of this.scan<AuditDoc>({}, '_id actorId targetId action')) {
      chunk.push(e);
      n++;
      if (chunk.length >= 500) {
        await this.list(chunk);
        chunk = [];
      }
    }
    await this.list(chunk);
    return n;
  }
}
