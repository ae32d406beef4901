// The Stack Exchange importer against the real ai.stackexchange.com dump (skipped, with a
// printed reason, when the dump is absent) on the real FerretDB; plus a small broken dump for
// the bad-XML path of the library and of the command-line script.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/paths.js';
import { op } from '../../server/src/lib/mongo-ops.js';
import { BadgeModel } from '../../server/src/modules/badge/badge.model.js';
import { CommentModel } from '../../server/src/modules/comment/comment.model.js';
import { DumpFormatError } from '../../server/src/modules/import/se-dump.reader.js';
import { importedId, importStackExchange, type SeImportSummary } from '../../server/src/modules/import/se-import.service.js';
import { PostModel } from '../../server/src/modules/post/post.model.js';
import { ReputationEventModel } from '../../server/src/modules/reputation/reputation.model.js';
import { RevisionModel } from '../../server/src/modules/revision/revision.model.js';
import { SpaceModel } from '../../server/src/modules/space/space.model.js';
import { TagModel } from '../../server/src/modules/tag/tag.model.js';
import { UserModel } from '../../server/src/modules/user/user.model.js';
import { VoteModel } from '../../server/src/modules/vote/vote.model.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const DUMP = process.env.STACKEXCHANGE_DUMP_DIR || join(repoRoot, '..', 'shared', 'data', 'stackexchange', 'ai.stackexchange.com');
const SITE = 'ai.stackexchange.com';
const present = existsSync(join(DUMP, 'Posts.xml'));
if (!present) console.warn(`[import.test] skipped: no Stack Exchange dump at ${DUMP} (set STACKEXCHANGE_DUMP_DIR)`);

/** The first line of every Stack Exchange dump file (with its byte-order mark). */
const header = '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n';

let h: Harness;
let first: SeImportSummary;
let firstSeconds = 0;
const quiet = () => undefined;

beforeAll(async () => {
  h = await startHarness();
  await h.reset();
});
afterAll(async () => {
  await h?.close();
});

/** Document counts of the imported site (the placeholder user carries no attribution). */
async function siteCounts() {
  const site = { 'attribution.site': SITE };
  return {
    users: await UserModel.countDocuments(site),
    allUsers: await UserModel.countDocuments({}),
    questions: await PostModel.countDocuments({ ...site, type: 'question' }),
    answers: await PostModel.countDocuments({ ...site, type: 'answer' }),
    comments: await CommentModel.countDocuments(site),
    revisions: await RevisionModel.countDocuments({}),
    tags: await TagModel.countDocuments({}),
    badges: await BadgeModel.countDocuments(site),
    votes: await VoteModel.countDocuments({}),
    ledger: await ReputationEventModel.countDocuments({}),
  };
}

/** A digest of every imported collection's documents (sorted by _id). */
async function digest(): Promise<string> {
  const hash = createHash('sha1');
  const db = mongoose.connection.db!;
  for (const name of ['users', 'posts', 'comments', 'revisions', 'tags', 'votes', 'badges', 'reputation_events', 'spaces']) {
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    hash.update(`${name}:${JSON.stringify(docs)}`);
  }
  return hash.digest('hex');
}

describe.skipIf(!present)('Stack Exchange import of ai.stackexchange.com', () => {
  beforeAll(async () => {
    const t0 = performance.now();
    first = await importStackExchange(h.deps, DUMP, { space: 'ai', log: quiet });
    firstSeconds = (performance.now() - t0) / 1000;
    const rows = first.steps.reduce((n, s) => n + s.rows, 0);
    console.log(
      `[import.test] imported ${SITE} in ${firstSeconds.toFixed(1)} s (${Math.round(rows / firstSeconds)} rows/s over ${rows} rows)`,
    );
    for (const s of first.steps) {
      console.log(
        `  ${(s.file ?? s.step).padEnd(16)} ${s.mode.padEnd(7)} rows ${String(s.rows).padStart(5)}  imported ${String(s.imported).padStart(5)}  skipped ${String(s.skipped).padStart(4)}  errors ${s.errors}  ${s.seconds.toFixed(2)} s`,
      );
    }
  }, 300_000);

  it('reads every row and imports what the dump holds', async () => {
    const step = (name: string) => first.steps.find((s) => s.step === name)!;
    expect(first.steps.every((s) => s.errors === 0)).toBe(true);
    expect(step('Posts').rows).toBe(1279);
    expect(first.counts).toMatchObject({
      posts: 1279,
      questions: 421,
      answers: 749,
      users: 3157,
      comments: 1165,
      tags: 222,
      postLinks: 101,
    });
    expect(step('Users').rows).toBe(3157);
    expect(step('Comments').rows).toBe(1165);
    expect(step('Tags').rows).toBe(222);
    expect(step('PostLinks').rows).toBe(101);
    expect(step('PostLinks').imported + step('PostLinks').skipped).toBe(101);

    const c = await siteCounts();
    expect(c).toMatchObject({ users: 3157, questions: 421, answers: 749, comments: 1165, tags: 222, badges: 3290 });
    // + the placeholder owning posts of deleted accounts; one opening balance per member
    expect(c.allUsers).toBe(3158);
    expect(c.ledger).toBe(3158);
    expect(c.revisions).toBe(first.counts.revisions);
    expect(c.revisions).toBeGreaterThanOrEqual(421 + 749);
    const space = await SpaceModel.findOne({ slug: 'ai' }).lean();
    expect(space?.questionCount).toBe(421);
  });

  it('serves an imported question through GraphQL: Markdown source, tags, accepted answer, score, attribution', async () => {
    const id = importedId(SITE, 'post', 4).toHexString();
    const r = await h.agent().gql(
      `query($id: ID!) { question(id: $id) {
        title body bodyHTML score answerCount isAnswered
        tags { name }
        author { handle displayName }
        acceptedAnswer { score attribution { originalId url } }
        attribution { site originalId url authorName authorUrl license }
        revisions(first: 10) { nodes { body } }
      } }`,
      { id },
    );
    expect(r.errors).toBeUndefined();
    const q = r.data.question;
    expect(q.title).toBe('How to find the optimal number of neurons per layer?');
    // the Markdown source from PostHistory (not the dump's HTML), rendered by our pipeline
    expect(q.body).toMatch(/^When you're writing your algorithm, how do you know how many neurons you need per single layer\?/);
    expect(q.body).not.toMatch(/<p>/);
    expect(q.bodyHTML).toMatch(/^<p>When you(?:'|&#39;|&#x27;)re writing your algorithm/);
    expect(q.tags.map((t: { name: string }) => t.name)).toEqual(['deep-network', 'layers', 'neurons']);
    expect(q.score).toBe(16);
    expect(q.answerCount).toBe(4);
    expect(q.isAnswered).toBe(true);
    expect(q.acceptedAnswer.attribution).toEqual({ originalId: '12', url: 'https://ai.stackexchange.com/a/12' });
    expect(q.attribution).toEqual({
      site: SITE,
      originalId: '4',
      url: 'https://ai.stackexchange.com/q/4',
      authorName: 'kenorb',
      authorUrl: 'https://ai.stackexchange.com/users/8',
      license: 'CC BY-SA 3.0',
    });
    expect(q.author.displayName).toBe('kenorb');
    expect(q.revisions.nodes.length).toBe(2);
    expect(q.revisions.nodes.at(-1).body).toBe(q.body);
  });

  it('keeps tag wikis, duplicates, related links and badges', async () => {
    const tag = await TagModel.findById('neural-networks').lean();
    expect(tag?.excerpt).toMatch(/neural network/i);
    expect(tag?.questionCount).toBe(await PostModel.countDocuments({ type: 'question', tags: 'neural-networks' }));
    expect(await TagModel.countDocuments({ description: op.ne('') })).toBeGreaterThan(0);
    const duplicates = await PostModel.find({ duplicateOfId: op.ne(null) })
      .select('closeReason closedAt')
      .lean();
    expect(duplicates.length).toBe(6);
    for (const d of duplicates) if (d.closedAt) expect(d.closeReason).toBe('DUPLICATE');
    const questions = await PostModel.find({ type: 'question' }).select('relatedIds').lean();
    expect(questions.filter((q) => q.relatedIds.length > 0).length).toBeGreaterThan(0);
    const badges = await BadgeModel.find({ 'attribution.site': SITE, name: 'Nice Answer' }).limit(1).lean();
    expect(badges[0]).toMatchObject({ key: 'nice-answer', tier: 'BRONZE', imported: true });
  });

  it("keeps every member's reputation equal to their ledger sum, and every score equal to scoreBase + votes", async () => {
    const sums = await ReputationEventModel.aggregate<{ _id: mongoose.Types.ObjectId; sum: number }>([
      { $group: { _id: '$userId', sum: { $sum: '$delta' } } },
    ]);
    const bySum = new Map(sums.map((s) => [String(s._id), s.sum]));
    const users = await UserModel.find({}).select('reputation').lean();
    expect(users.length).toBe(3158);
    for (const u of users) expect(bySum.get(String(u._id))).toBe(u.reputation);
    const kenorb = users.find((u) => String(u._id) === importedId(SITE, 'user', 8).toHexString());
    expect(kenorb?.reputation).toBe(2474);

    const votes = await VoteModel.aggregate<{ _id: mongoose.Types.ObjectId; sum: number }>([
      { $group: { _id: '$postId', sum: { $sum: '$value' } } },
    ]);
    const byPost = new Map(votes.map((v) => [String(v._id), v.sum]));
    const posts = await PostModel.find({}).select('score scoreBase').lean();
    for (const p of posts) expect(p.score).toBe(p.scoreBase + (byPost.get(String(p._id)) ?? 0));
    const answer12 = posts.find((p) => String(p._id) === importedId(SITE, 'post', 12).toHexString());
    expect(answer12?.score).toBe(9);
  });

  it('changes nothing when run again, skipping completed files — and nothing either when forced', async () => {
    const before = await siteCounts();
    const hash = await digest();
    const again = await importStackExchange(h.deps, DUMP, { space: 'ai', log: quiet });
    expect(again.steps.every((s) => s.mode === 'skipped')).toBe(true);
    expect(await siteCounts()).toEqual(before);
    // forced: every file read and written again (insert-only: all already there); a tiny
    // revision cache makes the Posts step read the Markdown back from the revisions
    const forced = await importStackExchange(h.deps, DUMP, { space: 'ai', force: true, stateCacheSize: 8, search: false, log: quiet });
    expect(forced.steps.filter((s) => s.file).every((s) => s.mode === 'write' && s.errors === 0)).toBe(true);
    expect(forced.steps.find((s) => s.step === 'Posts')!.existing).toBe(421 + 749);
    expect(await siteCounts()).toEqual(before);
    expect(await digest()).toBe(hash);
  }, 600_000);

  it('indexes the imported questions and answers into search', async () => {
    const ids = [importedId(SITE, 'post', 4), importedId(SITE, 'post', 12)].map((id) => id.toHexString());
    const held = await h.deps.services.search.versions(ids);
    expect([...held.keys()].sort()).toEqual([...ids].sort());
    expect(first.steps.find((s) => s.step === 'search')!.imported).toBe(421 + 749);
  });
});

describe('a broken dump', () => {
  const site = 'broken.stackexchange.com';
  const comment = (id: number) =>
    `  <row Id="${id}" PostId="1" Score="0" Text="Comment number ${id} with \`code\`" CreationDate="2020-02-0${id}T00:00:00.000" UserId="2" />\n`;
  let root: string;
  let dir: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'colloquy-se-'));
    dir = join(root, site);
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'Users.xml'),
      `${header}<users>\n  <row Id="1" Reputation="101" CreationDate="2020-01-01T00:00:00.000" DisplayName="Ada" />\n  <row Id="2" Reputation="1" CreationDate="2020-01-02T00:00:00.000" DisplayName="Bob" />\n</users>\n`,
    );
    const q = (id: number, owner: number) =>
      `  <row Id="${id}" PostTypeId="1" CreationDate="2020-02-0${id}T00:00:00.000" Score="1" Body="&lt;p&gt;Question body number ${id}, &lt;code&gt;long&lt;/code&gt; enough.&lt;/p&gt;" OwnerUserId="${owner}" Title="Question number ${id} about broken files" Tags="|xml|" AnswerCount="0" CommentCount="0" />\n`;
    // question 2's owner (user 9) is not in Users.xml: a deleted account
    writeFileSync(join(dir, 'Posts.xml'), `${header}<posts>\n${q(1, 1)}${q(2, 9)}</posts>\n`);
    // the third comment is cut off in the middle: a truncated download
    writeFileSync(join(dir, 'Comments.xml'), `${header}<comments>\n${comment(1)}${comment(2)}  <row Id="3" PostId="1" Text="cut`);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('stops with an error naming the file and line after writing the whole rows before it, then resumes', async () => {
    const error = await importStackExchange(h.deps, dir, { space: 'broken', log: quiet, search: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DumpFormatError);
    expect((error as DumpFormatError).file).toBe('Comments.xml');
    expect((error as DumpFormatError).message).toMatch(/^Comments\.xml line 5: /);
    expect(await UserModel.countDocuments({ 'attribution.site': site })).toBe(2);
    expect(await CommentModel.countDocuments({ 'attribution.site': site })).toBe(2);
    expect(await PostModel.countDocuments({ 'attribution.site': site })).toBe(0);

    // repaired, the import resumes: completed steps are not written again
    writeFileSync(join(dir, 'Comments.xml'), `${header}<comments>\n${comment(1)}${comment(2)}${comment(3)}</comments>\n`);
    const done = await importStackExchange(h.deps, dir, { space: 'broken', log: quiet, search: false });
    expect(done.steps.find((s) => s.step === 'Users')!.mode).toBe('scan');
    expect(done.steps.find((s) => s.step === 'Comments')).toMatchObject({ mode: 'write', imported: 3, existing: 2 });
    expect(await CommentModel.countDocuments({ 'attribution.site': site })).toBe(3);
    expect(await PostModel.countDocuments({ 'attribution.site': site })).toBe(2);
    // posts without history get revision 1 from the dump's HTML, converted to Markdown
    const p1 = await PostModel.findById(importedId(site, 'post', 1)).lean();
    expect(p1).toMatchObject({ body: 'Question body number 1, `long` enough.', commentCount: 3, tags: ['xml'] });
    expect(await RevisionModel.countDocuments({ postId: p1!._id })).toBe(1);
    expect((await TagModel.findById('xml').lean())?.questionCount).toBe(2);
    // the placeholder owns the post of the deleted account, whose name stays in the attribution
    const placeholder = await UserModel.findOne({ handleKey: 'se-anonymous-broken' }).lean();
    expect(placeholder).toMatchObject({ questionCount: 1, answerCount: 0, reputation: 1 });
    const p2 = await PostModel.findById(importedId(site, 'post', 2)).lean();
    expect(p2?.authorId.equals(placeholder!._id)).toBe(true);
    expect(p2?.attribution).toMatchObject({ authorName: 'user9', authorUrl: null });
    expect((await UserModel.findById(importedId(site, 'user', 1)).lean())?.questionCount).toBe(1);
  }, 120_000);

  it('makes the script print "✗ <file> line <n>: …" and exit 1', () => {
    const brokenDir = join(root, 'cut.stackexchange.com');
    mkdirSync(brokenDir);
    writeFileSync(join(brokenDir, 'Users.xml'), `${header}<users>\n  <row Id="1" DisplayName="Ada" />\n  <row Id="2" DisplayName=\n`);
    writeFileSync(join(brokenDir, 'Posts.xml'), `${header}<posts>\n</posts>\n`);
    const url = new URL(inject('mongodbUrl'));
    url.pathname = `/colloquy_test_${process.env.VITEST_POOL_ID ?? '1'}`;
    const searchDir = mkdtempSync(join(tmpdir(), 'colloquy-se-search-'));
    const result = spawnSync(
      process.execPath,
      [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'scripts/import-stackexchange.ts'), brokenDir, '--no-search'],
      {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          MONGODB_URL: url.toString(),
          REDIS_URL: inject('redisUrl'),
          REDIS_PREFIX: 'colloquy-test-se-script:',
          SEARCH_DATA_DIR: searchDir,
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    rmSync(searchDir, { recursive: true, force: true });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/✗ Users\.xml line 5: the file ends inside a <row>/);
    expect(result.stderr).toMatch(/Every complete row before it was written/);
  }, 120_000);
});

describe("npm start's seeding (scripts/seed.ts --if-empty)", () => {
  const site = 'seedresume.stackexchange.com';
  const comment = (id: number) =>
    `  <row Id="${id}" PostId="1" Score="0" Text="Seed comment number ${id}" CreationDate="2020-02-0${id}T00:00:00.000" UserId="1" />\n`;
  let root: string;
  let dir: string;
  let searchDir: string;
  const url = new URL(inject('mongodbUrl'));
  url.pathname = `/colloquy_test_seed_${process.env.VITEST_POOL_ID ?? '1'}_${process.pid}`;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'colloquy-seed-'));
    dir = join(root, site);
    mkdirSync(dir);
    searchDir = mkdtempSync(join(tmpdir(), 'colloquy-seed-search-'));
    writeFileSync(
      join(dir, 'Users.xml'),
      `${header}<users>\n  <row Id="1" Reputation="11" CreationDate="2020-01-01T00:00:00.000" DisplayName="Ada" />\n</users>\n`,
    );
    writeFileSync(
      join(dir, 'Posts.xml'),
      `${header}<posts>\n  <row Id="1" PostTypeId="1" CreationDate="2020-02-01T00:00:00.000" Score="1" Body="&lt;p&gt;A question body that is long enough to keep.&lt;/p&gt;" OwnerUserId="1" Title="A question seeded from a small dump" Tags="|seeding|" AnswerCount="0" CommentCount="2" />\n</posts>\n`,
    );
    // a download cut off in the middle of Comments.xml: the first start stops there
    writeFileSync(join(dir, 'Comments.xml'), `${header}<comments>\n${comment(1)}  <row Id="2" PostId="1" Text="cut`);
  });
  afterAll(async () => {
    rmSync(root, { recursive: true, force: true });
    rmSync(searchDir, { recursive: true, force: true });
    const client = new mongoose.mongo.MongoClient(url.toString());
    await client
      .db()
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
  });

  const seed = () =>
    spawnSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'scripts/seed.ts'), '--if-empty'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        MONGODB_URL: url.toString(),
        REDIS_URL: inject('redisUrl'),
        REDIS_PREFIX: `colloquy-test-seed-${process.pid}:`,
        SEARCH_DATA_DIR: searchDir,
        STACKEXCHANGE_DUMP_DIR: dir,
        LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 90_000,
    });

  it('resumes an interrupted import on the next start, then leaves the seeded community alone', async () => {
    const client = new mongoose.mongo.MongoClient(url.toString());
    try {
      const db = client.db();
      const count = (name: string) => db.collection(name).countDocuments({});
      const first = seed();
      expect(first.status, first.stdout + first.stderr).toBe(1);
      expect(first.stderr).toMatch(/Comments\.xml line 4/);
      expect(await count('users')).toBeGreaterThan(0); // not empty any more
      expect(await count('posts')).toBe(0);
      expect(await db.collection('seed_state').findOne({ _id: 'demo' as never })).toMatchObject({
        source: 'stackexchange',
        finishedAt: null,
      });

      // the download completed: the next start resumes instead of seeing a non-empty database
      writeFileSync(join(dir, 'Comments.xml'), `${header}<comments>\n${comment(1)}${comment(2)}</comments>\n`);
      const second = seed();
      expect(second.status, second.stdout + second.stderr).toBe(0);
      expect(second.stdout).toMatch(/resuming the interrupted import/);
      expect(await count('posts')).toBe(1);
      expect(await count('comments')).toBe(2);
      const state = await db.collection('seed_state').findOne({ _id: 'demo' as never });
      expect(state?.finishedAt).toBeInstanceOf(Date);

      // seeded: a third start changes nothing
      const before = { users: await count('users'), posts: await count('posts'), comments: await count('comments') };
      const third = seed();
      expect(third.status, third.stdout + third.stderr).toBe(0);
      expect(third.stdout).not.toMatch(/seeding|resuming/);
      expect({ users: await count('users'), posts: await count('posts'), comments: await count('comments') }).toEqual(before);
    } finally {
      await client.close();
    }
  }, 300_000);
});
