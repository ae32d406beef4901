// The entity cache: hot documents (members — what author lines and chips show —, tags, spaces,
// the posts and threads that listings and question pages load by id, and the small per-question
// and per-member documents those pages show: bounties, links, memberships, support settings)
// kept in Redis so that the by-id loads behind every page read them with one MGET instead of one
// database read each (FerretDB reads ids one at a time). Repositories opt in with their `cache`
// option (infra/repository.ts: `findManyByIds`); nothing else knows it exists.
//
// Never stale: an entry (`<prefix>ec:<collection>:<id>`, BSON, TTL) holds the document, or that
// no document had the id (`absent`), with the read-model version of the document (the
// repository's first version key, bumped by every repository write after the database write:
// infra/versions.ts), the versions' epoch, and this cache's own generation, all read in the same
// MGET as the entries; it is served only while all three are unchanged. The
// version is read before the database is, so a document read while a write was under way is
// stored with the version that write replaces: the next read finds it outdated. The epoch moves
// when bumps were lost to an outage; the generation moves on every reconnection to Redis (a
// restarted Redis may come back from an older snapshot).
//
// Each process also keeps the entries it parsed last (a thread of tens of KB takes milliseconds
// to deserialise, on every page view), bounded by their size: one is served only while its stamp
// equals the one just read from Redis, so it is exactly as fresh as the Redis entry. What a
// document holds is shared by every request of the process, so it is frozen; each read gets its
// own copy of the document itself (libraries tag the objects they resolve).
//
// Redis unreachable (or not connected yet): the database answers, as without the cache.
import type { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { Logger } from './logger.js';
import { EPOCH, type Versions } from './versions.js';

// entries are BSON: a thread of tens of KB deserialises in a third of EJSON's time
const { BSON } = mongoose.mongo;

/** how long an entry stays without being refreshed */
const TTL_SECONDS = 15 * 60;
/**
 * how long "no such document" stays: every write through the owning repository retires it at
 * once (it follows the version too); the bound covers inserts that bump nothing (import batches)
 */
const ABSENT_TTL_SECONDS = 60;
/** the size (BSON bytes) of the entries a process keeps parsed, least recently used dropped first */
const LOCAL_MAX_BYTES = 8 * 1024 * 1024;
/** larger batches (batch tools, sweeps) go to the database directly */
const MAX_IDS = 200;

interface Entry {
  /** `<version>.<epoch>.<generation>` when it was read */
  s: string;
  /** the document; null: none had this id */
  d: Record<string, unknown> | null;
}

export interface ReadOptions {
  /** the read-model version key an entry follows (bumped by every write of its document) */
  version: (id: unknown) => string;
  /** fields never cached nor returned (secrets) */
  omit?: readonly string[] | undefined;
  /** remember ids without a document too (see RepositoryOptions.cache) */
  absent?: boolean | undefined;
}

interface LocalEntry extends Entry {
  bytes: number;
}

export class EntityCache {
  private readonly generationKey: string;
  /** parsed entries by Redis key, least recently used first */
  private readonly local = new Map<string, LocalEntry>();
  private localBytes = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly versions: Versions,
    private readonly log?: Logger,
  ) {
    this.generationKey = `${prefix}ec:gen`;
    let connected = redis.status === 'ready';
    redis.on('ready', () => {
      if (connected) void this.restart();
      connected = true;
    });
  }

  private entryKey(collection: string, id: string): string {
    return `${this.prefix}ec:${collection}:${id}`;
  }

  /**
   * Documents by `_id` (in no particular order, missing ones left out), from the cache where it
   * holds them and from `load` for the rest (then cached).
   */
  async read<T extends { _id: unknown }>(
    collection: string,
    ids: readonly unknown[],
    load: (ids: unknown[]) => Promise<T[]>,
    options: ReadOptions,
  ): Promise<T[]> {
    const omit = options.omit ?? [];
    const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
    if (unique.length === 0) return [];
    if (unique.length > MAX_IDS || this.redis.status !== 'ready') return without(await load(unique), omit);
    const n = unique.length;
    let values: Array<Buffer | null>;
    try {
      values = await this.redis.mgetBuffer(
        ...unique.map((id) => this.entryKey(collection, String(id))),
        ...unique.map((id) => this.versions.key(options.version(id))),
        this.versions.key(EPOCH),
        this.generationKey,
      );
    } catch {
      return without(await load(unique), omit);
    }
    const text = (value: Buffer | null | undefined) => value?.toString() ?? '0';
    const suffix = `${text(values[2 * n])}.${text(values[2 * n + 1])}`;
    const out: T[] = [];
    const missing = new Map<string, { id: unknown; stamp: string }>();
    unique.forEach((id, i) => {
      const stamp = `${text(values[n + i])}.${suffix}`;
      const key = this.entryKey(collection, String(id));
      let entry: Entry | null | undefined = this.local.get(key);
      if (entry?.s === stamp) this.keep(key, entry as LocalEntry);
      else {
        entry = parse(values[i]);
        if (entry?.s === stamp) entry = this.keep(key, { ...entry, bytes: values[i]!.length });
      }
      if (entry?.s === stamp) {
        if (entry.d) out.push({ ...entry.d } as T);
      } else missing.set(String(id), { id, stamp });
    });
    if (missing.size === 0) return out;
    const loaded = without(await load([...missing.values()].map((m) => m.id)), omit);
    out.push(...loaded);
    await this.store(collection, loaded, missing, options.absent === true);
    return out;
  }

  private async store<T extends { _id: unknown }>(
    collection: string,
    docs: readonly T[],
    stamps: Map<string, { stamp: string }>,
    absent: boolean,
  ): Promise<void> {
    const pipeline = this.redis.pipeline();
    const put = (id: string, entry: Entry, ttl: number) => {
      const key = this.entryKey(collection, id);
      const bytes = BSON.serialize(entry);
      this.keep(key, { s: entry.s, d: entry.d && { ...entry.d }, bytes: bytes.length });
      pipeline.set(key, Buffer.from(bytes), 'EX', ttl);
    };
    const found = new Set<string>();
    for (const doc of docs) {
      const id = String(doc._id);
      found.add(id);
      const stamp = stamps.get(id)?.stamp;
      if (stamp !== undefined) put(id, { s: stamp, d: doc as Record<string, unknown> }, TTL_SECONDS);
    }
    if (absent) for (const [id, { stamp }] of stamps) if (!found.has(id)) put(id, { s: stamp, d: null }, ABSENT_TTL_SECONDS);
    if (pipeline.length === 0) return;
    await pipeline.exec().catch(() => undefined);
  }

  /** Keeps a parsed entry as the most recently used (what its document holds frozen: requests share it); the entry kept. */
  private keep(key: string, entry: LocalEntry): LocalEntry {
    const previous = this.local.get(key);
    if (previous) {
      this.local.delete(key);
      this.localBytes -= previous.bytes;
    }
    if (entry.bytes > LOCAL_MAX_BYTES / 4) return entry;
    if (previous !== entry && entry.d) for (const value of Object.values(entry.d)) deepFreeze(value);
    this.local.set(key, entry);
    this.localBytes += entry.bytes;
    for (const [oldest, { bytes }] of this.local) {
      if (this.localBytes <= LOCAL_MAX_BYTES) break;
      this.local.delete(oldest);
      this.localBytes -= bytes;
    }
    return entry;
  }

  /** Retires every entry (after a reconnection). */
  private async restart(): Promise<void> {
    try {
      await this.redis.incr(this.generationKey);
    } catch (error) {
      // gone again before it could: the next reconnection retires them
      this.log?.debug({ err: error }, 'entity cache generation not bumped');
    }
  }
}

/** Freezes plain objects and arrays all the way down (ids, dates and buffers are left as they are). */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return;
  Object.freeze(value);
  for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
}

function parse(raw: Buffer | null | undefined): Entry | null {
  if (!raw) return null;
  try {
    return BSON.deserialize(raw) as Entry;
  } catch {
    return null;
  }
}

/** Copies of the documents without the omitted fields (none: the documents themselves). */
function without<T>(docs: T[], omit: readonly string[]): T[] {
  if (omit.length === 0) return docs;
  return docs.map((doc) => {
    const copy = { ...(doc as Record<string, unknown>) };
    for (const field of omit) delete copy[field];
    return copy as T;
  });
}
