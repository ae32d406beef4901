import { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { withTimeout } from './mongo.js';

export function createRedis(url: string, log: Logger, options: { forQueues?: boolean } = {}): Redis {
  const redis = new Redis(url, {
    // BullMQ needs blocking connections that retry forever; request-path connections fail fast.
    maxRetriesPerRequest: options.forQueues ? null : 2,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
  });
  let down = false;
  redis.on('error', (error) => {
    if (!down) log.warn({ err: error.message }, 'redis error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info('redis reconnected');
    down = false;
  });
  return redis;
}

export async function pingRedis(redis: Redis, timeoutMs: number): Promise<void> {
  const reply = await withTimeout(redis.ping(), timeoutMs, 'redis ping');
  if (reply !== 'PONG') throw new Error(`unexpected redis PING reply: ${reply}`);
}
