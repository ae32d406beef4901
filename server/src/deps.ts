// Builds the long-lived dependencies (connections, metrics) shared by api, worker and scripts.
import type { Config } from './config.js';
import type { AppDeps } from './context.js';
import { createLogger } from './infra/logger.js';
import { createMetrics } from './infra/metrics.js';
import { connectMongo, disconnectMongo } from './infra/mongo.js';
import { createRedis } from './infra/redis.js';

export async function createDeps(config: Readonly<Config>, name: string): Promise<AppDeps & { close(): Promise<void> }> {
  const log = createLogger(config.logLevel, name);
  await connectMongo(config.mongodbUrl, log);
  const redis = createRedis(config.redisUrl, log);
  const deps: AppDeps = { config, log, redis, metrics: createMetrics(), services: {} };
  return {
    ...deps,
    async close() {
      redis.disconnect();
      await disconnectMongo();
    },
  };
}
