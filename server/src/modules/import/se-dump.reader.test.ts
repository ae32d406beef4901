// The dump reader on synthetic files: type conversion, chunk sizes, progress, and how it hands
// rows to async handlers (backpressure, bounded memory, errors, aborts).
import { readFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { iterateDumpFile, readDumpFile } from './se-dump.reader.js';
import { collect, dumpXml, range, removeTempDir, syntheticPosts, writeTemp } from './se-dump.test-support.js';

afterAll(removeTempDir);

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
