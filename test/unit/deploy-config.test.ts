// The scale-out configuration, checked statically (no Docker engine, no nginx needed): the
// production compose runs several replicas behind the nginx proxy with majority writes; the
// server's configuration accepts the scale-out settings (write concern, read preference, Redis
// Sentinel, several Typesense nodes); the local cluster's generated nginx configuration and the
// compose one retry safely and stream SSE; Prometheus scrapes every process; the Grafana
// dashboard charts only series the code exports.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterPorts, renderNginxConfig } from '../../scripts/lib/cluster.js';
import { envSchema, loadConfig, mongoUrlWithOptions } from '../../server/src/config.js';
import { clusterOptions, hashTag, keySlot, sentinelOptions } from '../../server/src/infra/redis.js';
import { typesenseNodes } from '../../server/src/infra/search/typesense.adapter.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Service {
  image?: string;
  deploy?: { replicas?: number };
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }>;
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };

describe('docker-compose.yml scale-out', () => {
  it('runs api, web and worker as several replicas behind the nginx proxy, which alone is published', () => {
    for (const name of ['api', 'web', 'worker']) {
      expect(compose.services[name]!.deploy?.replicas, `${name}: deploy.replicas`).toBeGreaterThanOrEqual(2);
      expect(compose.services[name]!.ports ?? [], `${name} is not published`).toEqual([]);
    }
    const proxy = compose.services.proxy!;
    expect(proxy.image).toMatch(/^nginx:1\.(2[7-9]|[3-9]\d)/); // `resolve` in upstreams: nginx >= 1.27.3
    expect(proxy.ports).toEqual(['3000:80']);
    expect(proxy.volumes).toContain('./deploy/nginx/colloquy.conf:/etc/nginx/conf.d/default.conf:ro');
    expect(Object.keys(proxy.depends_on ?? {}).sort()).toEqual(['api', 'web']);
  });

  it('writes with majority acknowledgement to the replica set and gives the worker a metrics port', () => {
    const env = compose.services.api!.environment!;
    expect(env.MONGODB_WRITE_CONCERN).toBe('majority');
    expect(new URL(env.MONGODB_URL!).searchParams.get('replicaSet')).toBeTruthy();
    expect(env.METRICS_PORT).toBe('9464');
    const config = loadConfig({ MONGODB_URL: env.MONGODB_URL, MONGODB_WRITE_CONCERN: env.MONGODB_WRITE_CONCERN });
    expect(new URL(config.mongodbUrl).searchParams.get('w')).toBe('majority');
  });
});

describe('scale-out settings of the server configuration', () => {
  it('adds the write concern and read preference to the connection string, a replica set of several hosts included', () => {
    expect(mongoUrlWithOptions('mongodb://a:27017,b:27017,c:27017/colloquy?replicaSet=rs0', 'majority', 'secondaryPreferred')).toBe(
      'mongodb://a:27017,b:27017,c:27017/colloquy?replicaSet=rs0&w=majority&readPreference=secondaryPreferred',
    );
    expect(mongoUrlWithOptions('mongodb://a:27017/colloquy?w=1', 'majority', 'primary')).toBe('mongodb://a:27017/colloquy?w=1');
    expect(mongoUrlWithOptions('mongodb://a:27017', 'majority', 'primary')).toBe('mongodb://a:27017/?w=majority');
    expect(loadConfig({}).mongodbUrl).toBe(envSchema.parse({}).MONGODB_URL);
    expect(() => loadConfig({ MONGODB_READ_PREFERENCE: 'secondary' })).toThrow(/MONGODB_READ_PREFERENCE/);
  });

  it('turns REDIS_SENTINELS into a Sentinel connection that ioredis follows through failovers', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://:s3cret@redis:6379/2',
      REDIS_SENTINELS: 'sentinel-1:26379, sentinel-2:26379,sentinel-3:26379',
      REDIS_SENTINEL_NAME: 'colloquy',
    });
    expect(sentinelOptions(config.redisUrl)).toEqual({
      sentinels: [
        { host: 'sentinel-1', port: 26379 },
        { host: 'sentinel-2', port: 26379 },
        { host: 'sentinel-3', port: 26379 },
      ],
      name: 'colloquy',
      password: 's3cret',
      sentinelPassword: 's3cret',
      db: 2,
    });
    expect(sentinelOptions(loadConfig({}).redisUrl)).toBeUndefined();
    expect(() => loadConfig({ REDIS_SENTINELS: 'sentinel-1' })).toThrow(/REDIS_SENTINELS/);
  });

  it('turns REDIS_CLUSTER_NODES into an ioredis Cluster connection, with every key in the hash slot of the prefix', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://:s3cret@redis:6379',
      REDIS_CLUSTER_NODES: 'redis-1:6379, redis-2:6379,redis-3:6380',
      REDIS_PREFIX: '{colloquy}:',
    });
    expect(clusterOptions(config.redisUrl)).toEqual({
      nodes: [
        { host: 'redis-1', port: 6379 },
        { host: 'redis-2', port: 6379 },
        { host: 'redis-3', port: 6380 },
      ],
      password: 's3cret',
      tls: true,
    });
    expect(sentinelOptions(config.redisUrl)).toBeUndefined();
    expect(clusterOptions(loadConfig({}).redisUrl)).toBeUndefined();
    expect(clusterOptions(loadConfig({ REDIS_SENTINELS: 's:26379' }).redisUrl)).toBeUndefined();
    // BullMQ and the multi-key commands need one slot: the prefix must carry a hash tag
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:6379' })).toThrow(/REDIS_PREFIX.*hash tag/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-1', REDIS_PREFIX: '{c}:' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'r:6379', REDIS_SENTINELS: 's:26379', REDIS_PREFIX: '{c}:' })).toThrow(
      /REDIS_CLUSTER_NODES/,
    );
    // Redis Cluster's slots (CRC16/XMODEM mod 16384; the spec's test vector), by hash tag
    expect(keySlot('123456789')).toBe(12739);
    expect(hashTag('{colloquy}:bull:activity:wait')).toBe('colloquy');
    expect(hashTag('{}:x')).toBeUndefined();
    expect(keySlot('{colloquy}:session:abc')).toBe(keySlot('{colloquy}:q:hot'));
    expect(keySlot('{colloquy}:session:abc')).toBe(keySlot('colloquy'));
  });

  it('accepts several Typesense nodes and hands the client every one', () => {
    const config = loadConfig({ TYPESENSE_URL: 'http://ts-1:8108,http://ts-2:8108,https://ts-3.example.com', TYPESENSE_API_KEY: 'k' });
    expect(typesenseNodes(config.typesense!.url)).toEqual([
      { host: 'ts-1', port: 8108, protocol: 'http', path: '' },
      { host: 'ts-2', port: 8108, protocol: 'http', path: '' },
      { host: 'ts-3.example.com', port: 443, protocol: 'https', path: '' },
    ]);
    expect(() => loadConfig({ TYPESENSE_URL: 'http://ts-1:8108,ftp://x', TYPESENSE_API_KEY: 'k' })).toThrow(/TYPESENSE_URL/);
  });

  it('names each instance (INSTANCE_ID, else host:pid)', () => {
    expect(loadConfig({ INSTANCE_ID: 'api-7' }).instanceId).toBe('api-7');
    expect(loadConfig({}).instanceId).toMatch(/:\d+$/);
    expect(() => loadConfig({ INSTANCE_ID: 'has space' })).toThrow(/INSTANCE_ID/);
  });
});

/** The directives of an nginx configuration, without comments. */
const directives = (text: string) => text.replace(/#.*$/gm, '');

describe('nginx configurations (local cluster and compose)', () => {
  const local = renderNginxConfig({ ports: clusterPorts(4300), runDir: '/tmp/run', down: new Set([4302]) });
  const production = read('deploy/nginx/colloquy.conf');

  it('balances over every instance and retries only what is safe to retry', () => {
    for (const text of [directives(local), directives(production)]) {
      expect(text).toContain('proxy_next_upstream error timeout http_502 http_503;');
      expect(text).not.toContain('non_idempotent');
      expect(text).not.toMatch(/^\s*keepalive\s/m);
      expect(text).toMatch(/location \/graphql \{[^}]*proxy_buffering off;/);
      expect(text).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
      expect(text).toContain('proxy_set_header X-Request-Id $colloquy_request_id;');
    }
    for (const port of [4301, 4311, 4312]) expect(local).toContain(`server 127.0.0.1:${port} max_fails=1 fail_timeout=1s;`);
    expect(local).toContain('server 127.0.0.1:4302 max_fails=1 fail_timeout=1s down;');
    expect(directives(production)).toMatch(/server api:4000 resolve/);
    expect(directives(production)).toMatch(/server web:3000 resolve/);
  });

  it('keeps /metrics off the public entry', () => {
    const publicEntry = directives(local.split('# internal entry')[0]!);
    for (const text of [publicEntry, directives(production)]) expect(text).toMatch(/location = \/metrics \{\s*return 404;\s*\}/);
  });
});

describe('monitoring', () => {
  // the api's and worker's (prom-client) and the web front's own
  const metricsSource = read('server/src/infra/metrics.ts') + read('web/src/lib/server/metrics.ts');
  const exported = [...metricsSource.matchAll(/name: '([a-z_]+)'/g)].map((m) => m[1]!);

  it('scrapes the api, web and worker replicas', () => {
    const prom = parse(read('deploy/prometheus.yml')) as {
      scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; port: number }> }>;
    };
    const byJob = Object.fromEntries(prom.scrape_configs.map((s) => [s.job_name, s]));
    expect(byJob['colloquy-api']!.dns_sd_configs![0]).toMatchObject({ names: ['api'], port: 4000 });
    expect(byJob['colloquy-web']!.dns_sd_configs![0]).toMatchObject({ names: ['web'], port: 3000 });
    expect(byJob['colloquy-worker']!.dns_sd_configs![0]).toMatchObject({
      names: ['worker'],
      port: Number(compose.services.worker!.environment!.METRICS_PORT),
    });
  });

  it('has a Grafana dashboard whose every query uses series the code exports', () => {
    const dashboard = JSON.parse(read('deploy/grafana/colloquy.json')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    const defaults = ['process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds'];
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        const series = [...expr.matchAll(/\b(colloquy_[a-z_]+|process_[a-z_]+|nodejs_[a-z0-9_]+)/g)].map((m) => m[1]!);
        expect(series.length, panel.title).toBeGreaterThan(0);
        for (const s of series) {
          const base = s.replace(/_(bucket|count|sum)$/, '');
          expect([...exported, ...defaults], `${panel.title}: ${s}`).toContain(base);
        }
      }
    }
    for (const needed of [
      'colloquy_db_command_duration_seconds',
      'colloquy_cache_lookups_total',
      'colloquy_queue_jobs',
      'colloquy_jobs_total',
    ]) {
      expect(JSON.stringify(dashboard)).toContain(needed);
    }
  });
});
