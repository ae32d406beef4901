// Redis connections. Redis holds only derived or disposable state (caches, listings, rate limits,
// locks, queues): when it is unreachable the api keeps serving from the database, so a command on
// the request path must fail at once rather than wait for a reconnection. Request-path clients
// therefore queue commands only until their first connection is ready (so a process that starts
// issuing commands at boot does not race the connection), and from then on refuse a command while
// disconnected (`enableOfflineQueue: false`: the caller's fallback runs within the millisecond);
// a command caught in flight by a disconnection is given up after one reconnection attempt.
// BullMQ connections (`forQueues`) keep BullMQ's required settings: they wait and retry forever.
import { Cluster, Redis, type RedisOptions as RedisClientOptions } from 'ioredis';
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

/**
 * `redis+cluster://[user:pass@]h1:6379,h2:6379[/]` (what config.ts makes of REDIS_CLUSTER_NODES) →
 * the seed nodes and credentials of an ioredis Cluster; undefined for any other URL.
 */
export function clusterOptions(url: string): RedisClusterTarget | undefined {
  const m = /^redis\+cluster(s?):\/\/(?:([^:@/]*):([^@/]*)@)?([^/?]+)\/?$/.exec(url);
  if (!m) return undefined;
  const nodes = m[4]!.split(',').map((hp) => {
    const i = hp.lastIndexOf(':');
    return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
  });
  return {
    nodes,
    ...(m[3] ? { password: decodeURIComponent(m[3]) } : {}),
    ...(m[2] ? { username: decodeURIComponent(m[2]) } : {}),
    ...(m[1] ? { tls: true } : {}),
  };
}

export interface RedisClusterTarget {
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  /** rediss:// (TLS to every node) */
  tls?: boolean;
}

/** The hash tag of a key or key pattern (`{colloquy}:q:1` → `colloquy`): what Redis Cluster hashes. */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/** Redis Cluster's hash slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key, mod 16384. */
export function keySlot(key: string): number {
  let crc = 0;
  for (const byte of Buffer.from(hashTag(key) ?? key)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16_384;
}

/**
 * An ioredis Cluster used where the code expects a Redis client: the command interface is the
 * same. Every key carries REDIS_PREFIX's hash tag (config.ts insists on one in Cluster mode: BullMQ
 * needs a queue's keys in one slot, and the Lua scripts and MULTIs here touch several keys), so
 * keyed commands all go to the master owning that slot. SCAN names no key, so ioredis would send it
 * to any node: here it goes to the owner of its MATCH pattern's hash tag, where those keys live.
 */
function createCluster(target: RedisClusterTarget, common: RedisClientOptions): Redis {
  const { retryStrategy, keyPrefix, maxRetriesPerRequest, connectTimeout, enableReadyCheck } = common;
  const cluster = new Cluster(target.nodes, {
    clusterRetryStrategy: retryStrategy,
    enableReadyCheck,
    ...(keyPrefix ? { keyPrefix } : {}),
    redisOptions: {
      connectTimeout,
      maxRetriesPerRequest,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    // queue until the first connection; from then on request-path clients fail fast (createRedis)
    enableOfflineQueue: true,
  });
  const scan = cluster.scan.bind(cluster) as (...args: unknown[]) => Promise<[string, string[]]>;
  Object.assign(cluster, {
    scan: (...args: unknown[]) => {
      const at = args.findIndex((a) => String(a).toUpperCase() === 'MATCH');
      const tag = at > 0 ? hashTag(String(args[at + 1])) : undefined;
      const owner = tag === undefined ? undefined : cluster.slots[keySlot(`{${tag}}`)]?.[0];
      const node = owner ? cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner) : undefined;
      return node ? (node.scan as (...a: unknown[]) => Promise<[string, string[]]>)(...args) : scan(...args);
    },
  });
  return cluster as unknown as Redis;
}

export function createRedis(url: string, log: Logger, options: RedisOptions = {}): Redis {
  const forQueues = !!options.forQueues;
  const sentinel = sentinelOptions(url);
  const cluster = clusterOptions(url);
  const common: RedisClientOptions = {
    maxRetriesPerRequest: forQueues ? null : 1,
    enableReadyCheck: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, forQueues ? 2_000 : MAX_RECONNECT_DELAY_MS),
    lazyConnect: false,
    // the commands a request issues in the same tick (its DataLoaders' batches) go out in one write
    ...(forQueues ? {} : { enableAutoPipelining: true }),
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
  };
  // Sentinel: ioredis asks the sentinels for the current master and follows a failover; Cluster:
  // ioredis learns the slots from the seed nodes and follows MOVED/ASK and failovers
  const redis = cluster ? createCluster(cluster, common) : sentinel ? new Redis({ ...sentinel, ...common }) : new Redis(url, common);
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
