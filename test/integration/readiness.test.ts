// /readyz follows the database: a dedicated FerretDB is stopped and restarted under a running
// api, which must report 503 within 5 s and recover on its own. Also: SIGTERM drains and exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ensureFerretdbBinary, pingMongo } from '../../scripts/lib/services.js';
import { repoRoot } from '../../scripts/lib/paths.js';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { createDeps, type ClosableDeps } from '../../server/src/deps.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

let dir: string;
let port: number;
let ferret: ChildProcess | undefined;

function startFerret() {
  ferret = spawn(
    ensureFerretdbBinary(() => undefined),
    [
      '--handler=sqlite',
      `--sqlite-url=file:${join(dir, 'data')}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${join(dir, 'state')}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  );
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`condition not reached within ${timeoutMs} ms`);
}

describe('readiness follows MongoDB without restarting the api', () => {
  let deps: ClosableDeps;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'colloquy-ferret-'));
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'state'));
    port = await freePort();
    startFerret();
    const mongodbUrl = `mongodb://127.0.0.1:${port}/colloquy_readiness`;
    await until(
      () =>
        pingMongo(mongodbUrl, 500).then(
          () => true,
          () => false,
        ),
      30_000,
    );
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      MONGODB_URL: mongodbUrl,
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: 'colloquy-readiness:',
      SEARCH_DATA_DIR: join(dir, 'search'),
      READINESS_TIMEOUT_MS: '1000',
    });
    deps = await createDeps(config, 'readiness', { events: 'inline' });
    const handle = createApp(deps);
    server = await new Promise((resolve) => {
      const s = handle.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    server?.closeAllConnections();
    server?.close();
    await deps?.close().catch(() => undefined);
    ferret?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async () => (await fetch(`${url}/readyz`)).status;

  it('is 200, then 503 within 5 s of FerretDB stopping, then 200 again once it is back', async () => {
    expect(await status()).toBe(200);
    ferret!.kill('SIGTERM');
    const down = await until(async () => (await status()) === 503, 5_000);
    expect(down).toBeLessThanOrEqual(5_000);
    const body = (await (await fetch(`${url}/readyz`)).json()) as { checks: { redis: string; mongodb: string } };
    expect(body.checks.redis).toBe('ok');
    expect(body.checks.mongodb).not.toBe('ok');
    startFerret();
    await until(async () => (await status()) === 200, 30_000);
    // and the api really serves data again through the same connection pool
    const r = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ spaces(first: 1) { totalCount } }' }),
    });
    expect(await r.json()).toMatchObject({ data: { spaces: {} } });
  }, 60_000);
});

describe('graceful shutdown', () => {
  it('on SIGTERM fails readiness, drains and exits 0', async () => {
    const apiPort = await freePort();
    const child = spawn(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'server/src/main.ts')], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        PORT: String(apiPort),
        MONGODB_URL: inject('mongodbUrl').replace(/\/[^/]*$/, '/colloquy_shutdown'),
        REDIS_URL: inject('redisUrl'),
        SEARCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'colloquy-shutdown-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const base = `http://127.0.0.1:${apiPort}`;
    await until(
      () =>
        fetch(`${base}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        ),
      60_000,
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/readiness now fails, draining/);
    expect(output).toMatch(/"msg":"stopped"/);
  }, 90_000);
});
