// The rows of a Stack Exchange data dump: one row type and one column schema per file, and the
// conversion of attribute values (se-dump.reader.ts streams the files, se-dump.xml.ts turns
// their XML into rows).
//
// Conversion: integers become numbers, dates become Date (dump dates carry no zone and are UTC),
// TagBased/IsRequired/IsModeratorOnly become booleans, Posts.Tags becomes string[] (both the
// `|a|b|` and `<a><b>` spellings), and absent attributes are undefined. Attributes not listed in
// the schema below are ignored. Only `Id` is required; every other column may be absent.

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

export type ColumnType = 'int' | 'string' | 'date' | 'bool' | 'tags';

export const SCHEMAS: { readonly [K in DumpKind]: { readonly [A in keyof DumpRowMap[K]]-?: ColumnType } } = {
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
export const ROOT_ELEMENTS: { readonly [K in DumpKind]: string } = {
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
export class RowProblem extends Error {
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

export function convert(type: ColumnType, name: string, value: string): unknown {
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

export function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
