// The dump folder: which files it holds, which site it is; and the tag list spellings.
import { statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DUMP_KINDS, dumpFiles, parseTags, siteFromDir } from './se-dump.reader.js';
import { DUMP_DIR, dumpXml, mkdirp, removeTempDir, tempDir } from './se-dump.test-support.js';

afterAll(removeTempDir);

describe('dump folder helpers', () => {
  it('dumpFiles reports which files exist and their sizes (names matched case-insensitively)', async () => {
    const dir = join(tempDir(), 'site', 'cooking.stackexchange.com');
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
