import mongoose from 'mongoose';
import type { Logger } from './logger.js';

// House rules for every query: reject unknown filter paths and strip `$`-operators from
// user-supplied filter values (NoSQL operator injection).
mongoose.set('strictQuery', 'throw');
mongoose.set('sanitizeFilter', true);
mongoose.set('autoIndex', false);

let closing = false;

/** FerretDB reports itself in buildInfo (`ferretdbVersion`); real MongoDB does not. */
export async function isFerretDB(): Promise<boolean> {
  const build = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in build || /ferretdb/i.test(JSON.stringify(build));
}

/** Connects mongoose (one connection per process) and tells whether the server is FerretDB. */
export async function connectMongo(url: string, log: Logger): Promise<{ ferretdb: boolean }> {
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
  const ferretdb = await isFerretDB();
  log.info({ db: mongoose.connection.name, ferretdb }, 'mongodb connected');
  return { ferretdb };
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
