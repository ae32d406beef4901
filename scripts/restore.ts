// `npm run restore -- <archive.tar> [--force]`: checks every checksum of a backup made by
// `npm run backup`, restores it into MONGODB_URL's database (which must be empty unless --force),
// then rebuilds what derives from the database: indexes, the search index, the question listings,
// the members ranking and statistics, and retires every cache (scripts/lib/backup.ts). Run it with
// the api and workers stopped. Exit codes: 0 done, 1 failed (nothing written when the archive is
// damaged or the database not empty), 2 usage error, 78 bad configuration.
import { parseArgs } from 'node:util';
import { createDeps } from '../server/src/deps.js';
import { rebuildDerivedState, restoreDatabase, RestoreError } from './lib/backup.js';
import { EXIT_CONFIG, scriptConfig } from './lib/script-config.js';

const USAGE = 'usage: npm run restore -- <archive.tar> [--force]';

async function main(argv: string[]): Promise<number> {
  let values: { force?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    console.error(`restore: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`restore: name one archive\n${USAGE}`);
    return 2;
  }
  const config = scriptConfig();
  if (!config) return EXIT_CONFIG;
  const started = Date.now();
  console.log(`restoring ${positionals[0]} (checksums first) …`);
  try {
    const manifest = await restoreDatabase({
      mongodbUrl: config.mongodbUrl,
      archive: positionals[0]!,
      force: values.force,
      log: console.log,
    });
    console.log(`restored ${manifest.collections.length} collections from the backup of ${manifest.createdAt}; rebuilding derived state …`);
  } catch (error) {
    if (error instanceof RestoreError) {
      console.error(`restore refused: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const deps = await createDeps(config, 'restore', { events: 'inline' });
  try {
    await rebuildDerivedState(deps, console.log);
  } finally {
    await deps.close();
  }
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s. Check it with \`npm run verify\`.`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`restore failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
