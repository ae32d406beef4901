// The in-memory attribute cache
//
// Filters, sorts and facets need a few small attributes of every matching document. Reading them
// from SQLite costs about a microsecond per row, far too slow for queries matching most of the
// index, so each process keeps them in typed arrays indexed by rowid. The cache follows writes
// of every process through the `changes` log (rowids touched, in commit order) and reloads
// entirely when a reindex swaps in a new generation (see cache-refresh.ts).

import type { AttrRow } from './schema.js';

export const F_PRESENT = 1;
export const F_ANSWER = 2;
export const F_ANSWERED = 4;
export const F_HAS_ACCEPTED = 8;
export const F_ACCEPTED = 16;
export const F_CLOSED = 32;

/** Small integer ids for repeated strings (spaces, authors, tags). */
export class Interner {
  readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }
}

const NO_TAGS = new Int32Array(0);
/** rows the per-row arrays hold after a reset */
const INITIAL_CAPACITY = 1024;

export class AttributeCache {
  gen = '';
  seq = -1;
  maxRid = 0;
  flags = new Uint8Array(0);
  score = new Int32Array(0);
  answers = new Int32Array(0);
  created = new Float64Array(0);
  activity = new Float64Array(0);
  space = new Int32Array(0);
  author = new Int32Array(0);
  tags: Int32Array[] = [];
  /** documents per tag id (picks the most selective tag of a query) */
  tagDocs: number[] = [];
  readonly spaces = new Interner();
  readonly authors = new Interner();
  readonly tagNames = new Interner();

  /**
   * Empties the cache for a reload (of generation `gen`, up to change `seq`). Every per-row
   * column starts over at the initial capacity: a column carried over from a larger cache would
   * not fit in the new one.
   */
  reset(gen: string, seq: number): void {
    this.maxRid = 0;
    this.resize(INITIAL_CAPACITY, false);
    this.tags = [];
    this.tagDocs = [];
    this.gen = gen;
    this.seq = seq;
  }

  private grow(minCapacity: number): void {
    if (minCapacity < this.flags.length) return;
    this.resize(Math.max(minCapacity + 1, Math.ceil(this.flags.length * 1.5), INITIAL_CAPACITY), true);
  }

  /** Reallocates every per-row typed array at `cap` rows, keeping the rows or not. */
  private resize(cap: number, keep: boolean): void {
    const alloc = <T extends Uint8Array | Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(cap);
      if (keep) next.set(old);
      return next;
    };
    this.flags = alloc(this.flags, (n) => new Uint8Array(n));
    this.score = alloc(this.score, (n) => new Int32Array(n));
    this.answers = alloc(this.answers, (n) => new Int32Array(n));
    this.created = alloc(this.created, (n) => new Float64Array(n));
    this.activity = alloc(this.activity, (n) => new Float64Array(n));
    this.space = alloc(this.space, (n) => new Int32Array(n));
    this.author = alloc(this.author, (n) => new Int32Array(n));
  }

  set(row: AttrRow): void {
    const [rid, type, space, author, score, answers, answered, hasAccepted, accepted, closed, created, activity] = row;
    this.grow(rid);
    this.flags[rid] =
      F_PRESENT |
      (type === 'answer' ? F_ANSWER : 0) |
      (answered ? F_ANSWERED : 0) |
      (hasAccepted ? F_HAS_ACCEPTED : 0) |
      (accepted ? F_ACCEPTED : 0) |
      (closed ? F_CLOSED : 0);
    this.score[rid] = score;
    this.answers[rid] = answers;
    this.created[rid] = created;
    this.activity[rid] = activity;
    this.space[rid] = this.spaces.id(space);
    this.author[rid] = this.authors.id(author);
    if (rid > this.maxRid) this.maxRid = rid;
  }

  setTags(rid: number, tags: string | null): void {
    this.countTags(rid, -1);
    this.tags[rid] = tags ? Int32Array.from(tags.split(' '), (t) => this.tagNames.id(t)) : NO_TAGS;
    this.countTags(rid, 1);
  }

  delete(rid: number): void {
    if (rid < this.flags.length) this.flags[rid] = 0;
    this.countTags(rid, -1);
    this.tags[rid] = NO_TAGS;
  }

  private countTags(rid: number, delta: number): void {
    const tags = this.tags[rid];
    if (tags) for (const t of tags) this.tagDocs[t] = (this.tagDocs[t] ?? 0) + delta;
  }

  tagsOf(rid: number): Int32Array {
    return this.tags[rid] ?? NO_TAGS;
  }

  /** the number of documents carrying a tag (0 for a tag the cache has never seen) */
  tagCount(tag: string): number {
    const id = this.tagNames.ids.get(tag);
    return id === undefined ? 0 : (this.tagDocs[id] ?? 0);
  }
}
