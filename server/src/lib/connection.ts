// Relay connections over keyset cursors. `first`/`last` are 1..100; more is an error, never a
// silent clamp. Cursors encode the sort key and the id of the edge; they are opaque to clients.
import { Types } from 'mongoose';
import { ValidationError } from './errors.js';
import { op } from './mongo-ops.js';

export const MAX_PAGE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageWindow {
  limit: number;
  /** cursor to continue from (exclusive) */
  cursor: CursorValue | null;
  /** paging backwards (last/before): query in the inverse order, then reverse */
  backward: boolean;
}

export type CursorKey = string | number | boolean | Date | null;
export interface CursorValue {
  key: CursorKey;
  id: string;
}

export function encodeCursor(key: CursorKey, id: string): string {
  const k = key instanceof Date ? { d: key.getTime() } : key;
  return Buffer.from(JSON.stringify([k, id])).toString('base64url');
}

export function decodeCursor(cursor: string, field: string): CursorValue {
  try {
    const [k, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw new Error('bad id');
    let key: CursorKey;
    if (k !== null && typeof k === 'object' && typeof (k as { d?: unknown }).d === 'number') key = new Date((k as { d: number }).d);
    else if (k === null || ['string', 'number', 'boolean'].includes(typeof k)) key = k as CursorKey;
    else throw new Error('bad key');
    return { key, id };
  } catch {
    throw new ValidationError(`"${cursor.slice(0, 40)}" is not a valid cursor`, field);
  }
}

export function pageWindow(args: PageArgs, defaultSize = 20): PageWindow {
  const { first, last, after, before } = args;
  if (first != null && last != null) throw new ValidationError('pass either first or last, not both', 'first');
  for (const [name, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value != null && (!Number.isInteger(value) || value < 1 || value > MAX_PAGE)) {
      throw new ValidationError(`${name} must be between 1 and ${MAX_PAGE}`, name);
    }
  }
  if (last != null || (before != null && first == null)) {
    return { limit: last ?? defaultSize, cursor: before ? decodeCursor(before, 'before') : null, backward: true };
  }
  return { limit: first ?? defaultSize, cursor: after ? decodeCursor(after, 'after') : null, backward: false };
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount?: number | (() => Promise<number>);
}

/** Builds a connection from `limit + 1` rows fetched in the window's direction. */
export function toConnection<T>(rows: T[], window: PageWindow, cursorOf: (row: T) => string): Connection<T> {
  const more = rows.length > window.limit;
  const page = rows.slice(0, window.limit);
  if (window.backward) page.reverse();
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: window.backward ? window.cursor !== null : more,
      hasPreviousPage: window.backward ? more : window.cursor !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/**
 * MongoDB filter and sort for a keyset page over (field, _id). `direction` is the listing's
 * natural order; a backward window inverts it.
 */
export function keyset(
  field: string,
  direction: 1 | -1,
  window: PageWindow,
): { filter: Record<string, unknown>; sort: Record<string, 1 | -1> } {
  const dir = window.backward ? (-direction as 1 | -1) : direction;
  const sort: Record<string, 1 | -1> = field === '_id' ? { _id: dir } : { [field]: dir, _id: dir };
  if (!window.cursor) return { filter: {}, sort };
  const beyond = dir === -1 ? op.lt : op.gt;
  const id = toObjectIdOrString(window.cursor.id);
  if (field === '_id') return { filter: { _id: beyond(id) }, sort };
  return {
    filter: { $or: [{ [field]: beyond(window.cursor.key) }, { [field]: window.cursor.key, _id: beyond(id) }] },
    sort,
  };
}

function toObjectIdOrString(id: string): Types.ObjectId | string {
  return Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : id;
}
