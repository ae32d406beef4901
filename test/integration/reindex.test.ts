// `npm run reindex` (scripts/reindex.ts) rebuilds the derived stores from the database: every
// live post into a fresh search index (one cursor pass), then the question listings in Redis.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/paths.js';
import { answer, ask, createSpace, member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let searchDir: string;
beforeAll(async () => {
  h = await startHarness();
  searchDir = mkdtempSync(join(tmpdir(), 'colloquy-reindex-'));
});
afterAll(async () => {
  rmSync(searchDir, { recursive: true, force: true });
  await h?.close();
});

it('indexes every live post and rebuilds the question listings', async () => {
  const admin = await member(h, 'admin', { role: 'ADMIN' });
  await createSpace(admin);
  const alice = await member(h, 'alice');
  const bob = await member(h, 'bob');
  const questions = [];
  for (let i = 0; i < 7; i++)
    questions.push(
      await ask(alice, { title: `Reindexing question number ${i} here`, body: `Body of question ${i}, long enough to be kept.` }),
    );
  for (const q of questions.slice(0, 4)) await answer(bob, q.id);
  // the listings are lost (a Redis without persistence restarted)
  const prefix = h.deps.config.redisPrefix;
  const keys = await h.deps.redis.keys(`${prefix}lst:*`);
  expect(keys.length).toBeGreaterThan(0);
  await h.deps.redis.del(...keys);
  expect(await h.deps.services.listings.isReady()).toBe(false);

  const result = spawnSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'scripts/reindex.ts')], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      MONGODB_URL: `${inject('mongodbUrl').replace(/\/[^/]*$/, '')}/${mongoose.connection.name}`,
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: prefix,
      SEARCH_DATA_DIR: searchDir,
      LOG_LEVEL: 'silent',
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.status, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toMatch(/reindexing 11 posts/);
  expect(result.stdout).toMatch(/done: 11 documents indexed/);
  expect(result.stdout).toMatch(/question listings rebuilt: 7 questions/);
  expect(await h.deps.services.listings.isReady()).toBe(true);
  const r = await h
    .agent()
    .gql<{ questions: { totalCount: number; nodes: Array<{ id: string }> } }>(
      `{ questions(first: 10, orderBy: NEWEST) { totalCount nodes { id } } }`,
    );
  expect(r.data.questions.totalCount).toBe(7);
  expect(r.data.questions.nodes.map((n) => n.id)).toEqual(questions.map((q) => q.id).reverse());
});
