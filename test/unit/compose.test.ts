// Keeps docker-compose.yml, the two Dockerfiles, .env.example and the server's envSchema in step.
// No Docker engine runs here, so this reads the files and checks what `docker compose up` relies on.
// It needs no database.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { envSchema } from '../../server/src/config.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

type EnvValue = string | number | boolean | null;
interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, EnvValue> | string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  healthcheck?: Healthcheck;
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { target?: number | string; published?: number | string })[];
  expose?: (string | number)[];
  deploy?: { replicas?: number; resources?: { limits?: { memory?: string } } };
}
interface ComposeFile {
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText) as ComposeFile;
const services = compose.services ?? {};
const envExample = readFileSync(join(root, '.env.example'), 'utf8');
const schemaKeys = Object.keys(envSchema.shape);

function service(name: string): Service {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
}

/** A service's environment as KEY → raw (uninterpolated) value, from the map or the list form. */
function environment(s: Service): Record<string, string | undefined> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const i = entry.indexOf('=');
        return i < 0 ? [entry, undefined] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? undefined : String(v)]));
}

function words(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : value.split(/\s+/).filter(Boolean);
}

/** The value following a flag in a command (`--flag value` or `--flag=value`). */
function flagValue(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === flag) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

function healthcheckText(s: Service): string {
  const hc = s.healthcheck;
  if (!hc || hc.disable || hc.test === undefined) return '';
  const test = Array.isArray(hc.test) ? hc.test : ['CMD-SHELL', hc.test];
  if (test[0] === 'NONE') return '';
  return test.slice(test[0] === 'CMD' || test[0] === 'CMD-SHELL' ? 1 : 0).join(' ');
}

/** Container path → source, for every volume of a service (short and long syntax). */
function volumeMounts(s: Service): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const v of s.volumes ?? []) {
    if (typeof v === 'string') {
      const [source, target] = v.split(':');
      if (source !== undefined && target !== undefined) mounts.set(target, source);
    } else if (v.target && v.source) {
      mounts.set(v.target, v.source);
    }
  }
  return mounts;
}

/** Expects a named volume, declared at the top level, mounted at `target`. */
function expectNamedVolume(s: Service, target: string | undefined, what: string) {
  expect(target, `${what}: data directory`).toBeTruthy();
  const source = volumeMounts(s).get(target!);
  expect(source, `${what}: a volume mounted at ${target}`).toBeTruthy();
  expect(Object.keys(compose.volumes ?? {}), `${what}: volume "${source}" declared under top-level volumes:`).toContain(source);
}

/** Variable names interpolated in a string (`${VAR}`, `${VAR:-x}`, `$VAR`; `$$` is a literal dollar). */
function interpolatedNames(value: string): string[] {
  const text = value.replaceAll('$$', '');
  return [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

function allStrings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) for (const item of node) allStrings(item, out);
  else if (node && typeof node === 'object') for (const v of Object.values(node)) allStrings(v, out);
  return out;
}

/** Compose interpolation, enough for this file: ${V}, ${V:-d}, ${V-d}, ${V:?e}, ${V?e}, ${V:+r}, ${V+r}, $V, $$. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value
    .split('$$')
    .map((part) =>
      part.replace(
        /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
        (
          _m,
          braced: string | undefined,
          colon: string | undefined,
          op: string | undefined,
          arg: string | undefined,
          bare: string | undefined,
        ) => {
          const name = (braced ?? bare)!;
          const set = name in vars;
          const v = vars[name];
          const usable = colon ? set && v !== '' : set;
          if (op === '-') return usable ? v! : (arg ?? '');
          if (op === '+') return usable ? (arg ?? '') : '';
          if (op === '?') {
            if (!usable) throw new Error(`${name} is required: ${arg}`);
            return v!;
          }
          return v ?? '';
        },
      ),
    )
    .join('$');
}

function buildOf(s: Service, name: string): { context: string; dockerfile: string } {
  const b = s.build;
  expect(b, `${name}: build section`).toBeTruthy();
  const context = resolve(root, typeof b === 'string' ? b : (b!.context ?? '.'));
  const dockerfile = resolve(context, typeof b === 'string' ? 'Dockerfile' : (b!.dockerfile ?? 'Dockerfile'));
  return { context, dockerfile };
}

function dependsOn(s: Service): Record<string, string | undefined> {
  const d = s.depends_on ?? {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [n, undefined]));
  return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, v?.condition]));
}

/** .env.example: every `KEY=value` line (commented or not) with the comment block just above it. */
function documentedVariables(): Map<string, { values: string[]; description: string }> {
  const lines = envExample.split('\n');
  const assignment = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/;
  const vars = new Map<string, { values: string[]; description: string }>();
  lines.forEach((line, i) => {
    const m = assignment.exec(line.trim());
    if (!m) return;
    const description: string[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const prev = lines[j]!.trim();
      if (!prev.startsWith('#') || assignment.test(prev)) break;
      description.unshift(prev.replace(/^#\s?/, ''));
    }
    const entry = vars.get(m[1]!) ?? { values: [], description: '' };
    entry.values.push(m[2]!.trim());
    entry.description = [entry.description, ...description].filter(Boolean).join(' ');
    vars.set(m[1]!, entry);
  });
  return vars;
}

const WEB_VARIABLES = [
  'API_URL',
  'ORIGIN',
  'PORT',
  'HOST',
  'BODY_SIZE_LIMIT',
  'PUBLIC_SITE_NAME',
  'REDIS_URL',
  'REDIS_PREFIX',
  'PAGE_CACHE',
  'PAGE_CACHE_TTL_SECONDS',
  'ADDRESS_HEADER',
  'XFF_DEPTH',
];
const LOCAL_SERVICE_VARIABLES = [
  'FERRETDB_PORT',
  'REDIS_PORT',
  'WEB_PORT',
  'COLLOQUY_TOOLS_DIR',
  'CHROMIUM_PATH',
  'STACKEXCHANGE_DUMP_DIR',
];

describe('docker-compose.yml', () => {
  it('defines the six services of the production-like stack', () => {
    expect(Object.keys(services).sort()).toEqual(expect.arrayContaining(['api', 'mongo', 'redis', 'typesense', 'web', 'worker']));
  });

  it('runs mongo as a replica set whose healthcheck initiates it and waits for a PRIMARY', () => {
    const mongo = service('mongo');
    expect(mongo.image).toMatch(/^mongo:7(\.|$)/);
    const args = words(mongo.command);
    const replSet = flagValue(args, '--replSet');
    expect(replSet, 'mongod --replSet <name>').toBeTruthy();
    expect(args).toContain('--bind_ip_all');
    const hc = healthcheckText(mongo);
    expect(hc).toContain('mongosh');
    expect(hc).toContain('--eval');
    expect(hc).toContain('rs.initiate(');
    expect(hc).toContain(`_id: '${replSet}'`);
    // the member host must be this service's name, as the other containers resolve it
    expect(hc).toContain(`host: 'mongo:27017'`);
    expect(hc).toMatch(/isWritablePrimary|PRIMARY/);
    expectNamedVolume(mongo, '/data/db', 'mongo');
  });

  it('runs redis with the append-only file on, a volume and a ping healthcheck', () => {
    const redis = service('redis');
    expect(redis.image).toMatch(/^redis:7/);
    expect(flagValue(words(redis.command), '--appendonly')).toBe('yes');
    expectNamedVolume(redis, '/data', 'redis');
    expect(healthcheckText(redis)).toContain('redis-cli ping');
  });

  it('runs a released typesense with an api key, a data volume and a /health healthcheck', () => {
    const ts = service('typesense');
    expect(ts.image).toMatch(/^typesense\/typesense:\d+\.\d+$/);
    const args = words(ts.command);
    const env = environment(ts);
    const apiKey = flagValue(args, '--api-key') ?? env.TYPESENSE_API_KEY;
    expect(apiKey, 'typesense --api-key or TYPESENSE_API_KEY').toBeTruthy();
    expect(interpolatedNames(apiKey!), 'the typesense key comes from ${TYPESENSE_API_KEY…}').toContain('TYPESENSE_API_KEY');
    expectNamedVolume(ts, flagValue(args, '--data-dir') ?? env.TYPESENSE_DATA_DIR, 'typesense');
    expect(healthcheckText(ts)).toContain('/health');
  });

  it('builds api, worker and web from existing multi-stage node:20-bookworm-slim Dockerfiles running as node', () => {
    for (const name of ['api', 'worker', 'web']) {
      const { context, dockerfile } = buildOf(service(name), name);
      expect(existsSync(context), `${name}: build context ${context}`).toBe(true);
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      const text = readFileSync(dockerfile, 'utf8');
      const froms = text.split('\n').filter((l) => /^FROM\s/i.test(l));
      expect(froms.length, `${name}: multi-stage`).toBeGreaterThan(1);
      const runtime = text.slice(text.lastIndexOf('\nFROM '));
      expect(runtime, `${name}: runtime stage`).toMatch(/^\s*USER node\s*$/m);
      expect(runtime, `${name}: runtime stage`).toMatch(/NODE_ENV=production/);
      expect(text).toMatch(/FROM node:20-bookworm-slim/);
      expect(text).toMatch(/npm ci --omit=dev --workspace=/);
    }
    expect(buildOf(service('api'), 'api')).toEqual(buildOf(service('worker'), 'worker'));
    expect(buildOf(service('web'), 'web').dockerfile).toBe(join(root, 'web', 'Dockerfile'));
    expect(buildOf(service('api'), 'api').dockerfile).toBe(join(root, 'server', 'Dockerfile'));
    const apiStarts = words(service('api').command).join(' ') || readFileSync(join(root, 'server', 'Dockerfile'), 'utf8');
    expect(apiStarts).toContain('server/dist/main.js');
    expect(words(service('worker').command).join(' ')).toContain('server/dist/worker.js');
  });

  it('gives every Node service a V8 heap budget inside its memory limit', () => {
    const mb = (size: string | undefined) => {
      const m = /^(\d+(?:\.\d+)?)([MG])$/i.exec(size ?? '');
      return m ? Number(m[1]) * (m[2]!.toUpperCase() === 'G' ? 1024 : 1) : NaN;
    };
    for (const name of ['api', 'worker', 'web']) {
      const s = service(name);
      const heap = Number(flagValue([...words(s.command), ...words(environment(s).NODE_OPTIONS)], '--max-old-space-size'));
      const limit = mb(s.deploy?.resources?.limits?.memory);
      expect(heap, `${name}: --max-old-space-size`).toBeGreaterThanOrEqual(128);
      // the rest of the process (new space, code, buffers, native allocations) needs room too
      expect(limit - heap, `${name}: memory limit ${limit} MB for a heap of ${heap} MB`).toBeGreaterThanOrEqual(192);
    }
  });

  it('gives api and worker only variables that envSchema knows, identical for both', () => {
    for (const name of ['api', 'worker']) {
      const keys = Object.keys(environment(service(name)));
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(schemaKeys, `${name}: ${key} is not a key of envSchema (server/src/config.ts)`).toContain(key);
    }
    expect(environment(service('worker'))).toEqual(environment(service('api')));
  });

  it('points api and worker at the mongo replica set, redis and typesense of the stack', () => {
    const replSet = flagValue(words(service('mongo').command), '--replSet');
    const tsKey = environment(service('typesense')).TYPESENSE_API_KEY ?? flagValue(words(service('typesense').command), '--api-key');
    for (const name of ['api', 'worker']) {
      const env = environment(service(name));
      for (const key of ['MONGODB_URL', 'REDIS_URL', 'TYPESENSE_URL', 'TYPESENSE_API_KEY']) {
        expect(env[key], `${name}: ${key}`).toBeTruthy();
      }
      const mongo = new URL(env.MONGODB_URL!);
      expect(mongo.protocol).toBe('mongodb:');
      expect(mongo.hostname).toBe('mongo');
      expect(mongo.port || '27017').toBe('27017');
      expect(mongo.searchParams.get('replicaSet'), `${name}: MONGODB_URL ?replicaSet= matches mongod --replSet`).toBe(replSet);
      const redis = new URL(env.REDIS_URL!);
      expect([redis.protocol, redis.hostname, redis.port || '6379']).toEqual(['redis:', 'redis', '6379']);
      const ts = new URL(env.TYPESENSE_URL!);
      expect([ts.protocol, ts.hostname, ts.port]).toEqual(['http:', 'typesense', '8108']);
      expect(env.TYPESENSE_API_KEY, `${name}: same key as the typesense service`).toBe(tsKey);
      expect(env.NODE_ENV).toBe('production');
    }
  });

  it('gives api and worker an environment that envSchema accepts once interpolated', () => {
    // Only the required variables set, as on a fresh machine following the README.
    const vars = { TYPESENSE_API_KEY: 'test-key', PUBLIC_URL: 'https://forum.example.com' };
    for (const name of ['api', 'worker']) {
      const raw = environment(service(name));
      const env = Object.fromEntries(
        Object.entries(raw)
          .map(([k, v]) => [k, v === undefined ? '' : interpolate(v, vars)] as const)
          .filter(([, v]) => v !== ''), // empty counts as unset, as in loadConfig
      );
      const parsed = envSchema.safeParse(env);
      expect(parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`), name).toEqual([]);
    }
    expect(() => interpolate(environment(service('api')).TYPESENSE_API_KEY!, {}), 'TYPESENSE_API_KEY must be required').toThrow();
  });

  it("checks the api's readiness on the port it listens on", () => {
    const api = service('api');
    const env = environment(api);
    expect(env.HOST, 'the api must listen on all interfaces inside its container').toBe('0.0.0.0');
    const port = env.PORT;
    expect(port).toMatch(/^\d+$/);
    const hc = healthcheckText(api);
    const url = /https?:\/\/[^'"\s)]+/.exec(hc)?.[0];
    expect(url, 'api healthcheck URL').toBeTruthy();
    const u = new URL(url!);
    expect(u.port, 'api healthcheck port = api PORT').toBe(port);
    expect(u.pathname).toBe('/readyz');
    expect(hc).toMatch(/^node -e /); // the image has no curl
  });

  it("points web's API_URL at the api service and port, and checks web on its own port", () => {
    const web = service('web');
    const env = environment(web);
    const apiUrl = new URL(env.API_URL!);
    expect(apiUrl.hostname).toBe('api');
    expect(apiUrl.port).toBe(environment(service('api')).PORT);
    expect(env.ORIGIN, 'ORIGIN is the public URL the api knows too').toBe(environment(service('api')).PUBLIC_URL);
    expect(env.HOST).toBe('0.0.0.0');
    const port = env.PORT!;
    const hcUrl = new URL(/https?:\/\/[^'"\s)]+/.exec(healthcheckText(web))?.[0] ?? 'http://invalid');
    expect(hcUrl.port, 'web healthcheck port = web PORT').toBe(port);
    // several web replicas: each exposes its PORT on the internal network, the proxy publishes the site
    expect((web.expose ?? []).map(String), 'web exposes its PORT').toContain(port);
    expect(web.ports ?? [], 'replicas cannot share a published port: the proxy publishes').toEqual([]);
    for (const key of Object.keys(env)) {
      expect([...WEB_VARIABLES, 'NODE_ENV'], `web: ${key} is not a documented web variable`).toContain(key);
    }
  });

  it('starts every service only after its dependencies are healthy', () => {
    const expected: Record<string, string[]> = {
      api: ['mongo', 'redis', 'typesense'],
      worker: ['mongo', 'redis', 'typesense'],
      web: ['api', 'redis'],
    };
    for (const [name, deps] of Object.entries(expected)) {
      expect(Object.keys(dependsOn(service(name))).sort(), `${name}: depends_on`).toEqual(deps);
    }
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, condition] of Object.entries(dependsOn(s))) {
        expect(condition, `${name} → ${dep}: condition`).toBe('service_healthy');
        expect(healthcheckText(service(dep)), `${dep} needs a healthcheck for service_healthy`).not.toBe('');
      }
    }
  });
});

describe('.env.example', () => {
  const documented = documentedVariables();

  it('documents every variable of envSchema with a description and its default', () => {
    const defaults = envSchema.parse({}) as Record<string, unknown>;
    for (const key of schemaKeys) {
      const doc = documented.get(key);
      expect(doc, `${key} (server/src/config.ts) is missing from .env.example`).toBeDefined();
      expect(doc!.description, `${key}: a comment line above it describing it`).toMatch(/\w/);
      expect(doc!.description, `${key}: its comment states the default`).toMatch(/default/i);
      if (defaults[key] !== undefined) {
        expect(doc!.values, `${key}: the value shown is the default`).toContain(String(defaults[key]));
      }
    }
  });

  it('documents the web and local-services variables', () => {
    for (const key of [...WEB_VARIABLES, ...LOCAL_SERVICE_VARIABLES]) {
      const doc = documented.get(key);
      expect(doc, `${key} is missing from .env.example`).toBeDefined();
      expect(doc!.description, `${key}: its comment states the default`).toMatch(/default/i);
    }
  });

  it('documents every ${VARIABLE} that docker-compose.yml interpolates', () => {
    const names = new Set(allStrings(compose).flatMap(interpolatedNames));
    expect(names.size).toBeGreaterThan(0);
    for (const name of names) expect(documented.has(name), `\${${name}} in docker-compose.yml is not in .env.example`).toBe(true);
  });

  it('leaves every value commented out or at its default', () => {
    const defaults = envSchema.parse({}) as Record<string, unknown>;
    for (const line of envExample.split('\n')) {
      const m = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (!m || !schemaKeys.includes(m[1]!)) continue;
      const fallback = defaults[m[1]!];
      expect(m[2]!.trim(), `${m[1]} is set in .env.example: comment it out or use its default`).toBe(
        fallback === undefined ? '' : String(fallback),
      );
    }
  });
});
