// The Stack Exchange importer against the real ai.stackexchange.com dump (skipped, with a
// printed reason, when the dump is absent) on the real FerretDB — one import, checked for
// everything the dump holds: posts, scores, revisions, badges (a member's badge counts equal
// Badges.xml), links (every PostLinks row whose ends are in the dump appears on both questions'
// pages), favourites (follows), the moderation history (state and audit log), the skipped rows
// by kind and reason, and that running it again changes nothing; plus a small broken dump for
// the bad-XML path of the library and of the command-line script.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/paths.js';
import { op } from '../../server/src/lib/mongo-ops.js';
import { BadgeModel } from '../../server/src/modules/badge/badge.model.js';
import { CommentModel } from '../../server/src/modules/comment/comment.model.js';
import { DumpFormatError } from '../../server/src/modules/import/se-dump.reader.js';
import { importedId, importStackExchange, skipReport, type SeImportSummary } from '../../server/src/modules/import/se-import.service.js';
import { AuditModel } from '../../server/src/modules/moderation/audit.model.js';
import { PostModel } from '../../server/src/modules/post/post.model.js';
import { ReputationEventModel } from '../../server/src/modules/reputation/reputation.model.js';
import { RevisionModel } from '../../server/src/modules/revision/revision.model.js';
import { SpaceModel } from '../../server/src/modules/space/space.model.js';
import { TagModel } from '../../server/src/modules/tag/tag.model.js';
import { UserModel } from '../../server/src/modules/user/user.model.js';
import { VoteModel } from '../../server/src/modules/vote/vote.model.js';
import { gid, member, rawOf } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const DUMP = process.env.STACKEXCHANGE_DUMP_DIR || join(repoRoot, '..', 'shared', 'data', 'stackexchange', 'ai.stackexchange.com');
const SITE = 'ai.stackexchange.com';
const present = existsSync(join(DUMP, 'Posts.xml'));
if (!present) console.warn(`[import.test] skipped: no Stack Exchange dump at ${DUMP} (set STACKEXCHANGE_DUMP_DIR)`);

/** The first line of every Stack Exchange dump file (with its byte-order mark). */
const header = '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n';

/** The attributes of every <row …/> of a dump file (a plain reading, independent of the importer's). */
function rows(file: string): Array<Record<string, string>> {
  const text = readFileSync(join(DUMP, file), 'utf8');
  return [...text.matchAll(/<row ([^>]*)\/>/g)].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );
}

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
  for (const name of [
    'users',
    'posts',
    'comments',
    'revisions',
    'tags',
    'votes',
    'badges',
    'reputation_events',
    'spaces',
    'member_follows',
    'followers',
    'question_links',
    'audit_log',
  ]) {
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
  }, 600_000);

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

  it('serves every member’s badge counts as Badges.xml has them, and their badges', async () => {
    const want = new Map<string, { gold: number; silver: number; bronze: number }>();
    for (const r of rows('Badges.xml')) {
      const c = want.get(r.UserId!) ?? { gold: 0, silver: 0, bronze: 0 };
      c[({ '1': 'gold', '2': 'silver', '3': 'bronze' } as const)[r.Class as '1' | '2' | '3']]++;
      want.set(r.UserId!, c);
    }
    const users = await UserModel.find({ 'attribution.site': SITE }).select('badgeCounts').lean();
    const byId = new Map(users.map((u) => [String(u._id), u]));
    let compared = 0;
    for (const [seId, counts] of want) {
      const user = byId.get(importedId(SITE, 'user', Number(seId)).toHexString());
      if (!user) continue;
      expect({ id: seId, ...user.badgeCounts }).toEqual({ id: seId, ...counts });
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
    // through the API: the member with the most badges
    const [topId, top] = [...want].sort((a, b) => b[1].gold + b[1].silver + b[1].bronze - (a[1].gold + a[1].silver + a[1].bronze))[0]!;
    const user = await UserModel.findById(importedId(SITE, 'user', Number(topId)))
      .select('handle')
      .lean();
    const r = await h
      .agent()
      .gql(
        `query($h: String!) { user(handle: $h) { badgeCounts { gold silver bronze } badges(first: 100) { nodes { name tier imported } } } }`,
        { h: user!.handle },
      );
    expect(r.errors).toBeUndefined();
    expect(r.data.user.badgeCounts).toEqual(top);
    expect(r.data.user.badges.nodes.length).toBe(Math.min(100, top.gold + top.silver + top.bronze));
    expect(r.data.user.badges.nodes.every((n: { imported: boolean }) => n.imported)).toBe(true);
  });

  it('shows every PostLinks link whose ends are in the dump on both questions (Linked), related links under Related', async () => {
    const LINKS = `query($id: ID!) { question(id: $id) { linkedQuestions { id } relatedQuestions { id } duplicateOf { id } } }`;
    const pages = new Map<string, { linked: string[]; related: string[]; duplicateOf: string | null }>();
    const pageOf = async (id: string) => {
      if (!pages.has(id)) {
        const r = await h.agent().gql(LINKS, { id });
        expect(r.errors).toBeUndefined();
        const q = r.data.question;
        pages.set(id, {
          linked: q.linkedQuestions.map((x: { id: string }) => rawOf(x.id)),
          related: q.relatedQuestions.map((x: { id: string }) => rawOf(x.id)),
          duplicateOf: q.duplicateOf ? rawOf(q.duplicateOf.id) : null,
        });
      }
      return pages.get(id)!;
    };
    const imported = new Set((await PostModel.find({ type: 'question' }).select('_id').lean()).map((p) => String(p._id)));
    let checked = 0;
    for (const link of rows('PostLinks.xml')) {
      const from = importedId(SITE, 'post', Number(link.PostId)).toHexString();
      const to = importedId(SITE, 'post', Number(link.RelatedPostId)).toHexString();
      if (!imported.has(from) || !imported.has(to)) continue; // an end is not in the dump (the summary counts it)
      expect((await pageOf(from)).linked, `PostLinks ${link.Id} on its source`).toContain(to);
      expect((await pageOf(to)).linked, `PostLinks ${link.Id} on its target`).toContain(from);
      if (link.LinkTypeId === '3') expect((await pageOf(from)).duplicateOf).toBe(to);
      else expect((await pageOf(from)).related, `PostLinks ${link.Id} under Related`).toContain(to);
      checked++;
    }
    const step = first.steps.find((s) => s.step === 'PostLinks')!;
    expect(checked).toBe(step.imported);
    expect(checked).toBe(91);
    // "Related" is filled up from search (kept on the question's links document, read by id)
    const all = await PostModel.find({ type: 'question' }).select('relatedIds duplicateOfId title').lean();
    const lonely = all.find((q) => q.relatedIds.length === 0 && !q.duplicateOfId && /neural network/i.test(q.title ?? ''))!;
    const related = (await pageOf(String(lonely._id))).related;
    expect(related.length).toBeGreaterThan(0);
    expect(related).not.toContain(String(lonely._id));
    const again = await h.agent().gql(LINKS, { id: String(lonely._id) });
    expect(again.data.question.relatedQuestions.map((x: { id: string }) => rawOf(x.id))).toEqual(related);
  });

  it('turns favourites into follows of the question', async () => {
    const users = new Set(rows('Users.xml').map((r) => r.Id));
    const questions = new Set(
      rows('Posts.xml')
        .filter((r) => r.PostTypeId === '1' && !r.DeletionDate)
        .map((r) => r.Id),
    );
    const favourites = rows('Votes.xml').filter((r) => r.VoteTypeId === '5' && users.has(r.UserId!) && questions.has(r.PostId!));
    expect(favourites.length).toBe(262);
    expect(first.counts.follows).toBe(262);
    for (const f of favourites) {
      const memberId = importedId(SITE, 'user', Number(f.UserId)).toHexString();
      const subject = `question:${importedId(SITE, 'post', Number(f.PostId)).toHexString()}`;
      expect((await h.deps.repos.follows.ofMember(memberId))?.subjects, `Votes ${f.Id}`).toContain(subject);
      expect(await h.deps.repos.follows.followersOf(subject)).toContain(memberId);
    }
  });

  it('keeps the closures, reopenings, deletions and protections: the state on the question, the audit log with actor, time and reason', async () => {
    const history = rows('PostHistory.xml').filter((r) => ['10', '11', '12', '13', '14', '15', '19', '20'].includes(r.PostHistoryTypeId!));
    expect(first.counts.moderationHistory).toBe(history.length);
    expect(await AuditModel.countDocuments({ 'data.imported': true })).toBe(history.length);
    const mod = await member(h, 'importmod', { role: 'MODERATOR' });
    const LOG = `query($targetId: ID) { moderationLog(first: 50, targetId: $targetId) {
      nodes { action actor { id } targetType reason createdAt data } } }`;
    const logOf = async (type: 'Question' | 'Answer', seId: number) => {
      const r = await mod.gql(LOG, { targetId: gid(type, importedId(SITE, 'post', seId)) });
      expect(r.errors).toBeUndefined();
      return (
        r.data.moderationLog.nodes as Array<{
          action: string;
          actor: { id: string } | null;
          reason: string | null;
          createdAt: string;
          data: string;
        }>
      )
        .slice()
        .reverse();
    };
    const STATE = `query($id: ID!) { question(id: $id) { isClosed closeReason closedBy { id } isProtected isLocked } }`;
    const stateOf = async (seId: number) =>
      (await h.agent().gql(STATE, { id: importedId(SITE, 'post', seId).toHexString() })).data.question;

    // question 5: closed by five voters as off-topic (Comment 102), still closed
    const closed = await stateOf(5);
    expect(closed).toMatchObject({ isClosed: true, closeReason: 'OFF_TOPIC' });
    expect(closed.closedBy.map((u: { id: string }) => rawOf(u.id))).toContain(importedId(SITE, 'user', 9).toHexString());
    const log5 = await logOf('Question', 5);
    expect(log5[0]).toMatchObject({ action: 'question.closed', reason: 'OFF_TOPIC', createdAt: '2016-08-02T16:27:32.070Z' });
    expect(JSON.parse(log5[0]!.data).voterIds).toContain(importedId(SITE, 'user', 9).toHexString());

    // question 41: closed, then reopened: open now, both steps in the log, in order
    expect(await stateOf(41)).toMatchObject({ isClosed: false, closeReason: null });
    expect((await logOf('Question', 41)).map((e) => e.action)).toEqual(['question.closed', 'question.reopened']);

    // question 1768: protected by the Community user
    expect(await stateOf(1768)).toMatchObject({ isProtected: true, isLocked: false });
    expect((await logOf('Question', 1768)).map((e) => e.action)).toEqual(['question.protected']);

    // answer 1688: deleted and undeleted by kenorb (user 8), who is the actor of both entries
    const log1688 = await logOf('Answer', 1688);
    expect(log1688.map((e) => e.action)).toEqual(['answer.deleted', 'answer.undeleted']);
    for (const e of log1688) expect(rawOf(e.actor!.id)).toBe(importedId(SITE, 'user', 8).toHexString());
    expect(log1688[0]!.reason).toBe('via Vote');
  });

  it('lists the skipped rows of each file by kind and reason', () => {
    for (const s of first.steps) {
      const byReason = Object.values(s.skippedBy).reduce((n, c) => n + c, 0);
      expect(byReason, s.step).toBe(s.skipped);
    }
    const report = skipReport(first);
    expect(report.reduce((n, r) => n + r.rows, 0)).toBe(first.steps.reduce((n, s) => n + s.skipped, 0));
    const rowsOf = (kind: string, reason: RegExp) =>
      report.filter((r) => r.kind === kind && reason.test(r.reason)).reduce((n, r) => n + r.rows, 0);
    expect(rowsOf('PostLinks.xml', /not in the dump/)).toBe(10);
    expect(rowsOf('Votes.xml', /^deletion vote \(VoteTypeId 10\)/)).toBe(93);
    expect(rowsOf('Votes.xml', /^approved edit suggestion \(VoteTypeId 16\)/)).toBe(308);
    expect(rowsOf('PostHistory.xml', /^suggested edit applied \(PostHistoryTypeId 24\)/)).toBe(292);
    // no reason is a bare number: each says what the rows are and why they are left out
    for (const r of report) expect(r.reason, r.kind).toMatch(/[a-z]{3,} .*[a-z]{3,}/);
    console.log(report.map((r) => `  ${r.kind.padEnd(16)} ${String(r.rows).padStart(5)}  ${r.reason}`).join('\n'));
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
