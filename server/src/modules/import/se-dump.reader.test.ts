import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgress, formatTable, type Output } from '../../../../scripts/lib/progress.js';
import {
  DUMP_KINDS,
  DumpFormatError,
  dumpFiles,
  iterateDumpFile,
  parseTags,
  readDumpFile,
  siteFromDir,
  type DumpKind,
  type DumpRowMap,
  type PostRow,
  type ReadDumpOptions,
} from './se-dump.reader.js';

// ---------------------------------------------------------------------------------------------
// Where the real dump is (read-only, never copied into the repository)

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const DUMP_DIR = resolve(
  process.env.STACKEXCHANGE_DUMP_DIR || join(repoRoot, '..', 'shared', 'data', 'stackexchange', 'ai.stackexchange.com'),
);
const missingFiles = DUMP_KINDS.map((kind) => `${kind}.xml`).filter((name) => !existsSync(join(DUMP_DIR, name)));
const skipReason =
  missingFiles.length > 0
    ? `Stack Exchange dump not found at ${DUMP_DIR} (missing ${missingFiles.join(', ')}); set STACKEXCHANGE_DUMP_DIR to run these tests`
    : null;
if (skipReason) console.warn(`[se-dump.reader.test] skipping the real-dump tests: ${skipReason}`);

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

// ---------------------------------------------------------------------------------------------
// Helpers

const tmp = mkdtempSync(join(tmpdir(), 'colloquy-se-dump-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let fileCounter = 0;

/** Writes `content` as <tmp>/<n>/<name> (the name matters: errors quote it). */
function writeTemp(name: string, content: string | Buffer): string {
  const dir = join(tmp, String(++fileCounter));
  mkdirp(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function mkdirp(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/** A dump file like the real ones: BOM, XML declaration on line 1, the root on line 2, one row per
 * line from line 3 on (so the row at index i is on line i + 3), CRLF line ends. */
function dumpXml(root: string, rows: readonly string[], { close = true } = {}): string {
  return `\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<${root}>\r\n${rows.map((r) => `  ${r}\r\n`).join('')}${close ? `</${root}>\r\n` : ''}`;
}

interface Collected<K extends DumpKind> {
  rows: DumpRowMap[K][];
  lines: number[];
  result?: { rows: number };
  error?: unknown;
}

async function collect<K extends DumpKind>(path: string, kind: K, options?: ReadDumpOptions): Promise<Collected<K>> {
  const out: Collected<K> = { rows: [], lines: [] };
  try {
    out.result = await readDumpFile(
      path,
      kind,
      (row, line) => {
        out.rows.push(row);
        out.lines.push(line);
      },
      options,
    );
  } catch (error) {
    out.error = error;
  }
  return out;
}

function expectFormatError(error: unknown, file: string, line: number, reason: RegExp): DumpFormatError {
  expect(error).toBeInstanceOf(DumpFormatError);
  const e = error as DumpFormatError;
  expect(e.name).toBe('DumpFormatError');
  expect(e.file).toBe(file);
  expect(e.line).toBe(line);
  expect(e.column).toBeGreaterThanOrEqual(1);
  expect(e.message.startsWith(`${file} line ${line}: `)).toBe(true);
  expect(e.reason).toMatch(reason);
  return e;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Synthetic posts: ids 1..n on lines 3..n+2, with non-ASCII text and entities. */
function syntheticPosts(n: number): string[] {
  return range(1, n).map(
    (id) =>
      `<row Id="${id}" PostTypeId="${id % 3 === 0 ? 2 : 1}" CreationDate="2020-01-0${(id % 9) + 1}T10:00:0${id % 10}.${String(id % 1000).padStart(3, '0')}" ` +
      `Score="${(id % 7) - 3}" Body="&lt;p&gt;café 日本語 😀 #${id} &amp; more&lt;/p&gt;&#xA;" Title="Q ${id} — ünïcode" Tags="|tag-${id % 5}|c#|" />`,
  );
}

// ---------------------------------------------------------------------------------------------
// The real dump

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

  it('spot-checks known rows', async () => {
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
  });

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

// ---------------------------------------------------------------------------------------------
// Synthetic input (always runs)

describe('readDumpFile on well-formed synthetic files', () => {
  it('converts types: numbers, UTC dates, booleans, both tag spellings; absent → undefined', async () => {
    const posts = writeTemp(
      'Posts.xml',
      dumpXml('posts', [
        '<row Id="1" PostTypeId="1" CreationDate="2016-08-02T15:39:14.947" Score="-3" Tags="|python|c++|" Title="a &lt;b&gt; &quot;c&quot; &#xD;&#xA;d" Unknown="x" />',
        '<row Id="2" PostTypeId="1" CreationDate="2016-08-02T15:39:14" Tags="&lt;python&gt;&lt;node.js&gt;" />',
        '<row Id="-3" PostTypeId="2" ParentId="1" Tags="" CreationDate="2016-08-02T00:00:00.1234567" />',
      ]),
    );
    const { rows, lines, error } = await collect(posts, 'Posts');
    expect(error).toBeUndefined();
    expect(lines).toEqual([3, 4, 5]);
    expect(rows[0]).toEqual({
      Id: 1,
      PostTypeId: 1,
      CreationDate: new Date('2016-08-02T15:39:14.947Z'),
      Score: -3,
      Tags: ['python', 'c++'],
      Title: 'a <b> "c" \r\nd',
    });
    expect(rows[1]?.CreationDate?.toISOString()).toBe('2016-08-02T15:39:14.000Z');
    expect(rows[1]?.Tags).toEqual(['python', 'node.js']);
    expect(rows[2]).toEqual({ Id: -3, PostTypeId: 2, ParentId: 1, Tags: [], CreationDate: new Date('2016-08-02T00:00:00.123Z') });
    expect('Score' in rows[1]!).toBe(false);

    const badges = writeTemp(
      'Badges.xml',
      dumpXml('badges', ['<row Id="1" UserId="4" Name="python" Date="2016-08-02T15:38:29.913" Class="1" TagBased="True" />']),
    );
    expect((await collect(badges, 'Badges')).rows).toEqual([
      { Id: 1, UserId: 4, Name: 'python', Date: new Date('2016-08-02T15:38:29.913Z'), Class: 1, TagBased: true },
    ]);
  });

  it('accepts a file without rows, and one without BOM or XML declaration', async () => {
    expect(await collect(writeTemp('Tags.xml', dumpXml('tags', [])), 'Tags')).toEqual({ rows: [], lines: [], result: { rows: 0 } });
    const bare = await collect(writeTemp('Tags.xml', '<tags><row Id="7" TagName="x" Count="0"/></tags>'), 'Tags');
    expect(bare.rows).toEqual([{ Id: 7, TagName: 'x', Count: 0 }]);
    expect(bare.lines).toEqual([1]);
  });

  it('gives the same rows and lines for any chunk size, even 1 byte (UTF-8 and CRLF split across chunks)', async () => {
    const path = writeTemp('Posts.xml', dumpXml('posts', syntheticPosts(60)));
    const reference = await collect(path, 'Posts');
    expect(reference.rows).toHaveLength(60);
    expect(reference.rows[0]?.Body).toBe('<p>café 日本語 😀 #1 & more</p>\n');
    expect(reference.lines).toEqual(range(3, 62));
    for (const chunkSize of [1, 2, 3, 5, 7, 64, 1000]) {
      const other = await collect(path, 'Posts', { chunkSize });
      expect(other.error).toBeUndefined();
      expect(other.lines).toEqual(reference.lines);
      expect(other.rows).toEqual(reference.rows);
    }
  });

  it('reports progress: bytes consumed, the file size, rows parsed; the last call covers everything', async () => {
    const path = writeTemp('Posts.xml', dumpXml('posts', syntheticPosts(500)));
    const size = statSync(path).size;
    const calls: [number, number, number][] = [];
    await readDumpFile(path, 'Posts', () => {}, { chunkSize: 4096, onProgress: (...args) => void calls.push(args) });
    expect(calls.length).toBeGreaterThanOrEqual(Math.floor(size / 4096));
    expect(calls.at(-1)).toEqual([size, size, 500]);
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
      expect(calls[i]![2]).toBeGreaterThanOrEqual(calls[i - 1]![2]);
    }
  });
});

describe('readDumpFile on malformed input', () => {
  const three = syntheticPosts(3); // lines 3, 4, 5

  it('rejects a file cut in the middle of a row; the half row is never handed over', async () => {
    const xml = dumpXml('posts', syntheticPosts(10));
    const cut = xml.indexOf('<row Id="6"') + 30; // inside the row on line 8
    const { lines, error } = await collect(writeTemp('Posts.xml', xml.slice(0, cut)), 'Posts', { chunkSize: 100 });
    expectFormatError(error, 'Posts.xml', 8, /ends inside a <row> \(truncated file\?\)/);
    expect(lines).toEqual(range(3, 7));
  });

  it('rejects a file cut between rows (the root element is never closed)', async () => {
    const { lines, error } = await collect(writeTemp('Posts.xml', dumpXml('posts', three, { close: false })), 'Posts');
    expectFormatError(error, 'Posts.xml', 6, /ends before <\/posts>/);
    expect(lines).toEqual([3, 4, 5]);
  });

  it.each([
    ['Score="abc"', 'Score="abc" is not an integer'],
    ['Score=""', 'Score="" is not an integer'],
    ['Score="1.5"', 'Score="1.5" is not an integer'],
    ['ViewCount="99999999999999999999"', 'ViewCount="99999999999999999999" is not an integer'],
    ['CreationDate="yesterday"', 'CreationDate="yesterday" is not a date'],
    ['CreationDate="2016-02-30T10:00:00"', 'CreationDate="2016-02-30T10:00:00" is not a date'],
    ['Tags="python java"', 'Tags="python java" is not a tag list'],
  ])('rejects a row with %s on the right line', async (attribute, reason) => {
    const rows = [...three, `<row Id="4" PostTypeId="1" ${attribute} Title="broken" />`, ...syntheticPosts(6).slice(4)];
    const { lines, rows: seen, error } = await collect(writeTemp('Posts.xml', dumpXml('posts', rows)), 'Posts');
    const e = expectFormatError(error, 'Posts.xml', 6, /./);
    expect(e.reason).toContain(reason);
    expect(e.message).toContain(`Posts.xml line 6: attribute ${reason}`);
    expect(lines).toEqual([3, 4, 5]);
    expect(seen.map((r) => r.Id)).not.toContain(4);
  });

  it('rejects a non-boolean TagBased in Badges.xml', async () => {
    const xml = dumpXml('badges', [
      '<row Id="1" UserId="1" Name="a" Date="2016-08-02T15:38:29.913" Class="3" TagBased="False" />',
      '<row Id="2" UserId="1" Name="b" Date="2016-08-02T15:38:29.913" Class="3" TagBased="maybe" />',
    ]);
    const { lines, error } = await collect(writeTemp('Badges.xml', xml), 'Badges');
    expectFormatError(error, 'Badges.xml', 4, /TagBased="maybe" is not a boolean/);
    expect(lines).toEqual([3]);
  });

  it('rejects a row without Id', async () => {
    const rows = [...three, '<row PostTypeId="1" Score="2" />'];
    const { lines, error } = await collect(writeTemp('Posts.xml', dumpXml('posts', rows)), 'Posts');
    const e = expectFormatError(error, 'Posts.xml', 6, /<row> has no Id attribute/);
    expect(e.column).toBe(3); // the "<" of "  <row"
    expect(lines).toEqual([3, 4, 5]);
  });

  it('rejects garbage bytes between rows', async () => {
    const xml = dumpXml('posts', [...three, '@@GARBAGE@@', '<row Id="9" />']);
    const bytes = Buffer.from(xml.replace('@@GARBAGE@@', '\u0000\u0001\u0002'), 'utf8');
    const { lines, error } = await collect(writeTemp('Posts.xml', bytes), 'Posts');
    expectFormatError(error, 'Posts.xml', 6, /malformed XML/);
    expect(lines).toEqual([3, 4, 5]);
  });

  it('rejects stray text between rows, pointing at its line', async () => {
    const { lines, error } = await collect(writeTemp('Posts.xml', dumpXml('posts', [...three, 'lorem ipsum', '<row Id="9" />'])), 'Posts');
    const e = expectFormatError(error, 'Posts.xml', 6, /unexpected text "lorem ipsum" in <posts>/);
    expect(e.column).toBe(3);
    expect(lines).toEqual([3, 4, 5]);
  });

  it.each([1, 3, 64 * 1024])('rejects invalid UTF-8 inside an attribute value (chunk size %i)', async (chunkSize) => {
    const xml = dumpXml('posts', [...three, '<row Id="4" Body="ab@@" />', '<row Id="5" />']);
    const [before, after] = xml.split('@@') as [string, string];
    const bytes = Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(after)]);
    const { lines, error } = await collect(writeTemp('Posts.xml', bytes), 'Posts', { chunkSize });
    const e = expectFormatError(error, 'Posts.xml', 6, /invalid UTF-8 byte sequence at byte \d+/);
    expect(e.reason).toContain(`at byte ${Buffer.byteLength(before)}`);
    expect(e.column).toBe('  <row Id="4" Body="ab'.length + 1);
    expect(lines).toEqual([3, 4, 5]);
  });

  it('rejects a file that ends inside a multi-byte character', async () => {
    const xml = Buffer.from(dumpXml('posts', [...three, '<row Id="4" Title="日本" />']));
    const { lines, error } = await collect(writeTemp('Posts.xml', xml.subarray(0, xml.lastIndexOf('日') + 2)), 'Posts', { chunkSize: 16 });
    expectFormatError(error, 'Posts.xml', 6, /ends inside a UTF-8 byte sequence/);
    expect(lines).toEqual([3, 4, 5]);
  });

  it('ignores attributes it does not know, even ones named like Object members', async () => {
    const { rows } = await collect(
      writeTemp('Tags.xml', dumpXml('tags', ['<row Id="1" toString="x" __proto__="y" TagName="a" NewColumn="z" />'])),
      'Tags',
    );
    expect(rows).toEqual([{ Id: 1, TagName: 'a' }]);
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
  });

  it('rejects a file with no root element (empty, or only the XML declaration)', async () => {
    expectFormatError((await collect(writeTemp('Votes.xml', ''), 'Votes')).error, 'Votes.xml', 1, /root element/);
    const declOnly = await collect(writeTemp('Votes.xml', '<?xml version="1.0" encoding="utf-8"?>\r\n'), 'Votes');
    expectFormatError(declOnly.error, 'Votes.xml', 2, /root element/);
  });

  it('rejects the wrong root element (another file of the dump passed as this one)', async () => {
    const { rows, error } = await collect(writeTemp('Posts.xml', dumpXml('users', ['<row Id="1" />'])), 'Posts');
    expectFormatError(error, 'Posts.xml', 2, /expected the root element <posts> of Posts\.xml, found <users>/);
    expect(rows).toEqual([]);
  });

  it('rejects an unclosed <row> (no "/>") and other unexpected elements', async () => {
    const unclosed = await collect(writeTemp('Posts.xml', dumpXml('posts', [...three, '<row Id="4">', '<row Id="5" />'])), 'Posts');
    expectFormatError(unclosed.error, 'Posts.xml', 7, /unexpected element <row> inside <row> \(the <row> of line 6 is not closed/);
    expect(unclosed.lines).toEqual([3, 4, 5]);

    const stranger = await collect(writeTemp('Posts.xml', dumpXml('posts', [...three, '<post Id="4" />'])), 'Posts');
    expectFormatError(stranger.error, 'Posts.xml', 6, /unexpected element <post> in <posts> \(expected <row>\)/);
    expect(stranger.lines).toEqual([3, 4, 5]);
  });

  it('rejects broken markup: a mismatched close tag, a duplicate attribute, a second root', async () => {
    const mismatched = await collect(writeTemp('Posts.xml', dumpXml('posts', [...three, '</row>'])), 'Posts');
    expectFormatError(mismatched.error, 'Posts.xml', 6, /malformed XML/);
    expect(mismatched.lines).toEqual([3, 4, 5]);

    const duplicate = await collect(writeTemp('Posts.xml', dumpXml('posts', ['<row Id="1" Id="2" />'])), 'Posts');
    expectFormatError(duplicate.error, 'Posts.xml', 3, /duplicate attribute/);
    expect(duplicate.lines).toEqual([]);

    const secondRoot = await collect(writeTemp('Posts.xml', `${dumpXml('posts', three)}<posts>\r\n`), 'Posts');
    expectFormatError(secondRoot.error, 'Posts.xml', 7, /malformed XML/);
    expect(secondRoot.lines).toEqual([3, 4, 5]);
  });

  it('passes through the error of a missing file and of an unknown kind', async () => {
    await expect(readDumpFile(join(tmp, 'nope', 'Posts.xml'), 'Posts', () => {})).rejects.toMatchObject({ code: 'ENOENT' });
    const path = writeTemp('Posts.xml', dumpXml('posts', three));
    await expect(readDumpFile(path, 'Nope' as DumpKind, () => {})).rejects.toThrow(TypeError);
  });
});

describe('readDumpFile with async handlers: backpressure and bounded memory', () => {
  const CHUNK = 8 * 1024;
  const path = writeTemp('Posts.xml', dumpXml('posts', syntheticPosts(3000)));
  const bytes = readFileSync(path);
  /** byte offset just past each line (index = line number) */
  const lineEnds = [0];
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) lineEnds.push(i + 1);
  const shortestRow = Math.min(...range(3, 3002).map((line) => lineEnds[line]! - lineEnds[line - 1]!));

  it('awaits each handler before the next row, reads nothing meanwhile, and never runs more than one chunk ahead', async () => {
    let consumed = 0; // bytes the reader has taken from the file so far
    let parsed = 0; // rows parsed so far
    let delivered = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    let maxAheadBytes = -Infinity;
    let maxAheadRows = 0;
    let progressCalls = 0;

    const { rows } = await readDumpFile(
      path,
      'Posts',
      async (row, line) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // the reader holds at most the chunk that completed this row
        maxAheadBytes = Math.max(maxAheadBytes, consumed - lineEnds[line]!);
        maxAheadRows = Math.max(maxAheadRows, parsed - delivered);
        const before = consumed;
        await new Promise((r) => setImmediate(r));
        if (row.Id % 100 === 0) await new Promise((r) => setTimeout(r, 2));
        expect(consumed).toBe(before); // nothing read while the handler runs
        expect(row.Id).toBe(delivered + 1); // in order
        delivered++;
        inFlight--;
      },
      {
        chunkSize: CHUNK,
        onProgress: (bytesRead, _total, rowsParsed) => {
          progressCalls++;
          consumed = bytesRead;
          parsed = rowsParsed;
        },
      },
    );

    expect(rows).toBe(3000);
    expect(delivered).toBe(3000);
    expect(maxInFlight).toBe(1);
    expect(maxAheadBytes).toBeLessThan(CHUNK);
    // one batch = the rows completed within one chunk
    expect(maxAheadRows).toBeLessThanOrEqual(Math.ceil(CHUNK / shortestRow) + 1);
    expect(progressCalls).toBeGreaterThanOrEqual(Math.floor(bytes.length / CHUNK));
  });

  it('iterateDumpFile stays one chunk ahead at most, and stops reading when the loop breaks', async () => {
    let consumed = 0;
    let seen = 0;
    for await (const { line } of iterateDumpFile(path, 'Posts', { chunkSize: CHUNK, onProgress: (b) => void (consumed = b) })) {
      expect(consumed - lineEnds[line]!).toBeLessThan(CHUNK);
      await new Promise((r) => setImmediate(r));
      if (++seen === 100) break;
    }
    expect(seen).toBe(100);
    expect(consumed).toBeLessThan(lineEnds[103]! + CHUNK);
  });

  it('stops at the first error thrown by the handler and rejects with it', async () => {
    let calls = 0;
    const boom = new Error('handler failed');
    await expect(
      readDumpFile(path, 'Posts', async (row) => {
        calls++;
        if (row.Id === 42) throw boom;
      }),
    ).rejects.toBe(boom);
    expect(calls).toBe(42);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const reading = readDumpFile(
      path,
      'Posts',
      async () => {
        if (++calls === 10) controller.abort();
      },
      { signal: controller.signal },
    );
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(10);
  });
});

describe('dump folder helpers', () => {
  it('dumpFiles reports which files exist and their sizes (names matched case-insensitively)', async () => {
    const dir = join(tmp, 'site', 'cooking.stackexchange.com');
    mkdirp(dir);
    writeFileSync(join(dir, 'Posts.xml'), dumpXml('posts', []));
    writeFileSync(join(dir, 'users.xml'), 'x'.repeat(123));
    const files = await dumpFiles(dir);
    expect(files.map((f) => f.kind)).toEqual([...DUMP_KINDS]);
    const byKind = Object.fromEntries(files.map((f) => [f.kind, f]));
    expect(byKind.Posts).toMatchObject({ exists: true, fileName: 'Posts.xml', bytes: statSync(join(dir, 'Posts.xml')).size });
    expect(byKind.Users).toMatchObject({ exists: true, bytes: 123, path: join(dir, 'users.xml') });
    expect(byKind.Votes).toMatchObject({ exists: false, bytes: 0 });
    expect(files.filter((f) => f.exists)).toHaveLength(2);
    expect(siteFromDir(dir)).toBe('cooking.stackexchange.com');
  });

  it('siteFromDir takes the folder name', () => {
    expect(siteFromDir('/data/ai.stackexchange.com')).toBe('ai.stackexchange.com');
    expect(siteFromDir('/data/ai.stackexchange.com/')).toBe('ai.stackexchange.com');
    expect(siteFromDir('/data/Math.StackExchange.com.7z')).toBe('math.stackexchange.com');
    expect(siteFromDir('/data/stackoverflow.com')).toBe('stackoverflow.com');
    expect(siteFromDir('/data/dump')).toBeNull();
    expect(basename(DUMP_DIR)).toBeTruthy();
  });

  it('parseTags reads both spellings and refuses anything else', () => {
    expect(parseTags('|a|b-c|c#|')).toEqual(['a', 'b-c', 'c#']);
    expect(parseTags('<a><b-c><c#>')).toEqual(['a', 'b-c', 'c#']);
    expect(parseTags('')).toEqual([]);
    expect(parseTags('a b')).toBeNull();
    expect(parseTags('|a||b|')).toBeNull();
    expect(parseTags('<a><b')).toBeNull();
  });
});

describe('scripts/lib/progress.ts', () => {
  it('redraws in place on a TTY, at most every 100 ms', () => {
    const written: string[] = [];
    let clock = 0;
    const progress = createProgress({
      label: 'Posts',
      total: 1000,
      unit: 'rows',
      stream: { isTTY: true, columns: 120, write: (s) => written.push(s) },
      now: () => clock,
    });
    for (let done = 1; done <= 1000; done++) {
      clock += 1; // 1 ms per row: 1 s in all
      progress.update(done);
    }
    progress.finish();
    progress.finish(); // idempotent
    expect(written).toHaveLength(11); // 1 s of updates: a redraw per 100 ms, then the final line
    for (const s of written) expect(s.startsWith('\r')).toBe(true);
    expect(written[0]).toContain('0.1%  1 / 1,000 rows  … rows/s  ETA ?'); // no rate from the first moments
    expect(written.at(-2)).toBe(`\rPosts  [${'█'.repeat(27)}${'░'.repeat(3)}]   90.1%  901 / 1,000 rows  1,000 rows/s  ETA 0.1 s\x1b[K`);
    expect(written.at(-1)).toBe('\rPosts: done, 1,000 rows in 1.0 s (1,000 rows/s)\x1b[K\n');
  });

  it('prints plain lines about every 10 % when not a TTY', () => {
    const written: string[] = [];
    let clock = 0;
    const progress = createProgress({
      label: 'Users',
      total: 5000,
      unit: 'rows',
      stream: { isTTY: false, write: (s) => written.push(s) },
      now: () => clock,
    });
    for (let done = 0; done <= 5000; done += 50) {
      clock = done * 2; // 500 rows/s
      progress.update(done, 'extra info');
    }
    progress.finish();
    expect(written).toHaveLength(10); // 10 %, 20 %, … 90 %, done
    expect(written[0]).toBe('Users: 10% (500 / 5,000 rows, 500 rows/s, ETA 9.0 s) extra info\n');
    expect(written[8]).toBe('Users: 90% (4,500 / 5,000 rows, 500 rows/s, ETA 1.0 s) extra info\n');
    expect(written.at(-1)).toBe('Users: done, 5,000 rows in 0:10 (500 rows/s) extra info\n');
  });

  it('formats aligned tables: numbers right, text left', () => {
    expect(
      formatTable([
        { file: 'Posts.xml', rows: 1279, ms: 91.234 },
        { file: 'PostHistory.xml', rows: 3612, ms: 48 },
        { file: 'x', note: 'n/a' },
      ]),
    ).toBe(
      [
        'file              rows     ms  note',
        '---------------  -----  -----  ----',
        'Posts.xml        1,279  91.23',
        'PostHistory.xml  3,612     48',
        `x${' '.repeat(30)}n/a`,
        '',
      ].join('\n'),
    );
    expect(formatTable([{ a: 1, b: 'x' }], ['b'])).toBe('b\n-\nx\n');
  });
});
