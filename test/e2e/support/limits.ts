// The api limits sign-up (20 per client address per hour) and sign-in attempts (10 per address
// and login per 15 minutes) with counters in Redis, and every browser reaches the api from the
// same address. The e2e global setup clears the stack's Redis keys at the start of a run; each
// test file that signs members up or in also clears these counters first, so that the files of
// one run do not use up each other's allowance.
import { Redis } from 'ioredis';
import { profilePorts } from '../../../scripts/lib/services.js';

/** Must match REDIS_PREFIX in test/setup/global-stack.ts. */
const E2E_REDIS_PREFIX = 'colloquy-e2e:';

/** The e2e stack's Redis: REDIS_URL when set (as scripts/lib/services.ts does), else the test profile's. */
function redisUrl(): string {
  return process.env.REDIS_URL || `redis://127.0.0.1:${profilePorts('test').redis}`;
}

/** Deletes the e2e stack's sign-up and sign-in attempt counters. */
export async function resetAuthLimits(): Promise<number> {
  const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    for (const pattern of [`${E2E_REDIS_PREFIX}limit:signin:*`, `${E2E_REDIS_PREFIX}limit:signup:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length) deleted += await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
