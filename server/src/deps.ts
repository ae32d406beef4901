// Builds the long-lived dependencies (connections, services) shared by api, worker and scripts.
import type { Config } from './config.js';
import type { AppDeps, DomainEvents } from './context.js';
import { createLogger } from './infra/logger.js';
import { createMetrics } from './infra/metrics.js';
import { connectMongo, disconnectMongo } from './infra/mongo.js';
import { EntityCache } from './infra/entity-cache.js';
import { attachResponseCache, ResponseCacheStore } from './infra/response-cache.js';
import { createStorage } from './infra/storage.js';
import { Versions } from './infra/versions.js';
import { createRepositories } from './modules/repositories.js';
import { QuestionListings } from './modules/post/post.listings.js';
import { markTagBumps } from './modules/post/post.rollups.js';
import { UserRanking } from './modules/user/user.ranking.js';
import { createRedis } from './infra/redis.js';
import { createLiveUpdates } from './graphql/pubsub.js';
import { createMailQueue } from './modules/mail/mail.queue.js';
import { systemClock, type Clock } from './lib/clock.js';
import { startTestClock } from './infra/test-clock.js';
import { loadReputationRules } from './modules/reputation/reputation.rules.js';
import { createInlineActivity, createQueuedActivity, type ActivityBus } from './modules/activity/activity.js';
import { activityHandlers } from './modules/activity/activity.handlers.js';
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
  const { ferretdb } = await connectMongo(config.mongodbUrl, log);
  const redis = createRedis(config.redisUrl, log);
  // e2e only (TEST_CLOCK, refused in production): the clock follows an offset kept in Redis
  const testClock = !options.clock && config.testClock ? await startTestClock(redis, config.redisPrefix, log) : null;
  // the storage strategy, once: on FerretDB writes under per-document Redis locks and reads by id
  // one at a time (infra/storage.ts); every repository runs with it
  const versions = new Versions(redis, config.redisPrefix, log);
  const storage = createStorage(ferretdb, { redis, prefix: config.redisPrefix }, config.mongodbIdLookup, versions);
  const repos = createRepositories(storage);
  // caches kept exact by the same version bumps: the documents pages read by id (members, tags,
  // spaces, posts, threads and the small per-question and per-member ones: every repository
  // whose `cache` option asks, infra/entity-cache.ts), and anonymous GraphQL responses (infra/response-cache.ts), whose
  // entries every process's writes retire (the api serves them: app.ts)
  const entityCache = new EntityCache(redis, config.redisPrefix, versions, log);
  for (const repo of [
    repos.users,
    repos.tags,
    repos.spaces,
    repos.posts,
    repos.threads,
    repos.bounties.questions,
    repos.links,
    repos.organizations.memberships,
    repos.support.spaces,
    repos.support.tickets,
    repos.support.cases,
    repos.support.verifications,
    repos.tagStats,
    repos.userStats,
    repos.badges,
  ])
    repo.useEntityCache(entityCache);
  let responseCache: ResponseCacheStore | null = null;
  if (config.responseCacheTtlSeconds > 0) {
    const cacheRedis = createRedis(config.redisUrl, log, { keyPrefix: `${config.redisPrefix}rc:` });
    const store = new ResponseCacheStore(cacheRedis, config.responseCacheTtlSeconds * 1000, log);
    // called after Versions has moved the keys' versions: the entity cache's entries for them are
    // stale already, so no response recomputed once these are retired can be filled from one
    versions.onBump((keys) => store.invalidateKeys(keys));
    attachResponseCache(repos, store);
    responseCache = store;
  }
  // Redis read models where the database would scan (FerretDB, or LISTINGS=redis): the question
  // and answer listings, members by reputation and by handle
  const listed = config.listings === 'redis' || (config.listings === 'auto' && ferretdb);
  repos.users.useRanking(new UserRanking(redis, config.redisPrefix, listed));
  // a tag's document changes when a question enters or leaves it (asked, retagged, deleted): its
  // statistics are recomputed by the worker (post/post.rollups.ts)
  versions.onBump((keys) => markTagBumps({ redis, config, repos, log }, keys));
  const search = await createSearchPort(config);
  await search.init();
  const listings = new QuestionListings(redis, config.redisPrefix, listed, repos.posts);
  let events: DomainEvents & { close?: () => Promise<void> };
  if (options.events === 'inline') events = createInlineEvents(repos, search, log);
  else events = createQueuedEvents(createRedis(config.redisUrl, log, { forQueues: true }), config, log);
  events = withListings(events, listings, log);
  // the activity stream: queued for the worker's handlers, or run in-process (scripts, tests)
  const handlers = activityHandlers();
  let activity: ActivityBus;
  if (options.events === 'inline')
    activity = createInlineActivity(
      () => deps,
      () => handlers,
    );
  else activity = createQueuedActivity(createRedis(config.redisUrl, log, { forQueues: true }), config, log);
  const live = createLiveUpdates(config.redisUrl, config.redisPrefix, log);
  const mail = createMailQueue(createRedis(config.redisUrl, log, { forQueues: true }), config, log);
  const deps: AppDeps = {
    config,
    log,
    redis,
    metrics: createMetrics(),
    repos,
    services: { clock: options.clock ?? testClock?.clock ?? systemClock, reputationRules, events, activity, search, listings, live, mail },
  };
  return {
    ...deps,
    async close() {
      testClock?.stop();
      await events.close?.().catch(() => undefined);
      await activity.close?.().catch(() => undefined);
      await live.close();
      await mail.close().catch(() => undefined);
      await search.close().catch(() => undefined);
      await responseCache?.close();
      redis.disconnect();
      await disconnectMongo();
    },
  };
}
