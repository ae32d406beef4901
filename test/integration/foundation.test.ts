import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/paths.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const Probe = mongoose.model('Probe', new mongoose.Schema({ name: String, n: Number }, { collection: 'probes' }));

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('foundation: real FerretDB and Redis', () => {
  it('writes and reads through mongoose against FerretDB', async () => {
    await Probe.deleteMany({});
    const created = await Probe.create({ name: 'round-trip', n: 42 });
    const found = await Probe.findById(created._id).lean<{ name: string; n: number }>();
    expect(found).toMatchObject({ name: 'round-trip', n: 42 });
    await Probe.updateOne({ _id: created._id }, { $inc: { n: 1 } });
    expect((await Probe.findById(created._id).lean<{ n: number }>())?.n).toBe(43);
    // the server really is FerretDB (SQLite handler), not an in-memory fake
    const build = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
    expect(JSON.stringify(build)).toMatch(/ferretdb/i);
  });

  it('does a Redis round trip', async () => {
    const key = `${h.deps.config.redisPrefix}probe`;
    await h.deps.redis.set(key, 'hello', 'EX', 60);
    expect(await h.deps.redis.get(key)).toBe('hello');
    expect(await h.deps.redis.ping()).toBe('PONG');
  });

  it('serves /healthz and /readyz', async () => {
    const live = await fetch(`${h.url}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { mongodb: 'ok', redis: 'ok' } });
  });

  it('answers GraphQL with a request id and records operation timings in /metrics', async () => {
    const res = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'test-request-0001' },
      body: JSON.stringify({ query: 'query Probe { ping viewer { id } }', operationName: 'Probe' }),
    });
    expect(res.headers.get('x-request-id')).toBe('test-request-0001');
    expect(await res.json()).toEqual({ data: { ping: 'pong', viewer: null } });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/colloquy_graphql_operation_duration_seconds_count\{operation="Probe",type="query",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/colloquy_http_request_duration_seconds_count\{method="POST",route="\/graphql",status="200"\}/);
  });

  it('rejects malformed GraphQL with a clear error and unknown routes with 404', async () => {
    const bad = await h.agent().gql('{ nope }');
    expect(bad.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
    expect((await fetch(`${h.url}/no-such-route`)).status).toBe(404);
  });

  it('node(id) resolves nothing for garbage ids', async () => {
    const r = await h.agent().gql('{ node(id: "garbage") { id } }');
    expect(r.data?.node ?? null).toBeNull();
  });
});

describe('foundation: configuration fails fast with one line naming the variable', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'server/src/main.ts')], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it.each([
    [
      { MONGODB_URL: 'not-a-url' },
      /^Invalid configuration: MONGODB_URL must be a URL starting with mongodb:\/\/ or mongodb\+srv:\/\/ \(got "not-a-url"\)$/,
    ],
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a TCP port number \(1-65535\) \(got "abc"\)$/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid configuration: LOG_LEVEL /],
    [{ TYPESENSE_URL: 'http://localhost:8108' }, /^Invalid configuration: TYPESENSE_API_KEY is required when TYPESENSE_URL is set$/],
  ])('%o', (env, expected) => {
    const result = run(env);
    expect(result.status).toBe(78);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });
});
