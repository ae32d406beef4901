#!/usr/bin/env node
// @ts-check
// The only plain-JavaScript entry point: it runs before dependencies exist.
// It installs npm dependencies when package-lock.json changed since the last install,
// then hands over to the TypeScript script named by the first argument (scripts/<name>.ts).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
if (!command || !/^[a-z][a-z0-9-]*$/.test(command)) {
  console.error('usage: node scripts/bootstrap.mjs <script-name> [args…]');
  process.exit(2);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if ((major ?? 0) < 20 || (major === 20 && (minor ?? 0) < 19)) {
  console.error(`Colloquy needs Node.js >= 20.19; this is ${process.versions.node}. Install a newer Node.js and retry.`);
  process.exit(1);
}

function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const stampFile = join(root, 'node_modules', '.colloquy-install-stamp');
  const manifest = ['package.json', 'server/package.json', 'web/package.json', 'schema/package.json']
    .map((f) => (existsSync(join(root, f)) ? readFileSync(join(root, f), 'utf8') : ''))
    .join('\n');
  const want = createHash('sha256')
    .update(existsSync(lock) ? readFileSync(lock) : '')
    .update(manifest)
    .digest('hex');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === want) return;
  const npmArgs = existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  console.log(`[colloquy] installing npm dependencies (npm ${npmArgs[0]}) …`);
  const result = spawnSync('npm', npmArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      '[colloquy] npm could not install the dependencies (see above). Check your network access to the npm registry and retry.',
    );
    process.exit(result.status ?? 1);
  }
  writeFileSync(stampFile, want + '\n');
}

ensureDependencies();
const script = join(root, 'scripts', `${command}.ts`);
if (!existsSync(script)) {
  console.error(`[colloquy] no such script: scripts/${command}.ts`);
  process.exit(2);
}
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const child = spawn(process.execPath, [tsx, script, ...args], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the whole foreground process group; the child decides how to stop.
// Other termination signals sent to this process alone are forwarded.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGHUP', () => child.kill('SIGHUP'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
