// Builds and runs the application processes (api, worker, web) for `npm start`, the e2e tests
// and the benchmarks. Each child is tracked and stopped by pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './paths.js';
import { portInUse, ServiceError } from './services.js';

type Log = (line: string) => void;

/** A fingerprint of the sources a build depends on (paths, sizes, mtimes). */
function fingerprint(paths: string[]): string {
  const hash = createHash('sha256');
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name === 'node_modules' || name === 'dist' || name === 'build' || name === '.svelte-kit') continue;
        walk(join(p, name));
      }
    } else {
      hash.update(`${p}:${st.size}:${st.mtimeMs}\n`);
    }
  };
  for (const p of paths) walk(join(repoRoot, p));
  return hash.digest('hex');
}

function runStep(label: string, command: string, args: string[], log: Log, env?: NodeJS.ProcessEnv): void {
  log(label);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit', env: env ?? process.env });
  if (result.status !== 0) throw new Error(`${label} failed (exit ${result.status})`);
}

/** Builds server and web when their sources changed since the last build (seconds when nothing did). */
export function buildAll(log: Log = console.log): void {
  const stampDir = join(repoRoot, '.colloquy');
  mkdirSync(stampDir, { recursive: true });
  const targets = [
    {
      name: 'server',
      sources: ['server/src', 'server/package.json', 'server/tsconfig.json', 'tsconfig.base.json', 'package-lock.json'],
      output: 'server/dist/main.js',
      build: () => runStep('building server (tsc)…', 'npx', ['tsc', '-b', 'server'], log),
    },
    {
      name: 'web',
      sources: [
        'web/src',
        'web/static',
        'web/package.json',
        'web/svelte.config.js',
        'web/vite.config.ts',
        'schema/schema.graphql',
        'package-lock.json',
      ],
      output: 'web/build/front.js',
      build: () => runStep('building web (vite)…', 'npm', ['run', 'build', '-w', 'web'], log),
    },
  ];
  for (const t of targets) {
    const stampFile = join(stampDir, `build-${t.name}.stamp`);
    const want = fingerprint(t.sources);
    if (existsSync(join(repoRoot, t.output)) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want) continue;
    t.build();
    writeFileSync(stampFile, want);
  }
}

export interface StackOptions {
  env: NodeJS.ProcessEnv;
  apiPort: number;
  webPort: number;
  logDir: string;
  /** pipe child output to this process (npm start) or to log files (tests) */
  inheritOutput?: boolean;
  worker?: boolean;
}

export interface RunningStack {
  apiUrl: string;
  webUrl: string;
  children: ChildProcess[];
  stop(): Promise<void>;
}

async function waitForHttp(url: string, child: ChildProcess, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} while starting`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${what} did not become ready at ${url} within ${timeoutMs / 1000} s`);
}

/** Starts api (+ worker) and web from their builds; resolves when all answer. */
export async function startStack(options: StackOptions, log: Log = console.log): Promise<RunningStack> {
  for (const [what, port, variable] of [
    ['api', options.apiPort, 'PORT'],
    ['web', options.webPort, 'WEB_PORT'],
  ] as const) {
    if (await portInUse(port)) {
      throw new ServiceError(
        `Port ${port} (${what}) is already in use by another program.`,
        `Stop it (\`ss -ltnp | grep ${port}\` shows it) or choose another port with ${variable}=….`,
      );
    }
  }
  mkdirSync(options.logDir, { recursive: true });
  const children: ChildProcess[] = [];
  const launch = (name: string, args: string[], env: NodeJS.ProcessEnv) => {
    const out = options.inheritOutput ? 'inherit' : openSync(join(options.logDir, `${name}.log`), 'a');
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', out, out] });
    children.push(child);
    return child;
  };
  const apiEnv = { ...process.env, ...options.env, PORT: String(options.apiPort) };
  const api = launch('api', ['server/dist/main.js'], apiEnv);
  if (options.worker !== false) launch('worker', ['server/dist/worker.js'], apiEnv);
  const apiUrl = `http://127.0.0.1:${options.apiPort}`;
  const webUrl = `http://127.0.0.1:${options.webPort}`;
  // the web gets the api's environment too: its page cache uses the same REDIS_URL and
  // REDIS_PREFIX (the read-model versions the api bumps live there)
  const web = launch('web', ['web/build/front.js'], {
    ...process.env,
    ...options.env,
    PORT: String(options.webPort),
    HOST: '127.0.0.1',
    API_URL: apiUrl,
    ORIGIN: options.env.ORIGIN ?? `http://localhost:${options.webPort}`,
  });
  const stop = async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    const deadline = Date.now() + 15_000;
    while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await sleep(100);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  try {
    await waitForHttp(`${apiUrl}/readyz`, api, 'api');
    await waitForHttp(`${webUrl}/healthz`, web, 'web');
  } catch (error) {
    await stop();
    throw error;
  }
  log(`api ready at ${apiUrl}, web at ${webUrl}`);
  return { apiUrl, webUrl, children, stop };
}
