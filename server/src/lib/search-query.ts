// The search box's query language, parsed into a structured query (pure, no I/O).
//
//   free text            words, typo tolerant; the last one also matches as a prefix
//   "exact phrase"       every phrase must appear as written
//   [tag]  -[tag]        must / must not carry the tag
//   user:handle user:me  posts by that author (`me` is resolved by the caller)
//   is:question is:answer
//   score:N              score >= N (N may be negative)
//   answers:N            questions with at least N answers (answers:0 = exactly none)
//   isaccepted:yes|no    answers that are (not) the accepted one
//   hasaccepted:yes|no   posts whose question has (no) accepted answer
//   closed:yes|no
//   space:slug
//   created:2024  created:2024-01  created:2024-01-15  created:2024-01..2024-06
//   created:2024..  created:..2024-06     (ranges are inclusive of whole periods, in UTC)
//
// Unknown operators (`foo:bar`) are plain text. A known operator with a malformed value throws a
// ValidationError naming the operator, so the UI can say what is wrong instead of silently
// searching for something else.

/** What a search can be restricted to. */
export type PostType = 'question' | 'answer';
import { ValidationError } from './errors.js';

export type SearchChipKind =
  'phrase' | 'tag' | 'user' | 'is' | 'score' | 'answers' | 'isaccepted' | 'hasaccepted' | 'closed' | 'space' | 'created';

export interface SearchChip {
  kind: SearchChipKind;
  /** the normalised value, e.g. `c++` for `[C++]`, `>= 5` for `score:5` */
  value: string;
  negated?: boolean;
  /** the token as typed */
  raw: string;
}

export interface ParsedSearchQuery {
  terms: string[];
  phrases: string[];
  tags: string[];
  excludedTags: string[];
  /** author handles; `me` stays `me` for the caller to resolve */
  users: string[];
  type?: PostType;
  minScore?: number;
  answers?: number;
  isAccepted?: boolean;
  hasAccepted?: boolean;
  isClosed?: boolean;
  spaces: string[];
  /** epoch ms, inclusive */
  createdFrom?: number;
  /** epoch ms, exclusive */
  createdTo?: number;
  /** the recognised filters, in input order, for display */
  chips: SearchChip[];
}

/** the longest query we parse (longer input is a mistake or abuse) */
export const MAX_QUERY_LENGTH = 1000;

const TAG_RE = /^[a-z0-9.+#-]{1,35}$/;
const HANDLE_RE = /^[\p{L}\p{N}_.-]{1,64}$/u;
const SLUG_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const INT_RE = /^[+-]?\d{1,9}$/;
const OPERATORS = new Set(['user', 'is', 'score', 'answers', 'isaccepted', 'hasaccepted', 'closed', 'space', 'created']);

function invalid(message: string): never {
  throw new ValidationError(message, 'query');
}

/** Normalises and validates a tag name as written inside `[...]`. */
export function normaliseTag(raw: string): string {
  const tag = raw.trim().toLowerCase();
  if (!TAG_RE.test(tag)) {
    invalid(`[${raw}] is not a valid tag: use 1–35 characters among a–z, 0–9 and . + # -`);
  }
  return tag;
}

function parseYesNo(op: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  return invalid(`${op}: expects yes or no, not "${value}"`);
}

function parseInteger(op: string, value: string, min?: number): number {
  if (!INT_RE.test(value)) invalid(`${op}: expects a whole number, not "${value}"`);
  const n = Number.parseInt(value, 10);
  if (min !== undefined && n < min) invalid(`${op}: expects a number of at least ${min}, not "${value}"`);
  return n;
}

interface DateBound {
  start: number;
  /** exclusive end of the period the value names */
  end: number;
}

/** `2024`, `2024-01` or `2024-01-15` → the UTC period it names. */
function parseDatePeriod(value: string): DateBound | null {
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < 1970 || year > 9999) return null;
  if (m[2] === undefined) return { start: Date.UTC(year, 0, 1), end: Date.UTC(year + 1, 0, 1) };
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  if (m[3] === undefined) return { start: Date.UTC(year, month - 1, 1), end: Date.UTC(year, month, 1) };
  const day = Number(m[3]);
  const start = Date.UTC(year, month - 1, day);
  // reject 2024-02-30 and friends: the date must round-trip
  const d = new Date(start);
  if (day < 1 || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return { start, end: start + 86_400_000 };
}

function parseCreated(value: string): { from?: number; to?: number } {
  const bad = (): never =>
    invalid(`created: expects a date like 2024, 2024-01, 2024-01-15 or a range like 2024-01..2024-06, not "${value}"`);
  const dots = value.indexOf('..');
  if (dots === -1) {
    const p = parseDatePeriod(value) ?? bad();
    return { from: p.start, to: p.end };
  }
  const left = value.slice(0, dots);
  const right = value.slice(dots + 2);
  if (!left && !right) bad();
  const out: { from?: number; to?: number } = {};
  if (left) out.from = (parseDatePeriod(left) ?? bad()).start;
  if (right) out.to = (parseDatePeriod(right) ?? bad()).end;
  if (out.from !== undefined && out.to !== undefined && out.from >= out.to) {
    invalid(`created: the range "${value}" ends before it starts`);
  }
  return out;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Splits the input into raw tokens: quoted phrases, bracketed tags, and whitespace-separated words. */
function* scan(input: string): Generator<{ kind: 'phrase' | 'tag' | 'word'; text: string; negated: boolean; raw: string }> {
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i]!;
    if (/\s/u.test(c)) {
      i++;
      continue;
    }
    // -[tag]
    if (c === '-' && input[i + 1] === '[') {
      const close = input.indexOf(']', i + 2);
      if (close === -1) invalid(`the tag "${input.slice(i)}" is missing its closing ]`);
      const end = close;
      yield { kind: 'tag', text: input.slice(i + 2, end), negated: true, raw: input.slice(i, end + 1) };
      i = end + 1;
      continue;
    }
    if (c === '[') {
      const close = input.indexOf(']', i + 1);
      if (close === -1) invalid(`the tag "${input.slice(i)}" is missing its closing ]`);
      const end = close;
      yield { kind: 'tag', text: input.slice(i + 1, end), negated: false, raw: input.slice(i, end + 1) };
      i = end + 1;
      continue;
    }
    if (c === '"') {
      // an unterminated quote runs to the end of the input
      const close = input.indexOf('"', i + 1);
      const end = close === -1 ? n : close;
      yield { kind: 'phrase', text: input.slice(i + 1, end), negated: false, raw: input.slice(i, Math.min(end + 1, n)) };
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < n && !/\s/u.test(input[j]!) && input[j] !== '"' && input[j] !== '[') j++;
    // a word glued to a following `[` or `"` ends there (`foo[bar]` = `foo [bar]`)
    if (j === i) j++;
    const word = input.slice(i, j);
    yield { kind: 'word', text: word, negated: false, raw: word };
    i = j;
  }
}

/** Parses the query language. Throws ValidationError (field `query`) for malformed operator values. */
export function parseSearchQuery(input: string): ParsedSearchQuery {
  if (input.length > MAX_QUERY_LENGTH) invalid(`the query is too long (at most ${MAX_QUERY_LENGTH} characters)`);
  const out: ParsedSearchQuery = { terms: [], phrases: [], tags: [], excludedTags: [], users: [], spaces: [], chips: [] };

  for (const token of scan(input)) {
    if (token.kind === 'tag') {
      const tag = normaliseTag(token.text);
      const list = token.negated ? out.excludedTags : out.tags;
      if (!list.includes(tag)) list.push(tag);
      out.chips.push({ kind: 'tag', value: tag, ...(token.negated ? { negated: true } : {}), raw: token.raw });
      continue;
    }
    if (token.kind === 'phrase') {
      const phrase = token.text.trim().replace(/\s+/gu, ' ');
      if (phrase) {
        out.phrases.push(phrase);
        out.chips.push({ kind: 'phrase', value: phrase, raw: token.raw });
      }
      continue;
    }

    const word = token.text;
    const colon = word.indexOf(':');
    const op = colon > 0 ? word.slice(0, colon).toLowerCase() : '';
    if (!OPERATORS.has(op)) {
      out.terms.push(word);
      continue;
    }
    const value = word.slice(colon + 1);
    if (!value) invalid(`${op}: needs a value (e.g. ${example(op)})`);
    const raw = token.raw;
    switch (op) {
      case 'user': {
        if (!HANDLE_RE.test(value)) invalid(`user: "${value}" is not a valid user handle`);
        const handle = value.toLowerCase() === 'me' ? 'me' : value;
        if (!out.users.includes(handle)) out.users.push(handle);
        out.chips.push({ kind: 'user', value: handle, raw });
        break;
      }
      case 'is': {
        const v = value.toLowerCase();
        if (v !== 'question' && v !== 'answer') invalid(`is: expects question or answer, not "${value}"`);
        out.type = v;
        out.chips.push({ kind: 'is', value: v, raw });
        break;
      }
      case 'score': {
        out.minScore = parseInteger('score', value);
        out.chips.push({ kind: 'score', value: `>= ${out.minScore}`, raw });
        break;
      }
      case 'answers': {
        out.answers = parseInteger('answers', value, 0);
        out.chips.push({ kind: 'answers', value: out.answers === 0 ? '0' : `>= ${out.answers}`, raw });
        break;
      }
      case 'isaccepted':
        out.isAccepted = parseYesNo('isaccepted', value);
        out.chips.push({ kind: 'isaccepted', value: out.isAccepted ? 'yes' : 'no', raw });
        break;
      case 'hasaccepted':
        out.hasAccepted = parseYesNo('hasaccepted', value);
        out.chips.push({ kind: 'hasaccepted', value: out.hasAccepted ? 'yes' : 'no', raw });
        break;
      case 'closed':
        out.isClosed = parseYesNo('closed', value);
        out.chips.push({ kind: 'closed', value: out.isClosed ? 'yes' : 'no', raw });
        break;
      case 'space': {
        const slug = value.toLowerCase();
        if (!SLUG_RE.test(slug)) invalid(`space: "${value}" is not a valid space name`);
        if (!out.spaces.includes(slug)) out.spaces.push(slug);
        out.chips.push({ kind: 'space', value: slug, raw });
        break;
      }
      case 'created': {
        const range = parseCreated(value);
        // a later created: replaces an earlier one
        delete out.createdFrom;
        delete out.createdTo;
        if (range.from !== undefined) out.createdFrom = range.from;
        if (range.to !== undefined) out.createdTo = range.to;
        const from = range.from !== undefined ? isoDay(range.from) : '';
        // display the inclusive last day
        const to = range.to !== undefined ? isoDay(range.to - 1) : '';
        out.chips.push({ kind: 'created', value: `${from}..${to}`, raw });
        break;
      }
    }
  }
  return out;
}

function example(op: string): string {
  switch (op) {
    case 'user':
      return 'user:me';
    case 'is':
      return 'is:question';
    case 'score':
      return 'score:5';
    case 'answers':
      return 'answers:0';
    case 'space':
      return 'space:general';
    case 'created':
      return 'created:2024-01..2024-06';
    default:
      return `${op}:yes`;
  }
}
