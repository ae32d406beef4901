// api process: config → connect → listen → graceful shutdown (SIGTERM drains).
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createDeps } from './deps.js';
import mongoose from 'mongoose';
import { observeDbCommands } from './infra/metrics.js';
import { syncIndexes } from './infra/mongo.js';

function configOrExit(): Readonly<Config> {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

async function main() {
  const config = configOrExit();
  const deps = await createDeps(config, 'api');
  const { log } = deps;
  await syncIndexes();
  observeDbCommands(deps.metrics, mongoose.connection.getClient());
  const handle = createApp(deps);
  const server: Server = await new Promise((resolve, reject) => {
    const s = handle.app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  server.keepAliveTimeout = 65_000;
  log.info({ url: `http://${config.host}:${config.port}`, instance: config.instanceId }, 'api listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: readiness now fails, draining in-flight requests');
    handle.beginShutdown();
    // stop accepting new connections; idle keep-alive sockets are closed, busy ones finish
    server.close();
    server.closeIdleConnections();
    const deadline = Date.now() + config.shutdownTimeoutMs;
    while (handle.inFlight() > 0 && Date.now() < deadline) await sleep(50);
    if (handle.inFlight() > 0) log.warn({ inFlight: handle.inFlight() }, 'drain timeout: closing remaining connections');
    server.closeAllConnections();
    await deps.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(`api failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
