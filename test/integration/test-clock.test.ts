// The e2e stack's injected clock (TEST_CLOCK): a process's clock follows the offset kept in Redis,
// read before the first request and then polled; without the key it is the real time.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../server/src/infra/logger.js';
import { startTestClock, testClockKey, type RunningTestClock } from '../../server/src/infra/test-clock.js';

const HOUR = 3_600_000;
const prefix = `colloquy-test-clock-${process.pid}:`;
let redis: Redis;
let running: RunningTestClock | undefined;

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});
afterAll(async () => {
  running?.stop();
  await redis.del(testClockKey(prefix));
  redis.disconnect();
});

/** How far the clock is ahead of the real time, rounded to the minute. */
const aheadMinutes = (clock: RunningTestClock) => Math.round((clock.clock.now().getTime() - Date.now()) / 60_000);

describe('TEST_CLOCK', () => {
  it('starts at the stored offset, follows changes, and is the real time without the key', async () => {
    await redis.set(testClockKey(prefix), String(3.5 * HOUR));
    running = await startTestClock(redis, prefix, createLogger('silent', 'test'));
    expect(aheadMinutes(running)).toBe(210);

    await redis.set(testClockKey(prefix), String(26 * HOUR));
    await expect.poll(() => aheadMinutes(running!), { timeout: 5_000, interval: 50 }).toBe(26 * 60);

    await redis.del(testClockKey(prefix));
    await expect.poll(() => aheadMinutes(running!), { timeout: 5_000, interval: 50 }).toBe(0);

    // a value that is not a number counts as no offset
    await redis.set(testClockKey(prefix), 'tomorrow');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(aheadMinutes(running)).toBe(0);
  });
});
