// `npm run backup [-- --out <file.tar>]`: every collection of MONGODB_URL's database, streamed as
// canonical Extended JSON, gzip-compressed, into one tar archive with a manifest of counts and
// sha256 checksums (scripts/lib/backup.ts). Default file: backups/colloquy-<database>-<time>.tar.
// Exit codes: 0 done, 1 failed, 2 usage error, 78 bad configuration.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backupDatabase } from './lib/backup.js';
import { repoRoot } from './lib/paths.js';
import { EXIT_CONFIG, scriptConfig } from './lib/script-config.js';

const USAGE = 'usage: npm run backup [-- --out <archive.tar>]';

async function main(argv: string[]): Promise<number> {
  let values: { out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    console.error(`backup: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = scriptConfig();
  if (!config) return EXIT_CONFIG;
  const database = new URL(config.mongodbUrl.replace(/^mongodb(\+srv)?:\/\/[^/]*/, 'http://host')).pathname.slice(1) || 'colloquy';
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const archive = values.out ?? join(repoRoot, 'backups', `colloquy-${database}-${stamp}.tar`);
  const started = Date.now();
  console.log(`backing up ${database} …`);
  const manifest = await backupDatabase({ mongodbUrl: config.mongodbUrl, archive, log: console.log });
  const docs = manifest.collections.reduce((n, c) => n + c.count, 0);
  console.log(
    `done: ${manifest.collections.length} collections, ${docs} documents in ${((Date.now() - started) / 1000).toFixed(1)} s → ${archive}`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
