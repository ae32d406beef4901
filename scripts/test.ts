// npm test: prepares everything (test services on their own ports, Chromium, builds), then runs
// the unit, integration and e2e tiers one after another and prints one summary line.
// `npm test -- --tier unit|integration|e2e` runs one tier (the unit tier starts no services).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium, ensureServices, ServiceError, stopServices } from './lib/services.js';
import { buildAll } from './lib/stack.js';
import { repoRoot } from './lib/paths.js';

const log = (line: string) => console.log(`[test] ${line}`);
const tiers = ['unit', 'integration', 'e2e'] as const;

interface TierResult {
  tier: string;
  passed: number;
  failed: number;
  skipped: number;
  ok: boolean;
}

function runTier(tier: string, extra: string[]): TierResult {
  log(`── ${tier} tests ──`);
  const reportFile = join(repoRoot, '.colloquy', 'test', `vitest-${tier}.json`);
  const result = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--project',
      tier,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reportFile}`,
      ...extra,
    ],
    { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, CI: process.env.CI ?? 'true' } },
  );
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
    };
    passed = report.numPassedTests;
    failed = report.numFailedTests;
    skipped = report.numPendingTests + report.numTodoTests;
  } catch {
    failed = Math.max(failed, 1);
  }
  return { tier, passed, failed, skipped, ok: result.status === 0 };
}

function syncWeb(log: (line: string) => void): void {
  if (existsSync(join(repoRoot, 'web', '.svelte-kit', 'tsconfig.json'))) return;
  log('svelte-kit sync (web) …');
  const result = spawnSync('npx', ['svelte-kit', 'sync'], { cwd: join(repoRoot, 'web'), stdio: 'inherit' });
  if (result.status !== 0) throw new Error('svelte-kit sync failed (see above)');
}

async function main() {
  const onlyIndex = process.argv.indexOf('--tier');
  const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
  const extra = process.argv.slice(2).filter((a, i, all) => a !== '--tier' && all[i - 1] !== '--tier');
  // the unit tier needs no services: `npm test -- --tier unit` starts none
  const services = only === 'unit' ? null : await ensureServices('test', log);
  const results: TierResult[] = [];
  try {
    // tests import web modules (the page cache): Vite reads web/tsconfig.json, which extends the
    // .svelte-kit/tsconfig.json that `svelte-kit sync` writes (a fresh clone has none yet)
    syncWeb(log);
    if (!only || only === 'e2e') {
      ensureChromium(log);
      buildAll(log);
    }
    for (const tier of tiers) {
      if (only && only !== tier) continue;
      results.push(runTier(tier, extra));
    }
  } finally {
    if (services?.started.length) await stopServices('test', services.started, () => undefined);
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const skipped = results.reduce((n, r) => n + r.skipped, 0);
  for (const r of results)
    log(`${r.tier.padEnd(12)} ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}${r.ok ? '' : '  ✗'}`);
  const ok = results.length > 0 && results.every((r) => r.ok) && failed === 0;
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  if (error instanceof ServiceError) console.error(`✗ ${error.message}${error.hint ? `\n  → ${error.hint}` : ''}`);
  else console.error(error);
  process.exit(1);
});
