// Stack Exchange data dump → Colloquy (phase 2 of the importer: se-dump.reader.ts reads, this
// maps and writes). `npm run import:stackexchange -- <dump-dir>` and `npm start`'s demo seed
// call `importStackExchange`.
//
// REPUTATION (decided): an imported member's reputation is the dump's `Reputation`, kept as an
// OPENING BALANCE in the ledger — one `join:<userId>` event with reason IMPORTED_BALANCE and
// delta max(1, Reputation), exactly the event `openLedger(rules, userId, createdAt, balance)`
// writes for a new member (written here in bulk: seq 1, balance = delta; the user document is
// inserted with reputation = balance and repSeq = 1). It is not recomputed from the imported
// votes: public dumps do not say who cast up/down votes and leave out deleted posts, bounties,
// suggested edits, association bonuses …, so a recomputation could not match what the site
// shows. Imported votes therefore award nothing (authorRep = voterRep = 0; undoing one takes
// nothing back); whatever members do after the import goes through the normal ledger rules.
// A user's reputation always equals the sum of their ledger events.
//
// SCORES: posts.score = the dump's Score; scoreBase = Score − Σ(materialised vote values), so
// score == scoreBase + Σ votes holds for every imported post. Only up/down votes whose voter
// the dump names become vote documents (`imported: true`); anonymous ones stay in scoreBase.
// upVotes/downVotes are the dump's up/down tallies where scoreBase ≠ 0; where scoreBase = 0
// (nothing unbacked) they count the vote documents, as `npm run verify` expects.
//
// WRITES: insert-only (see se-writer.ts for why not upserts on FerretDB): every imported row is
// one document with a deterministic `_id` (the first 12 bytes of sha1(site, kind, Stack
// Exchange id)), inserted whole, in batches of 500, with every derived value already in it
// (counters, links, the Markdown source). A re-run or a resumed run inserts what is missing and
// leaves existing documents alone (a duplicate `_id` means "already imported"), so it changes
// nothing — also after members have voted, answered or edited imported posts. The few values
// that can only be written afterwards (the space's question count, tag counts of tags that
// already existed) are single `$set`s of values recomputed from the facts.
//
// ORDER AND MEMORY: files are streamed row by row, never read whole. Posts.xml is indexed
// first (one small record per post: type, parent, owner, score — no writes); then Users (with
// their question/answer counts), PostLinks, Votes (tallies → scoreBase; named votes → vote
// documents), Comments (→ comment counts), PostHistory (→ revisions: the Markdown source),
// Posts (questions and answers, complete), Tags (with wikis and counts), Badges, counters,
// search. Memory holds id maps (posts, user names, links, tallies, comment counts, revision
// numbers) and an LRU cache of the latest revision state of recently edited posts (a miss
// reads the revision back by `_id`).
//
// RESUME: each step records its completion in `import_state`; a resumed run skips completed
// steps (re-reading a completed file only when a later step needs its id maps) unless `force`.
// Bad XML: the reader's DumpFormatError ("Posts.xml line 1234: …") propagates after every
// complete row before it has been written; the step stays incomplete.
import { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import { excerpt, renderInlineMarkdown, renderMarkdown } from '../../lib/markdown.js';
import { BadgeModel, BADGE_CATALOGUE } from '../badge/badge.model.js';
import { CommentModel } from '../comment/comment.model.js';
import type { Attribution } from '../post/attribution.js';
import { PostModel } from '../post/post.model.js';
import { ReputationEventModel } from '../reputation/reputation.model.js';
import { RevisionModel } from '../revision/revision.model.js';
import { indexPosts } from '../search/search.sync.js';
import { SpaceModel } from '../space/space.model.js';
import { TAG_NAME } from '../tag/tag.rules.js';
import { TagModel } from '../tag/tag.model.js';
import { UserModel } from '../user/user.model.js';
import { VoteModel } from '../vote/vote.model.js';
import {
  dumpFiles,
  parseTags,
  readDumpFile,
  siteFromDir,
  type DumpFileInfo,
  type DumpKind,
  type DumpRowMap,
  type PostHistoryRow,
  type PostRow,
} from './se-dump.reader.js';
import { ImportStateModel } from './se-import-state.model.js';
import {
  badgeTier,
  clipText,
  closeReasonFromHistory,
  fallbackHandle,
  handleFromName,
  htmlToMarkdown,
  htmlToText,
  licenseFor,
  safeUrl,
  seObjectId,
  seRevisionId,
  siteDisplayName,
  siteHandle,
  siteLabel,
  type CloseReason,
} from './se-mapping.js';
import { InsertBatch, type InsertFailure } from './se-writer.js';
import { findByIds } from '../../infra/mongo.js';
import { fillChildLists } from '../maintenance/child-lists.js';

// ---------------------------------------------------------------------------------------------
// Public API

export type SeStep = 'Users' | 'PostLinks' | 'Votes' | 'Comments' | 'PostHistory' | 'Posts' | 'Tags' | 'Badges' | 'counters' | 'search';

export const SE_STEPS: readonly SeStep[] = [
  'Users',
  'PostLinks',
  'Votes',
  'Comments',
  'PostHistory',
  'Posts',
  'Tags',
  'Badges',
  'counters',
  'search',
];

export interface SeProgressEvent {
  step: SeStep | 'index';
  /** e.g. "Posts.xml"; null for the counters and search steps */
  file: string | null;
  phase: 'start' | 'progress' | 'end';
  /** files: bytes read so far; search: questions indexed so far */
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

export interface SeImportOptions {
  /** slug of the space to import into (created when missing); default from the site, e.g. "ai" */
  space?: string;
  /** run completed steps again (still insert-only: nothing that exists is overwritten) */
  force?: boolean;
  /** the site, e.g. "ai.stackexchange.com"; default from the folder's name */
  site?: string;
  /** one line per notable event (default: the deps' logger at info level) */
  log?: (line: string) => void;
  onProgress?: (event: SeProgressEvent) => void;
  /** documents per insert (default 500) */
  batchSize?: number;
  /** revision states kept in memory (default 20,000 posts); a miss reads the revision back */
  stateCacheSize?: number;
  /** index the imported posts into search at the end (default true) */
  search?: boolean;
  signal?: AbortSignal;
}

export interface SeStepSummary {
  step: SeStep;
  file: string | null;
  /** write: rows written; scan: file re-read for its id maps only; skipped: already complete */
  mode: 'write' | 'scan' | 'skipped';
  /** rows read from the file */
  rows: number;
  /** rows that became (or already were) part of the import */
  imported: number;
  /** rows deliberately left out (other post types, rows about posts that are not imported …) */
  skipped: number;
  /** rows that could not be written */
  errors: number;
  /** documents already present (a re-run or a resumed run) */
  existing: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface SeImportSummary {
  site: string;
  space: { id: string; slug: string };
  steps: SeStepSummary[];
  /** what this run read from the dump (0 for skipped steps) */
  counts: {
    posts: number;
    questions: number;
    answers: number;
    tagWikis: number;
    users: number;
    comments: number;
    revisions: number;
    tags: number;
    postLinks: number;
    votes: number;
    materialisedVotes: number;
    badges: number;
  };
  seconds: number;
}

/**
 * Imports the Stack Exchange dump in `dir` into a space (see the top of this file for what is
 * kept and how). Idempotent and resumable. Rejects with the reader's DumpFormatError (naming the
 * file and line) on malformed XML, after writing every complete row before it.
 */
export async function importStackExchange(deps: AppDeps, dir: string, options: SeImportOptions = {}): Promise<SeImportSummary> {
  const site = options.site ?? siteFromDir(dir);
  if (!site)
    throw new Error(`cannot tell the site from the folder name "${dir}" (expected e.g. …/ai.stackexchange.com); pass the site option`);
  const files = new Map((await dumpFiles(dir)).map((f) => [f.kind, f]));
  for (const required of ['Posts', 'Users'] as const) {
    if (!files.get(required)?.exists) throw new Error(`${required}.xml is missing in ${dir}`);
  }
  const summary = await new SeImporter(deps, site, files, options).run();
  // the question listings (Redis, on FerretDB) from what is now in the database
  await deps.services.listings.rebuild();
  return summary;
}

/** The id an imported entity gets (tests and tools find imported documents with it). */
export function importedId(site: string, kind: 'user' | 'post' | 'comment' | 'badge', seId: number): Types.ObjectId {
  return seObjectId(site, kind, seId);
}

// ---------------------------------------------------------------------------------------------
// Internals

/** One post of Posts.xml as far as the other files need it. */
interface PostInfo {
  type: number;
  /** answers: the question's Id (0 when none) */
  parent: number;
  owner: number | undefined;
  score: number;
  /** questions: imported answers, whether one has a positive score, the (valid) accepted answer */
  answers: number;
  positive: boolean;
  accepted: number;
  created: Date | undefined;
  deleted: boolean;
}

interface RevState {
  n: number;
  title: string | null;
  body: string;
  tags: string[];
  changed: string[];
  authorId: Types.ObjectId | null;
  authorName: string | null;
  summary: string;
  at: Date;
}

/** what a revision document tells about a post's state */
interface RevisionLike {
  title?: string | null;
  body: string;
  tags: string[];
  changed: string[];
  authorId?: Types.ObjectId | null;
  authorName?: string | null;
  summary?: string | null;
  createdAt: Date;
}

interface Stats {
  rows: number;
  imported: number;
  skipped: number;
  errors: number;
  existing: number;
}

type Mode = SeStepSummary['mode'];

const FILE_OF: Record<SeStep, DumpKind | null> = {
  Users: 'Users',
  PostLinks: 'PostLinks',
  Votes: 'Votes',
  Comments: 'Comments',
  PostHistory: 'PostHistory',
  Posts: 'Posts',
  Tags: 'Tags',
  Badges: 'Badges',
  counters: null,
  search: null,
};

/** The steps whose id maps a writing step uses (re-read in scan mode when complete). */
const NEEDS_TO_WRITE: Record<SeStep, SeStep[]> = {
  Users: [],
  PostLinks: [],
  Votes: ['Users'],
  Comments: ['Users'],
  PostHistory: ['Users'],
  Posts: ['Users', 'PostLinks', 'Votes', 'Comments', 'PostHistory'],
  Tags: ['Posts'],
  Badges: ['Users'],
  counters: [],
  search: [],
};

/** The steps whose id maps a scanning step uses. */
const NEEDS_TO_SCAN: Record<SeStep, SeStep[]> = {
  Users: [],
  PostLinks: [],
  Votes: [],
  Comments: [],
  PostHistory: [],
  Posts: ['PostHistory'],
  Tags: [],
  Badges: [],
  counters: [],
  search: [],
};

/** A complete step runs again when one of these runs: it derives its values from them. */
const REDO_AFTER: Partial<Record<SeStep, SeStep[]>> = {
  counters: ['Posts', 'Tags'],
  search: ['Users', 'Votes', 'PostHistory', 'Posts'],
};

const DEFAULT_LICENSE = 'CC BY-SA 4.0';
const MAX_ERRORS_LOGGED = 10;
const EMPTY_BODY = '*(empty)*';

class SeImporter {
  private readonly batchSize: number;
  private readonly cacheSize: number;
  private readonly log: (line: string) => void;
  private spaceId = new Types.ObjectId();
  private spaceSlug = '';
  private readonly placeholderId: Types.ObjectId;
  private errorsLogged = 0;

  // id maps
  private readonly posts = new Map<number, PostInfo>();
  private readonly userNames = new Map<number, string>();
  private readonly duplicateOf = new Map<number, number>();
  private readonly related = new Map<number, number[]>();
  private readonly tallies = new Map<number, { up: number; down: number; named: number; namedUp: number; namedDown: number }>();
  private readonly acceptedAt = new Map<number, Date>();
  private readonly commentCounts = new Map<number, number>();
  /** child lists written with the posts (post.model.ts): comment Ids per post, answer Ids per question */
  private readonly commentIdsOf = new Map<number, number[]>();
  private readonly answerIdsOf = new Map<number, number[]>();
  private readonly revTrack = new Map<number, { n: number; guid: string }>();
  private readonly stateCache = new Map<number, RevState>();
  private readonly wikiBodies = new Map<number, string>();
  private readonly closeReasons = new Map<number, CloseReason>();
  /** filled by the Posts step for the Tags step */
  private readonly tagCounts = new Map<string, number>();
  private readonly wikiTexts = new Map<number, string>();
  private revisionsWriter: InsertBatch | null = null;
  private readonly counts: SeImportSummary['counts'] = {
    posts: 0,
    questions: 0,
    answers: 0,
    tagWikis: 0,
    users: 0,
    comments: 0,
    revisions: 0,
    tags: 0,
    postLinks: 0,
    votes: 0,
    materialisedVotes: 0,
    badges: 0,
  };

  constructor(
    private readonly deps: AppDeps,
    private readonly site: string,
    private readonly files: Map<DumpKind, DumpFileInfo>,
    private readonly options: SeImportOptions,
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 500);
    this.cacheSize = Math.max(1, options.stateCacheSize ?? 20_000);
    this.log = options.log ?? ((line: string) => deps.log.info(line));
    this.placeholderId = seObjectId(site, 'user', 'anonymous');
  }

  async run(): Promise<SeImportSummary> {
    const started = performance.now();
    await this.ensureSpace();
    const modes = await this.plan();
    const steps: SeStepSummary[] = [];
    if (![...modes.values()].some((m) => m !== 'skipped')) {
      this.log(`${this.site}: every step is complete; nothing to do (force runs them again)`);
    } else {
      await this.indexPostsFile();
    }
    for (const step of SE_STEPS) {
      const mode = modes.get(step)!;
      const kind = FILE_OF[step];
      const file = kind ? this.files.get(kind)! : null;
      const empty: Stats = { rows: 0, imported: 0, skipped: 0, errors: 0, existing: 0 };
      if (file && !file.exists && mode === 'write') this.log(`${file.fileName} is missing: step ${step} reads no rows`);
      if (mode === 'skipped') {
        steps.push({ step, file: file?.fileName ?? null, mode: 'skipped', ...empty, seconds: 0, rowsPerSecond: 0 });
        continue;
      }
      const t0 = performance.now();
      const stats = { ...empty };
      await this.runStep(step, mode === 'write', stats);
      const seconds = (performance.now() - t0) / 1000;
      steps.push({ step, file: file?.fileName ?? null, mode, ...stats, seconds, rowsPerSecond: seconds > 0 ? stats.rows / seconds : 0 });
      if (mode === 'write') {
        const _id = `${this.site}:${step}`;
        const state = {
          site: this.site,
          step,
          file: file?.fileName ?? null,
          bytes: file?.bytes ?? 0,
          rows: stats.rows,
          imported: stats.imported,
          skipped: stats.skipped,
          failed: stats.errors,
          seconds,
          completedAt: new Date(),
        };
        // one small document per step: delete + insert (an update would scan on FerretDB)
        await ImportStateModel.deleteOne({ _id });
        await ImportStateModel.create({ _id, ...state });
      }
    }
    return {
      site: this.site,
      space: { id: this.spaceId.toHexString(), slug: this.spaceSlug },
      steps,
      counts: this.counts,
      seconds: (performance.now() - started) / 1000,
    };
  }

  // -------------------------------------------------------------------------------------------
  // planning

  private async ensureSpace(): Promise<void> {
    const slug = (this.options.space ?? siteLabel(this.site)).toLowerCase();
    const existing = await SpaceModel.findOne({ slug }).select('_id').lean();
    if (existing) {
      this.spaceId = existing._id;
    } else {
      this.spaceId = seObjectId(this.site, 'space', slug);
      try {
        await SpaceModel.create({
          _id: this.spaceId,
          slug,
          name: siteDisplayName(this.site),
          description: `Questions and answers imported from ${this.site} (${DEFAULT_LICENSE}; every post links to its original).`,
          questionCount: 0,
        });
      } catch (error) {
        if ((error as { code?: number }).code !== 11000) throw error;
      }
    }
    this.spaceSlug = slug;
  }

  /** write: run it; scan: re-read its file for the id maps a later step needs; skipped. */
  private async plan(): Promise<Map<SeStep, Mode>> {
    const done = new Set<SeStep>();
    if (!this.options.force) {
      const states = await Promise.all(SE_STEPS.map((s) => ImportStateModel.findById(`${this.site}:${s}`).lean()));
      SE_STEPS.forEach((step, i) => {
        const state = states[i];
        const kind = FILE_OF[step];
        const file = kind ? this.files.get(kind) : undefined;
        if (state && (!file || !file.exists || state.bytes === file.bytes)) done.add(step);
      });
    }
    const modes = new Map<SeStep, Mode>();
    for (const step of SE_STEPS) {
      const redo = (REDO_AFTER[step] ?? []).some((s) => modes.get(s) === 'write');
      modes.set(step, !done.has(step) || redo ? 'write' : 'skipped');
    }
    if (this.options.search === false) modes.set('search', 'skipped');
    // a running step's inputs: later steps only need earlier ones, so one backward pass suffices
    for (const step of [...SE_STEPS].reverse()) {
      const mode = modes.get(step);
      const needs = mode === 'write' ? NEEDS_TO_WRITE[step] : mode === 'scan' ? NEEDS_TO_SCAN[step] : [];
      for (const need of needs) if (modes.get(need) === 'skipped') modes.set(need, 'scan');
    }
    return modes;
  }

  private async runStep(step: SeStep, write: boolean, stats: Stats): Promise<void> {
    switch (step) {
      case 'Users':
        return this.stepUsers(write, stats);
      case 'PostLinks':
        return this.stepPostLinks(stats);
      case 'Votes':
        return this.stepVotes(write, stats);
      case 'Comments':
        return this.stepComments(write, stats);
      case 'PostHistory':
        return this.stepPostHistory(write, stats);
      case 'Posts':
        return this.stepPosts(write, stats);
      case 'Tags':
        return this.stepTags(write, stats);
      case 'Badges':
        return this.stepBadges(write, stats);
      case 'counters':
        return this.stepCounters(stats);
      case 'search':
        return this.stepSearch(stats);
    }
  }

  // -------------------------------------------------------------------------------------------
  // reading and writing helpers

  /** Streams one file to `onRow`; the writes queued before a format error are flushed first. */
  private async read<K extends DumpKind>(
    step: SeStep | 'index',
    kind: K,
    onRow: (row: DumpRowMap[K]) => void | Promise<void>,
    flushAll: () => Promise<void>,
  ): Promise<void> {
    const file = this.files.get(kind)!;
    if (!file.exists) {
      // an absent optional file (e.g. no Badges.xml) has no rows; what the step derives from
      // earlier ones (e.g. tags used by questions) is still written
      await flushAll();
      return;
    }
    const emit = (phase: SeProgressEvent['phase'], bytesRead: number, rows: number) =>
      this.options.onProgress?.({ step, file: file.fileName, phase, bytesRead, totalBytes: file.bytes, rows });
    emit('start', 0, 0);
    let rows = 0;
    try {
      await readDumpFile(
        file.path,
        kind,
        async (row) => {
          await onRow(row as DumpRowMap[K]);
          rows++;
        },
        { signal: this.options.signal, onProgress: (bytes) => emit('progress', bytes, rows) },
      );
    } catch (error) {
      // every row handed over before the error is complete: write it, then report the error
      await flushAll().catch((flushError: unknown) => this.log(`while stopping: ${String(flushError)}`));
      throw error;
    }
    await flushAll();
    emit('end', file.bytes, rows);
  }

  /** Inserts a writer's queued documents; counts what was new, already there, or refused. */
  private async flush(writer: InsertBatch, stats: Stats, what: string): Promise<InsertFailure[]> {
    const { existing, failures } = await writer.flush();
    stats.existing += existing;
    this.reportFailures(failures, stats, what);
    return failures;
  }

  private reportFailures(failures: InsertFailure[], stats: Stats, what: string): void {
    stats.errors += failures.length;
    stats.imported -= failures.length;
    for (const f of failures) {
      if (this.errorsLogged++ < MAX_ERRORS_LOGGED) this.log(`✗ ${what} ${f.id}: ${f.message}`);
    }
  }

  private userOid(seUserId: number | undefined): Types.ObjectId | null {
    return seUserId !== undefined && this.userNames.has(seUserId) ? seObjectId(this.site, 'user', seUserId) : null;
  }

  private postOid(sePostId: number): Types.ObjectId {
    return seObjectId(this.site, 'post', sePostId);
  }

  private isQuestion(id: number | undefined): boolean {
    const p = id === undefined ? undefined : this.posts.get(id);
    return !!p && p.type === 1 && !p.deleted;
  }

  /** questions, and answers of imported questions (rows with a DeletionDate are left out) */
  private isImportedPost(id: number | undefined): boolean {
    const p = id === undefined ? undefined : this.posts.get(id);
    if (!p || p.deleted) return false;
    return p.type === 1 || (p.type === 2 && this.isQuestion(p.parent));
  }

  private attribution(
    originalId: string,
    url: string,
    authorId: number | undefined,
    authorName: string | undefined,
    license: string,
  ): Attribution {
    const known = authorId !== undefined && this.userNames.has(authorId);
    return {
      site: this.site,
      originalId,
      url,
      authorName: (known ? this.userNames.get(authorId!) : undefined) ?? authorName ?? null,
      authorUrl: known ? `https://${this.site}/users/${authorId}` : null,
      license,
    };
  }

  private rememberState(postId: number, state: RevState): void {
    this.stateCache.delete(postId);
    this.stateCache.set(postId, state);
    if (this.stateCache.size > this.cacheSize) {
      const oldest = this.stateCache.keys().next().value;
      if (oldest !== undefined) this.stateCache.delete(oldest);
    }
  }

  /** The post's state after revision `n`: from the cache, else read back from the revision. */
  private async stateOf(postId: number, n: number): Promise<RevState | null> {
    const cached = this.stateCache.get(postId);
    if (cached && cached.n === n) return cached;
    const id = seRevisionId(this.site, postId, n);
    const queued = this.revisionsWriter?.queued(id);
    const doc = (queued ?? (await RevisionModel.findById(id).lean())) as RevisionLike | null;
    if (!doc) return null;
    const state = this.toState(doc, n);
    this.rememberState(postId, state);
    return state;
  }

  private cleanTags(tags: readonly string[] | null | undefined): string[] {
    const out: string[] = [];
    for (const raw of tags ?? []) {
      const tag = raw.trim().toLowerCase();
      if (TAG_NAME.test(tag) && !out.includes(tag)) out.push(tag);
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Posts.xml index (no writes)

  private async indexPostsFile(): Promise<void> {
    const t0 = performance.now();
    await this.read(
      'index',
      'Posts',
      (row) => {
        this.posts.set(row.Id, {
          type: row.PostTypeId ?? 0,
          parent: row.ParentId ?? 0,
          owner: row.OwnerUserId,
          score: row.Score ?? 0,
          answers: 0,
          positive: false,
          accepted: row.AcceptedAnswerId ?? 0,
          created: row.CreationDate,
          deleted: row.DeletionDate !== undefined,
        });
      },
      async () => undefined,
    );
    for (const [id, p] of this.posts) {
      if (p.type !== 2 || p.deleted) continue;
      const q = this.posts.get(p.parent);
      if (!q || q.type !== 1 || q.deleted) continue;
      q.answers++;
      const listed = this.answerIdsOf.get(p.parent);
      if (listed) listed.push(id);
      else this.answerIdsOf.set(p.parent, [id]);
      if (p.score > 0) q.positive = true;
    }
    for (const [id, p] of this.posts) {
      if (p.type !== 1 || !p.accepted) continue;
      const a = this.posts.get(p.accepted);
      if (!a || a.type !== 2 || a.parent !== id || a.deleted) p.accepted = 0;
    }
    this.counts.posts = this.posts.size;
    for (const id of this.posts.keys()) {
      if (!this.isImportedPost(id)) continue;
      if (this.posts.get(id)!.type === 1) this.counts.questions++;
      else this.counts.answers++;
    }
    this.log(`indexed ${this.posts.size} posts of Posts.xml in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  // -------------------------------------------------------------------------------------------
  // Users.xml → users (with their question/answer counts) + opening balances in the ledger

  private async stepUsers(write: boolean, stats: Stats): Promise<void> {
    const users = new InsertBatch(UserModel, { size: this.batchSize, enabled: write, trusted: true, otherUniqueKeys: true });
    const events = new InsertBatch(ReputationEventModel, { size: this.batchSize, enabled: write, trusted: true });
    const taken = new Set<string>();
    const names = new Map<string, { name: string | undefined; id: number }>();
    const rules = this.deps.services.reputationRules;
    const now = new Date();

    // questions and answers per owner, from the index (the placeholder's are counted at the end)
    const owned = new Map<number, { q: number; a: number }>();
    for (const [id, p] of this.posts) {
      if (!this.isImportedPost(id) || p.owner === undefined) continue;
      const key = p.owner;
      const c = owned.get(key) ?? { q: 0, a: 0 };
      if (p.type === 1) c.q++;
      else c.a++;
      owned.set(key, c);
    }

    const flushAll = async () => {
      // the ledger event first: a member never exists without the event behind their balance
      await this.flush(events, stats, 'reputation event');
      const first = await users.flush();
      stats.existing += first.existing;
      let failures = first.failures;
      // a handle taken outside this dump (a member, another import): the longer forms
      for (let round = 0; round < 2 && failures.some((f) => f.conflict); round++) {
        const rest: InsertFailure[] = [];
        for (const f of failures) {
          const alt = names.get(f.id);
          if (!f.conflict || !alt) {
            rest.push(f);
            continue;
          }
          const handle = round === 0 ? fallbackHandle(alt.name, alt.id) : siteHandle(this.site, alt.id);
          users.add({ ...f.doc, _id: new Types.ObjectId(f.id), handle, handleKey: handle.toLowerCase() });
        }
        const again = await users.flush();
        stats.existing += again.existing;
        failures = [...rest, ...again.failures];
      }
      this.reportFailures(failures, stats, 'user');
      names.clear();
    };

    const addUser = (
      _id: Types.ObjectId,
      doc: Record<string, unknown> & { handle: string; createdAt: Date },
      balance: number,
      alt: { name: string | undefined; id: number },
      counts: { q: number; a: number } | undefined,
    ) => {
      events.add({
        _id: `join:${_id.toHexString()}`,
        userId: _id,
        seq: 1,
        delta: balance,
        nominal: balance,
        reason: 'IMPORTED_BALANCE',
        capped: false,
        day: '',
        dayEarned: 0,
        balance,
        subjectId: null,
        subjectType: null,
        at: doc.createdAt,
      });
      names.set(_id.toHexString(), alt);
      return users.add({
        _id,
        ...doc,
        handleKey: doc.handle.toLowerCase(),
        email: null,
        emailKey: `none:${_id.toHexString()}`,
        passwordHash: null,
        role: 'MEMBER',
        reputation: balance,
        repSeq: 1,
        repDay: '',
        repDayEarned: 0,
        questionCount: counts?.q ?? 0,
        answerCount: counts?.a ?? 0,
        updatedAt: doc.createdAt,
      });
    };

    // owns the posts and comments whose author's account is gone (attribution keeps the name);
    // written last, when it is known whose accounts are gone
    const placeholderHandle = `se-anonymous-${siteLabel(this.site).slice(0, 16)}`;
    taken.add(placeholderHandle.toLowerCase());

    await this.read(
      'Users',
      'Users',
      async (row) => {
        stats.rows++;
        stats.imported++;
        const name = row.DisplayName?.trim() || `user${row.Id}`;
        this.userNames.set(row.Id, name);
        this.counts.users++;
        if (!write) return;
        let handle = handleFromName(row.DisplayName, row.Id);
        if (taken.has(handle.toLowerCase())) handle = fallbackHandle(row.DisplayName, row.Id);
        if (taken.has(handle.toLowerCase())) handle = siteHandle(this.site, row.Id);
        taken.add(handle.toLowerCase());
        const _id = seObjectId(this.site, 'user', row.Id);
        const bio = row.AboutMe ? clipText(htmlToText(row.AboutMe), 3000) : '';
        const createdAt = row.CreationDate ?? now;
        const profile = `https://${this.site}/users/${row.Id}`;
        const full = addUser(
          _id,
          {
            handle,
            displayName: clipText(name, 60),
            bio,
            bioHTML: bio ? renderMarkdown(bio) : '',
            location: row.Location?.trim() ? clipText(row.Location.trim(), 100) : null,
            websiteUrl: safeUrl(row.WebsiteUrl),
            lastSeenAt: row.LastAccessDate ?? null,
            createdAt,
            attribution: {
              site: this.site,
              originalId: String(row.Id),
              url: profile,
              authorName: name,
              authorUrl: profile,
              license: DEFAULT_LICENSE,
            },
          },
          Math.max(1, row.Reputation ?? rules.initial),
          { name: row.DisplayName, id: row.Id },
          owned.get(row.Id),
        );
        if (full) await flushAll();
      },
      flushAll,
    );
    if (!write) return;
    const orphans = { q: 0, a: 0 };
    for (const [id, p] of this.posts) {
      if (!this.isImportedPost(id) || this.userOid(p.owner)) continue;
      if (p.type === 1) orphans.q++;
      else orphans.a++;
    }
    const about = `Stands in for deleted and anonymous ${this.site} accounts; every imported post names its original author.`;
    addUser(
      this.placeholderId,
      { handle: placeholderHandle, displayName: 'Anonymous', bio: about, bioHTML: renderMarkdown(about), createdAt: now },
      Math.max(1, rules.initial),
      { name: 'anonymous', id: 0 },
      orphans,
    );
    await flushAll();
  }

  // -------------------------------------------------------------------------------------------
  // PostLinks.xml → duplicateOf / relatedIds (written with the posts)

  private async stepPostLinks(stats: Stats): Promise<void> {
    await this.read(
      'PostLinks',
      'PostLinks',
      (row) => {
        stats.rows++;
        this.counts.postLinks++;
        const from = row.PostId;
        const to = row.RelatedPostId;
        if (from === undefined || to === undefined || from === to || !this.isImportedPost(from) || !this.isImportedPost(to)) {
          stats.skipped++;
          return;
        }
        if (row.LinkTypeId === 3 && this.isQuestion(from) && this.isQuestion(to)) {
          this.duplicateOf.set(from, to);
          stats.imported++;
        } else if (row.LinkTypeId === 1 && this.isQuestion(from)) {
          const list = this.related.get(from) ?? [];
          if (!list.includes(to)) list.push(to);
          this.related.set(from, list);
          stats.imported++;
        } else {
          stats.skipped++;
        }
      },
      async () => undefined,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Votes.xml → tallies (scores), vote documents for the votes that name their voter

  private async stepVotes(write: boolean, stats: Stats): Promise<void> {
    const votes = new InsertBatch(VoteModel, { size: this.batchSize, enabled: write, trusted: true });
    const seen = new Set<string>();
    const flushAll = async () => void (await this.flush(votes, stats, 'vote'));
    await this.read(
      'Votes',
      'Votes',
      async (row) => {
        stats.rows++;
        this.counts.votes++;
        const postId = row.PostId;
        const type = row.VoteTypeId;
        if (type === 1 && this.isImportedPost(postId)) {
          // acceptance: AcceptedAnswerId says which answer; the vote says on which day
          if (row.CreationDate) this.acceptedAt.set(postId!, row.CreationDate);
          stats.imported++;
          return;
        }
        if ((type !== 2 && type !== 3) || !this.isImportedPost(postId)) {
          stats.skipped++;
          return;
        }
        const post = this.posts.get(postId!)!;
        const value = type === 2 ? 1 : -1;
        const tally = this.tallies.get(postId!) ?? { up: 0, down: 0, named: 0, namedUp: 0, namedDown: 0 };
        if (value > 0) tally.up++;
        else tally.down++;
        this.tallies.set(postId!, tally);
        stats.imported++;
        const voterId = this.userOid(row.UserId);
        if (!voterId) return;
        const _id = `${voterId.toHexString()}:${this.postOid(postId!).toHexString()}`;
        // one vote per member and post: the first one the dump lists is kept
        if (seen.has(_id)) return;
        seen.add(_id);
        tally.named += value;
        if (value > 0) tally.namedUp++;
        else tally.namedDown++;
        this.counts.materialisedVotes++;
        const at = row.CreationDate ?? post.created ?? new Date();
        const full = votes.add({
          _id,
          userId: voterId,
          postId: this.postOid(postId!),
          postAuthorId: this.userOid(post.owner) ?? this.placeholderId,
          postType: post.type === 1 ? 'question' : 'answer',
          value,
          version: 1,
          authorRep: 0,
          voterRep: 0,
          imported: true,
          createdAt: at,
          updatedAt: at,
        });
        if (full) await flushAll();
      },
      flushAll,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Comments.xml → comments (and each post's comment count)

  private async stepComments(write: boolean, stats: Stats): Promise<void> {
    const comments = new InsertBatch(CommentModel, { size: this.batchSize, enabled: write, trusted: true });
    const flushAll = async () => void (await this.flush(comments, stats, 'comment'));
    await this.read(
      'Comments',
      'Comments',
      async (row) => {
        stats.rows++;
        const postId = row.PostId;
        if (postId === undefined || !this.isImportedPost(postId)) {
          stats.skipped++;
          return;
        }
        const info = this.posts.get(postId)!;
        stats.imported++;
        this.counts.comments++;
        this.commentCounts.set(postId, (this.commentCounts.get(postId) ?? 0) + 1);
        const listed = this.commentIdsOf.get(postId);
        if (listed) listed.push(row.Id);
        else this.commentIdsOf.set(postId, [row.Id]);
        if (!write) return;
        const text = row.Text?.trim() ? row.Text : EMPTY_BODY;
        const createdAt = row.CreationDate ?? info.created ?? new Date();
        const full = comments.add({
          _id: seObjectId(this.site, 'comment', row.Id),
          postId: this.postOid(postId),
          questionId: this.postOid(info.type === 1 ? postId : info.parent),
          authorId: this.userOid(row.UserId) ?? this.placeholderId,
          body: text,
          bodyHTML: renderInlineMarkdown(text),
          score: row.Score ?? 0,
          deletedAt: null,
          deletedById: null,
          editedAt: null,
          attribution: this.attribution(
            String(row.Id),
            `https://${this.site}/posts/comments/${row.Id}`,
            row.UserId,
            row.UserDisplayName ?? (row.UserId !== undefined ? `user${row.UserId}` : undefined),
            licenseFor(row.ContentLicense, row.CreationDate),
          ),
          createdAt,
          updatedAt: createdAt,
        });
        if (full) await flushAll();
      },
      flushAll,
    );
  }

  // -------------------------------------------------------------------------------------------
  // PostHistory.xml → revisions (the Markdown source of every post) and close reasons

  private async stepPostHistory(write: boolean, stats: Stats): Promise<void> {
    const revisions = new InsertBatch(RevisionModel, { size: this.batchSize, enabled: write, trusted: true });
    this.revisionsWriter = revisions;
    const flushAll = async () => void (await this.flush(revisions, stats, 'revision'));
    type Group = { postId: number; guid: string; rows: PostHistoryRow[] };
    let group: Group | null = null;

    const applyGroup = async (g: Group) => {
      const info = this.posts.get(g.postId)!;
      if (info.type === 4 || info.type === 5) {
        for (const r of g.rows) {
          if ((r.PostHistoryTypeId === 2 || r.PostHistoryTypeId === 5 || r.PostHistoryTypeId === 8) && r.Text !== undefined)
            this.wikiBodies.set(g.postId, r.Text);
        }
        return;
      }
      const track = this.revTrack.get(g.postId);
      // rows of one edit that are not adjacent in the file amend the same revision
      const merge = !!track && track.guid === g.guid;
      const n = merge ? track.n : (track?.n ?? 0) + 1;
      this.revTrack.set(g.postId, { n, guid: g.guid });
      if (!merge) this.counts.revisions++;
      if (!write) return;
      const previous = track ? await this.stateOf(g.postId, track.n) : null;
      const first = g.rows[0]!;
      const isQuestion = info.type === 1;
      const authorId = this.userOid(first.UserId);
      const state: RevState =
        merge && previous
          ? { ...previous, tags: [...previous.tags], changed: [...previous.changed] }
          : {
              n,
              title: previous?.title ?? null,
              body: previous?.body ?? '',
              tags: previous ? [...previous.tags] : [],
              changed: [],
              authorId,
              authorName: authorId ? null : (first.UserDisplayName ?? (first.UserId !== undefined ? `user${first.UserId}` : 'anonymous')),
              summary: '',
              at: first.CreationDate ?? info.created ?? new Date(),
            };
      const change = (field: string) => {
        if (!state.changed.includes(field)) state.changed.push(field);
      };
      for (const r of g.rows) {
        const text = r.Text;
        switch (r.PostHistoryTypeId) {
          case 1:
          case 4:
          case 7:
            if (isQuestion && text !== undefined) {
              state.title = text;
              change('title');
            }
            break;
          case 2:
          case 5:
          case 8:
            if (text !== undefined) {
              state.body = text;
              change('body');
            }
            break;
          case 3:
          case 6:
          case 9:
            if (isQuestion && text !== undefined) {
              state.tags = this.cleanTags(parseTags(text) ?? []);
              change('tags');
            }
            break;
        }
        if (!state.summary && r.Comment && (r.PostHistoryTypeId ?? 0) > 3) state.summary = clipText(r.Comment, 500);
      }
      const order = ['title', 'body', 'tags'];
      state.changed.sort((a, b) => order.indexOf(a) - order.indexOf(b));
      this.rememberState(g.postId, state);
      const _id = seRevisionId(this.site, g.postId, n);
      const doc = {
        _id,
        postId: this.postOid(g.postId),
        number: n,
        authorId: state.authorId,
        authorName: state.authorName,
        title: isQuestion ? state.title : null,
        body: state.body.trim() ? state.body : EMPTY_BODY,
        tags: isQuestion ? state.tags : [],
        changed: state.changed,
        summary: state.summary,
        rollbackOf: null,
        importKey: `${this.site}:${g.guid}`,
        createdAt: state.at,
        updatedAt: state.at,
      };
      if (merge && !revisions.queued(_id)) {
        // already written (its first part): complete it — rare, so one update is fine
        const { _id: _, ...fields } = doc;
        await RevisionModel.updateOne({ _id }, { $set: fields }, { timestamps: false });
        return;
      }
      if (revisions.add(doc)) await flushAll();
    };

    try {
      await this.read(
        'PostHistory',
        'PostHistory',
        async (row) => {
          stats.rows++;
          const postId = row.PostId;
          const type = row.PostHistoryTypeId ?? 0;
          const info = postId === undefined ? undefined : this.posts.get(postId);
          const wiki = !!info && (info.type === 4 || info.type === 5);
          if (postId === undefined || !info || (!wiki && !this.isImportedPost(postId))) {
            stats.skipped++;
            return;
          }
          if ((type === 10 || type === 11) && !wiki) {
            if (type === 10) this.closeReasons.set(postId, closeReasonFromHistory(row.Comment));
            else this.closeReasons.delete(postId);
            stats.imported++;
            return;
          }
          if (type < 1 || type > 9) {
            stats.skipped++;
            return;
          }
          stats.imported++;
          const guid = row.RevisionGUID ?? `row-${row.Id}`;
          if (group && (group.postId !== postId || group.guid !== guid)) {
            const done: Group = group;
            group = null;
            await applyGroup(done);
          }
          group ??= { postId, guid, rows: [] };
          group.rows.push(row);
        },
        async () => {
          if (group) {
            const done: Group = group;
            group = null;
            await applyGroup(done);
          }
          await flushAll();
        },
      );
    } finally {
      this.revisionsWriter = null;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Posts.xml → questions and answers (complete documents); tag wiki texts for the Tags step

  private async stepPosts(write: boolean, stats: Stats): Promise<void> {
    const posts = new InsertBatch(PostModel, { size: this.batchSize, enabled: write, trusted: true });
    const revisions = new InsertBatch(RevisionModel, { size: this.batchSize, enabled: write, trusted: true });
    const now = new Date();
    const flushAll = async () => {
      // revisions before their posts: a post never exists without its history
      await this.flush(revisions, stats, 'revision');
      await this.flush(posts, stats, 'post');
    };
    // rows are handled a batch at a time: the Markdown of the posts whose latest revision is no
    // longer cached is read back in one query per batch
    let chunk: PostRow[] = [];
    const handleChunk = async () => {
      const rows = chunk;
      chunk = [];
      const states = await this.latestStates(rows.map((r) => r.Id).filter((id) => this.isImportedPost(id)));
      for (const row of rows) await handleRow(row, states.get(row.Id) ?? null);
    };
    const handleRow = async (row: PostRow, state: RevState | null) => {
      const info = this.posts.get(row.Id)!;
      if (info.type === 4 || info.type === 5) {
        this.wikiTexts.set(row.Id, this.wikiBodies.get(row.Id) ?? htmlToMarkdown(row.Body ?? ''));
        this.counts.tagWikis++;
        stats.skipped++; // written by the Tags step
        return;
      }
      if (!this.isImportedPost(row.Id)) {
        stats.skipped++;
        return;
      }
      stats.imported++;
      const isQuestion = info.type === 1;
      const track = this.revTrack.get(row.Id);
      const postTags = isQuestion ? (state ? state.tags : this.cleanTags(row.Tags)) : [];
      for (const tag of postTags) this.tagCounts.set(tag, (this.tagCounts.get(tag) ?? 0) + 1);
      if (!write) return;
      const _id = this.postOid(row.Id);
      const title = isQuestion ? (state?.title ?? row.Title ?? '') : null;
      const source = state?.body ?? htmlToMarkdown(row.Body ?? '');
      const body = source.trim() ? source : EMPTY_BODY;
      const createdAt = row.CreationDate ?? now;
      const ownerId = this.userOid(row.OwnerUserId) ?? this.placeholderId;
      if (!state) {
        // no history in the dump: revision 1 is the post as the dump shows it
        revisions.add({
          _id: seRevisionId(this.site, row.Id, 1),
          postId: _id,
          number: 1,
          authorId: ownerId,
          authorName: null,
          title,
          body,
          tags: postTags,
          changed: isQuestion ? ['title', 'body', 'tags'] : ['body'],
          summary: '',
          rollbackOf: null,
          importKey: `${this.site}:post-${row.Id}`,
          createdAt,
          updatedAt: createdAt,
        });
      }
      const tally = this.tallies.get(row.Id) ?? { up: 0, down: 0, named: 0, namedUp: 0, namedDown: 0 };
      const score = row.Score ?? 0;
      const accepted = isQuestion ? info.accepted : 0;
      const duplicate = isQuestion ? this.duplicateOf.get(row.Id) : undefined;
      const closed = isQuestion && row.ClosedDate !== undefined;
      const full = posts.add({
        _id,
        type: isQuestion ? 'question' : 'answer',
        spaceId: this.spaceId,
        questionId: isQuestion ? _id : this.postOid(info.parent),
        authorId: ownerId,
        title,
        tags: postTags,
        body,
        bodyHTML: renderMarkdown(body),
        score,
        scoreBase: score - tally.named,
        // the dump's up/down split, except where no score is left unbacked by vote documents:
        // there upVotes/downVotes count the vote documents (what verify recomputes)
        upVotes: score - tally.named !== 0 ? tally.up : tally.namedUp,
        downVotes: score - tally.named !== 0 ? tally.down : tally.namedDown,
        answerCount: isQuestion ? info.answers : 0,
        commentCount: this.commentCounts.get(row.Id) ?? 0,
        commentIds: (this.commentIdsOf.get(row.Id) ?? []).map((id) => seObjectId(this.site, 'comment', id)),
        ...(isQuestion ? { answerIds: (this.answerIdsOf.get(row.Id) ?? []).map((id) => this.postOid(id)) } : {}),
        viewCount: row.ViewCount ?? 0,
        isAnswered: isQuestion && (accepted !== 0 || info.positive),
        acceptedAnswerId: accepted ? this.postOid(accepted) : null,
        acceptedAt: accepted ? (this.acceptedAt.get(accepted) ?? null) : null,
        // generation 0: an imported acceptance has no ledger events (the opening balance holds it)
        acceptGen: 0,
        closedAt: closed ? row.ClosedDate : null,
        closeReason: closed ? (duplicate !== undefined ? 'DUPLICATE' : (this.closeReasons.get(row.Id) ?? 'OTHER')) : null,
        duplicateOfId: duplicate !== undefined ? this.postOid(duplicate) : null,
        relatedIds: (isQuestion ? (this.related.get(row.Id) ?? []) : []).map((id) => this.postOid(id)),
        deletedAt: null,
        lastActivityAt: row.LastActivityDate ?? createdAt,
        lastEditedAt: row.LastEditDate ?? null,
        lastEditorId: row.LastEditDate ? this.userOid(row.LastEditorUserId) : null,
        revisionCount: track?.n ?? 1,
        version: 1,
        attribution: this.attribution(
          String(row.Id),
          `https://${this.site}/${isQuestion ? 'q' : 'a'}/${row.Id}`,
          row.OwnerUserId,
          row.OwnerDisplayName ?? (row.OwnerUserId !== undefined ? `user${row.OwnerUserId}` : undefined),
          licenseFor(row.ContentLicense, row.CreationDate),
        ),
        createdAt,
        updatedAt: row.LastEditDate ?? createdAt,
      });
      if (full) await flushAll();
    };
    await this.read(
      'Posts',
      'Posts',
      async (row) => {
        stats.rows++;
        chunk.push(row);
        if (chunk.length >= this.batchSize) await handleChunk();
      },
      async () => {
        if (chunk.length > 0) await handleChunk();
        await flushAll();
      },
    );
  }

  /** The latest revision state of these posts: from the cache, the rest in one read. */
  private async latestStates(postIds: number[]): Promise<Map<number, RevState>> {
    const states = new Map<number, RevState>();
    const missing = new Map<string, { postId: number; n: number }>();
    for (const postId of postIds) {
      const track = this.revTrack.get(postId);
      if (!track) continue;
      const cached = this.stateCache.get(postId);
      if (cached && cached.n === track.n) states.set(postId, cached);
      else missing.set(seRevisionId(this.site, postId, track.n).toHexString(), { postId, n: track.n });
    }
    if (missing.size === 0) return states;
    const ids = [...missing.keys()].map((id) => new Types.ObjectId(id));
    const docs = await findByIds<RevisionLike & { _id: Types.ObjectId }>(RevisionModel, ids);
    for (const doc of docs) {
      const m = missing.get(doc._id.toHexString());
      if (m) states.set(m.postId, this.toState(doc, m.n));
    }
    return states;
  }

  private toState(doc: RevisionLike, n: number): RevState {
    return {
      n,
      title: doc.title ?? null,
      body: doc.body,
      tags: [...doc.tags],
      changed: [...doc.changed],
      authorId: doc.authorId ?? null,
      authorName: doc.authorName ?? null,
      summary: doc.summary ?? '',
      at: doc.createdAt,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Tags.xml → tags, with their wiki (excerpt + body) and question counts

  private async stepTags(write: boolean, stats: Stats): Promise<void> {
    const tags = new InsertBatch(TagModel, { size: this.batchSize, enabled: write, trusted: true });
    const now = new Date();
    const seen = new Set<string>();
    const flushAll = async () => void (await this.flush(tags, stats, 'tag'));
    await this.read(
      'Tags',
      'Tags',
      async (row) => {
        stats.rows++;
        const name = this.cleanTags(row.TagName ? [row.TagName] : [])[0];
        if (!name || seen.has(name)) {
          stats.skipped++;
          return;
        }
        seen.add(name);
        stats.imported++;
        this.counts.tags++;
        if (!write) return;
        const wiki = row.WikiPostId !== undefined ? this.wikiTexts.get(row.WikiPostId) : undefined;
        const summary = row.ExcerptPostId !== undefined ? this.wikiTexts.get(row.ExcerptPostId) : undefined;
        const full = tags.add({
          _id: name,
          description: wiki ?? '',
          descriptionHTML: wiki ? renderMarkdown(wiki) : '',
          excerpt: summary ? excerpt(summary, 500) : '',
          synonymOf: null,
          questionCount: this.tagCounts.get(name) ?? 0,
          createdAt: now,
          updatedAt: now,
        });
        if (full) await flushAll();
      },
      async () => {
        // tags the questions use that Tags.xml does not list
        for (const [name, n] of this.tagCounts) {
          if (seen.has(name)) continue;
          seen.add(name);
          if (
            tags.add({
              _id: name,
              description: '',
              descriptionHTML: '',
              excerpt: '',
              synonymOf: null,
              questionCount: n,
              createdAt: now,
              updatedAt: now,
            })
          )
            await flushAll();
        }
        await flushAll();
      },
    );
  }

  // -------------------------------------------------------------------------------------------
  // Badges.xml → badges

  private async stepBadges(write: boolean, stats: Stats): Promise<void> {
    const badges = new InsertBatch(BadgeModel, { size: this.batchSize, enabled: write, trusted: true });
    const flushAll = async () => void (await this.flush(badges, stats, 'badge'));
    await this.read(
      'Badges',
      'Badges',
      async (row) => {
        stats.rows++;
        const userId = this.userOid(row.UserId);
        if (!userId || !row.Name) {
          stats.skipped++;
          return;
        }
        stats.imported++;
        this.counts.badges++;
        if (!write) return;
        const at = row.Date ?? new Date();
        const full = badges.add({
          _id: seObjectId(this.site, 'badge', row.Id),
          userId,
          name: row.Name,
          key: row.TagBased ? null : (BADGE_CATALOGUE.get(row.Name) ?? null),
          tier: badgeTier(row.Class),
          tagBased: row.TagBased ?? false,
          awardedAt: at,
          imported: true,
          attribution: {
            site: this.site,
            originalId: String(row.Id),
            url: `https://${this.site}/users/${row.UserId}?tab=badges`,
            authorName: this.userNames.get(row.UserId!) ?? null,
            authorUrl: `https://${this.site}/users/${row.UserId}`,
            license: DEFAULT_LICENSE,
          },
          createdAt: at,
          updatedAt: at,
        });
        if (full) await flushAll();
      },
      flushAll,
    );
  }

  // -------------------------------------------------------------------------------------------
  // counters: the space's question count; tag counts recomputed from every live question
  // (tags are shared by all spaces: a tag that existed before the import counts both)

  private async stepCounters(stats: Stats): Promise<void> {
    this.options.onProgress?.({ step: 'counters', file: null, phase: 'start', bytesRead: 0, totalBytes: 0, rows: 0 });
    const questions = await PostModel.countDocuments({ spaceId: this.spaceId, type: 'question', deletedAt: null });
    await SpaceModel.updateOne({ _id: this.spaceId }, { $set: { questionCount: questions } }, { timestamps: false });
    const counted = await PostModel.aggregate<{ _id: string; n: number }>([
      { $match: { type: 'question', deletedAt: null } },
      { $project: { tags: 1 } },
      { $unwind: '$tags' },
      { $group: { _id: '$tags', n: { $sum: 1 } } },
    ]);
    const byTag = new Map(counted.map((c) => [c._id, c.n]));
    const existing = (await TagModel.find({}).select('questionCount').lean()) as Array<{ _id: string; questionCount: number }>;
    for (const t of existing) {
      stats.rows++;
      const n = byTag.get(t._id) ?? 0;
      if (t.questionCount === n) continue;
      // only tags that other questions share (or that changed since): one update each
      await TagModel.updateOne({ _id: t._id }, { $set: { questionCount: n } }, { timestamps: false });
      stats.imported++;
    }
    // the posts' child lists (answerIds, commentIds): the writer streamed posts before their
    // answers and comments; pages read answers and comments by id from these lists
    const lists = await fillChildLists();
    stats.rows += lists.posts;
    stats.imported += lists.updated;
    this.options.onProgress?.({ step: 'counters', file: null, phase: 'end', bytesRead: 0, totalBytes: 0, rows: stats.rows });
  }

  // -------------------------------------------------------------------------------------------
  // search: index the imported questions (each with its answers)

  private async stepSearch(stats: Stats): Promise<void> {
    const ids: string[] = [];
    for (const [id, p] of this.posts) if (p.type === 1 && this.isImportedPost(id)) ids.push(this.postOid(id).toHexString());
    const total = ids.length;
    this.options.onProgress?.({ step: 'search', file: null, phase: 'start', bytesRead: 0, totalBytes: total, rows: 0 });
    for (let i = 0; i < ids.length; i += this.batchSize) {
      this.options.signal?.throwIfAborted();
      const batch = ids.slice(i, i + this.batchSize);
      const indexed = await indexPosts(this.deps.services.search, batch);
      stats.rows += batch.length;
      stats.imported += indexed;
      this.options.onProgress?.({
        step: 'search',
        file: null,
        phase: 'progress',
        bytesRead: stats.rows,
        totalBytes: total,
        rows: stats.imported,
      });
    }
    this.options.onProgress?.({ step: 'search', file: null, phase: 'end', bytesRead: total, totalBytes: total, rows: stats.imported });
  }
}
