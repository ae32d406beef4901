// Streaming reader for Stack Exchange data dumps (phase 1 of the importer: reading only; mapping
// the rows into Colloquy's database comes later).
//
// A dump is a folder of eight XML files (Posts.xml, Users.xml, …). Each holds one root element
// (<posts>, <users>, …) containing self-closing <row … /> elements whose attributes are the
// columns. The files can be many gigabytes, so they are never read whole: the file is streamed in
// chunks through saxes, every completed row is converted to a typed object, and the rows completed
// within one chunk form a batch that is handed to the caller before the next chunk is read. Memory
// is therefore bounded by one chunk (`chunkSize`) plus its rows, whatever the file size.
//
// Conversion: integers become numbers, dates become Date (dump dates carry no zone and are UTC),
// TagBased/IsRequired/IsModeratorOnly become booleans, Posts.Tags becomes string[] (both the
// `|a|b|` and `<a><b>` spellings), and absent attributes are undefined. Attributes not listed in
// the schema below are ignored. Only `Id` is required; every other column may be absent.
//
// Errors: malformed XML (truncated file, unclosed tag, garbage, invalid UTF-8), a missing or
// unexpected root element, a <row> without Id, or an attribute whose value does not have its
// column's type reject with a DumpFormatError naming the file and line ("Posts.xml line 1234: …").
// A row reaches the caller only once it is complete and valid; the rows before the error have
// been handed over (rows stream), the broken row and everything after it never are.

import { createReadStream, type ReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { SaxesParser } from 'saxes';

// ---------------------------------------------------------------------------------------------
// Row types (attribute names exactly as in the dump)

export interface PostRow {
  Id: number;
  /** 1 question, 2 answer, 3 orphaned tag wiki, 4 tag wiki excerpt, 5 tag wiki, 6 moderator
   * nomination, 7 wiki placeholder (site description), 8 privilege wiki, … */
  PostTypeId?: number;
  /** questions only */
  AcceptedAnswerId?: number;
  /** answers only: the question's Id */
  ParentId?: number;
  CreationDate?: Date;
  DeletionDate?: Date;
  Score?: number;
  ViewCount?: number;
  /** HTML */
  Body?: string;
  OwnerUserId?: number;
  /** set when the owner is a deleted/anonymous user */
  OwnerDisplayName?: string;
  LastEditorUserId?: number;
  LastEditorDisplayName?: string;
  LastEditDate?: Date;
  LastActivityDate?: Date;
  Title?: string;
  /** parsed from `|a|b|` or `<a><b>` */
  Tags?: string[];
  AnswerCount?: number;
  CommentCount?: number;
  FavoriteCount?: number;
  ClosedDate?: Date;
  CommunityOwnedDate?: Date;
  /** e.g. "CC BY-SA 4.0" (newer dumps) */
  ContentLicense?: string;
}

export interface PostHistoryRow {
  Id: number;
  /** 1 initial title, 2 initial body, 3 initial tags, 4 edit title, 5 edit body, 6 edit tags,
   * 10 closed, 11 reopened, 12 deleted, … */
  PostHistoryTypeId?: number;
  PostId?: number;
  /** shared by the history rows written by one action */
  RevisionGUID?: string;
  CreationDate?: Date;
  UserId?: number;
  UserDisplayName?: string;
  /** the edit summary */
  Comment?: string;
  /** the new value (raw: for tag edits it is still `<a><b>`/`|a|b|`; see parseTags) */
  Text?: string;
  ContentLicense?: string;
}

export interface CommentRow {
  Id: number;
  PostId?: number;
  Score?: number;
  Text?: string;
  CreationDate?: Date;
  UserId?: number;
  UserDisplayName?: string;
  ContentLicense?: string;
}

export interface VoteRow {
  Id: number;
  PostId?: number;
  /** 1 accept, 2 up, 3 down, 5 favorite, 8 bounty start, 9 bounty close, 10 deletion, … */
  VoteTypeId?: number;
  /** only for favorites and bounties */
  UserId?: number;
  /** dump dates of votes are truncated to the day */
  CreationDate?: Date;
  BountyAmount?: number;
}

export interface PostLinkRow {
  Id: number;
  CreationDate?: Date;
  PostId?: number;
  RelatedPostId?: number;
  /** 1 linked, 3 duplicate */
  LinkTypeId?: number;
}

export interface TagRow {
  Id: number;
  TagName?: string;
  Count?: number;
  ExcerptPostId?: number;
  WikiPostId?: number;
  IsModeratorOnly?: boolean;
  IsRequired?: boolean;
}

export interface UserRow {
  Id: number;
  Reputation?: number;
  CreationDate?: Date;
  DisplayName?: string;
  LastAccessDate?: Date;
  WebsiteUrl?: string;
  Location?: string;
  /** HTML */
  AboutMe?: string;
  Views?: number;
  UpVotes?: number;
  DownVotes?: number;
  ProfileImageUrl?: string;
  /** older dumps only */
  EmailHash?: string;
  /** older dumps only */
  Age?: number;
  /** the network-wide account */
  AccountId?: number;
}

export interface BadgeRow {
  Id: number;
  UserId?: number;
  Name?: string;
  Date?: Date;
  /** 1 gold, 2 silver, 3 bronze */
  Class?: number;
  TagBased?: boolean;
}

export interface DumpRowMap {
  Badges: BadgeRow;
  Comments: CommentRow;
  PostHistory: PostHistoryRow;
  PostLinks: PostLinkRow;
  Posts: PostRow;
  Tags: TagRow;
  Users: UserRow;
  Votes: VoteRow;
}

export type DumpKind = keyof DumpRowMap;
export type DumpRow = DumpRowMap[DumpKind];

/** The eight files, in an order in which each one's references point at files read earlier. */
export const DUMP_KINDS: readonly DumpKind[] = ['Users', 'Posts', 'Tags', 'PostHistory', 'PostLinks', 'Comments', 'Votes', 'Badges'];

type ColumnType = 'int' | 'string' | 'date' | 'bool' | 'tags';

const SCHEMAS: { readonly [K in DumpKind]: { readonly [A in keyof DumpRowMap[K]]-?: ColumnType } } = {
  Posts: {
    Id: 'int',
    PostTypeId: 'int',
    AcceptedAnswerId: 'int',
    ParentId: 'int',
    CreationDate: 'date',
    DeletionDate: 'date',
    Score: 'int',
    ViewCount: 'int',
    Body: 'string',
    OwnerUserId: 'int',
    OwnerDisplayName: 'string',
    LastEditorUserId: 'int',
    LastEditorDisplayName: 'string',
    LastEditDate: 'date',
    LastActivityDate: 'date',
    Title: 'string',
    Tags: 'tags',
    AnswerCount: 'int',
    CommentCount: 'int',
    FavoriteCount: 'int',
    ClosedDate: 'date',
    CommunityOwnedDate: 'date',
    ContentLicense: 'string',
  },
  PostHistory: {
    Id: 'int',
    PostHistoryTypeId: 'int',
    PostId: 'int',
    RevisionGUID: 'string',
    CreationDate: 'date',
    UserId: 'int',
    UserDisplayName: 'string',
    Comment: 'string',
    Text: 'string',
    ContentLicense: 'string',
  },
  Comments: {
    Id: 'int',
    PostId: 'int',
    Score: 'int',
    Text: 'string',
    CreationDate: 'date',
    UserId: 'int',
    UserDisplayName: 'string',
    ContentLicense: 'string',
  },
  Votes: {
    Id: 'int',
    PostId: 'int',
    VoteTypeId: 'int',
    UserId: 'int',
    CreationDate: 'date',
    BountyAmount: 'int',
  },
  PostLinks: {
    Id: 'int',
    CreationDate: 'date',
    PostId: 'int',
    RelatedPostId: 'int',
    LinkTypeId: 'int',
  },
  Tags: {
    Id: 'int',
    TagName: 'string',
    Count: 'int',
    ExcerptPostId: 'int',
    WikiPostId: 'int',
    IsModeratorOnly: 'bool',
    IsRequired: 'bool',
  },
  Users: {
    Id: 'int',
    Reputation: 'int',
    CreationDate: 'date',
    DisplayName: 'string',
    LastAccessDate: 'date',
    WebsiteUrl: 'string',
    Location: 'string',
    AboutMe: 'string',
    Views: 'int',
    UpVotes: 'int',
    DownVotes: 'int',
    ProfileImageUrl: 'string',
    EmailHash: 'string',
    Age: 'int',
    AccountId: 'int',
  },
  Badges: {
    Id: 'int',
    UserId: 'int',
    Name: 'string',
    Date: 'date',
    Class: 'int',
    TagBased: 'bool',
  },
};

/** The root element of each file: <posts>, <posthistory>, … */
const ROOT_ELEMENTS: { readonly [K in DumpKind]: string } = {
  Badges: 'badges',
  Comments: 'comments',
  PostHistory: 'posthistory',
  PostLinks: 'postlinks',
  Posts: 'posts',
  Tags: 'tags',
  Users: 'users',
  Votes: 'votes',
};

// ---------------------------------------------------------------------------------------------
// Errors

/** The dump file is not what a Stack Exchange dump file must be. */
export class DumpFormatError extends Error {
  override readonly name = 'DumpFormatError';
  /**
   * @param file   the file's name, e.g. "Posts.xml"
   * @param line   1-based line of the problem
   * @param column 1-based column at which the problem was detected
   * @param reason what is wrong, without the location
   */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file} line ${line}: ${reason} (column ${column})`);
  }
}

/** Thrown inside the saxes callbacks; turned into a DumpFormatError with the parser's position
 * (or, for problems of the row as a whole, the position of the row's start). */
class RowProblem extends Error {
  constructor(
    message: string,
    /** parser: the parser's position; row: the current <row>'s start; tag: the latest start tag's start */
    readonly at: 'parser' | 'row' | 'tag' | { line: number; column: number } = 'parser',
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Value conversion

const INT_RE = /^[+-]?\d{1,16}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/;

/** Parses a dump date. Dates without a zone (all of them in real dumps) are UTC. */
export function parseDumpDate(value: string): Date | null {
  const m = DATE_RE.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  const utc = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Date.UTC rolls over out-of-range parts (Feb 30 → Mar 2); a real date survives the round trip
  if (
    utc.getUTCFullYear() !== year ||
    utc.getUTCMonth() !== month - 1 ||
    utc.getUTCDate() !== day ||
    utc.getUTCHours() !== hour ||
    utc.getUTCMinutes() !== minute ||
    utc.getUTCSeconds() !== second
  ) {
    return null;
  }
  if (sign !== undefined) {
    const offsetMinutes = (Number(oh) * 60 + Number(om)) * (sign === '-' ? -1 : 1);
    if (Number(oh) > 23 || Number(om) > 59) return null;
    utc.setTime(utc.getTime() - offsetMinutes * 60_000);
  }
  return utc;
}

/**
 * Splits a tag list as stored in the dump: `|a|b|` (newer dumps) or `<a><b>` (older dumps, and
 * PostHistory texts). The empty string is no tags. Returns null for anything else.
 */
export function parseTags(value: string): string[] | null {
  if (value === '') return [];
  if (value.startsWith('|')) {
    if (!/^\|(?:[^|]+\|)+$/.test(value)) return null;
    return value.slice(1, -1).split('|');
  }
  if (value.startsWith('<')) {
    if (!/^(?:<[^<>]+>)+$/.test(value)) return null;
    return value.slice(1, -1).split('><');
  }
  return null;
}

function convert(type: ColumnType, name: string, value: string): unknown {
  switch (type) {
    case 'string':
      return value;
    case 'int': {
      const n = INT_RE.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) throw new RowProblem(`attribute ${name}="${clip(value)}" is not an integer`);
      return n;
    }
    case 'date': {
      const date = parseDumpDate(value);
      if (!date) throw new RowProblem(`attribute ${name}="${clip(value)}" is not a date (expected 2016-08-02T15:39:14.947)`);
      return date;
    }
    case 'bool': {
      const lower = value.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      throw new RowProblem(`attribute ${name}="${clip(value)}" is not a boolean (expected True or False)`);
    }
    case 'tags': {
      const tags = parseTags(value);
      if (!tags) throw new RowProblem(`attribute ${name}="${clip(value)}" is not a tag list (expected |a|b| or <a><b>)`);
      return tags;
    }
  }
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

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

export interface DumpRowAt<T> {
  row: T;
  /** 1-based line on which the row's `<row` starts */
  line: number;
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
  const schema = SCHEMAS[kind] as Readonly<Record<string, ColumnType>> | undefined;
  if (!schema) throw new TypeError(`Unknown dump file kind "${String(kind)}"; expected one of ${DUMP_KINDS.join(', ')}`);
  const rootName = ROOT_ELEMENTS[kind];
  const file = basename(path);
  const { signal, onProgress } = options;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  signal?.throwIfAborted();

  const totalBytes = (await stat(path)).size;
  const parser = new SaxesParser({ position: true });
  let depth = 0; // elements currently open
  let sawRoot = false;
  let current: Record<string, unknown> | null = null; // the <row> being read
  let rowLine = 0; // where the current <row> starts
  let rowColumn = 0;
  let tagLine = 0; // where the latest start tag starts
  let tagColumn = 0;
  let batch: DumpRowAt<DumpRowMap[K]>[] = [];
  let parsedRows = 0;

  parser.on('opentagstart', (tag) => {
    tagLine = parser.line;
    // saxes has read "<name" plus the character ending the name
    tagColumn = Math.max(1, parser.column - tag.name.length - 1);
    if (depth === 0) {
      if (sawRoot) return; // saxes reports the second root itself
      sawRoot = true;
      if (tag.name !== rootName) {
        throw new RowProblem(`expected the root element <${rootName}> of ${kind}.xml, found <${tag.name}>`, 'tag');
      }
    } else if (depth === 1) {
      if (tag.name !== 'row') throw new RowProblem(`unexpected element <${tag.name}> in <${rootName}> (expected <row>)`, 'tag');
      current = {};
      rowLine = tagLine;
      rowColumn = tagColumn;
    } else {
      const hint = tag.name === 'row' ? ` (the <row> of line ${rowLine} is not closed with "/>")` : '';
      throw new RowProblem(`unexpected element <${tag.name}> inside <row>${hint}`, 'tag');
    }
  });
  parser.on('attribute', ({ name, value }) => {
    if (current === null) return; // attributes of the root element
    if (!Object.hasOwn(schema, name)) return; // columns this reader does not know are ignored
    current[name] = convert(schema[name]!, name, value);
  });
  parser.on('opentag', () => {
    if (current !== null && depth === 1 && current.Id === undefined) {
      throw new RowProblem('<row> has no Id attribute', 'row');
    }
    depth++;
  });
  parser.on('closetag', () => {
    depth--;
    if (depth === 1 && current !== null) {
      batch.push({ row: current as unknown as DumpRowMap[K], line: rowLine });
      parsedRows++;
      current = null;
    }
  });
  parser.on('text', (text) => {
    if (depth === 0) return; // saxes itself rejects text outside the root element
    const start = text.search(/\S/);
    if (start < 0) return;
    // saxes reports text once it reaches the next "<": point back at where the text begins
    const after = text.slice(start).match(/\r\n|\r|\n/g)?.length ?? 0;
    const lastBreak = Math.max(text.lastIndexOf('\n', start), text.lastIndexOf('\r', start));
    const column = lastBreak >= 0 ? start - lastBreak : Math.max(1, parser.column - text.length);
    throw new RowProblem(`unexpected text "${clip(text.trim())}" ${depth === 1 ? `in <${rootName}>` : 'inside <row>'}`, {
      line: parser.line - after,
      column,
    });
  });

  const formatError = (err: unknown): DumpFormatError => {
    if (err instanceof DumpFormatError) return err;
    if (err instanceof RowProblem) {
      if (err.at === 'row') return new DumpFormatError(file, rowLine, rowColumn, err.message);
      if (err.at === 'tag') return new DumpFormatError(file, tagLine, tagColumn, err.message);
      if (err.at === 'parser') return new DumpFormatError(file, parser.line, parser.column + 1, err.message);
      return new DumpFormatError(file, err.at.line, err.at.column, err.message);
    }
    if (err instanceof Error) {
      // saxes: "<line>:<column>: <message>" (column 0-based)
      const reason = err.message.replace(/^\d+:\d+: /, '');
      return new DumpFormatError(file, parser.line, parser.column + 1, `malformed XML: ${reason}`);
    }
    return new DumpFormatError(file, parser.line, parser.column + 1, `malformed XML: ${String(err)}`);
  };

  /** Feeds text to the parser; returns the format error it raised, if any. */
  const feed = (text: string | null): DumpFormatError | null => {
    try {
      if (text === null) parser.close();
      else if (text !== '') parser.write(text);
      return null;
    } catch (err) {
      return formatError(err);
    }
  };

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
        failure = feed(new TextDecoder('utf-8').decode(valid));
        failure ??= new DumpFormatError(
          file,
          parser.line,
          parser.column + 1,
          `invalid UTF-8 byte sequence at byte ${bytesRead - chunk.length - carry.length + Math.max(bad, 0)}`,
        );
        text = '';
      }
      failure ??= feed(text);
      onProgress?.(bytesRead, totalBytes, parsedRows);
      if (batch.length > 0) {
        const out = batch;
        batch = [];
        yield out;
      }
      if (failure) throw failure;
    }
    signal?.throwIfAborted();
    let failure: DumpFormatError | null = null;
    try {
      failure = feed(decoder.decode());
    } catch {
      failure = new DumpFormatError(file, parser.line, parser.column + 1, 'the file ends inside a UTF-8 byte sequence');
    }
    if (!failure) {
      // say what an unexpected end means before saxes' generic "unclosed tag"
      if (current !== null) {
        failure = new DumpFormatError(file, parser.line, parser.column + 1, 'the file ends inside a <row> (truncated file?)');
      } else if (depth > 0) {
        failure = new DumpFormatError(file, parser.line, parser.column + 1, `the file ends before </${rootName}> (truncated file?)`);
      }
    }
    failure ??= feed(null);
    if (!failure && !sawRoot) failure = new DumpFormatError(file, parser.line, parser.column + 1, 'the document has no root element');
    onProgress?.(bytesRead, totalBytes, parsedRows);
    if (batch.length > 0) {
      const out = batch;
      batch = [];
      yield out;
    }
    if (failure) throw failure;
    return parsedRows;
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
