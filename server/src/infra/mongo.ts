import mongoose from 'mongoose';
import type { Logger } from './logger.js';

// House rules for every query: reject unknown filter paths and strip `$`-operators from
// user-supplied filter values (NoSQL operator injection).
mongoose.set('strictQuery', 'throw');
mongoose.set('sanitizeFilter', true);
mongoose.set('autoIndex', false);

let closing = false;

/**
 * How a batch of documents is read by `_id`. `in`: one `{_id: {$in: ids}}` query (MongoDB answers
 * it from the _id index). `each`: one `{_id: id}` query per id, concurrently — FerretDB 1.x pushes
 * only an exact `_id` filter down to SQLite and scans the whole collection for `$in` (measured on
 * 29k posts: 7.5 s for `$in` of 30 ids, 64 ms for 30 single reads); from 1,000 ids on, one `$in`.
 */
export type IdLookup = 'in' | 'each';
export type IdLookupSetting = 'in' | 'each' | 'auto';

let idLookup: IdLookup = 'in';
let ferretdb = false;
/** Whether the connected server is FerretDB (from buildInfo at connect). */
export const connectedToFerretDB = (): boolean => ferretdb;
export const currentIdLookup = (): IdLookup => idLookup;
/** Overrides the lookup strategy (tests compare both). */
export function setIdLookup(mode: IdLookup): void {
  idLookup = mode;
}

/** FerretDB reports itself in buildInfo (`ferretdbVersion`); real MongoDB does not. */
export async function isFerretDB(): Promise<boolean> {
  const build = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in build || /ferretdb/i.test(JSON.stringify(build));
}

export async function connectMongo(url: string, log: Logger, lookup: IdLookupSetting = 'auto'): Promise<typeof mongoose> {
  closing = false;
  mongoose.connection.on('disconnected', () => {
    if (!closing) log.warn('mongodb disconnected');
  });
  mongoose.connection.on('reconnected', () => log.info('mongodb reconnected'));
  await mongoose.connect(url, {
    serverSelectionTimeoutMS: 5_000,
    heartbeatFrequencyMS: 2_000,
    maxPoolSize: 20,
    // command events let tests count round trips (no cost without listeners)
    monitorCommands: true,
  });
  const ferret = await isFerretDB();
  ferretdb = ferret;
  idLookup = lookup === 'auto' ? (ferret ? 'each' : 'in') : lookup;
  log.info({ db: mongoose.connection.name, ferretdb: ferret, idLookup }, 'mongodb connected');
  return mongoose;
}

/** concurrent single-id reads at most (the pool holds 20 connections) */
const EACH_CONCURRENCY = 16;
/**
 * From this many ids on, one `$in` query even in `each` mode: batch tools (verify, imports) read
 * thousands of ids at once, where one scan costs less than the single reads.
 */
const EACH_MAX_IDS = 1000;

/**
 * Documents by `_id`, in no particular order, missing ids left out; `select` is a mongoose
 * projection. Uses the strategy above; callers map the result by id.
 */
export async function findByIds<T extends { _id: unknown }>(
  model: mongoose.Model<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any model
  ids: readonly unknown[],
  select?: string,
): Promise<T[]> {
  const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
  if (unique.length === 0) return [];
  const single = idLookup === 'each' && unique.length < EACH_MAX_IDS;
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

/** Creates the declared indexes of every registered model (idempotent). */
export async function syncIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) {
    await model.createIndexes();
  }
}

export async function pingMongo(timeoutMs: number): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('mongodb not connected');
  await withTimeout(db.admin().command({ ping: 1 }), timeoutMs, 'mongodb ping');
}

export async function disconnectMongo(): Promise<void> {
  closing = true;
  await mongoose.disconnect();
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
