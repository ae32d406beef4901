// The end-to-end tests' clock (TEST_CLOCK=true, refused in production by config.ts): the built api
// and worker add an offset, in ms, kept in Redis under `<prefix>test:clock-offset-ms`, to the
// system time. The offset is polled every 200 ms so that `now()` stays synchronous; a test sets the
// key (test/e2e/support/clock.ts) and waits a few polls. Absent or unreadable: offset 0.
import type { Redis } from 'ioredis';
import type { Clock } from '../lib/clock.js';
import type { Logger } from './logger.js';

export const TEST_CLOCK_POLL_MS = 200;

export const testClockKey = (prefix: string) => `${prefix}test:clock-offset-ms`;

/** Parses the stored offset: a whole number of ms (anything else counts as 0). */
export function parseOffset(raw: string | null): number {
  if (raw === null || !/^-?\d{1,15}$/.test(raw.trim())) return 0;
  return Number(raw.trim());
}

export interface RunningTestClock {
  clock: Clock;
  stop(): void;
}

/** Starts polling the offset (read once before returning, so the first request already sees it). */
export async function startTestClock(redis: Redis, prefix: string, log: Logger): Promise<RunningTestClock> {
  const key = testClockKey(prefix);
  let offsetMs = 0;
  const read = async () => {
    try {
      const next = parseOffset(await redis.get(key));
      if (next !== offsetMs) log.info({ offsetMs: next }, 'test clock offset changed');
      offsetMs = next;
    } catch {
      // Redis away: keep the last offset
    }
  };
  await read();
  let reading = false;
  const timer = setInterval(() => {
    if (reading) return;
    reading = true;
    void read().finally(() => (reading = false));
  }, TEST_CLOCK_POLL_MS);
  timer.unref();
  log.warn({ key }, 'TEST_CLOCK is on: the clock follows the offset kept in Redis (tests only)');
  return {
    clock: { now: () => new Date(Date.now() + offsetMs) },
    stop: () => clearInterval(timer),
  };
}
