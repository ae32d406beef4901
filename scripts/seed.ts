// npm run seed [-- --if-empty]: the demo community (see scripts/lib/seed.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../server/src/config.js';
import { createDeps } from '../server/src/deps.js';
import { syncIndexes } from '../server/src/infra/mongo.js';
import { seedDemo } from '../server/src/modules/seed/demo.seed.js';
import { UserModel } from '../server/src/modules/user/user.model.js';
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
    if (process.argv.includes('--if-empty') && (await UserModel.estimatedDocumentCount()) > 0) return;
    const dump = defaultDumpDir(config);
    const importer = join(repoRoot, 'server/src/modules/import/se-import.service.ts');
    if (dump && existsSync(importer) && !process.argv.includes('--synthetic') && process.env.COLLOQUY_SEED !== 'synthetic') {
      log(`seeding from the Stack Exchange dump in ${dump} …`);
      const { importStackExchange } = (await import(importer)) as {
        importStackExchange: (deps: unknown, dir: string, opts: object) => Promise<void>;
      };
      await importStackExchange(deps, dump, { space: 'ai' });
    } else {
      log('seeding the synthetic demo community …');
      await seedDemo(deps, log);
      await deps.services.listings.rebuild();
    }
  } finally {
    await deps.close();
  }
}

main().catch((error) => {
  console.error(`seed failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
