// The base of every module's repository: the by-id reads and writes all collections share, run
// with the storage strategy chosen at boot (storage.ts). A module's repository extends it with
// its own named queries and is the only code that touches its collection.
import type mongoose from 'mongoose';
import type { EntityCache } from './entity-cache.js';
import type { Guard, GuardedResult, Storage } from './storage.js';
import { InsertBatch, type InsertBatchOptions } from './insert-batch.js';

type Update = mongoose.UpdateQuery<unknown>;

export interface RepositoryOptions {
  /**
   * Read-model version keys a write of this document bumps (caches in front of it refresh):
   * `<collection>:<id>` and the lists it appears in. None for collections no page shows.
   */
  versionKeys?: (id: unknown) => string[];
  /**
   * Whole-document by-id reads served through the entity cache (infra/entity-cache.ts) under this
   * name; its entries follow the document's first version key, so `versionKeys` is required.
   * `omit`: fields never cached nor served (secrets). `absent`: an id without a document is
   * remembered too (a question without a bounty is the common case) — only for collections whose
   * every write goes through this repository's methods, which bump the version.
   */
  cache?: { name: string; omit?: readonly string[]; absent?: boolean };
}

export abstract class Repository<T extends { _id: unknown }> {
  private entityCache: EntityCache | null = null;

  constructor(
    protected readonly storage: Storage,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mongoose model of T
    protected readonly model: mongoose.Model<any>,
    private readonly options: RepositoryOptions = {},
  ) {}

  /** Bumps the read-model versions of written documents (a no-op for collections no page shows). */
  protected async touched(...ids: unknown[]): Promise<void> {
    const keysOf = this.options.versionKeys;
    if (keysOf) await this.storage.changed(ids.flatMap((id) => keysOf(id)));
  }

  /** One document by `_id` (a plain object), or null. */
  async findById(id: unknown, select?: string): Promise<T | null> {
    if (id === null || id === undefined) return null;
    const query = this.model.findById(id);
    if (select) query.select(select);
    return (await query.lean()) as T | null;
  }

  /** Serves whole-document by-id reads through the entity cache when `options.cache` asks for it (deps.ts). */
  useEntityCache(cache: EntityCache | null): void {
    if (this.options.cache) this.entityCache = cache;
  }

  /**
   * Documents by `_id`, in no particular order, missing ones left out. Whole documents come
   * through the entity cache where the repository has one (one MGET instead of one read per id
   * on FerretDB); a projection (`select`: tools that need what is stored right now) is read from
   * the database.
   */
  findManyByIds<R extends { _id: unknown } = T>(ids: readonly unknown[], select?: string): Promise<R[]> {
    const cached = this.options.cache;
    const keysOf = this.options.versionKeys;
    if (!this.entityCache || !cached || !keysOf || select !== undefined) return this.findStoredByIds<R>(ids, select);
    return this.entityCache.read<R>(cached.name, ids, (missing) => this.findStoredByIds<R>(missing), {
      version: (id) => keysOf(id)[0]!,
      omit: cached.omit,
      absent: cached.absent,
    });
  }

  /** `findManyByIds` past the entity cache: what the database holds right now (verify, rebuilds). */
  findStoredByIds<R extends { _id: unknown } = T>(ids: readonly unknown[], select?: string): Promise<R[]> {
    return this.storage.findByIds<R>(this.model, ids, select);
  }

  /** One whole document by `_id` through the entity cache where the repository has one (page reads). */
  async findCachedById(id: unknown): Promise<T | null> {
    if (id === null || id === undefined) return null;
    return (await this.findManyByIds([id]))[0] ?? null;
  }

  /** Documents by `_id` in input order, null where missing (DataLoader batch functions). */
  async findByIdsOrdered(ids: readonly unknown[], key: (id: unknown) => string = String): Promise<Array<T | null>> {
    const docs = await this.findManyByIds(ids);
    const byId = new Map(docs.map((d) => [key(d._id), d]));
    return ids.map((id) => byId.get(key(id)) ?? null);
  }

  /** Inserts one whole document. */
  async insert(doc: Partial<T> & Record<string, unknown>): Promise<void> {
    await this.model.create(doc);
    await this.touched(doc._id);
  }

  /** `updateOne({_id}, update)`; serialised per document where the database needs it. */
  async update(id: unknown, update: Update, options?: { upsert?: boolean; timestamps?: boolean }): Promise<GuardedResult> {
    const result = await this.storage.updateById(this.model, id, update, options);
    if (result.matchedCount > 0 || options?.upsert) await this.touched(id);
    return result;
  }

  /** The update, returning the document after it (null when missing). */
  async updateReturning(id: unknown, update: Update): Promise<T | null> {
    const doc = await this.storage.updateByIdReturning<T>(this.model, id, update);
    if (doc) await this.touched(id);
    return doc;
  }

  /** Writes only when every guard field matches (optimistic concurrency). */
  async updateIf(id: unknown, guard: Guard, update: Update): Promise<GuardedResult> {
    const result = await this.storage.updateIf(this.model, id, guard, update);
    if (result.matchedCount > 0) await this.touched(id);
    return result;
  }

  /** `updateIf` returning the document after the write, or null when the guard failed. */
  async updateIfReturning(id: unknown, guard: Guard, update: Update): Promise<T | null> {
    const doc = await this.storage.findOneAndUpdateIf<T>(this.model, id, guard, update);
    if (doc) await this.touched(id);
    return doc;
  }

  async deleteById(id: unknown): Promise<void> {
    await this.model.deleteOne({ _id: id });
    await this.touched(id);
  }

  /** Whole documents inserted in batches (imports and generators, a database's only writer). */
  insertBatch(options: InsertBatchOptions = {}): InsertBatch {
    return new InsertBatch(this.model, options);
  }

  /** Every document (projected), streamed: batch tools only (verify, repairs, rebuilds). */
  scan<R = T>(filter: Record<string, unknown> = {}, select?: string): AsyncIterable<R> {
    const query = this.model.find(filter);
    if (select) query.select(select);
    return query.lean().cursor({ batchSize: 1000 }) as unknown as AsyncIterable<R>;
  }

  /** Documents matching `filter` ordered by `_id`, `limit` at a time: batch tools only. */
  async page<R = T>(filter: Record<string, unknown>, select: string, limit: number): Promise<R[]> {
    return (await this.model.find(filter).select(select).sort({ _id: 1 }).limit(limit).lean()) as R[];
  }

  /** Documents matching `filter` (projected): batch tools only (verify, repairs). */
  async findWhere<R = T>(filter: Record<string, unknown>, select?: string): Promise<R[]> {
    const query = this.model.find(filter);
    if (select) query.select(select);
    return (await query.lean()) as R[];
  }

  /** A by-id update that leaves `updatedAt` alone (bulk fills after imports). */
  async updateWithoutTimestamps(id: unknown, update: Update): Promise<void> {
    await this.model.updateOne({ _id: id }, update, { timestamps: false });
    await this.touched(id);
  }

  count(filter: Record<string, unknown> = {}): Promise<number> {
    return this.model.countDocuments(filter);
  }

  estimatedCount(): Promise<number> {
    return this.model.estimatedDocumentCount();
  }
}
