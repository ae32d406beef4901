// e2e tier: the built api + worker + web on the test profile's ports, over a fresh e2e
// database with the synthetic demo community, driven by Debian's Chromium.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import type { TestProject } from 'vitest/node';
import { repoRoot } from '../../scripts/lib/paths.js';
import { seedIfEmpty } from '../../scripts/lib/seed.js';
import { ensureChromium, ensureServices, profileDir, profilePorts } from '../../scripts/lib/services.js';
import { buildAll, startStack, type RunningStack } from '../../scripts/lib/stack.js';
import { indexProfileFerretdbIds } from '../../scripts/lib/ferretdb-ids.js';

let stack: RunningStack | undefined;

/** Must match E2E_REDIS_PREFIX in test/e2e/support/limits.ts. */
const E2E_REDIS_PREFIX = 'colloquy-e2e:';

export default async function setup(project: TestProject) {
  const log = () => undefined;
  const services = await ensureServices('test', log);
  const chromium = ensureChromium(log);
  buildAll();
  const mongodbUrl = new URL(services.mongodbUrl);
  mongodbUrl.pathname = '/colloquy_e2e';
  const client = await MongoClient.connect(mongodbUrl.toString());
  await client.db().dropDatabase();
  await client.close();
  // the e2e Redis keys go with the database (listings, rate-limit counters, queues, sessions)
  const redis = new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${E2E_REDIS_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  const searchDir = join(profileDir('test'), 'search-e2e');
  rmSync(searchDir, { recursive: true, force: true });
  const ports = profilePorts('test');
  const env = {
    // not "production": TEST_CLOCK is refused there (the built code is the same)
    NODE_ENV: 'test',
    // the services' clock follows an offset the tests set in Redis (test/e2e/support/clock.ts)
    TEST_CLOCK: 'true',
    LOG_LEVEL: 'warn',
    MONGODB_URL: mongodbUrl.toString(),
    REDIS_URL: services.redisUrl,
    REDIS_PREFIX: E2E_REDIS_PREFIX,
    SMTP_URL: services.smtpUrl,
    SEARCH_DATA_DIR: searchDir,
    PUBLIC_URL: `http://localhost:${ports.web}`,
    ORIGIN: `http://localhost:${ports.web}`,
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_WRITES_PER_MINUTE: '100000',
    // the e2e flows reload pages while they wait for the worker (test/e2e/support.test.ts)
    RATE_LIMIT_POINTS_PER_HOUR: '10000000',
    // new members in the e2e flows upvote (Stack Overflow asks 15 reputation): the other moderation rules stay
    MODERATION_RULES: JSON.stringify({ privileges: { voteUp: 1 } }),
  };
  await seedIfEmpty({ ...process.env, ...env, STACKEXCHANGE_DUMP_DIR: '', COLLOQUY_SEED: 'synthetic' }, log);
  indexProfileFerretdbIds('test');
  stack = await startStack({ env, apiPort: ports.api, webPort: ports.web, logDir: join(profileDir('test'), 'logs', 'e2e') }, log);
  project.provide('webUrl', `http://localhost:${ports.web}`);
  project.provide('apiUrl', stack.apiUrl);
  project.provide('chromiumPath', chromium);
  project.provide('artifactsDir', join(repoRoot, 'artifacts'));
  project.provide('mailpitUrl', services.mailpitUrl ?? '');
  return async () => {
    await stack?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    webUrl: string;
    apiUrl: string;
    chromiumPath: string;
    artifactsDir: string;
    mailpitUrl: string;
  }
}
