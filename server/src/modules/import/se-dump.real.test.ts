// The dump reader on the real ai.stackexchange.com dump (skipped, with the reason printed, when
// it is absent): row counts, known rows, chunk sizes, a truncated copy, progress reporting.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgress, type Output } from '../../../../scripts/lib/progress.js';
import {
  DUMP_KINDS,
  dumpFiles,
  iterateDumpFile,
  parseTags,
  readDumpFile,
  siteFromDir,
  type DumpKind,
  type PostRow,
} from './se-dump.reader.js';
import { collect, DUMP_DIR, expectFormatError, range, removeTempDir, writeTemp } from './se-dump.test-support.js';

afterAll(removeTempDir);

const missingFiles = DUMP_KINDS.map((kind) => `${kind}.xml`).filter((name) => !existsSync(join(DUMP_DIR, name)));
const skipReason =
  missingFiles.length > 0
    ? `Stack Exchange dump not found at ${DUMP_DIR} (missing ${missingFiles.join(', ')}); set STACKEXCHANGE_DUMP_DIR to run these tests`
    : null;
if (skipReason) console.warn(`[se-dump.real.test] skipping the real-dump tests: ${skipReason}`);

/** Rows of the ai.stackexchange.com dump. Posts, Comments, Users, Tags and PostLinks are the known
 * counts; Votes, PostHistory and Badges were computed with `grep -c '<row' <file>` (one row per
 * line in these files). */
const EXPECTED_ROWS: Record<DumpKind, number> = {
  Posts: 1279,
  Comments: 1165,
  Users: 3157,
  Tags: 222,
  PostLinks: 101,
  Votes: 5323,
  PostHistory: 3612,
  Badges: 3290,
};
/** Posts.xml by PostTypeId */
const EXPECTED_POST_TYPES = { 1: 421, 2: 749, 4: 54, 5: 54, 7: 1 };

describe.skipIf(skipReason !== null)(`the real dump (${DUMP_DIR})`, () => {
  it.each(DUMP_KINDS.map((kind) => [kind, EXPECTED_ROWS[kind]] as const))(
    '%s.xml has %i rows, each on its own line, with unique Ids',
    async (kind, expected) => {
      const { rows, lines, result, error } = await collect(join(DUMP_DIR, `${kind}.xml`), kind);
      expect(error).toBeUndefined();
      expect(result).toEqual({ rows: expected });
      expect(rows).toHaveLength(expected);
      // line 1 is the XML declaration, line 2 the root element
      expect(lines).toEqual(range(3, expected + 2));
      expect(new Set(rows.map((r) => r.Id)).size).toBe(expected);
      for (const row of rows) expect(Number.isInteger(row.Id)).toBe(true);
    },
  );

  it('Posts.xml: 421 questions and 749 answers, consistently linked', async () => {
    const { rows } = await collect(join(DUMP_DIR, 'Posts.xml'), 'Posts');
    const byType: Record<number, number> = {};
    for (const post of rows) byType[post.PostTypeId!] = (byType[post.PostTypeId!] ?? 0) + 1;
    expect(byType).toEqual(EXPECTED_POST_TYPES);

    const byId = new Map(rows.map((p) => [p.Id, p]));
    const questions = rows.filter((p) => p.PostTypeId === 1);
    const answers = rows.filter((p) => p.PostTypeId === 2);
    for (const q of questions) {
      expect(q.Title).toBeTypeOf('string');
      expect(q.Tags!.length).toBeGreaterThan(0);
      expect(q.CreationDate).toBeInstanceOf(Date);
      if (q.AcceptedAnswerId !== undefined) expect(byId.get(q.AcceptedAnswerId)?.ParentId).toBe(q.Id);
    }
    for (const a of answers) {
      expect(byId.get(a.ParentId!)?.PostTypeId).toBe(1);
      expect(a.Title).toBeUndefined();
      expect(a.Tags).toBeUndefined();
    }
  });

  it('spot-checks known rows', spotCheckKnownRows);

  it('gives the same rows and lines whatever the chunk size (multi-byte characters split across chunks)', async () => {
    const path = join(DUMP_DIR, 'Posts.xml');
    const whole = await collect(path, 'Posts');
    const small = await collect(path, 'Posts', { chunkSize: 997 });
    expect(small.error).toBeUndefined();
    expect(small.lines).toEqual(whole.lines);
    expect(small.rows).toEqual(whole.rows);
  });

  it('rejects Posts.xml cut in the middle of a row, after handing over every row before it', async () => {
    const bytes = readFileSync(join(DUMP_DIR, 'Posts.xml'));
    // cut line 700 (row index 697) in its middle
    let start = 0;
    for (let line = 1; line < 700; line++) start = bytes.indexOf(0x0a, start) + 1;
    const end = bytes.indexOf(0x0a, start);
    const path = writeTemp('Posts.xml', bytes.subarray(0, start + Math.floor((end - start) / 2)));

    const { lines, error } = await collect(path, 'Posts');
    expectFormatError(error, 'Posts.xml', 700, /ends inside a <row>/);
    expect(lines).toEqual(range(3, 699));
  });

  it('iterateDumpFile yields the same rows as readDumpFile', async () => {
    const path = join(DUMP_DIR, 'Comments.xml');
    const viaCallback = await collect(path, 'Comments');
    const viaIterator: { id: number; line: number }[] = [];
    for await (const { row, line } of iterateDumpFile(path, 'Comments')) viaIterator.push({ id: row.Id, line });
    expect(viaIterator).toEqual(viaCallback.rows.map((row, i) => ({ id: row.Id, line: viaCallback.lines[i] })));
  });

  it('dumpFiles lists the eight files with their sizes; siteFromDir names the site', async () => {
    const files = await dumpFiles(DUMP_DIR);
    expect(files.map((f) => f.kind).sort()).toEqual([...DUMP_KINDS].sort());
    for (const f of files) {
      expect(f.exists).toBe(true);
      expect(f.bytes).toBe(statSync(join(DUMP_DIR, f.fileName)).size);
    }
    expect(siteFromDir(DUMP_DIR)).toBe('ai.stackexchange.com');
  });

  it('drives a non-TTY progress report: a line per ~10 % and one at the end', async () => {
    const written: string[] = [];
    const out: Output = { isTTY: false, write: (s: string) => written.push(s) };
    const path = join(DUMP_DIR, 'PostHistory.xml');
    const progress = createProgress({ label: 'PostHistory', total: statSync(path).size, unit: 'bytes', stream: out });
    const { rows } = await readDumpFile(path, 'PostHistory', () => {}, {
      chunkSize: 16 * 1024,
      onProgress: (bytes, _total, parsed) => progress.update(bytes, `${parsed} rows`),
    });
    progress.finish(`${rows} rows`);
    expect(written.map((s) => s.match(/^PostHistory: (\d+)%/)?.[1]).slice(0, -1)).toEqual([
      '10',
      '20',
      '30',
      '40',
      '50',
      '60',
      '70',
      '80',
      '90',
    ]);
    expect(written.at(-1)).toMatch(/^PostHistory: done, 2\.9 MiB in .* 3612 rows\n$/);
    for (const line of written) expect(line).not.toContain('\r');
  });
});

/** Known rows of every file of the ai.stackexchange.com dump, value by value. */
async function spotCheckKnownRows(): Promise<void> {
  const posts = new Map<number, PostRow>();
  await readDumpFile(join(DUMP_DIR, 'Posts.xml'), 'Posts', (row) => void posts.set(row.Id, row));

  const q4 = posts.get(4)!;
  expect(q4).toMatchObject({
    Id: 4,
    PostTypeId: 1,
    Title: 'How to find the optimal number of neurons per layer?',
    Tags: ['deep-network', 'layers', 'neurons'],
    AcceptedAnswerId: 12,
    Score: 16,
    ViewCount: 413,
    AnswerCount: 4,
    CommentCount: 0,
    FavoriteCount: 3,
    OwnerUserId: 8,
    LastEditorUserId: 145,
  });
  expect(q4.CreationDate?.toISOString()).toBe('2016-08-02T15:41:22.020Z'); // dump dates are UTC
  expect(q4.ClosedDate).toBeUndefined();
  expect(posts.get(12)).toMatchObject({ PostTypeId: 2, ParentId: 4 });

  // entities decoded in attribute values
  const q1 = posts.get(1)!;
  expect(q1.Title).toBe('What is "backprop"?');
  expect(q1.Tags).toEqual(['neural-networks', 'definitions']);
  expect(q1.Body?.startsWith('<p>What does "backprop" mean?')).toBe(true);
  expect(q1.Body).toContain('</p>\n\n<p>');

  expect(posts.get(16)?.ClosedDate?.toISOString()).toBe('2016-08-11T11:08:37.137Z');
  expect(posts.get(2230)).toMatchObject({ PostTypeId: 2, OwnerDisplayName: 'user3313' });
  expect(posts.get(2230)?.OwnerUserId).toBeUndefined();

  const users = await collect(join(DUMP_DIR, 'Users.xml'), 'Users');
  expect(users.rows[0]).toMatchObject({ Id: -1, DisplayName: 'Community', AccountId: -1, Reputation: 1, DownVotes: 31 });

  const tags = await collect(join(DUMP_DIR, 'Tags.xml'), 'Tags');
  expect(tags.rows[0]).toEqual({ Id: 1, TagName: 'deep-network', Count: 24, ExcerptPostId: 1797, WikiPostId: 1796 });
  expect(tags.rows[1]).toEqual({ Id: 2, TagName: 'generalization', Count: 3 }); // absent → undefined

  const votes = await collect(join(DUMP_DIR, 'Votes.xml'), 'Votes');
  expect(votes.rows.find((v) => v.Id === 5571)).toMatchObject({ PostId: 152, VoteTypeId: 8, UserId: 8, BountyAmount: 50 });

  const badges = await collect(join(DUMP_DIR, 'Badges.xml'), 'Badges');
  expect(badges.rows[0]).toEqual({
    Id: 1,
    UserId: 4,
    Name: 'Informed',
    Date: new Date('2016-08-02T15:38:29.913Z'),
    Class: 3,
    TagBased: false,
  });

  const history = await collect(join(DUMP_DIR, 'PostHistory.xml'), 'PostHistory');
  const initialTags = history.rows.find((h) => h.PostId === 1 && h.PostHistoryTypeId === 3)!;
  expect(initialTags.RevisionGUID).toBe('acd11026-43b5-4640-a6dd-dfff1749f5b5');
  expect(parseTags(initialTags.Text!)).toEqual(['deep-network']);
}
