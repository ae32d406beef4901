// npm run check: the static gate, through scripts/bootstrap.mjs so that a clean clone installs its
// dependencies first. Runs every step even after a failure (one run shows every problem) and
// exits 1 when any failed:
//   format     Prettier (npm run format:check)
//   lint       ESLint with 0 warnings (npm run lint)
//   deps       dependency-cruiser over server/src (.dependency-cruiser.cjs): no import cycles, a
//              module's model only in its own repository, lib/ pure, infra/ below the modules
//              (npm run deps)
//   typecheck  tsc -b for server, scripts and test; then, for web, gql.tada codegen, the GraphQL
//              document check, svelte-kit sync and svelte-check (npm run typecheck)
import { spawnSync } from 'node:child_process';
import { repoRoot } from './lib/paths.js';

const steps = [
  { name: 'format', script: 'format:check' },
  { name: 'lint', script: 'lint' },
  { name: 'deps', script: 'deps' },
  { name: 'typecheck', script: 'typecheck' },
] as const;

const log = (line: string) => console.log(`[check] ${line}`);
const failed: string[] = [];
for (const step of steps) {
  log(`── ${step.name} (npm run ${step.script}) ──`);
  const started = performance.now();
  const result = spawnSync('npm', ['run', step.script], { cwd: repoRoot, stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.status === 0) log(`${step.name}: ok (${seconds} s)`);
  else {
    log(`${step.name}: failed (${seconds} s)`);
    failed.push(step.name);
  }
}
if (failed.length) {
  log(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
log('every check passed');
