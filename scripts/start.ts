// npm start: services → build → seed (when empty) → api + worker + web → print the URL.
// Ctrl-C stops everything this command started.
import { join } from 'node:path';
import { seedIfEmpty } from './lib/seed.js';
import { ensureServices, profileDir, profilePorts, ServiceError, stopServices } from './lib/services.js';
import { buildAll, startStack, type RunningStack } from './lib/stack.js';
import { indexProfileFerretdbIds } from './lib/ferretdb-ids.js';

const log = (line: string) => console.log(`[colloquy] ${line}`);

async function main() {
  const ports = profilePorts('dev');
  const services = await ensureServices('dev', log);
  let stack: RunningStack | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping …');
    await stack?.stop();
    if (services.started.length) await stopServices('dev', services.started, log);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  try {
    buildAll(log);
    const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${ports.web}`;
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      MONGODB_URL: services.mongodbUrl,
      REDIS_URL: services.redisUrl,
      SMTP_URL: services.smtpUrl,
      SEARCH_DATA_DIR: process.env.SEARCH_DATA_DIR ?? join(profileDir('dev'), 'search'),
      PUBLIC_URL: publicUrl,
      ORIGIN: publicUrl,
    };
    await seedIfEmpty({ ...process.env, ...env }, log);
    const ids = indexProfileFerretdbIds('dev');
    if (ids) log(`FerretDB: added ${ids} _id lookup index(es) (see scripts/lib/ferretdb-ids.ts)`);
    stack = await startStack(
      { env, apiPort: ports.api, webPort: ports.web, logDir: join(profileDir('dev'), 'logs'), inheritOutput: true },
      log,
    );
    log('');
    log(`Colloquy is running at ${publicUrl}`);
    log(`GraphQL API: ${publicUrl}/graphql  ·  api health: http://127.0.0.1:${ports.api}/readyz`);
    if (services.mailpitUrl) log(`Mail (Mailpit): ${services.mailpitUrl}`);
    log('Press Ctrl-C to stop.');
    // exit when a child dies unexpectedly
    for (const child of stack.children) {
      child.on('exit', (code) => {
        if (!stopping) {
          log(`a process exited (code ${code}); stopping the rest`);
          void shutdown(1);
        }
      });
    }
  } catch (error) {
    if (error instanceof ServiceError) console.error(`✗ ${error.message}${error.hint ? `\n  → ${error.hint}` : ''}`);
    else console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

main().catch((error) => {
  if (error instanceof ServiceError) console.error(`✗ ${error.message}${error.hint ? `\n  → ${error.hint}` : ''}`);
  else console.error(error);
  process.exit(1);
});
