// Candidate filtering on the attribute cache: a query's filters compiled to a predicate over
// rowids (one typed-array read per attribute), and the orders of the non-relevance sorts.

import { normalizeTagNames } from '../../../lib/tag-name.js';
import type { SearchQuery } from '../search.port.js';
import { F_ACCEPTED, F_ANSWER, F_CLOSED, F_HAS_ACCEPTED, F_PRESENT, type AttributeCache, type Interner } from './attributes.js';

export interface Filter {
  /** does the document pass every filter */
  keep: (rid: number) => boolean;
  /** the documents of the required tag carried by the fewest (the cheapest source of candidates), if any */
  candidates: Int32Array | null;
}

/**
 * Tag filters as rowid marks: one array read per candidate row. The arrays are reused across
 * queries (one query runs at a time); a fresh stamp per tag list replaces clearing them.
 */
export class TagMarks {
  required = new Int32Array(0);
  excluded = new Int32Array(0);
  stamp = 0;

  /** makes room for `stamps` new stamps over rowids below `size` (before a query uses any) */
  reserve(size: number, stamps: number): void {
    if (this.required.length < size || this.stamp + stamps >= 0x7fffffff) {
      this.required = new Int32Array(Math.max(size, Math.ceil(this.required.length * 1.25)));
      this.excluded = new Int32Array(this.required.length);
      this.stamp = 0;
    }
  }
}

/** the interned ids of a filter's values: null for no filter, 'none' when no value is known */
function idsOf(interner: Interner, values: readonly string[] | undefined): Set<number> | null | 'none' {
  if (!values || values.length === 0) return null;
  const set = new Set<number>();
  for (const v of values) {
    const id = interner.ids.get(v);
    if (id !== undefined) set.add(id);
  }
  return set.size > 0 ? set : 'none';
}

/** The flag test of the query's yes/no filters, `(flags & mask) === want`; null when contradictory. */
function flagTest(q: SearchQuery): { mask: number; want: number } | null {
  let mask = F_PRESENT;
  let want = F_PRESENT;
  const require = (bit: number, on: boolean) => {
    mask |= bit;
    if (on) want |= bit;
  };
  let type = q.type;
  // answers:N is about questions; isaccepted:yes|no is about answers (as on Stack Overflow)
  if (q.answers !== undefined) {
    if (type === 'answer') return null;
    type = 'question';
  }
  if (q.isAccepted !== undefined) {
    if (type === 'question') return null;
    type = 'answer';
    require(F_ACCEPTED, q.isAccepted);
  }
  if (type) require(F_ANSWER, type === 'answer');
  if (q.hasAccepted !== undefined) require(F_HAS_ACCEPTED, q.hasAccepted);
  if (q.isClosed !== undefined) require(F_CLOSED, q.isClosed);
  return { mask, want };
}

/**
 * A predicate over cached attributes for the query's filters; null when nothing can match.
 * `rowidsOfTag` reads the documents carrying a tag (ascending rowids).
 */
export function compileFilter(
  q: SearchQuery,
  a: AttributeCache,
  tagMarks: TagMarks,
  rowidsOfTag: (tag: string) => Int32Array,
): Filter | null {
  // required tags: the rarest one first (the cache counts each tag's documents)
  const requiredTags = normalizeTagNames(q.tags);
  requiredTags.sort((x, y) => a.tagCount(x) - a.tagCount(y));
  if (requiredTags.length > 0 && a.tagCount(requiredTags[0]!) <= 0) return null;
  const excludedTags = normalizeTagNames(q.excludedTags);
  const size = a.maxRid + 1;
  tagMarks.reserve(size, requiredTags.length + 1);
  const marks = tagMarks.required;
  const exMarks = tagMarks.excluded;
  let required = 0;
  let candidates: Int32Array | null = null;
  for (const tag of requiredTags) {
    const mark = ++tagMarks.stamp;
    const ids = rowidsOfTag(tag);
    candidates ??= ids;
    for (const rid of ids) if (rid < size && (required === 0 || marks[rid] === required)) marks[rid] = mark;
    required = mark;
  }
  let excluded = 0;
  for (const tag of excludedTags) {
    if (a.tagCount(tag) <= 0) continue;
    if (excluded === 0) excluded = ++tagMarks.stamp;
    for (const rid of rowidsOfTag(tag)) if (rid < size) exMarks[rid] = excluded;
  }
  const authors = idsOf(a.authors, q.authorIds);
  const spaces = idsOf(a.spaces, q.spaces);
  if (authors === 'none' || spaces === 'none') return null;
  const flags = flagTest(q);
  if (!flags) return null;
  const { mask, want } = flags;
  const answers = q.answers === undefined ? undefined : Math.max(0, Math.trunc(q.answers));
  const minScore = q.minScore === undefined ? undefined : Math.trunc(q.minScore);
  const from = q.createdFrom;
  const to = q.createdTo;

  const keep = (rid: number): boolean => {
    if ((a.flags[rid]! & mask) !== want) return false;
    if (minScore !== undefined && a.score[rid]! < minScore) return false;
    if (answers !== undefined && (answers === 0 ? a.answers[rid]! !== 0 : a.answers[rid]! < answers)) return false;
    if (from !== undefined && a.created[rid]! < from) return false;
    if (to !== undefined && a.created[rid]! >= to) return false;
    if (spaces && !spaces.has(a.space[rid]!)) return false;
    if (authors && !authors.has(a.author[rid]!)) return false;
    if (required !== 0 && marks[rid] !== required) return false;
    if (excluded !== 0 && exMarks[rid] === excluded) return false;
    return true;
  };
  return { keep, candidates };
}

/** the tiebreak after bm25 (and the order of relevance without text): score, then newest */
export function byVotes(s: AttributeCache): (a: number, b: number) => number {
  return (a, b) => s.score[b]! - s.score[a]! || s.created[b]! - s.created[a]! || b - a;
}

/** "a ranks before b" for the non-relevance orders (and relevance without text) */
export function comparator(sort: SearchQuery['sort'], s: AttributeCache): (a: number, b: number) => number {
  switch (sort) {
    case 'newest':
      return (a, b) => s.created[b]! - s.created[a]! || b - a;
    case 'activity':
      return (a, b) => s.activity[b]! - s.activity[a]! || b - a;
    case 'votes':
    case 'relevance':
    default:
      return byVotes(s);
  }
}
