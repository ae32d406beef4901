// The e2e stack's injected clock: the built api and worker run with TEST_CLOCK=true
// (test/setup/global-stack.ts) and add the offset kept in Redis under
// `<REDIS_PREFIX>test:clock-offset-ms` to the time (server/src/infra/test-clock.ts, polled every
// 200 ms). A test moves time forward with `advanceClock` and puts it back with `resetClock`.
import { Redis } from 'ioredis';
import { profilePorts } from '../../../scripts/lib/services.js';

/** Must match REDIS_PREFIX in test/setup/global-stack.ts. */
const E2E_REDIS_PREFIX = 'colloquy-e2e:';
const KEY = `${E2E_REDIS_PREFIX}test:clock-offset-ms`;
/** a few of the processes' 200 ms polls */
const SETTLE_MS = 700;

function redisUrl(): string {
  return process.env.REDIS_URL || `redis://127.0.0.1:${profilePorts('test').redis}`;
}

async function withRedis<T>(run: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    return await run(redis);
  } finally {
    redis.disconnect();
  }
}

/** The offset the stack's clock runs with now (ms). */
export function clockOffset(): Promise<number> {
  return withRedis(async (redis) => Number((await redis.get(KEY)) ?? 0));
}

/** Sets the offset and waits until the api and worker have read it. */
export async function setClockOffset(offsetMs: number): Promise<void> {
  await withRedis(async (redis) => {
    if (offsetMs === 0) await redis.del(KEY);
    else await redis.set(KEY, String(Math.round(offsetMs)));
  });
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** Moves the stack's clock forward by `ms`. */
export async function advanceClock(ms: number): Promise<void> {
  await setClockOffset((await clockOffset()) + ms);
}

/** Back to the real time. */
export function resetClock(): Promise<void> {
  return setClockOffset(0);
}
