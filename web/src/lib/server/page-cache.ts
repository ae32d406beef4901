// The anonymous page cache in Redis: an entry per page (`<prefix>page:<hash>`) holding the page
// and the versions of the read models it used (`<prefix>v:<key>`, bumped by the api on every
// write: server/src/infra/versions.ts). An entry is served while one MGET finds those versions
// unchanged; otherwise one request rebuilds it under a short lock (`<prefix>page-lock:<hash>`)
// while the others serve the stale copy, or wait for the new one. The front's hits also keep the
// pages they served in the process (`keepBytes`): a kept page is served while its entry still
// exists in Redis and its versions are current — one small round trip instead of the page's
// bytes. Redis failing never fails a page: the page is rendered as if there were no cache.
// Framework-free: page-cache-handle.ts plugs it into SvelteKit, test/integration/page-cache.test.ts
// drives it directly.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import {
  encodeEntry,
  entryKeys,
  etagOf,
  isFresh,
  parseEntry,
  parseEntryBytes,
  recordedVersions,
  type CacheOutcome,
  type CachedPage,
} from './page-cache-policy.js';

/** A rendered page the cache may keep: `reads` are the read-model keys its api calls named. */
export interface PageDraft {
  status: number;
  headers: Array<[string, string]>;
  body: string;
  reads: Iterable<string>;
}

/** What a render produced: a page to keep, or anything else to pass through untouched. */
export type Rendered<P> = { page: PageDraft } | { passed: P };

/** What `serve` answers: a page (from the cache or just rendered) or the passed-through value. */
export type Served<P> = { outcome: CacheOutcome; page: CachedPage } | { outcome: 'bypass'; passed: P };

export interface PageCacheOptions {
  /** prefix of every key (the api's REDIS_PREFIX: the versions live under it) */
  prefix: string;
  /** upper bound on an entry's life */
  ttlSeconds: number;
  /** how long a rebuild may hold its key's lock (it expires by itself after a crash) */
  lockMs?: number;
  /** how long a request without a stale copy waits for another's rebuild before rendering itself */
  waitMs?: number;
  /** how often a waiting request looks whether the rebuild is done */
  pollMs?: number;
  /** told about Redis failures: once until Redis answers again, not per request */
  onError?: (error: unknown) => void;
  /** the bytes of pages kept in this process for the front's hits (0: none kept; default 32 MB) */
  keepBytes?: number;
}

type FreshEntry = { meta: Omit<CachedPage, 'body'>; body: Buffer };

export interface ServeOptions {
  /** false: look up, but never store nor lock (HEAD requests: their render has no body) */
  store?: boolean;
}

/** Deletes the lock only when it is still ours (an expired lock may belong to another rebuild). */
const UNLOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class PageCache {
  private readonly lockMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private failing = false;
  /** pages the front served lately, least recently used first, and their total bytes */
  private readonly kept = new Map<string, FreshEntry>();
  private keptBytes = 0;
  private readonly keepBytes: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: PageCacheOptions,
  ) {
    this.lockMs = options.lockMs ?? 10_000;
    this.waitMs = options.waitMs ?? 2_000;
    this.pollMs = options.pollMs ?? 25;
    this.keepBytes = options.keepBytes ?? 32 * 1024 * 1024;
  }

  private entryKey(hash: string): string {
    return `${this.options.prefix}page:${hash}`;
  }

  private lockKey(hash: string): string {
    return `${this.options.prefix}page-lock:${hash}`;
  }

  /** The current versions of these read-model keys, in order (0 where never bumped). */
  async versions(keys: readonly string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys.map((key) => `${this.options.prefix}v:${key}`));
    return values.map((value) => Number(value ?? 0));
  }

  /**
   * The entry for `hash` when it is fresh, its body as stored (the front's hits: front.ts); null
   * when there is none, it is outdated, or Redis fails (the request then goes the long way).
   */
  async fresh(hash: string): Promise<FreshEntry | null> {
    try {
      const local = this.kept.get(hash);
      if (local) {
        // the entry still in Redis (not expired, flushed or lost with a restart) and its versions current
        if (Date.now() - local.meta.storedAt < this.options.ttlSeconds * 1000 && (await this.stillFresh(hash, local))) {
          // most recently used last (unless another request replaced or dropped it meanwhile)
          if (this.kept.get(hash) === local) {
            this.kept.delete(hash);
            this.kept.set(hash, local);
          }
          return local;
        }
        if (this.kept.get(hash) === local) this.forget(hash);
      }
      const entry = parseEntryBytes(await this.redis.getBuffer(this.entryKey(hash)));
      if (!entry) return null;
      if (!isFresh(entry.meta.reads, await this.versions(Object.keys(entry.meta.reads)))) return null;
      this.keep(hash, entry);
      return entry;
    } catch {
      return null;
    }
  }

  /** One round trip (both sent at once): does the entry still exist, are its versions current? */
  private async stillFresh(hash: string, entry: FreshEntry): Promise<boolean> {
    const [exists, current] = await Promise.all([this.redis.exists(this.entryKey(hash)), this.versions(Object.keys(entry.meta.reads))]);
    return exists === 1 && isFresh(entry.meta.reads, current);
  }

  private keep(hash: string, entry: FreshEntry): void {
    this.forget(hash);
    if (entry.body.length > this.keepBytes / 8) return;
    this.kept.set(hash, entry);
    this.keptBytes += entry.body.length;
    for (const [oldest, page] of this.kept) {
      if (this.keptBytes <= this.keepBytes) break;
      this.kept.delete(oldest);
      this.keptBytes -= page.body.length;
    }
  }

  private forget(hash: string): void {
    const page = this.kept.get(hash);
    if (!page) return;
    this.kept.delete(hash);
    this.keptBytes -= page.body.length;
  }

  /**
   * The page for `hash`: from the cache when fresh; else rendered by this request (which stores
   * it) when it gets the key's lock; else the stale copy while another request rebuilds it; else,
   * when there is no copy, the other's rebuild once it is done (at most `waitMs`), or this
   * request's own render after that.
   */
  async serve<P>(hash: string, render: () => Promise<Rendered<P>>, options: ServeOptions = {}): Promise<Served<P>> {
    for (let attempt = 0; ; attempt++) {
      let entry: CachedPage | null;
      let current: number[];
      try {
        entry = parseEntry(await this.redis.getBuffer(this.entryKey(hash)));
        current = entry ? await this.versions(Object.keys(entry.reads)) : [];
      } catch (error) {
        return this.bypass(error, render);
      }
      if (entry && isFresh(entry.reads, current)) return this.ok({ outcome: 'hit', page: entry });
      if (options.store === false) return this.renderOnly(render, 'miss');

      let token: string | null;
      try {
        token = await this.lock(hash);
      } catch (error) {
        return this.bypass(error, render);
      }
      // the versions read above were read before this render: they are the ones it may record
      const before = new Map(entry ? Object.keys(entry.reads).map((key, i) => [key, current[i]!] as const) : []);
      if (token) return this.rebuild(hash, before, render, token);
      if (entry) return this.ok({ outcome: 'stale', page: entry });
      if (attempt > 0) return this.rebuild(hash, new Map(), render, null);
      await this.waitForRebuild(hash);
    }
  }

  /** Renders and, when the result is a page, stores it with the versions of what it read. */
  private async rebuild<P>(
    hash: string,
    before: ReadonlyMap<string, number>,
    render: () => Promise<Rendered<P>>,
    token: string | null,
  ): Promise<Served<P>> {
    try {
      const rendered = await render();
      if (!('page' in rendered)) return { outcome: 'bypass', passed: rendered.passed };
      const keys = entryKeys(rendered.page.reads);
      const firstSeen = keys.filter((key) => !before.has(key));
      let page: CachedPage;
      try {
        const versions = await this.versions(firstSeen);
        const after = new Map(firstSeen.map((key, i) => [key, versions[i]!] as const));
        page = toCachedPage(rendered.page, recordedVersions(keys, before, after));
        await this.redis.set(this.entryKey(hash), encodeEntry(page), 'PX', this.options.ttlSeconds * 1000);
      } catch (error) {
        this.failed(error);
        return { outcome: 'bypass', page: toCachedPage(rendered.page, {}) };
      }
      return this.ok({ outcome: 'miss', page });
    } finally {
      if (token) await this.unlock(hash, token);
    }
  }

  private async renderOnly<P>(render: () => Promise<Rendered<P>>, outcome: 'miss' | 'bypass'): Promise<Served<P>> {
    const rendered = await render();
    if (!('page' in rendered)) return { outcome: 'bypass', passed: rendered.passed };
    return { outcome, page: toCachedPage(rendered.page, {}) };
  }

  private bypass<P>(error: unknown, render: () => Promise<Rendered<P>>): Promise<Served<P>> {
    this.failed(error);
    return this.renderOnly(render, 'bypass');
  }

  /** A token when this request now holds the key's lock, null when another does. */
  private async lock(hash: string): Promise<string | null> {
    const token = randomUUID();
    const reply = await this.redis.set(this.lockKey(hash), token, 'PX', this.lockMs, 'NX');
    return reply === 'OK' ? token : null;
  }

  private async unlock(hash: string, token: string): Promise<void> {
    try {
      await this.redis.eval(UNLOCK, 1, this.lockKey(hash), token);
    } catch (error) {
      this.failed(error); // the lock expires by itself
    }
  }

  /** Waits until the key's lock is gone (the rebuild stored its page, or gave up) or `waitMs`. */
  private async waitForRebuild(hash: string): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    while (Date.now() < deadline) {
      await sleep(this.pollMs);
      try {
        if ((await this.redis.exists(this.lockKey(hash))) === 0) return;
      } catch {
        return; // the next lookup reports it
      }
    }
  }

  private ok<T>(value: T): T {
    this.failing = false;
    return value;
  }

  private failed(error: unknown): void {
    if (!this.failing) this.options.onError?.(error);
    this.failing = true;
  }
}

function toCachedPage(draft: PageDraft, reads: Record<string, number>): CachedPage {
  return {
    status: draft.status,
    headers: draft.headers,
    body: draft.body,
    etag: etagOf(draft.status, draft.headers, draft.body),
    reads,
    storedAt: Date.now(),
  };
}
