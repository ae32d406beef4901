// The store of the GraphQL response cache (graphql/response-cache.plugin.ts caches anonymous queries in
// it): @envelop/response-cache-redis over a Redis client of its own whose keys all start with
// `<REDIS_PREFIX>rc:`, shared by every api instance. Invalidation is exact and driven by the
// read-model versions (infra/versions.ts): every repository write bumps the keys it changed, and
// the listener registered in deps.ts turns them into the entities they stand for
// (`posts:<id>` → Question and Answer <global id>, `list:posts` → every Question and Answer, …,
// see `entitiesOfKey`). A response is filed under the entities the plugin found in its data and
// under those of the read-model keys the request read (`x-colloquy-reads`): a list that was empty
// or an aggregate with no ids in it goes stale with its list too.
//
// Exactness under concurrency: a generation per type name (`rc:gen`, a hash; `*` for all) is
// bumped by every invalidation before the library deletes the entries. A lookup that misses
// notes the generations it saw; the response computed after it is stored with them, and served
// only while they are unchanged — a response computed from data read before a write can never
// be stored after that write's invalidation and survive it.
//
// Redis unreachable: every operation fails open (a lookup misses, a store or an invalidation is
// dropped) and never throws. After a reconnection (Redis restarted, possibly from an older
// snapshot, or invalidations lost while it was away) the `*` generation is bumped: everything
// cached before is retired at once.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createRedisCache } from '@envelop/response-cache-redis';
import type { Cache } from '@graphql-yoga/plugin-response-cache';
import type { ExecutionResult } from 'graphql';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { EPOCH } from './versions.js';

/** What the library files a response under: a type, or one object of it (its global id). */
export interface CacheEntity {
  typename: string;
  id?: string | number;
}

/** the generation that retires every entry */
const ALL = '*';
/** the hash of generations (a key no response or index set can have) */
const GEN = 'gen';
/** extension under which a stored response keeps its generations (removed before it is served) */
const META = 'colloquyResponseCache';
/** response header: `hit` (served from the cache) or `miss` (computed, then cached when cacheable) */
export const CACHE_HEADER = 'x-colloquy-cache';
/** response header naming the read-model keys a response used (see app.ts readsPlugin) */
export const READS_HEADER = 'x-colloquy-reads';
/** a lookup's generations wait this long at most for the response computed after it */
const PENDING_MS = 30_000;
const PENDING_MAX = 10_000;
/** the library's index sets outlive the responses they list by this much */
const INDEX_GRACE_SECONDS = 60;

/** The GraphQL types behind a read-model key's kind (`posts:<id>` is a question or an answer). */
const TYPES_OF: Record<string, readonly string[]> = {
  posts: ['Question', 'Answer'],
  users: ['User'],
  spaces: ['Space'],
  tags: ['Tag'],
  comments: ['Comment'],
};

/**
 * The entities a read-model version key stands for: `<kind>:<id>` → each type's object by its
 * Relay global id; `list:<kind>` → the whole types (every list and count of them); the epoch →
 * everything; any other key → itself (`{typename: 'Read', id: key}`).
 */
export function entitiesOfKey(key: string): CacheEntity[] {
  if (key === EPOCH) return [{ typename: ALL }];
  const colon = key.indexOf(':');
  const kind = colon < 0 ? key : key.slice(0, colon);
  const rest = colon < 0 ? '' : key.slice(colon + 1);
  if (kind === 'list' && TYPES_OF[rest]) return TYPES_OF[rest].map((typename) => ({ typename }));
  const types = TYPES_OF[kind];
  if (types && rest) return types.map((typename) => ({ typename, id: encodeGlobalID(typename, rest) }));
  return [{ typename: 'Read', id: key }];
}

type Generations = Record<string, string>;

/** The entities of the read-model keys a computed response names in its reads header. */
function readEntities(result: ExecutionResult): CacheEntity[] {
  const headers = (result.extensions?.http as { headers?: Record<string, string> } | undefined)?.headers;
  const reads = headers?.[READS_HEADER];
  if (!reads) return [];
  return reads
    .split(',')
    .filter((key) => key && key !== EPOCH)
    .flatMap(entitiesOfKey);
}

export class ResponseCacheStore {
  /** what the plugin is given */
  readonly cache: Cache;
  private readonly library: Cache;
  /** a lookup's generations per cache key, oldest first, until the response is stored */
  private readonly pending = new Map<string, { at: number; generations: Generations }>();
  private retiring = false;
  /** asked to retire everything again while doing so */
  private retireAgain = false;
  /** an invalidation was lost and not yet made up for (logged once) */
  private lost = false;

  constructor(
    /** a client of its own whose keyPrefix is `<REDIS_PREFIX>rc:` */
    private readonly redis: Redis,
    /** the longest time a response stays (the global TTL) */
    private readonly maxTtlMs: number,
    private readonly log?: Logger,
  ) {
    this.library = createRedisCache({ redis });
    this.cache = {
      get: (id) => this.get(id),
      set: (id, data, entities, ttl) => this.set(id, data, entities, ttl),
      invalidate: (entities) => this.invalidate(entities),
    };
    let connected = redis.status === 'ready';
    redis.on('ready', () => {
      if (connected) void this.retireAll('Redis reconnected');
      connected = true;
    });
  }

  /** Invalidates what these read-model keys stand for (the Versions.onBump listener). */
  invalidateKeys(keys: readonly string[]): Promise<void> {
    return this.invalidate(keys.flatMap(entitiesOfKey));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async get(id: string): Promise<ExecutionResult | undefined> {
    if (this.redis.status !== 'ready') return undefined;
    let entry: ExecutionResult | null | undefined;
    let generations: Generations;
    try {
      [entry, generations] = await Promise.all([this.library.get(id), this.redis.hgetall(GEN)]);
    } catch {
      return undefined;
    }
    const meta = entry?.extensions?.[META] as { generations?: Generations } | undefined;
    if (entry && meta?.generations && current(meta.generations, generations)) return served(entry);
    this.remember(id, generations);
    return undefined;
  }

  private async set(id: string, data: ExecutionResult, found: Iterable<CacheEntity>, ttl: number): Promise<void> {
    const seen = this.pending.get(id);
    this.pending.delete(id);
    // no lookup before it (or too long ago): what it was computed from is unknown, it is not kept
    if (!seen || Date.now() - seen.at > PENDING_MS) return;
    const entities = dedupe([...found, ...readEntities(data)]);
    const generations: Generations = { [ALL]: seen.generations[ALL] ?? '0' };
    for (const { typename } of entities) generations[typename] = seen.generations[typename] ?? '0';
    const stored = { ...data, extensions: { ...data.extensions, [META]: { generations } } };
    try {
      await this.library.set(id, stored, entities, ttl);
      // the library's index sets never expire: they live as long as a response in them may
      const keep = Math.ceil(this.maxTtlMs / 1000) + INDEX_GRACE_SECONDS;
      const pipeline = this.redis.pipeline();
      pipeline.expire(`operations:${id}`, keep);
      for (const typename of new Set(entities.map((e) => e.typename))) pipeline.expire(typename, keep);
      for (const e of entities) if (e.id !== undefined) pipeline.expire(`${e.typename}:${e.id}`, keep);
      await pipeline.exec();
    } catch (error) {
      this.log?.debug({ err: error }, 'response not cached');
    }
  }

  /**
   * Bumps the generations of the entities' types (retiring their responses at once), then lets
   * the library delete the responses filed under each object. A whole type's index set is
   * dropped (its responses are retired by the generation and expire with their TTL): the
   * library would look for the type's objects with KEYS, which blocks a large Redis.
   */
  private async invalidate(entities: Iterable<CacheEntity>): Promise<void> {
    const list = dedupe([...entities]);
    if (list.length === 0) return;
    try {
      const pipeline = this.redis.pipeline();
      for (const typename of new Set(list.map((e) => e.typename))) pipeline.hincrby(GEN, typename, 1);
      for (const e of list) if (e.id === undefined && e.typename !== ALL) pipeline.del(e.typename);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    } catch (error) {
      // not retired: everything cached goes as soon as Redis answers again
      void this.retireAll('an invalidation did not reach Redis', error);
      return;
    }
    const objects = list.filter((e) => e.id !== undefined);
    if (objects.length) await Promise.resolve(this.library.invalidate(objects)).catch(() => undefined);
  }

  /** Retires every cached response (bumps `*`); retried on the next reconnection when Redis is away. */
  private async retireAll(why: string, error?: unknown): Promise<void> {
    if (this.retiring) {
      this.retireAgain = true; // after the bump under way (which may have gone out before this loss)
      return;
    }
    this.retiring = true;
    try {
      do {
        this.retireAgain = false;
        if (this.redis.status !== 'ready') throw new Error('Redis is not connected');
        await this.redis.hincrby(GEN, ALL, 1);
      } while (this.retireAgain);
      this.log?.info({ why }, 'response cache emptied');
      this.lost = false;
    } catch {
      if (error !== undefined && !this.lost)
        this.log?.warn({ err: error, why }, 'response cache invalidation lost; the cache empties when Redis is back');
      this.lost ||= error !== undefined;
      // the next 'ready' retires everything (every reconnection does)
    } finally {
      this.retiring = false;
    }
  }

  private remember(id: string, generations: Generations): void {
    const now = Date.now();
    for (const [key, { at }] of this.pending) {
      if (now - at <= PENDING_MS && this.pending.size < PENDING_MAX) break;
      this.pending.delete(key);
    }
    // the oldest lookup wins: concurrent requests for one key are judged by the earliest
    if (!this.pending.has(id)) this.pending.set(id, { at: now, generations });
  }
}

/** Whether the generations a response was stored with are still the current ones. */
function current(stored: Generations, now: Generations): boolean {
  return Object.entries(stored).every(([typename, generation]) => (now[typename] ?? '0') === generation);
}

/** A stored response as served: without its generations, marked as a hit. */
function served(entry: ExecutionResult): ExecutionResult {
  const { [META]: _meta, ...extensions } = entry.extensions ?? {};
  const http = (extensions.http ?? {}) as { headers?: Record<string, string> };
  return { ...entry, extensions: { ...extensions, http: { ...http, headers: { ...http.headers, [CACHE_HEADER]: 'hit' } } } };
}

function dedupe(entities: CacheEntity[]): CacheEntity[] {
  const out = new Map<string, CacheEntity>();
  for (const e of entities) out.set(e.id === undefined ? e.typename : `${e.typename}:${String(e.id)}`, e);
  return [...out.values()];
}

const stores = new WeakMap<object, ResponseCacheStore>();

/** Files the store of one set of dependencies (deps.ts) under its repositories, for createApp to find. */
export function attachResponseCache(owner: object, store: ResponseCacheStore): void {
  stores.set(owner, store);
}

/** The response cache store built with these dependencies (`deps.repos`), if any. */
export function responseCacheOf(owner: object): ResponseCacheStore | undefined {
  return stores.get(owner);
}
