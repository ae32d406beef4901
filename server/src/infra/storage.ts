// The storage strategy: how repositories read batches by `_id` and write single documents, on
// MongoDB and on the local FerretDB. Chosen once at boot (`createStorage`, from the connected
// server) and handed to every repository; feature code calls repository functions
// (`posts.incrementScore(id, delta)`) and never knows which database runs.
//
// MongoDB applies an update atomically and answers `{_id, ...guard}` and `{_id: {$in}}` from the
// _id index: that is what runs there (`writes: 'filter'`, `idLookup: 'in'`).
//
// FerretDB 1.x (SQLite) does neither. Its update is a read, a change applied in Go and a write of
// the whole document with nothing held in between: concurrent `$inc`s on one document lose
// increments (40 + 40 concurrent `$inc: 1` left a counter at 4), and two writers can both pass a
// `{_id, version}` guard. And it pushes only a filter of exactly `{_id: value}` down to SQLite
// (indexed thanks to the expression index `scripts/lib/ferretdb-ids.ts` adds); any other filter,
// `$in` included, decodes every document of the collection. So there (`writes: 'locked'`,
// `idLookup: 'each'`): every write to a document takes a per-document Redis lock, checks any
// guard on a read by `_id` and writes by `_id` alone — writers of one document are serialised
// across processes (api, worker, scripts) and no filter scans; batches by id are concurrent
// single reads. Batch tools that are a database's only writer (imports, the synthetic generator)
// insert directly through their repositories' insert batches.
//
// Redis unreachable (an outage): a lock that cannot be taken in Redis is taken in-process only
// (`LocalLocks`, which every locked section passes through anyway), so writes keep working and
// writers within one process stay serialised. The trade-off, for the outage's duration only:
// writers in different processes (several api instances, the worker) are no longer serialised,
// so on FerretDB two of them writing the same document at the same moment can lose an update
// (`npm run verify` repairs counters and scores from their facts). On MongoDB nothing changes:
// its writes never take these locks.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import mongoose, { Types } from 'mongoose';
import { ConflictError } from '../lib/errors.js';
import type { Versions } from './versions.js';

type Scalar = string | number | boolean | null | Date | Types.ObjectId;
/** equality on a field (null also matches a missing field), or `op.lt(n)` */
export type Guard = Record<string, Scalar | { $lt: number }>;

export interface GuardedResult {
  matchedCount: number;
  modifiedCount: number;
}

/** `filter`: one conditional `updateOne` (MongoDB); `locked`: per-document Redis lock + writes by `_id` (FerretDB). */
export type GuardMode = 'filter' | 'locked';
/**
 * How a batch of documents is read by `_id`. `in`: one `{_id: {$in: ids}}` query (MongoDB answers
 * it from the _id index). `each`: one `{_id: id}` query per id, concurrently — FerretDB 1.x scans
 * the whole collection for `$in` (measured on 29k posts: 7.5 s for `$in` of 30 ids, 64 ms for 30
 * single reads); from 1,000 ids on, one `$in` (batch tools, where one scan costs less).
 */
export type IdLookup = 'in' | 'each';

export interface StorageStrategy {
  writes: GuardMode;
  idLookup: IdLookup;
  /** whether the connected server is FerretDB */
  ferretdb: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model
export type AnyModel = mongoose.Model<any>;

/** how long a lock lives when its holder dies without releasing it */
const LOCK_TTL_MS = 10_000;
/** how long a writer waits for a busy document before giving up */
const LOCK_WAIT_MS = 15_000;
/** concurrent single-id reads at most (the pool holds 20 connections) */
const EACH_CONCURRENCY = 16;
/** from this many ids on, one `$in` query even in `each` mode */
const EACH_MAX_IDS = 1000;

/** A document stayed locked too long (heavy contention or a stalled writer): the caller may retry. */
export class DocumentLockTimeoutError extends ConflictError {
  constructor(readonly lock: string) {
    super('This item is busy with other changes; try again in a moment.');
  }
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Named locks within this process: each holder runs after the previous one has finished. Every
 * locked section takes its in-process lock first, then the Redis one: writers of one process
 * never race each other, whether Redis answers or not (an outage that starts or ends while a
 * writer holds a lock included).
 */
class LocalLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(name: string, waitMs: number, run: () => Promise<T>, label = name): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(name, tail);
    let timer: NodeJS.Timeout | undefined;
    try {
      const waited = await Promise.race([
        previous.then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
      ]);
      if (!waited) throw new DocumentLockTimeoutError(label);
      return await run();
    } finally {
      clearTimeout(timer);
      // the next holder goes once the previous one is done (a waiter that gave up passes its turn on)
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}

/** one per process: copies of a Storage (`withStrategy`) serialise against each other too */
const localLocks = new LocalLocks();

export class Storage {
  private strategy: StorageStrategy;

  constructor(
    strategy: StorageStrategy,
    private readonly locks: { redis: Redis; prefix: string } | null,
    /** read-model versions bumped by repository writes (none in batch tools without Redis) */
    readonly versions: Versions | null = null,
  ) {
    this.strategy = { ...strategy, writes: locks ? strategy.writes : 'filter' };
  }

  /** The Redis of this process's read models and caches (null in batch tools without one). */
  get cache(): { redis: Redis; prefix: string } | null {
    return this.locks;
  }

  /** Bumps the versions of what a write changed (caches in front of it refresh). */
  async changed(keys: readonly string[]): Promise<void> {
    await this.versions?.bump(keys);
  }

  get writes(): GuardMode {
    return this.strategy.writes;
  }
  get idLookup(): IdLookup {
    return this.strategy.idLookup;
  }
  get ferretdb(): boolean {
    return this.strategy.ferretdb;
  }

  /** A copy with another strategy (tests compare both; the bench measures both). */
  withStrategy(change: Partial<Pick<StorageStrategy, 'writes' | 'idLookup'>>): Storage {
    return new Storage({ ...this.strategy, ...change }, this.locks, this.versions);
  }

  /**
   * `updateOne({ _id: id, ...guard }, update)`: writes only when every guard field matches the
   * stored document. Returns MongoDB's counts (`matchedCount` 0 when the guard failed or the
   * document does not exist).
   */
  updateIf(model: AnyModel, id: unknown, guard: Guard, update: mongoose.UpdateQuery<unknown>): Promise<GuardedResult> {
    return this.guarded(model, id, guard, { matchedCount: 0, modifiedCount: 0 }, async (filter) => {
      const res = await model.updateOne(filter, update);
      return { matchedCount: res.matchedCount, modifiedCount: res.modifiedCount };
    });
  }

  /** `findOneAndUpdate({ _id: id, ...guard }, update)` returning the document after the write, or null. */
  findOneAndUpdateIf<T>(model: AnyModel, id: unknown, guard: Guard, update: mongoose.UpdateQuery<unknown>): Promise<T | null> {
    return this.guarded<T | null>(
      model,
      id,
      guard,
      null,
      async (filter) => (await model.findOneAndUpdate(filter, update, { returnDocument: 'after' }).lean()) as T | null,
    );
  }

  /** `updateOne({ _id: id }, update)`; on FerretDB under the document's lock. */
  updateById(
    model: AnyModel,
    id: unknown,
    update: mongoose.UpdateQuery<unknown>,
    options?: { upsert?: boolean; timestamps?: boolean },
  ): Promise<GuardedResult> {
    return this.guarded(model, id, {}, { matchedCount: 0, modifiedCount: 0 }, async (filter) => {
      const res = await model.updateOne(filter, update, options);
      return { matchedCount: res.matchedCount, modifiedCount: res.modifiedCount };
    });
  }

  /** `findOneAndUpdate({ _id: id }, update)` returning the document after the write, or null. */
  updateByIdReturning<T>(model: AnyModel, id: unknown, update: mongoose.UpdateQuery<unknown>): Promise<T | null> {
    return this.findOneAndUpdateIf<T>(model, id, {}, update);
  }

  /**
   * Runs `run` while holding the named lock (serialises a multi-step operation on one thing, e.g.
   * one member's vote on one post, across processes). Without Redis locks it just runs.
   */
  withLock<T>(name: string, run: () => Promise<T>): Promise<T> {
    return this.locks ? this.withRedisLock(`op:${name}`, run) : run();
  }

  /**
   * Documents by `_id`, in no particular order, missing ids left out; `select` is a mongoose
   * projection. Callers map the result by id.
   */
  async findByIds<T extends { _id: unknown }>(model: AnyModel, ids: readonly unknown[], select?: string): Promise<T[]> {
    const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
    if (unique.length === 0) return [];
    const single = this.strategy.idLookup === 'each' && unique.length < EACH_MAX_IDS;
    if (!single) {
      const query = model.find({ _id: mongoose.trusted({ $in: unique }) });
      if (select) query.select(select);
      return (await query.lean()) as T[];
    }
    const out: T[] = [];
    for (let i = 0; i < unique.length; i += EACH_CONCURRENCY) {
      const docs = await Promise.all(
        unique.slice(i, i + EACH_CONCURRENCY).map((id) => {
          const query = model.findOne({ _id: id });
          if (select) query.select(select);
          return query.lean() as Promise<T | null>;
        }),
      );
      for (const d of docs) if (d) out.push(d);
    }
    return out;
  }

  private async guarded<T>(
    model: AnyModel,
    id: unknown,
    guard: Guard,
    miss: T,
    write: (filter: Record<string, unknown>) => Promise<T>,
  ): Promise<T> {
    if (this.strategy.writes === 'filter' || !this.locks) {
      const filter: Record<string, unknown> = { _id: id };
      for (const [field, expected] of Object.entries(guard))
        filter[field] = isLt(expected) ? mongoose.trusted({ $lt: expected.$lt }) : expected;
      return write(filter);
    }
    return this.withRedisLock(`doc:${model.collection.collectionName}:${String(id)}`, async () => {
      if (Object.keys(guard).length) {
        const doc = (await model.findOne({ _id: id }).select(Object.keys(guard).join(' ')).lean()) as Record<string, unknown> | null;
        if (!doc || !matches(doc, guard)) return miss;
      }
      return write({ _id: id });
    });
  }

  private withRedisLock<T>(what: string, run: () => Promise<T>): Promise<T> {
    const l = this.locks!;
    const key = `${l.prefix}lock:${what}`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    return localLocks.run(
      key,
      LOCK_WAIT_MS,
      async () => {
        const token = randomBytes(12).toString('base64url');
        let held: boolean;
        try {
          held = await acquire(l.redis, key, token, deadline, what);
        } catch (error) {
          if (error instanceof DocumentLockTimeoutError) throw error;
          held = false; // Redis unreachable: the in-process lock alone (see the header)
        }
        try {
          return await run();
        } finally {
          if (held) await l.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
        }
      },
      what,
    );
  }
}

/** Takes the Redis lock `key` (true), waiting while another holder has it; throws when Redis fails. */
async function acquire(redis: Redis, key: string, token: string, deadline: number, what: string): Promise<boolean> {
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    const ok = await redis.set(key, token, 'PX', LOCK_TTL_MS, 'NX');
    if (ok === 'OK') return true;
    if (Date.now() > deadline) throw new DocumentLockTimeoutError(what);
    await sleep(wait * (0.5 + Math.random()));
  }
}

function isLt(v: unknown): v is { $lt: number } {
  return typeof v === 'object' && v !== null && !(v instanceof Date) && !(v instanceof Types.ObjectId) && '$lt' in v;
}

/** MongoDB's equality for the scalar types guards use; null matches null and a missing field. */
export function matches(doc: Record<string, unknown>, guard: Guard): boolean {
  for (const [field, expected] of Object.entries(guard)) {
    const actual = doc[field];
    if (isLt(expected)) {
      if (typeof actual !== 'number' || !(actual < expected.$lt)) return false;
    } else if (expected === null) {
      if (actual !== null && actual !== undefined) return false;
    } else if (expected instanceof Types.ObjectId) {
      if (!(actual instanceof Types.ObjectId) || !actual.equals(expected)) return false;
    } else if (expected instanceof Date) {
      if (!(actual instanceof Date) || actual.getTime() !== expected.getTime()) return false;
    } else if (actual !== expected) {
      return false;
    }
  }
  return true;
}

/**
 * The strategy for the connected server: on FerretDB locked writes (when Redis is there) and
 * id-by-id reads; on MongoDB one conditional `updateOne` and `$in`. `idLookup` overrides the
 * lookup (`MONGODB_ID_LOOKUP`).
 */
export function createStorage(
  ferretdb: boolean,
  locks: { redis: Redis; prefix: string } | null,
  idLookup: IdLookup | 'auto' = 'auto',
  versions: Versions | null = null,
): Storage {
  return new Storage(
    { ferretdb, writes: ferretdb ? 'locked' : 'filter', idLookup: idLookup === 'auto' ? (ferretdb ? 'each' : 'in') : idLookup },
    locks,
    versions,
  );
}
