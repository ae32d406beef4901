// npm run seed [-- --if-empty]: the demo community (see scripts/lib/seed.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../server/src/config.js';
import { createDeps } from '../server/src/deps.js';
import { syncIndexes } from '../server/src/infra/mongo.js';
import { seedDemo } from '../server/src/modules/seed/demo.seed.js';
import { importStackExchange } from '../server/src/modules/import/se-import.service.js';
import { rebuildRollupsAndRanking } from '../server/src/modules/post/post.rollups.js';
import { repoRoot } from './lib/paths.js';

export function defaultDumpDir(config: { stackExchangeDumpDir: string | undefined }): string | null {
  const candidates = [config.stackExchangeDumpDir, join(repoRoot, '..', 'shared', 'data', 'stackexchange', 'ai.stackexchange.com')];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'Posts.xml'))) return dir;
  return null;
}

async function main() {
  const config = loadConfig();
  const deps = await createDeps(config, 'seed', { events: 'inline' });
  const log = (line: string) => console.log(`[colloquy] ${line}`);
  try {
    await syncIndexes();
    const state = await deps.repos.seedState.findById('demo');
    let dump = defaultDumpDir(config);
    let synthetic = !dump || process.argv.includes('--synthetic') || process.env.COLLOQUY_SEED === 'synthetic';
    if (process.argv.includes('--if-empty') && (await deps.repos.users.estimatedCount()) > 0) {
      if (!state || state.finishedAt) return;
      if (state.source === 'synthetic') {
        log('the synthetic demo seeding was interrupted and cannot be resumed: stop, delete .colloquy/dev and start again');
        return;
      }
      if (!state.dir || !existsSync(join(state.dir, 'Posts.xml'))) {
        log(`the interrupted import's dump (${state.dir ?? 'unknown'}) is gone: the community stays as it is`);
        return;
      }
      log(`resuming the interrupted import of ${state.dir} (completed files are skipped) …`);
      dump = state.dir;
      synthetic = false;
    } else {
      await deps.repos.seedState.restart({
        _id: 'demo',
        source: synthetic ? 'synthetic' : 'stackexchange',
        dir: synthetic ? null : dump,
        startedAt: new Date(),
      });
    }
    if (!synthetic && dump) {
      log(`seeding from the Stack Exchange dump in ${dump} …`);
      await importStackExchange(deps, dump, { space: 'ai' });
    } else {
      log('seeding the synthetic demo community …');
      await seedDemo(deps, log);
      await deps.services.listings.rebuild();
      await rebuildRollupsAndRanking(deps);
    }
    await deps.repos.seedState.update('demo', { $set: { finishedAt: new Date() } });
  } finally {
    await deps.close();
  }
}

main().catch((error) => {
  console.error(`seed failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
