// The dump reader on malformed files: every problem rejects with a DumpFormatError naming the
// file and line, after handing over every complete row before it.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDumpFile, type DumpKind } from './se-dump.reader.js';
import { collect, dumpXml, expectFormatError, range, removeTempDir, syntheticPosts, tempDir, writeTemp } from './se-dump.test-support.js';

afterAll(removeTempDir);

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
    await expect(readDumpFile(join(tempDir(), 'nope', 'Posts.xml'), 'Posts', () => {})).rejects.toMatchObject({ code: 'ENOENT' });
    const path = writeTemp('Posts.xml', dumpXml('posts', three));
    await expect(readDumpFile(path, 'Nope' as DumpKind, () => {})).rejects.toThrow(TypeError);
  });
});
