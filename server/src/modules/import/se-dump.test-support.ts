// Fixtures shared by the dump reader's tests (se-dump.*.test.ts): where the real dump is,
// temporary dump files, synthetic rows, a whole file read into arrays. No test framework here:
// only *.test.ts files are left out of the server build, so this one is compiled with it and
// asserts with node:assert.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DumpFormatError, readDumpFile, type DumpKind, type DumpRowMap, type ReadDumpOptions } from './se-dump.reader.js';

// ---------------------------------------------------------------------------------------------
// Where the real dump is (read-only, never copied into the repository)

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const DUMP_DIR = resolve(
  process.env.STACKEXCHANGE_DUMP_DIR || join(repoRoot, '..', 'shared', 'data', 'stackexchange', 'ai.stackexchange.com'),
);

// ---------------------------------------------------------------------------------------------
// Temporary files

let tmp: string | null = null;
let fileCounter = 0;

/** The test file's temporary folder, created on first use (`afterAll(removeTempDir)`). */
export function tempDir(): string {
  tmp ??= mkdtempSync(join(tmpdir(), 'colloquy-se-dump-'));
  return tmp;
}

export function removeTempDir(): void {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}

/** Writes `content` as <tmp>/<n>/<name> (the name matters: errors quote it). */
export function writeTemp(name: string, content: string | Buffer): string {
  const dir = join(tempDir(), String(++fileCounter));
  mkdirp(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export function mkdirp(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

// ---------------------------------------------------------------------------------------------
// Dump files and rows

/** A dump file like the real ones: BOM, XML declaration on line 1, the root on line 2, one row per
 * line from line 3 on (so the row at index i is on line i + 3), CRLF line ends. */
export function dumpXml(root: string, rows: readonly string[], { close = true } = {}): string {
  return `\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<${root}>\r\n${rows.map((r) => `  ${r}\r\n`).join('')}${close ? `</${root}>\r\n` : ''}`;
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Synthetic posts: ids 1..n on lines 3..n+2, with non-ASCII text and entities. */
export function syntheticPosts(n: number): string[] {
  return range(1, n).map(
    (id) =>
      `<row Id="${id}" PostTypeId="${id % 3 === 0 ? 2 : 1}" CreationDate="2020-01-0${(id % 9) + 1}T10:00:0${id % 10}.${String(id % 1000).padStart(3, '0')}" ` +
      `Score="${(id % 7) - 3}" Body="&lt;p&gt;café 日本語 😀 #${id} &amp; more&lt;/p&gt;&#xA;" Title="Q ${id} — ünïcode" Tags="|tag-${id % 5}|c#|" />`,
  );
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface Collected<K extends DumpKind> {
  rows: DumpRowMap[K][];
  lines: number[];
  result?: { rows: number };
  error?: unknown;
}

/** Every row of the file and its line; the result, or the error reading stopped with. */
export async function collect<K extends DumpKind>(path: string, kind: K, options?: ReadDumpOptions): Promise<Collected<K>> {
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

/** Asserts that `error` is a DumpFormatError at this file and line whose reason matches. */
export function expectFormatError(error: unknown, file: string, line: number, reason: RegExp): DumpFormatError {
  assert.ok(error instanceof DumpFormatError, `expected a DumpFormatError, got ${String(error)}`);
  const e = error;
  assert.equal(e.name, 'DumpFormatError');
  assert.equal(e.file, file);
  assert.equal(e.line, line);
  assert.ok(e.column >= 1, `column ${e.column} ≥ 1`);
  assert.ok(e.message.startsWith(`${file} line ${line}: `), `"${e.message}" starts with "${file} line ${line}: "`);
  assert.match(e.reason, reason);
  return e;
}
