// Local services for development, tests and benchmarks: FerretDB (MongoDB wire protocol on
// SQLite files) and Redis. Each profile has its own ports, data folders and pid files under
// .colloquy/<profile>/. A service named by MONGODB_URL / REDIS_URL is used as is: nothing local
// is started for it. Processes are tracked by pid file and stopped by pid, never by name.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { repoRoot } from './paths.js';

export type Profile = 'dev' | 'test' | 'bench' | 'cluster';

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

const DEFAULT_PORTS: Record<Profile, { ferretdb: number; redis: number; api: number; web: number }> = {
  dev: { ferretdb: 27117, redis: 6479, api: 4000, web: 3000 },
  test: { ferretdb: 27217, redis: 6579, api: 4100, web: 3100 },
  bench: { ferretdb: 27317, redis: 6679, api: 4200, web: 3200 },
  // npm run start:cluster: api = the proxy (nginx), its instances on the next ports (scripts/lib/cluster.ts)
  cluster: { ferretdb: 27417, redis: 6779, api: 4300, web: 3300 },
};

export class ServiceError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export interface ProfilePorts {
  ferretdb: number;
  redis: number;
  api: number;
  web: number;
}

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ServiceError(`${name} must be a TCP port (1-65535), got "${raw}"`, `Fix or unset ${name}.`);
  }
  return port;
}

export function profilePorts(profile: Profile): ProfilePorts {
  const d = DEFAULT_PORTS[profile];
  // Only the development profile reads overrides, so tests and benchmarks never collide with it.
  if (profile !== 'dev') return d;
  return {
    ferretdb: envPort('FERRETDB_PORT', d.ferretdb),
    redis: envPort('REDIS_PORT', d.redis),
    api: envPort('PORT', d.api),
    web: envPort('WEB_PORT', d.web),
  };
}

export function profileDir(profile: Profile): string {
  return join(repoRoot, '.colloquy', profile);
}

function toolsDir(): string {
  return process.env.COLLOQUY_TOOLS_DIR ?? join(homedir(), '.cache', 'colloquy');
}

export function ferretdbBinary(): string {
  return join(toolsDir(), `ferretdb-${FERRETDB_VERSION}`, 'ferretdb');
}

type Log = (line: string) => void;

// ---------------------------------------------------------------------------------------------
// process bookkeeping

function pidFile(profile: Profile, name: string): string {
  return join(profileDir(profile), 'run', `${name}.pid`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid recorded for a service, if that process still runs the expected program. */
function trackedPid(profile: Profile, name: string, program: string): number | undefined {
  const file = pidFile(profile, name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  try {
    // guard against a recycled pid: the process must still be the one we started
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(program)) return undefined;
  } catch {
    // no /proc: trust the pid file
  }
  return pid;
}

export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

function startDetached(profile: Profile, name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const dir = profileDir(profile);
  mkdirSync(join(dir, 'run'), { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const logFile = join(dir, 'logs', `${name}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd: dir,
    detached: true,
    stdio: ['ignore', out, out],
    env: env ?? process.env,
  });
  if (child.pid === undefined) throw new ServiceError(`could not start ${name} (${command})`, `See ${logFile}.`);
  child.unref();
  writeFileSync(pidFile(profile, name), `${child.pid}\n`);
  return child.pid;
}

async function stopPid(profile: Profile, name: string, program: string, log: Log): Promise<boolean> {
  const pid = trackedPid(profile, name, program);
  const file = pidFile(profile, name);
  if (pid === undefined) {
    rmSync(file, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) {
    log(`${name} (pid ${pid}) did not stop within 10 s; sending SIGKILL`);
    process.kill(pid, 'SIGKILL');
  }
  rmSync(file, { force: true });
  log(`stopped ${name} (pid ${pid})`);
  return true;
}

// ---------------------------------------------------------------------------------------------
// health checks

export async function pingMongo(url: string, timeoutMs = 2000): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs, socketTimeoutMS: timeoutMs });
  let timer: NodeJS.Timeout | undefined;
  try {
    // a hung server accepts connections but never answers: bound the whole check
    await Promise.race([
      (async () => {
        await client.connect();
        await client.db('admin').command({ ping: 1 });
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to ping within ${timeoutMs} ms`)), timeoutMs + 500);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
  }
}

export async function pingRedis(url: string, timeoutMs = 2000): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined); // reported through the rejected connect() below
  try {
    await redis.connect();
    const pong = await redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
  } finally {
    redis.disconnect();
  }
}

async function waitHealthy(check: () => Promise<void>, pid: number, what: string, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new ServiceError(`${what} exited right after starting. Its log says:\n${tail(logFile)}`, `Fix the cause above, then retry.`);
    }
    try {
      await check();
      return;
    } catch (error) {
      last = error;
      await sleep(200);
    }
  }
  throw new ServiceError(
    `${what} did not answer its health check within ${timeoutMs / 1000} s (${String(last)}). Log:\n${tail(logFile)}`,
    'See the log above.',
  );
}

// ---------------------------------------------------------------------------------------------
// FerretDB

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new ServiceError(
      `\`${command} ${args.join(' ')}\` failed (exit ${result.status}):\n${(result.stderr || result.stdout).trim()}`,
      '',
    );
  }
  return result.stdout;
}

function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Builds FerretDB v1.24.2 from the Go module proxy into the tools cache (once per machine).
 *
 * `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` compiles, but the binary it
 * produces panics at start ("Invalid build/version/version.txt file content"): the published
 * module embeds an empty version.txt, which FerretDB's release tooling fills in. So we take the
 * very same module from the proxy (`go mod download`), write the version file, and `go build`
 * its cmd/ferretdb.
 */
export function ensureFerretdbBinary(log: Log): string {
  const bin = ferretdbBinary();
  if (existsSync(bin)) {
    const out = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (out.status === 0 && out.stdout.includes(FERRETDB_VERSION)) return bin;
  }
  if (!hasCommand('go')) {
    throw new ServiceError(
      'FerretDB is not built yet and no Go toolchain was found (the `go` command is missing).',
      'Install Go >= 1.22 (https://go.dev/doc/install, or your package manager), or set MONGODB_URL to a MongoDB you run yourself.',
    );
  }
  log(`building FerretDB ${FERRETDB_VERSION} from the Go module proxy (once per machine, ~2 min) …`);
  const work = mkdtempSync(join(tmpdir(), 'colloquy-ferretdb-'));
  try {
    const env = { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' };
    const info = JSON.parse(run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], { cwd: work, env })) as {
      Dir?: string;
      Error?: string;
    };
    if (!info.Dir)
      throw new ServiceError(`go mod download failed: ${info.Error ?? 'no module directory'}`, 'Check access to the Go module proxy.');
    const src = join(work, 'src');
    cpSync(info.Dir, src, { recursive: true });
    spawnSync('chmod', ['-R', 'u+w', src]);
    writeFileSync(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    mkdirSync(join(toolsDir(), `ferretdb-${FERRETDB_VERSION}`), { recursive: true });
    const tmpBin = `${bin}.tmp-${process.pid}`;
    run('go', ['build', '-trimpath', '-buildvcs=false', '-o', tmpBin, './cmd/ferretdb'], { cwd: src, env: { ...env, GOFLAGS: '' } });
    run('mv', [tmpBin, bin]);
  } catch (error) {
    if (error instanceof ServiceError) {
      throw new ServiceError(
        `Building FerretDB ${FERRETDB_VERSION} failed: ${error.message}`,
        'Check access to the Go module proxy, or set MONGODB_URL.',
      );
    }
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`FerretDB ${FERRETDB_VERSION} built at ${bin}`);
  return bin;
}

export function databaseName(profile: Profile): string {
  return profile === 'dev' ? 'colloquy' : `colloquy_${profile}`;
}

async function ensureFerretdb(profile: Profile, log: Log): Promise<{ url: string; started: boolean }> {
  const port = profilePorts(profile).ferretdb;
  const url = `mongodb://127.0.0.1:${port}/${databaseName(profile)}`;
  const running = trackedPid(profile, 'ferretdb', 'ferretdb');
  if (running !== undefined) {
    try {
      await pingMongo(url);
      return { url, started: false };
    } catch {
      log(`FerretDB (pid ${running}) does not answer; restarting it`);
      await stopPid(profile, 'ferretdb', 'ferretdb', log);
    }
  }
  if (await portInUse(port)) {
    throw new ServiceError(
      `Port ${port} (FerretDB, profile ${profile}) is already in use by another program.`,
      profile === 'dev'
        ? `Stop that program, or choose another port with FERRETDB_PORT=…, or point MONGODB_URL at your own MongoDB.`
        : `Stop that program (\`ss -ltnp | grep ${port}\` shows it).`,
    );
  }
  const bin = ensureFerretdbBinary(log);
  const dir = profileDir(profile);
  const dataDir = join(dir, 'ferretdb', 'data');
  const stateDir = join(dir, 'ferretdb', 'state');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const pid = startDetached(profile, 'ferretdb', bin, [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/`,
    `--listen-addr=127.0.0.1:${port}`,
    `--state-dir=${stateDir}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=warn',
  ]);
  await waitHealthy(() => pingMongo(url, 1000), pid, `FerretDB on port ${port}`, join(dir, 'logs', 'ferretdb.log'));
  log(`FerretDB ${FERRETDB_VERSION} ready on 127.0.0.1:${port} (pid ${pid}, data in ${dataDir})`);
  return { url, started: true };
}

// ---------------------------------------------------------------------------------------------
// Redis

function ensureRedisBinary(log: Log): string {
  if (hasCommand('redis-server')) return 'redis-server';
  const isRoot = process.getuid?.() === 0;
  const sudo = !isRoot && hasCommand('sudo') ? ['sudo', '-n'] : [];
  if (!hasCommand('apt-get') || (!isRoot && sudo.length === 0)) {
    throw new ServiceError(
      'redis-server is not installed and cannot be installed automatically here (needs apt-get as root).',
      'Install Redis (e.g. `sudo apt-get install -y redis-server`), or set REDIS_URL to a Redis you run yourself.',
    );
  }
  log('installing redis-server with apt-get …');
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...pre] = sudo.length ? sudo : ['apt-get'];
  const apt = sudo.length ? [...pre, 'apt-get'] : [];
  try {
    run(cmd!, [...apt, 'update', '-qq'], { env: aptEnv });
    run(cmd!, [...apt, 'install', '-y', '-qq', '--no-install-recommends', 'redis-server'], { env: aptEnv });
  } catch (error) {
    throw new ServiceError(
      `Installing redis-server failed: ${(error as Error).message}`,
      'Install Redis yourself (`apt-get install -y redis-server`) or set REDIS_URL.',
    );
  }
  return 'redis-server';
}

async function ensureRedis(profile: Profile, log: Log): Promise<{ url: string; started: boolean }> {
  const port = profilePorts(profile).redis;
  const url = `redis://127.0.0.1:${port}`;
  const running = trackedPid(profile, 'redis', 'redis-server');
  if (running !== undefined) {
    try {
      await pingRedis(url);
      return { url, started: false };
    } catch {
      log(`Redis (pid ${running}) does not answer; restarting it`);
      await stopPid(profile, 'redis', 'redis-server', log);
    }
  }
  if (await portInUse(port)) {
    throw new ServiceError(
      `Port ${port} (Redis, profile ${profile}) is already in use by another program.`,
      profile === 'dev'
        ? `Stop that program, or choose another port with REDIS_PORT=…, or point REDIS_URL at your own Redis.`
        : `Stop that program (\`ss -ltnp | grep ${port}\` shows it).`,
    );
  }
  const bin = ensureRedisBinary(log);
  const dir = join(profileDir(profile), 'redis');
  mkdirSync(dir, { recursive: true });
  // dev keeps its data; so does bench, whose `--reuse-data` runs reuse the Redis read models
  const persistent = profile === 'dev' || profile === 'bench';
  const pid = startDetached(profile, 'redis', bin, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--save',
    '',
    '--appendonly',
    persistent ? 'yes' : 'no',
    '--logfile',
    '',
  ]);
  await waitHealthy(() => pingRedis(url, 1000), pid, `Redis on port ${port}`, join(profileDir(profile), 'logs', 'redis.log'));
  log(`Redis ready on 127.0.0.1:${port} (pid ${pid})`);
  return { url, started: true };
}

// ---------------------------------------------------------------------------------------------
// Mailpit (the local SMTP catcher: mail the app sends lands there, with a web UI and a REST API)

export const MAILPIT_VERSION = 'v1.33.1';
const MAILPIT_MODULE = 'github.com/axllent/mailpit';

/** SMTP and web/API ports per profile (SMTP_URL, when set, is used instead: nothing is started). */
const MAILPIT_PORTS: Record<Profile, { smtp: number; http: number }> = {
  dev: { smtp: 1125, http: 8125 },
  test: { smtp: 1225, http: 8225 },
  bench: { smtp: 1325, http: 8325 },
  cluster: { smtp: 1425, http: 8425 },
};

export function mailpitPorts(profile: Profile): { smtp: number; http: number } {
  const d = MAILPIT_PORTS[profile];
  if (profile !== 'dev') return d;
  return { smtp: envPort('MAILPIT_SMTP_PORT', d.smtp), http: envPort('MAILPIT_HTTP_PORT', d.http) };
}

export function mailpitBinary(): string {
  return join(repoRoot, '.colloquy', 'bin', 'mailpit');
}

/** Builds Mailpit from the Go module proxy into .colloquy/bin (once). */
export function ensureMailpitBinary(log: Log): string {
  const bin = mailpitBinary();
  // `go install` builds report version "dev": a stamp beside the binary names the version built
  const stamp = `${bin}.version`;
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === MAILPIT_VERSION) return bin;
  if (!hasCommand('go')) {
    throw new ServiceError(
      'Mailpit is not built yet and no Go toolchain was found (the `go` command is missing).',
      'Install Go >= 1.22, or set SMTP_URL to an SMTP server you run yourself.',
    );
  }
  log(`building Mailpit ${MAILPIT_VERSION} from the Go module proxy (once, ~1 min) …`);
  try {
    run('go', ['install', `${MAILPIT_MODULE}@${MAILPIT_VERSION}`], { env: { ...process.env, GOBIN: join(repoRoot, '.colloquy', 'bin') } });
  } catch (error) {
    throw new ServiceError(`Building Mailpit failed: ${(error as Error).message}`, 'Check access to the Go module proxy, or set SMTP_URL.');
  }
  writeFileSync(stamp, `${MAILPIT_VERSION}\n`);
  log(`Mailpit ${MAILPIT_VERSION} built at ${bin}`);
  return bin;
}

export async function pingMailpit(webUrl: string, timeoutMs = 2000): Promise<void> {
  const res = await fetch(`${webUrl}/livez`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`Mailpit answered ${res.status}`);
}

async function ensureMailpit(profile: Profile, log: Log): Promise<{ smtpUrl: string; webUrl: string; started: boolean }> {
  const ports = mailpitPorts(profile);
  const smtpUrl = `smtp://127.0.0.1:${ports.smtp}`;
  const webUrl = `http://127.0.0.1:${ports.http}`;
  const running = trackedPid(profile, 'mailpit', 'mailpit');
  if (running !== undefined) {
    try {
      await pingMailpit(webUrl);
      return { smtpUrl, webUrl, started: false };
    } catch {
      log(`Mailpit (pid ${running}) does not answer; restarting it`);
      await stopPid(profile, 'mailpit', 'mailpit', log);
    }
  }
  // a Mailpit answering on these ports (started by a concurrent run of the same profile) is reused
  const answering = await pingMailpit(webUrl).then(
    () => true,
    () => false,
  );
  if (answering && (await portInUse(ports.smtp))) return { smtpUrl, webUrl, started: false };
  for (const port of [ports.smtp, ports.http]) {
    if (await portInUse(port)) {
      throw new ServiceError(
        `Port ${port} (Mailpit, profile ${profile}) is already in use by another program.`,
        profile === 'dev'
          ? `Stop that program, or choose other ports with MAILPIT_SMTP_PORT / MAILPIT_HTTP_PORT, or set SMTP_URL.`
          : `Stop that program (\`ss -ltnp | grep ${port}\` shows it).`,
      );
    }
  }
  const bin = ensureMailpitBinary(log);
  const dir = profileDir(profile);
  const pid = startDetached(profile, 'mailpit', bin, [
    '--smtp',
    `127.0.0.1:${ports.smtp}`,
    '--listen',
    `127.0.0.1:${ports.http}`,
    '--database',
    join(dir, 'mailpit.db'),
    '--disable-version-check',
    '--smtp-auth-accept-any',
    '--smtp-auth-allow-insecure',
  ]);
  await waitHealthy(() => pingMailpit(webUrl, 1000), pid, `Mailpit on port ${ports.http}`, join(dir, 'logs', 'mailpit.log'));
  log(`Mailpit ${MAILPIT_VERSION} ready: SMTP 127.0.0.1:${ports.smtp}, web UI ${webUrl} (pid ${pid})`);
  return { smtpUrl, webUrl, started: true };
}

// ---------------------------------------------------------------------------------------------
// public API

export interface ServiceUrls {
  mongodbUrl: string;
  redisUrl: string;
  typesenseUrl: string | undefined;
  /** where mail goes: SMTP_URL, or the local Mailpit */
  smtpUrl: string;
  /** Mailpit's web UI and REST API (undefined when SMTP_URL is set) */
  mailpitUrl: string | undefined;
  /** services this call started (and so may stop) */
  started: Array<'ferretdb' | 'redis' | 'mailpit'>;
}

export async function ensureServices(profile: Profile, log: Log = console.log): Promise<ServiceUrls> {
  const started: ServiceUrls['started'] = [];
  let mongodbUrl = process.env.MONGODB_URL;
  if (mongodbUrl) {
    log(`using MONGODB_URL (no local FerretDB started)`);
  } else {
    const r = await ensureFerretdb(profile, log);
    mongodbUrl = r.url;
    if (r.started) started.push('ferretdb');
  }
  let redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    log(`using REDIS_URL (no local Redis started)`);
  } else {
    const r = await ensureRedis(profile, log);
    redisUrl = r.url;
    if (r.started) started.push('redis');
  }
  const typesenseUrl = process.env.TYPESENSE_URL || undefined;
  if (typesenseUrl) log(`using TYPESENSE_URL for search`);
  let smtpUrl = process.env.SMTP_URL;
  let mailpitUrl: string | undefined;
  if (smtpUrl) {
    log(`using SMTP_URL for mail (no local Mailpit started)`);
  } else {
    const r = await ensureMailpit(profile, log);
    smtpUrl = r.smtpUrl;
    mailpitUrl = r.webUrl;
    if (r.started) started.push('mailpit');
  }
  return { mongodbUrl, redisUrl, typesenseUrl, smtpUrl, mailpitUrl, started };
}

export async function stopServices(
  profile: Profile,
  which: Array<'ferretdb' | 'redis' | 'mailpit'> = ['ferretdb', 'redis', 'mailpit'],
  log: Log = console.log,
) {
  if (which.includes('ferretdb')) await stopPid(profile, 'ferretdb', 'ferretdb', log);
  if (which.includes('redis')) await stopPid(profile, 'redis', 'redis-server', log);
  if (which.includes('mailpit')) await stopPid(profile, 'mailpit', 'mailpit', log);
}

export async function statusServices(profile: Profile): Promise<Array<{ name: string; pid?: number; port: number; healthy: boolean }>> {
  const ports = profilePorts(profile);
  const fPid = trackedPid(profile, 'ferretdb', 'ferretdb');
  const rPid = trackedPid(profile, 'redis', 'redis-server');
  const fUrl = `mongodb://127.0.0.1:${ports.ferretdb}/${databaseName(profile)}`;
  const rUrl = `redis://127.0.0.1:${ports.redis}`;
  const healthy = async (f: () => Promise<void>) =>
    f().then(
      () => true,
      () => false,
    );
  return [
    { name: 'ferretdb', pid: fPid, port: ports.ferretdb, healthy: fPid !== undefined && (await healthy(() => pingMongo(fUrl, 1000))) },
    { name: 'redis', pid: rPid, port: ports.redis, healthy: rPid !== undefined && (await healthy(() => pingRedis(rUrl, 1000))) },
  ];
}

/** Debian's nginx (the load balancer of `npm run start:cluster`); installed with apt when missing. */
export function ensureNginxBinary(log: Log = console.log): string {
  for (const path of [process.env.NGINX_PATH, '/usr/sbin/nginx'].filter(Boolean) as string[]) if (existsSync(path)) return path;
  if (hasCommand('nginx')) return 'nginx';
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) {
    throw new ServiceError('nginx is not installed.', 'Install it (`sudo apt-get install -y nginx-light`) or set NGINX_PATH.');
  }
  log('installing nginx with apt-get (the cluster profile’s load balancer) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    run('apt-get', ['update', '-qq'], { env });
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'nginx-light'], { env });
  } catch (error) {
    throw new ServiceError(
      `Installing nginx failed: ${(error as Error).message}`,
      'Install nginx yourself (`apt-get install -y nginx-light`).',
    );
  }
  return '/usr/sbin/nginx';
}

/** Debian's Chromium for browser tests; installed with apt when missing. */
export function ensureChromium(log: Log = console.log): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return path;
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) {
    throw new ServiceError(`Chromium not found at ${path}.`, 'Install it (`sudo apt-get install -y chromium`) or set CHROMIUM_PATH.');
  }
  log('installing chromium with apt-get (browser tests) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-dejavu-core'], { env });
  return path;
}
