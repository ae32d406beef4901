// Integration harness: createApp() over HTTP against the real FerretDB and Redis. Each test
// worker has its own database and Redis prefix; `reset()` wipes them between tests.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { inject } from 'vitest';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { createDeps, type ClosableDeps } from '../../server/src/deps.js';
import { syncIndexes } from '../../server/src/infra/mongo.js';
import { EPOCH } from '../../server/src/infra/versions.js';
import type { Clock } from '../../server/src/lib/clock.js';
import { indexProfileFerretdbIds } from '../../scripts/lib/ferretdb-ids.js';

export interface TestClock extends Clock {
  set(date: Date | string): void;
  advance(ms: number): void;
}

export function testClock(start = '2026-01-05T10:00:00Z'): TestClock {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    set: (d) => {
      now = new Date(d).getTime();
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
  headers: Headers;
}

export class Agent {
  cookie = '';
  token = '';
  constructor(readonly harness: Harness) {}

  async gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<GqlResult<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(`${this.harness.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const [pair] = c.split(';');
      if (pair?.startsWith('colloquy_session=')) this.cookie = /colloquy_session=;|Expires=Thu, 01 Jan 1970/.test(c) ? '' : pair;
    }
    const body = (await res.json()) as { data: T; errors?: GqlResult['errors'] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  }

  /** Runs a mutation and fails loudly on GraphQL or payload errors. */
  async must<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const r = await this.gql<T>(query, variables);
    if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    for (const value of Object.values(r.data as Record<string, unknown>)) {
      const errors = (value as { errors?: unknown[] } | null)?.errors;
      if (errors?.length) throw new Error(`payload errors: ${JSON.stringify(errors)}`);
    }
    return r.data;
  }
}

/** voting, commenting and posting as before privileges existed (other thresholds stay) */
export const RELAXED_MODERATION_RULES = JSON.stringify({
  privileges: { voteUp: 0, voteDown: 0, commentEverywhere: 0 },
  newMember: { reputationBelow: 0, accountAgeHours: 0 },
});

export interface Harness {
  url: string;
  deps: ClosableDeps;
  clock: TestClock;
  /** an anonymous client; sign members up with `member(h, handle)` from test/factories/qa.ts */
  agent(): Agent;
  reset(): Promise<void>;
  /**
   * Retires every cache in front of the database (the response cache, the entity cache, the web's
   * page cache): for a test that wrote to the database directly, bypassing the repositories'
   * version bumps, and then reads through the API.
   */
  dropCaches(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `env`: more server variables (they win). The write budget is as large as the request budget
 * unless `env` sets it: test/integration/rate-limit.test.ts is where the budgets are tested.
 */
export async function startHarness(options: { rateLimitPerMinute?: number; env?: Record<string, string> } = {}): Promise<Harness> {
  const pool = process.env.VITEST_POOL_ID ?? '1';
  const mongodbUrl = new URL(inject('mongodbUrl'));
  // unique per vitest run and worker (concurrent runs never share data); dropped on close
  const run = `${process.ppid}_${pool}`;
  mongodbUrl.pathname = `/colloquy_test_${run}`;
  const searchDir = mkdtempSync(join(tmpdir(), 'colloquy-search-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    MONGODB_URL: mongodbUrl.toString(),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `colloquy-test-${run}:`,
    SEARCH_DATA_DIR: searchDir,
    ...(options.rateLimitPerMinute ? { RATE_LIMIT_PER_MINUTE: String(options.rateLimitPerMinute) } : {}),
    RATE_LIMIT_WRITES_PER_MINUTE: String(options.rateLimitPerMinute ?? 600),
    // moderation privileges and new-member limits that predate most tests are off here; moderation
    // tests pass MODERATION_RULES: '' in `env` for the real thresholds (docs/moderation.md)
    MODERATION_RULES: RELAXED_MODERATION_RULES,
    ...options.env,
  });
  const clock = testClock();
  const deps = await createDeps(config, 'test', { events: 'inline', clock });
  await syncIndexes();
  // the local FerretDB's _id lookups through an index (scripts/lib/ferretdb-ids.ts)
  indexProfileFerretdbIds('test');
  // an empty database's listings are complete: mark them built (as seeding does)
  await deps.services.listings.rebuild();
  const handle = createApp(deps);
  const server: Server = await new Promise((resolve) => {
    const s = handle.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const harness: Harness = {
    url,
    deps,
    clock,
    agent: () => new Agent(harness),
    async reset() {
      const db = mongoose.connection.db!;
      for (const c of await db.listCollections().toArray()) await db.collection(c.name).deleteMany({});
      const keys = await deps.redis.keys(`${config.redisPrefix}*`);
      if (keys.length) await deps.redis.del(...keys);
      const search = deps.services.search;
      for await (const ids of search.allIds()) await search.remove(ids);
      await deps.services.listings.rebuild();
      clock.set('2026-01-05T10:00:00Z');
    },
    async dropCaches() {
      await deps.repos.storage.changed([EPOCH]);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      // no dropDatabase here: FerretDB 1.24 can deadlock dropping a database while other
      // clients write; the integration global setup drops stale test databases before a run
      const db = mongoose.connection.db;
      if (db)
        for (const c of await db.listCollections().toArray())
          await db
            .collection(c.name)
            .deleteMany({})
            .catch(() => undefined);
      const keys = await deps.redis.keys(`${config.redisPrefix}*`).catch(() => [] as string[]);
      if (keys.length) await deps.redis.del(...keys).catch(() => undefined);
      await deps.close();
      rmSync(searchDir, { recursive: true, force: true });
    },
  };
  return harness;
}
