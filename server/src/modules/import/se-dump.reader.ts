// Streaming reader for Stack Exchange data dumps (phase 1 of the importer: reading only; mapping
// the rows into Colloquy's database is se-import.service.ts).
//
// A dump is a folder of eight XML files (Posts.xml, Users.xml, …). Each holds one root element
// (<posts>, <users>, …) containing self-closing <row … /> elements whose attributes are the
// columns. The files can be many gigabytes, so they are never read whole: the file is streamed in
// chunks through saxes (se-dump.xml.ts), every completed row is converted to a typed object
// (se-dump.schema.ts: the row types and how values are converted), and the rows completed
// within one chunk form a batch that is handed to the caller before the next chunk is read. Memory
// is therefore bounded by one chunk (`chunkSize`) plus its rows, whatever the file size.
//
// Errors: malformed XML (truncated file, unclosed tag, garbage, invalid UTF-8), a missing or
// unexpected root element, a <row> without Id, or an attribute whose value does not have its
// column's type reject with a DumpFormatError naming the file and line ("Posts.xml line 1234: …").
// A row reaches the caller only once it is complete and valid; the rows before the error have
// been handed over (rows stream), the broken row and everything after it never are.

import { createReadStream, type ReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DUMP_KINDS, DumpFormatError, type DumpKind, type DumpRowMap } from './se-dump.schema.js';
import { DumpRowParser, type DumpRowAt } from './se-dump.xml.js';

export {
  DUMP_KINDS,
  DumpFormatError,
  parseDumpDate,
  parseTags,
  type BadgeRow,
  type CommentRow,
  type DumpKind,
  type DumpRow,
  type DumpRowMap,
  type PostHistoryRow,
  type PostLinkRow,
  type PostRow,
  type TagRow,
  type UserRow,
  type VoteRow,
} from './se-dump.schema.js';
export type { DumpRowAt } from './se-dump.xml.js';

// ---------------------------------------------------------------------------------------------
// UTF-8 validation (only used to locate the bad bytes once the strict decoder has refused a chunk)

/** Index of the first byte that cannot start or continue valid UTF-8; -1 if none (a sequence cut
 * off by the end of `bytes` is not an error: the rest comes with the next chunk). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) min = 0xa0;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) min = 0x90;
      if (b === 0xf4) max = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return -1;
      const c = bytes[i + k]!;
      if (k === 1 ? c < min || c > max : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** The trailing bytes of `bytes` that start a UTF-8 sequence not yet complete. */
function incompleteTail(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if (b < 0x80) return bytes.subarray(bytes.length);
    if (b >= 0xc0) {
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return len > back ? bytes.subarray(bytes.length - back) : bytes.subarray(bytes.length);
    }
  }
  return bytes.subarray(bytes.length);
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface ReadDumpOptions {
  /** Called after each chunk has been parsed (before its rows are handed out) and once at the
   * end: bytes consumed so far, the file's size, rows parsed so far. */
  onProgress?(bytesRead: number, totalBytes: number, rows: number): void;
  /** Aborting stops reading; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Bytes read per chunk (the stream's highWaterMark); a batch is the rows completed within one
   * chunk. Default 64 KiB. */
  chunkSize?: number;
}

const DEFAULT_CHUNK = 64 * 1024;

/**
 * Streams the file and yields the rows completed within each chunk as one batch. The next chunk is
 * not read until the consumer asks for the next batch, so a slow consumer pauses the file stream.
 * Rows preceding a format error are yielded before the error is thrown.
 */
async function* readBatches<K extends DumpKind>(
  path: string,
  kind: K,
  options: ReadDumpOptions = {},
): AsyncGenerator<DumpRowAt<DumpRowMap[K]>[], number> {
  const rows = new DumpRowParser(basename(path), kind);
  const { signal, onProgress } = options;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  signal?.throwIfAborted();

  const totalBytes = (await stat(path)).size;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let carry: Uint8Array = new Uint8Array(0); // bytes of a UTF-8 sequence split across chunks
  let bytesRead = 0;
  let stream: ReadStream | undefined;

  try {
    stream = createReadStream(path, { highWaterMark: chunkSize, signal });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      bytesRead += chunk.length;
      let text: string;
      let failure: DumpFormatError | null = null;
      try {
        text = decoder.decode(chunk, { stream: true });
        // a split sequence is at most 3 bytes, so a chunk of 3+ bytes holds its own tail
        carry = incompleteTail(chunk.length >= 3 || carry.length === 0 ? chunk : concatBytes(carry, chunk));
      } catch {
        // locate the bad bytes, parse what precedes them so the position is right, then fail
        const joined = concatBytes(carry, chunk);
        const bad = firstInvalidUtf8(joined);
        const valid = joined.subarray(0, bad < 0 ? joined.length : bad);
        failure = rows.feed(new TextDecoder('utf-8').decode(valid));
        failure ??= rows.errorHere(`invalid UTF-8 byte sequence at byte ${bytesRead - chunk.length - carry.length + Math.max(bad, 0)}`);
        text = '';
      }
      failure ??= rows.feed(text);
      onProgress?.(bytesRead, totalBytes, rows.rows);
      const batch = rows.takeRows();
      if (batch.length > 0) yield batch;
      if (failure) throw failure;
    }
    signal?.throwIfAborted();
    let failure: DumpFormatError | null;
    try {
      failure = rows.feed(decoder.decode());
    } catch {
      failure = rows.errorHere('the file ends inside a UTF-8 byte sequence');
    }
    failure ??= rows.end();
    onProgress?.(bytesRead, totalBytes, rows.rows);
    const batch = rows.takeRows();
    if (batch.length > 0) yield batch;
    if (failure) throw failure;
    return rows.rows;
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  } finally {
    stream?.destroy();
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Streams one dump file and hands each complete, valid row to `onRow` in file order. An async
 * `onRow` is awaited before the next row is handed over, and no more of the file is read while it
 * runs. Resolves with the number of rows handed over; rejects with a DumpFormatError for a
 * malformed file, with whatever `onRow` throws, or with the signal's reason when aborted.
 */
export async function readDumpFile<K extends DumpKind, T extends DumpRowMap[K] = DumpRowMap[K]>(
  path: string,
  kind: K,
  onRow: (row: T, line: number) => void | Promise<void>,
  options: ReadDumpOptions = {},
): Promise<{ rows: number }> {
  const { signal } = options;
  let rows = 0;
  for await (const batch of readBatches(path, kind, options)) {
    for (const { row, line } of batch) {
      signal?.throwIfAborted();
      const pending = onRow(row as T, line);
      if (pending !== undefined) await pending;
      rows++;
    }
  }
  return { rows };
}

/**
 * The same rows as an async iterator: `for await (const { row, line } of iterateDumpFile(p, 'Posts'))`.
 * Rows are parsed one chunk (batch) ahead of the consumer at most; breaking out of the loop closes
 * the file.
 */
export async function* iterateDumpFile<K extends DumpKind>(
  path: string,
  kind: K,
  options: ReadDumpOptions = {},
): AsyncGenerator<DumpRowAt<DumpRowMap[K]>, { rows: number }> {
  let rows = 0;
  for await (const batch of readBatches(path, kind, options)) {
    for (const item of batch) {
      options.signal?.throwIfAborted();
      yield item;
      rows++;
    }
  }
  return { rows };
}

// ---------------------------------------------------------------------------------------------
// The dump folder

export interface DumpFileInfo {
  kind: DumpKind;
  /** e.g. "Posts.xml" */
  fileName: string;
  /** absolute path (as found: the name's case may differ from fileName) */
  path: string;
  exists: boolean;
  /** size in bytes; 0 when absent */
  bytes: number;
}

/** The eight dump files of `dir` (in DUMP_KINDS order), whether each exists, and its size.
 * File names are matched case-insensitively (some archives spell them posts.xml). */
export async function dumpFiles(dir: string): Promise<DumpFileInfo[]> {
  const root = resolve(dir);
  const entries = await readdir(root);
  const byLower = new Map(entries.map((name) => [name.toLowerCase(), name]));
  return Promise.all(
    DUMP_KINDS.map(async (kind): Promise<DumpFileInfo> => {
      const fileName = `${kind}.xml`;
      const actual = byLower.get(fileName.toLowerCase());
      const path = join(root, actual ?? fileName);
      if (actual === undefined) return { kind, fileName, path, exists: false, bytes: 0 };
      const info = await stat(path);
      return info.isFile() ? { kind, fileName, path, exists: true, bytes: info.size } : { kind, fileName, path, exists: false, bytes: 0 };
    }),
  );
}

const HOST_RE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;

/**
 * The site a dump folder belongs to, from the folder's name: `…/ai.stackexchange.com` →
 * "ai.stackexchange.com" (a trailing ".7z" is tolerated). Used for attribution links such as
 * https://ai.stackexchange.com/q/123. Null when the name is not a host name.
 */
export function siteFromDir(dir: string): string | null {
  const name = basename(resolve(dir)).toLowerCase().replace(/\.7z$/, '');
  return HOST_RE.test(name) ? name : null;
}
