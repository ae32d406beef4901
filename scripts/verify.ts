// `npm run verify [-- --repair] [--batch-size N]`: recomputes derived state (scores, answer and
// comment counts, space/tag/user counters, reputation = Σ ledger) from its facts and prints a
// table of drift per check. With --repair it fixes what drifted (idempotent) and says what.
// Exit codes: 0 clean or repaired, 1 drift found (without --repair) or not all repaired,
// 2 usage error, 78 bad configuration.
import { parseArgs } from 'node:util';
import { createDeps } from '../server/src/deps.js';
import { formatVerifyReport, verifyConsistency } from '../server/src/modules/maintenance/verify.service.js';
import { EXIT_CONFIG, scriptConfig } from './lib/script-config.js';

const USAGE = 'usage: npm run verify [-- --repair] [--batch-size <n>]';

async function main(argv: string[]): Promise<number> {
  let values: { repair?: boolean; 'batch-size'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { repair: { type: 'boolean' }, 'batch-size': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    console.error(`verify: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const batchSize = values['batch-size'] === undefined ? 500 : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    console.error(`verify: --batch-size must be an integer from 1 to 10000\n${USAGE}`);
    return 2;
  }
  const config = scriptConfig();
  if (!config) return EXIT_CONFIG;
  const deps = await createDeps(config, 'verify', { events: 'inline' });
  try {
    const repair = values.repair ?? false;
    console.log(repair ? 'Verifying derived state and repairing drift…\n' : 'Verifying derived state…\n');
    const result = await verifyConsistency(deps, { repair, batchSize });
    console.log(formatVerifyReport(result));
    if (result.drift === 0) return 0;
    return repair && result.repaired === result.drift ? 0 : 1;
  } finally {
    await deps.close();
  }
}

// exit explicitly: a lingering handle must not keep a command-line tool alive
process.exit(await main(process.argv.slice(2)));
