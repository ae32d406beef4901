// Precomputed question listings in Redis, for databases that cannot answer a sorted, filtered
// page from an index (FerretDB 1.x scans the whole collection for any filter but `{_id: value}`;
// see ARCHITECTURE.md, "hot reads by id or precomputed"). On real MongoDB the listings are off and
// pages come from the compound indexes declared on the posts.
//
// One sorted set per scope and order. Every member has score 0 and is `<sort key>:<id>`, so the
// set's lexical order is the listing's (sort key, then id — the keyset order of the database
// path) and a cursor is an exclusive lexical bound: exact keyset paging, never a skip.
//   scopes   all | s:<spaceId> | t:<tag>      orders  new (createdAt) act (lastActivityAt) top (score)
//            u:<authorId> (newest only)               una (unanswered, by createdAt)
//            ua:<authorId> (a member's answers, newest only: the profile's answers list)
// Each question's state (`q:<id>` = "<version>|<its members as JSON>") lets one Lua call replace
// its old members with new ones atomically; an older version never overwrites a newer one. An
// answer's state (`a:<id>`) does the same for its one member. Answers have a ready flag of their
// own (`answers:ready`): the sweep re-syncs questions only, a full rebuild both.
//
// Consistency: every write's postsChanged event syncs the listings in-process (after the database
// write), the worker's search sweep re-syncs every question, and a full rebuild (seeding,
// import, the sweep) marks the listings ready. Until they are ready, pages come from the database.
//
// Redis unreachable: a page the listings cannot read comes from the database (slower, never an
// error). The questions whose sync failed meanwhile are remembered and synced again as soon as
// Redis is back; too many of them (a long outage under heavy writing) and the listings are marked
// not ready instead — pages come from the database until the next full rebuild (the sweep).
import type { Redis } from 'ioredis';
import type { Types } from 'mongoose';
import type { PageWindow } from '../../lib/connection.js';
import type { PostDoc } from './post.model.js';
import type { PostRepository, QuestionFilter, QuestionOrder } from './post.repository.js';

const VERSION = 'v1';
/** questions remembered for a re-sync at most; beyond, the listings wait for a rebuild */
const MAX_UNSYNCED = 10_000;
/** questions synced per round of a re-sync */
const RESYNC_BATCH = 500;
/** a re-sync after a failure while Redis was connected waits this long */
const RETRY_MS = 1_000;

type Variant = 'new' | 'act' | 'top' | 'una';

const SYNC_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
local v = tonumber(ARGV[1])
local entries = ARGV[2]
if cur then
  local sep = string.find(cur, '|', 1, true)
  local oldv = tonumber(string.sub(cur, 1, sep - 1))
  local olde = string.sub(cur, sep + 1)
  if oldv > v then return 0 end
  if oldv == v and olde == entries then return 0 end
  for _, e in ipairs(cjson.decode(olde)) do redis.call('ZREM', e[1], e[2]) end
end
for _, e in ipairs(cjson.decode(entries)) do redis.call('ZADD', e[1], 0, e[2]) end
redis.call('SET', KEYS[1], v .. '|' .. entries)
return 1
`;

/** Lexically sortable text of a sort key: dates as 15-digit milliseconds, scores offset by 1e12. */
export function sortKeyText(field: 'createdAt' | 'lastActivityAt' | 'score', value: Date | number | string | null | undefined): string {
  if (field === 'score') {
    const n = Math.max(-999_999_999_999, Math.min(999_999_999_999, Math.trunc(Number(value ?? 0))));
    return String(n + 1_000_000_000_000).padStart(13, '0');
  }
  const ms = value instanceof Date ? value.getTime() : new Date(value ?? 0).getTime();
  return String(Math.max(0, Number.isFinite(ms) ? ms : 0)).padStart(15, '0');
}

const FIELD_OF: Record<Variant, 'createdAt' | 'lastActivityAt' | 'score'> = {
  new: 'createdAt',
  act: 'lastActivityAt',
  top: 'score',
  una: 'createdAt',
};

export interface ListingPage {
  /** question ids: limit + 1 at most, in the window's direction */
  ids: string[];
  total: () => Promise<number>;
}

export class QuestionListings {
  private readonly base: string;
  /** questions whose sync did not reach Redis (an outage): synced again when it is back */
  private readonly unsynced = new Map<string, number>();
  /** numbers the failures: a re-sync forgets only the failures it made up for */
  private failures = 0;
  /** more failed than can be remembered: the listings are not trusted until a rebuild */
  private overflowed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    /** off: pages always come from the database */
    readonly enabled: boolean,
    private readonly posts: PostRepository,
  ) {
    this.base = `${prefix}lst:${VERSION}:`;
    if (enabled) {
      this.redis.defineCommand('colloquySyncListing', { numberOfKeys: 1, lua: SYNC_SCRIPT });
      this.redis.on('ready', () => void this.resync());
    }
  }

  private zkey(scope: string, variant: Variant): string {
    return `${this.base}${scope}:${variant}`;
  }

  private get readyKey(): string {
    return `${this.base}ready`;
  }

  /** The members a question belongs to (none when deleted or hidden pending review by flags). */
  entriesOf(q: PostDoc): Array<[string, string]> {
    if (q.type !== 'question' || q.deletedAt || q.hiddenAt) return [];
    const id = q._id.toHexString();
    const member = (variant: Variant) => `${sortKeyText(FIELD_OF[variant], q[FIELD_OF[variant]] as Date | number)}:${id}`;
    const scopes = ['all', `s:${q.spaceId.toHexString()}`, ...q.tags.map((t) => `t:${t}`)];
    const variants: Variant[] = q.isAnswered ? ['new', 'act', 'top'] : ['new', 'act', 'top', 'una'];
    const out: Array<[string, string]> = [];
    for (const scope of scopes) for (const v of variants) out.push([this.zkey(scope, v), member(v)]);
    out.push([this.zkey(`u:${q.authorId.toHexString()}`, 'new'), member('new')]);
    return out;
  }

  /** An answer's member in its author's answers listing (none when deleted). */
  answerEntriesOf(a: PostDoc): Array<[string, string]> {
    if (a.type !== 'answer' || a.deletedAt) return [];
    return [[this.zkey(`ua:${a.authorId.toHexString()}`, 'new'), `${sortKeyText('createdAt', a.createdAt)}:${a._id.toHexString()}`]];
  }

  private get answersReadyKey(): string {
    return `${this.base}answers:ready`;
  }

  /** Brings these questions' members up to date (answers: their questions, and their own member). */
  async sync(posts: ReadonlyArray<PostDoc>): Promise<void> {
    if (!this.enabled || posts.length === 0) return;
    const questions = new Map(posts.filter((p) => p.type === 'question').map((q) => [q._id.toHexString(), q]));
    const parents = [
      ...new Set(
        posts
          .filter((p) => p.type === 'answer' && p.questionId && !questions.has(p.questionId.toHexString()))
          .map((p) => p.questionId!.toHexString()),
      ),
    ];
    for (const q of parents.length ? await this.posts.findPostsByIds(parents) : []) if (q) questions.set(q._id.toHexString(), q);
    const pipeline = this.redis.pipeline();
    for (const q of questions.values()) {
      (pipeline as unknown as { colloquySyncListing(key: string, v: number, e: string): void }).colloquySyncListing(
        `${this.base}q:${q._id.toHexString()}`,
        q.version ?? 0,
        JSON.stringify(this.entriesOf(q)),
      );
    }
    this.queueAnswers(pipeline, posts);
    const results = await pipeline.exec();
    for (const [error] of results ?? []) if (error) throw error;
  }

  /** Syncs posts by id (what a postsChanged event names); on failure they are synced again once Redis is back. */
  async syncIds(ids: readonly string[]): Promise<void> {
    if (!this.enabled || ids.length === 0) return;
    try {
      await this.sync((await this.posts.findPostsByIds(ids)).filter((p): p is PostDoc => p !== null));
    } catch (error) {
      this.remember(ids);
      // Redis away: nothing to report, they are synced as soon as it is back
      if (this.redis.status === 'ready') throw error;
    }
  }

  private remember(ids: readonly string[]): void {
    if (this.overflowed) return;
    for (const id of ids) this.unsynced.set(id, ++this.failures);
    if (this.unsynced.size > MAX_UNSYNCED) {
      this.overflowed = true;
      this.unsynced.clear();
    }
    // a failure with Redis connected (a database error): try again shortly (else at 'ready')
    this.retry ??= setTimeout(() => {
      this.retry = undefined;
      if (this.redis.status === 'ready') void this.resync();
    }, RETRY_MS).unref();
  }

  /** After a reconnection: syncs what failed meanwhile (or, past MAX_UNSYNCED, waits for a rebuild). */
  private async resync(): Promise<void> {
    try {
      if (this.overflowed) {
        await this.redis.del(this.readyKey, this.answersReadyKey);
        this.overflowed = false;
        return;
      }
      while (this.unsynced.size && this.redis.status === 'ready') {
        // forgotten once synced (until then the listings do not answer: isReady)
        const batch = [...this.unsynced].slice(0, RESYNC_BATCH);
        await this.syncIds(batch.map(([id]) => id)); // a failure remembers them again
        for (const [id, failure] of batch) if (this.unsynced.get(id) === failure) this.unsynced.delete(id);
      }
    } catch {
      // Redis went away again: the next 'ready' tries again
    }
  }

  /** Whether the listings are complete (false too while Redis cannot say, or while syncs are pending). */
  async isReady(): Promise<boolean> {
    if (!this.enabled || this.overflowed || this.unsynced.size > 0) return false;
    return (await this.redis.exists(this.readyKey).catch(() => 0)) === 1;
  }

  /**
   * After a full pass that synced every question (`live` holds their ids): drops the members of
   * questions that no longer exist, and marks the listings ready.
   */
  async finishRebuild(live: ReadonlySet<string>): Promise<number> {
    if (!this.enabled) return 0;
    let dropped = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.base}q:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        if (live.has(key.slice(`${this.base}q:`.length))) continue;
        const state = await this.redis.get(key);
        if (!state) continue;
        const entries = JSON.parse(state.slice(state.indexOf('|') + 1)) as Array<[string, string]>;
        const pipeline = this.redis.pipeline();
        for (const [zkey, member] of entries) pipeline.zrem(zkey, member);
        pipeline.del(key);
        await pipeline.exec();
        dropped++;
      }
    } while (cursor !== '0');
    await this.redis.set(this.readyKey, new Date().toISOString());
    return dropped;
  }

  /** A full pass over the questions, then the answers (seeding and imports call it; the sweep does the same for questions). */
  async rebuild(onProgress?: (done: number) => void): Promise<{ questions: number; dropped: number; answers: number }> {
    if (!this.enabled) return { questions: 0, dropped: 0, answers: 0 };
    const live = new Set<string>();
    let batch: PostDoc[] = [];
    for await (const doc of this.posts.allQuestions()) {
      const q = doc as PostDoc;
      live.add(q._id.toHexString());
      batch.push(q);
      if (batch.length >= 500) {
        await this.sync(batch);
        batch = [];
        onProgress?.(live.size);
      }
    }
    await this.sync(batch);
    const dropped = await this.finishRebuild(live);
    const answers = await this.rebuildAnswers();
    return { questions: live.size, dropped, answers };
  }

  /**
   * One page of question ids for a filter and order, or null when the listings cannot answer
   * (off, not built yet, or a filter combination they do not keep: the database answers those).
   */
  async page(filter: QuestionFilter, order: QuestionOrder, window: PageWindow): Promise<ListingPage | null> {
    if (!this.enabled) return null;
    const scopes = [filter.spaceId, filter.tag, filter.authorId].filter((x) => x !== undefined);
    if (scopes.length > 1) return null;
    const unanswered = !!filter.unanswered || order === 'UNANSWERED';
    let variant: Variant = order === 'ACTIVE' ? 'act' : order === 'VOTES' ? 'top' : 'new';
    if (unanswered) {
      if (variant !== 'new') return null;
      variant = 'una';
    }
    if (filter.authorId && variant !== 'new') return null;
    if (!(await this.isReady())) return null;
    try {
      return await this.read(filter, order, variant, window);
    } catch {
      return null; // Redis went away: the database answers
    }
  }

  private async read(filter: QuestionFilter, order: QuestionOrder, variant: Variant, window: PageWindow): Promise<ListingPage> {
    const scope = filter.spaceId
      ? `s:${(filter.spaceId as Types.ObjectId).toHexString()}`
      : filter.tag
        ? `t:${filter.tag}`
        : filter.authorId
          ? `u:${(filter.authorId as Types.ObjectId).toHexString()}`
          : 'all';
    const key = this.zkey(scope, variant);
    const bound = window.cursor ? `(${sortKeyText(FIELD_OF[variant], window.cursor.key as Date | number)}:${window.cursor.id}` : null;
    const n = window.limit + 1;
    // the listing's natural order is descending; a backward window reads ascending from the cursor
    const members = window.backward
      ? await this.redis.zrangebylex(key, bound ?? '-', '+', 'LIMIT', 0, n)
      : await this.redis.zrevrangebylex(key, bound ?? '+', '-', 'LIMIT', 0, n);
    return {
      ids: members.map((m) => m.slice(m.lastIndexOf(':') + 1)),
      total: () => this.redis.zcard(key).catch(() => this.posts.countQuestions(filter, order)),
    };
  }

  // -------------------------------------------------------------------------------------------
  // a member's answers (`ua:<authorId>`)

  /** Adds the answers among `posts` to a sync pipeline (their own member each). */
  private queueAnswers(pipeline: ReturnType<Redis['pipeline']>, posts: ReadonlyArray<PostDoc>): void {
    for (const a of posts) {
      if (a.type !== 'answer') continue;
      (pipeline as unknown as { colloquySyncListing(key: string, v: number, e: string): void }).colloquySyncListing(
        `${this.base}a:${a._id.toHexString()}`,
        a.version ?? 0,
        JSON.stringify(this.answerEntriesOf(a)),
      );
    }
  }

  /** Whether the answers listings are complete (as `isReady`, with their own flag). */
  async answersReady(): Promise<boolean> {
    if (!this.enabled || this.overflowed || this.unsynced.size > 0) return false;
    return (await this.redis.exists(this.answersReadyKey).catch(() => 0)) === 1;
  }

  /**
   * A full pass over the answers: syncs every answer, drops the members of answers that no longer
   * exist, and marks the answers listings ready (`rebuild` calls it; the worker when they are not
   * ready). Returns the answers seen.
   */
  async rebuildAnswers(): Promise<number> {
    if (!this.enabled) return 0;
    const live = new Set<string>();
    let batch: PostDoc[] = [];
    const flush = async () => {
      const pipeline = this.redis.pipeline();
      this.queueAnswers(pipeline, batch);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
      batch = [];
    };
    for await (const a of this.posts.scan<PostDoc>({ type: 'answer' }, '_id type authorId createdAt deletedAt version')) {
      live.add(a._id.toHexString());
      batch.push(a);
      if (batch.length >= 1000) await flush();
    }
    await flush();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.base}a:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        if (live.has(key.slice(`${this.base}a:`.length))) continue;
        const state = await this.redis.get(key);
        const entries = state ? (JSON.parse(state.slice(state.indexOf('|') + 1)) as Array<[string, string]>) : [];
        const pipeline = this.redis.pipeline();
        for (const [zkey, member] of entries) pipeline.zrem(zkey, member);
        pipeline.del(key);
        await pipeline.exec();
      }
    } while (cursor !== '0');
    await this.redis.set(this.answersReadyKey, new Date().toISOString());
    return live.size;
  }

  /**
   * One page of a member's answer ids, newest first (limit + 1 at most, in the window's
   * direction), or null when the listings cannot answer (off, not built, Redis away).
   */
  async answerPage(authorId: Types.ObjectId, window: PageWindow): Promise<string[] | null> {
    if (!(await this.answersReady())) return null;
    const key = this.zkey(`ua:${authorId.toHexString()}`, 'new');
    const bound = window.cursor ? `(${sortKeyText('createdAt', window.cursor.key as Date | number)}:${window.cursor.id}` : null;
    const n = window.limit + 1;
    try {
      const members = window.backward
        ? await this.redis.zrangebylex(key, bound ?? '-', '+', 'LIMIT', 0, n)
        : await this.redis.zrevrangebylex(key, bound ?? '+', '-', 'LIMIT', 0, n);
      return members.map((m) => m.slice(m.lastIndexOf(':') + 1));
    } catch {
      return null; // Redis went away: the database answers
    }
  }
}
