// Builds the long-lived dependencies (connections, services) shared by api, worker and scripts.
import type { Config } from './config.js';
import type { AppDeps, DomainEvents } from './context.js';
import { createLogger } from './infra/logger.js';
import { createMetrics } from './infra/metrics.js';
import { clearDocumentLocks, setDocumentLocks } from './infra/guarded-write.js';
import { connectMongo, currentIdLookup, disconnectMongo } from './infra/mongo.js';
import { QuestionListings } from './modules/post/post.listings.js';
import { createRedis } from './infra/redis.js';
import { systemClock, type Clock } from './lib/clock.js';
import { loadReputationRules } from './modules/reputation/reputation.rules.js';
import { createInlineEvents, createQueuedEvents, createSearchPort, withListings } from './modules/search/search.sync.js';

export interface DepsOptions {
  /** how domain events reach the search index: a queue (api + worker) or in-process */
  events?: 'queue' | 'inline';
  clock?: Clock;
}

export type ClosableDeps = AppDeps & { close(): Promise<void> };

export async function createDeps(config: Readonly<Config>, name: string, options: DepsOptions = {}): Promise<ClosableDeps> {
  const log = createLogger(config.logLevel, name);
  const reputationRules = loadReputationRules(config.reputationRules);
  await connectMongo(config.mongodbUrl, log, config.mongodbIdLookup);
  const redis = createRedis(config.redisUrl, log);
  // conditional writes on FerretDB check their guard under a Redis lock (infra/guarded-write.ts)
  setDocumentLocks(redis, config.redisPrefix);
  const search = await createSearchPort(config);
  await search.init();
  const listings = new QuestionListings(
    redis,
    config.redisPrefix,
    config.listings === 'redis' || (config.listings === 'auto' && currentIdLookup() !== 'in'),
  );
  let events: DomainEvents & { close?: () => Promise<void> };
  if (options.events === 'inline') events = createInlineEvents(search, log);
  else events = createQueuedEvents(createRedis(config.redisUrl, log, { forQueues: true }), config);
  events = withListings(events, listings, log);
  const deps: AppDeps = {
    config,
    log,
    redis,
    metrics: createMetrics(),
    services: { clock: options.clock ?? systemClock, reputationRules, events, search, listings },
  };
  return {
    ...deps,
    async close() {
      await events.close?.().catch(() => undefined);
      await search.close().catch(() => undefined);
      clearDocumentLocks(redis);
      redis.disconnect();
      await disconnectMongo();
    },
  };
}
