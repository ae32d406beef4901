// Seeds a demo community when the database is empty: from a Stack Exchange dump when one is
// configured (STACKEXCHANGE_DUMP_DIR) or present at ../shared/data/stackexchange/…, else from
// the synthetic demo. Runs as a child process so it reads its configuration like the api.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export async function seedIfEmpty(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'scripts/seed.ts'), '--if-empty'],
    {
      cwd: repoRoot,
      env,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error(`seeding failed (exit ${result.status})`);
  void log;
}
