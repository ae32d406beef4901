// Redis connections. Redis holds only derived or disposable state (caches, listings, rate limits,
// locks, queues): when it is unreachable the api keeps serving from the database, so a command on
// the request path must fail at once rather than wait for a reconnection. Request-path clients
// therefore queue commands only until their first connection is ready (so a process that starts
// issuing commands at boot does not race the connection), and from then on refuse a command while
// disconnected (`enableOfflineQueue: false`: the caller's fallback runs within the millisecond);
// a command caught in flight by a disconnection is given up after one reconnection attempt.
// BullMQ connections (`forQueues`) keep BullMQ's required settings: they wait and retry forever.
import { Redis, type RedisOptions as RedisClientOptions } from 'ioredis';
import type { Logger } from './logger.js';
import { withTimeout } from './mongo.js';

/** how long one connection attempt may take */
const CONNECT_TIMEOUT_MS = 2_000;
/** the longest pause between reconnection attempts */
const MAX_RECONNECT_DELAY_MS = 1_000;

export interface RedisOptions {
  /** a BullMQ connection: blocking commands, retried forever */
  forQueues?: boolean;
  /** prepended to every key of every command (a client of its own, e.g. the response cache's) */
  keyPrefix?: string;
}

/**
 * `redis+sentinel://[user:pass@]s1:26379,s2:26379/<master name>[?db=N]` (what config.ts makes of
 * REDIS_SENTINELS + REDIS_SENTINEL_NAME) → ioredis Sentinel options; any other URL as is.
 */
export function sentinelOptions(url: string): RedisSentinelTarget | undefined {
  const m = /^redis\+sentinel:\/\/(?:([^:@/]*):([^@/]*)@)?([^/]+)\/([^?]+)(?:\?db=(\d+))?$/.exec(url);
  if (!m) return undefined;
  const sentinels = m[3]!.split(',').map((hp) => {
    const i = hp.lastIndexOf(':');
    return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
  });
  return {
    sentinels,
    name: m[4]!,
    ...(m[2] ? { password: decodeURIComponent(m[2]), sentinelPassword: decodeURIComponent(m[2]) } : {}),
    ...(m[1] ? { username: decodeURIComponent(m[1]) } : {}),
    ...(m[5] ? { db: Number(m[5]) } : {}),
  };
}

export interface RedisSentinelTarget {
  sentinels: Array<{ host: string; port: number }>;
  name: string;
  username?: string;
  password?: string;
  sentinelPassword?: string;
  db?: number;
}

export function createRedis(url: string, log: Logger, options: RedisOptions = {}): Redis {
  const forQueues = !!options.forQueues;
  const sentinel = sentinelOptions(url);
  const common: RedisClientOptions = {
    maxRetriesPerRequest: forQueues ? null : 1,
    enableReadyCheck: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, forQueues ? 2_000 : MAX_RECONNECT_DELAY_MS),
    lazyConnect: false,
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
  };
  // Sentinel: ioredis asks the sentinels for the current master and follows a failover
  const redis = sentinel ? new Redis({ ...sentinel, ...common }) : new Redis(url, common);
  let down = false;
  redis.on('error', (error) => {
    if (!down) log.warn({ err: error.message }, 'redis error');
    down = true;
  });
  redis.on('ready', () => {
    // from the first connection on, a command sent while disconnected fails at once
    if (!forQueues) redis.options.enableOfflineQueue = false;
    if (down) log.info('redis reconnected');
    down = false;
  });
  return redis;
}

/** Resolves when the client is connected, or after `timeoutMs` (Redis down at boot: the callers fall back). */
export async function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise<boolean>((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}

export async function pingRedis(redis: Redis, timeoutMs: number): Promise<void> {
  const reply = await withTimeout(redis.ping(), timeoutMs, 'redis ping');
  if (reply !== 'PONG') throw new Error(`unexpected redis PING reply: ${reply}`);
}
