import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { Logger } from './infra/logger.js';
import type { Metrics } from './infra/metrics.js';
import type { SearchPort } from './infra/search/search.port.js';
import type { Clock } from './lib/clock.js';
import type { ReputationRules } from './modules/reputation/reputation.rules.js';
import type { QuestionListings } from './modules/post/post.listings.js';
import type { Repositories } from './modules/repositories.js';
import type { ActivityBus } from './modules/activity/activity.js';
import type { LiveUpdates } from './graphql/pubsub.js';
import type { MailQueue } from './modules/mail/mail.queue.js';

import type { Role } from './lib/roles.js';
import type { FineScope } from './lib/scopes.js';

export type { Role };
/** a fine-grained scope (lib/scopes.ts), or `write` of tokens made before them (= every write:*) */
export type TokenScope = FineScope | 'write';

/** Who is asking. `null` in the context means an anonymous visitor. */
export interface Viewer {
  id: string;
  handle: string;
  role: Role;
  /** how the request authenticated; API tokens carry scopes */
  via: 'session' | 'token';
  scopes: readonly TokenScope[];
  sessionId?: string;
}

/** Long-lived dependencies shared by every request of one app instance. */
export interface AppDeps {
  config: Readonly<Config>;
  log: Logger;
  redis: Redis;
  metrics: Metrics;
  /** every module's repository, over the storage strategy chosen at boot */
  repos: Repositories;
  services: AppServices;
}

/** Domain events other parts react to (search sync, notifications). */
export interface DomainEvents {
  /** posts whose searchable state changed (created, edited, voted, accepted, closed, deleted) */
  postsChanged(postIds: string[]): Promise<void>;
}

/** Long-lived services of one process. */
export interface AppServices {
  clock: Clock;
  reputationRules: ReputationRules;
  events: DomainEvents;
  /** what happened, for webhooks, notifications, badges… (modules/activity/activity.ts) */
  activity: ActivityBus;
  search: SearchPort;
  listings: QuestionListings;
  /** live updates: GraphQL subscriptions over Redis pub/sub (graphql/pubsub.ts) */
  live: LiveUpdates;
  /** the `mail` queue: notification e-mails sent by the worker (modules/mail) */
  mail: MailQueue;
}

export interface Context {
  requestId: string;
  viewer: Viewer | null;
  deps: AppDeps;
  log: Logger;
  req: Request;
  res: Response;
  /** per-request memo for DataLoaders and other request-scoped caches */
  cache: Map<string, unknown>;
}
