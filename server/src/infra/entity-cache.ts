// The entity cache: hot documents (members — what author lines and chips show —, tags, spaces,
// and the posts that listings and question pages load by id) kept in Redis so that the by-id loads behind every page read them with one MGET instead
// of one database read each (FerretDB reads ids one at a time). The repositories read through it
// (`findManyByIds`, see user/tag/space repositories); nothing else knows it exists.
//
// Never stale: an entry (`<prefix>ec:<collection>:<id>`, BSON, TTL) records the read-model
// version of its document (`<collection>:<id>`, bumped by every repository write after the
// database write: infra/versions.ts), the versions' epoch, and this cache's own generation, all
// read in the same MGET as the entries; it is served only while all three are unchanged. The
// version is read before the database is, so a document read while a write was under way is
// stored with the version that write replaces: the next read finds it outdated. The epoch moves
// when bumps were lost to an outage; the generation moves on every reconnection to Redis (a
// restarted Redis may come back from an older snapshot).
//
// Redis unreachable (or not connected yet): the database answers, as without the cache.
import type { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { Logger } from './logger.js';
import { EPOCH, type Versions } from './versions.js';

// entries are BSON: a thread of tens of KB deserialises in a third of EJSON's time
const { BSON } = mongoose.mongo;

export type EntityCollection = 'users' | 'tags' | 'spaces' | 'posts' | 'threads';

/** the read-model version an entry follows: its own, except a thread's, which is its question's */
const versionOf = (collection: EntityCollection, id: string) => (collection === 'threads' ? `posts:${id}` : `${collection}:${id}`);

/** how long an entry stays without being refreshed */
const TTL_SECONDS = 15 * 60;
/** larger batches (batch tools, sweeps) go to the database directly */
const MAX_IDS = 200;

interface Entry {
  /** `<version>.<epoch>.<generation>` when it was read */
  s: string;
  d: Record<string, unknown>;
}

export class EntityCache {
  private readonly generationKey: string;

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

  private entryKey(collection: EntityCollection, id: string): string {
    return `${this.prefix}ec:${collection}:${id}`;
  }

  /**
   * Documents by `_id` (in no particular order, missing ones left out), from the cache where it
   * holds them and from `load` for the rest (then cached). `omit` names fields that are never
   * cached nor returned (secrets).
   */
  async read<T extends { _id: unknown }>(
    collection: EntityCollection,
    ids: readonly unknown[],
    load: (ids: unknown[]) => Promise<T[]>,
    omit: readonly string[] = [],
  ): Promise<T[]> {
    const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
    if (unique.length === 0) return [];
    if (unique.length > MAX_IDS || this.redis.status !== 'ready') return without(await load(unique), omit);
    const n = unique.length;
    let values: Array<Buffer | null>;
    try {
      values = await this.redis.mgetBuffer(
        ...unique.map((id) => this.entryKey(collection, String(id))),
        ...unique.map((id) => this.versions.key(versionOf(collection, String(id)))),
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
      const entry = parse(values[i]);
      if (entry?.s === stamp) out.push(entry.d as T);
      else missing.set(String(id), { id, stamp });
    });
    if (missing.size === 0) return out;
    const loaded = without(await load([...missing.values()].map((m) => m.id)), omit);
    out.push(...loaded);
    await this.store(collection, loaded, missing);
    return out;
  }

  private async store<T extends { _id: unknown }>(
    collection: EntityCollection,
    docs: readonly T[],
    stamps: Map<string, { stamp: string }>,
  ): Promise<void> {
    if (docs.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const doc of docs) {
      const stamp = stamps.get(String(doc._id))?.stamp;
      if (stamp === undefined) continue;
      const entry: Entry = { s: stamp, d: doc as Record<string, unknown> };
      pipeline.set(this.entryKey(collection, String(doc._id)), Buffer.from(BSON.serialize(entry)), 'EX', TTL_SECONDS);
    }
    await pipeline.exec().catch(() => undefined);
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
