// The restore drill: a community made through the API → `npm run backup`'s archive → the database,
// Redis and the search index wiped → `npm run restore`'s restore and rebuild → the same document
// counts, `npm run verify` clean, the search index and the listings rebuilt, a question page
// identical. A damaged archive and a non-empty database are refused without writing anything.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, openArchive, rebuildDerivedState, restoreDatabase, RestoreError } from '../../scripts/lib/backup.js';
import { rebuildRollupsAndRanking } from '../../server/src/modules/post/post.rollups.js';
import { formatVerifyReport, verifyConsistency } from '../../server/src/modules/maintenance/verify.service.js';
import { accept, answer, ask, comment, countAll, createSpace, member, vote } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let work: string;

beforeAll(async () => {
  h = await startHarness();
  work = mkdtempSync(join(tmpdir(), 'colloquy-backup-test-'));
});
afterAll(async () => {
  await h?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const PAGE = `query($id: ID!) {
  question(id: $id) {
    id title body bodyHTML score answerCount isAnswered tags { name } space { slug }
    author { handle displayName reputation }
    acceptedAnswer { id }
    answers(first: 20) { nodes { id body score isAccepted author { handle reputation } comments(first: 10) { nodes { id body author { handle } } } } }
  }
}`;
const LIST = `{ questions(first: 20) { totalCount nodes { id title score answerCount } } }`;
const SEARCH = `{ search(query: "frobnicator") { totalCount nodes { __typename } } }`;
const USERS = `{ users(first: 10) { nodes { handle reputation } } }`;

/** What a visitor sees: a question page, the newest questions, a search, the members by reputation. */
async function views(questionId: string) {
  const anonymous = h.agent();
  const out: Record<string, unknown> = {};
  for (const [name, query, variables] of [
    ['page', PAGE, { id: questionId }],
    ['list', LIST, {}],
    ['search', SEARCH, {}],
    ['users', USERS, {}],
  ] as const) {
    const r = await anonymous.gql(query, variables);
    expect(r.errors, name).toBeUndefined();
    out[name] = r.data;
  }
  return out;
}

async function wipe(): Promise<void> {
  const db = mongoose.connection.db!;
  for (const c of await db.listCollections().toArray()) await db.collection(c.name).deleteMany({});
  const keys = await h.deps.redis.keys(`${h.deps.config.redisPrefix}*`);
  if (keys.length) await h.deps.redis.del(...keys);
  const search = h.deps.services.search;
  for await (const ids of search.allIds()) await search.remove(ids);
}

describe('backup → wipe → restore', () => {
  it('restores the same documents, rebuilds search and listings, and serves the same question page', { timeout: 180_000 }, async () => {
    const admin = await member(h, 'backupadmin', { role: 'ADMIN' });
    await createSpace(admin);
    const asker = await member(h, 'backupasker');
    const helper = await member(h, 'backuphelper');
    const questions = [];
    for (let i = 0; i < 3; i++) {
      questions.push(await ask(asker, { title: `How do I back up the frobnicator settings, case ${i}?`, tags: ['frobnicator', 'backup'] }));
    }
    const a = await answer(helper, questions[0]!.id);
    await comment(asker, a.id);
    await vote(asker, a.id, 'UP');
    await vote(helper, questions[0]!.id, 'UP');
    await accept(asker, a.id);

    // the steady state a worker keeps: the tag and member statistics rolled up (the harness has no worker)
    await rebuildRollupsAndRanking(h.deps);
    const before = await views(questions[0]!.id);
    const verifiedBefore = await verifyConsistency(h.deps);
    const found = (before.search as { search: { totalCount: number } }).search.totalCount;
    expect(found).toBeGreaterThanOrEqual(3);
    const counts = await countAll();

    const archive = join(work, 'drill.tar');
    const manifest = await backupDatabase({ mongodbUrl: h.deps.config.mongodbUrl, archive });
    expect(Object.fromEntries(manifest.collections.map((c) => [c.name, c.count]))).toEqual(counts);
    for (const c of manifest.collections) expect(c.sha256).toMatch(/^[0-9a-f]{64}$/);

    // a database that holds documents is refused, and nothing is written
    await expect(restoreDatabase({ mongodbUrl: h.deps.config.mongodbUrl, archive })).rejects.toThrow(/is not empty/);
    expect(await countAll()).toEqual(counts);

    await wipe();
    expect(Object.values(await countAll()).every((n) => n === 0)).toBe(true);
    expect((await h.agent().gql(SEARCH)).data).toEqual({ search: expect.objectContaining({ totalCount: 0 }) });

    await restoreDatabase({ mongodbUrl: h.deps.config.mongodbUrl, archive });
    const rebuilt = await rebuildDerivedState(h.deps);
    expect(rebuilt.searchDocuments).toBeGreaterThanOrEqual(found);

    expect(await countAll()).toEqual(counts);
    const verified = await verifyConsistency(h.deps);
    expect(verified.drift, formatVerifyReport(verified)).toBe(verifiedBefore.drift);
    expect(verifiedBefore.drift, formatVerifyReport(verifiedBefore)).toBe(0);
    expect(await views(questions[0]!.id)).toEqual(before);
  });

  it('refuses a damaged archive before writing anything', async () => {
    const archive = join(work, 'damaged.tar');
    await backupDatabase({ mongodbUrl: h.deps.config.mongodbUrl, archive });
    const { dir, manifest } = await openArchive(archive);
    rmSync(dir, { recursive: true, force: true });
    // flip one byte inside the largest collection's file (tar keeps file bodies as they are)
    const bytes = readFileSync(archive);
    const biggest = [...manifest.collections].sort((x, y) => y.bytes - x.bytes)[0]!;
    // the file's tar header begins with its name (the manifest, stored first, names it too)
    const at = bytes.lastIndexOf(Buffer.from(biggest.file)) + 512 + 20;
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(archive, bytes);
    const counts = await countAll();
    await expect(restoreDatabase({ mongodbUrl: h.deps.config.mongodbUrl, archive, force: true })).rejects.toThrow(RestoreError);
    await expect(restoreDatabase({ mongodbUrl: h.deps.config.mongodbUrl, archive, force: true })).rejects.toThrow(/checksum mismatch/);
    expect(await countAll()).toEqual(counts);
  });
});
