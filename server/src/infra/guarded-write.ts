// Single-document writes by `_id`, plain (`updateById`) or conditional (`updateIf`: the optimistic
// concurrency primitive of votes, the reputation ledger and acceptance).
//
// MongoDB applies an update atomically and answers `{_id, ...guard}` from the _id index: that is
// what runs there. FerretDB 1.x does neither. Its update is a read, a change applied in Go and a
// write of the whole document, with nothing in between held: concurrent `$inc`s on one document
// lose increments (40 + 40 concurrent `$inc: 1` left the counter at 4), and a conditional filter
// lets two writers both pass. It also pushes only a filter of exactly `{_id}` down to SQLite: one
// more field and it decodes every document of the collection (a vote took ~4 s at the default
// bench scale). So on FerretDB (recognised at connect) every service write to a
// document takes a per-document Redis lock, checks any guard on a by-id read, and writes by
// `_id` alone: writers of one document are serialised across processes (api, worker, scripts)
// and no filter scans. Batch tools that are a database's only writer (imports, the synthetic
// generator) write directly.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import mongoose, { Types } from 'mongoose';
import { ConflictError } from '../lib/errors.js';
import { connectedToFerretDB } from './mongo.js';

type Scalar = string | number | boolean | null | Date | Types.ObjectId;
/** equality on a field (null also matches a missing field), or `op.lt(n)` */
export type Guard = Record<string, Scalar | { $lt: number }>;

export interface GuardedResult {
  matchedCount: number;
  modifiedCount: number;
}

export type GuardMode = 'filter' | 'locked';

interface Locks {
  redis: Redis;
  prefix: string;
}
let locks: Locks | null = null;
let forcedMode: GuardMode | null = null;

/** how long a lock lives when its holder dies without releasing it */
const LOCK_TTL_MS = 10_000;
/** how long a writer waits for a busy document before giving up */
const LOCK_WAIT_MS = 15_000;

/** Registers the Redis that holds document locks (createDeps). */
export function setDocumentLocks(redis: Redis, prefix = ''): void {
  locks = { redis, prefix };
}

/** Unregisters `redis` when it is the registered one (its deps are closing). */
export function clearDocumentLocks(redis: Redis): void {
  if (locks?.redis === redis) locks = null;
}

/** Overrides the strategy (tests run both); `null` restores automatic choice. */
export function setGuardMode(mode: GuardMode | null): void {
  forcedMode = mode;
}

/** `locked` on FerretDB when a Redis is registered, else one conditional `updateOne`. */
export function currentGuardMode(): GuardMode {
  if (forcedMode) return forcedMode;
  return connectedToFerretDB() && locks ? 'locked' : 'filter';
}

type AnyModel = mongoose.Model<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- any model

/**
 * `updateOne({ _id: id, ...guard }, update)`: writes only when every guard field matches the
 * stored document. Returns MongoDB's counts (`matchedCount` 0 when the guard failed or the
 * document does not exist).
 */
export function updateIf(model: AnyModel, id: unknown, guard: Guard, update: mongoose.UpdateQuery<unknown>): Promise<GuardedResult> {
  return guarded(model, id, guard, { matchedCount: 0, modifiedCount: 0 }, async (filter) => {
    const res = await model.updateOne(filter, update);
    return { matchedCount: res.matchedCount, modifiedCount: res.modifiedCount };
  });
}

/** `findOneAndUpdate({ _id: id, ...guard }, update)` returning the document after the write, or null. */
export function findOneAndUpdateIf<T>(
  model: AnyModel,
  id: unknown,
  guard: Guard,
  update: mongoose.UpdateQuery<unknown>,
): Promise<T | null> {
  return guarded<T | null>(
    model,
    id,
    guard,
    null,
    async (filter) => (await model.findOneAndUpdate(filter, update, { returnDocument: 'after' }).lean()) as T | null,
  );
}

/** `updateOne({ _id: id }, update)`; on FerretDB under the document's lock. */
export function updateById(
  model: AnyModel,
  id: unknown,
  update: mongoose.UpdateQuery<unknown>,
  options?: { upsert?: boolean; timestamps?: boolean },
): Promise<GuardedResult> {
  return guarded(model, id, {}, { matchedCount: 0, modifiedCount: 0 }, async (filter) => {
    const res = await model.updateOne(filter, update, options);
    return { matchedCount: res.matchedCount, modifiedCount: res.modifiedCount };
  });
}

/** `findOneAndUpdate({ _id: id }, update)` returning the document after the write, or null. */
export function updateByIdReturning<T>(model: AnyModel, id: unknown, update: mongoose.UpdateQuery<unknown>): Promise<T | null> {
  return findOneAndUpdateIf<T>(model, id, {}, update);
}

/**
 * Runs `run` while holding the named lock (serialises a multi-step operation on one thing, e.g.
 * one member's vote on one post, across processes). Without a registered Redis it just runs.
 */
export function withLock<T>(name: string, run: () => Promise<T>): Promise<T> {
  return locks ? withDocumentLock(locks, `op:${name}`, run) : run();
}

async function guarded<T>(
  model: AnyModel,
  id: unknown,
  guard: Guard,
  miss: T,
  write: (filter: Record<string, unknown>) => Promise<T>,
): Promise<T> {
  const l = locks;
  if (currentGuardMode() === 'filter' || !l) {
    const filter: Record<string, unknown> = { _id: id };
    for (const [field, expected] of Object.entries(guard))
      filter[field] = isLt(expected) ? mongoose.trusted({ $lt: expected.$lt }) : expected;
    return write(filter);
  }
  return withDocumentLock(l, `doc:${model.collection.collectionName}:${String(id)}`, async () => {
    if (Object.keys(guard).length) {
      const doc = (await model.findOne({ _id: id }).select(Object.keys(guard).join(' ')).lean()) as Record<string, unknown> | null;
      if (!doc || !matches(doc, guard)) return miss;
    }
    return write({ _id: id });
  });
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

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** A document stayed locked too long (heavy contention or a stalled writer): the caller may retry. */
export class DocumentLockTimeoutError extends ConflictError {
  constructor(readonly lock: string) {
    super('This item is busy with other changes; try again in a moment.');
  }
}

async function withDocumentLock<T>(l: Locks, what: string, run: () => Promise<T>): Promise<T> {
  const key = `${l.prefix}lock:${what}`;
  const token = randomBytes(12).toString('base64url');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    const ok = await l.redis.set(key, token, 'PX', LOCK_TTL_MS, 'NX');
    if (ok === 'OK') break;
    if (Date.now() > deadline) throw new DocumentLockTimeoutError(what);
    await sleep(wait * (0.5 + Math.random()));
  }
  try {
    return await run();
  } finally {
    await l.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
