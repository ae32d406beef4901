// Stack Exchange data dump → Colloquy (phase 2 of the importer; se-dump.reader.ts reads, this
// maps and writes).
//
// REPUTATION (decided): an imported member's reputation is the dump's `Reputation`, kept as an
// OPENING BALANCE in the ledger — one `join:<userId>` event with reason IMPORTED_BALANCE and
// delta max(1, Reputation), exactly what `openLedger(rules, userId, createdAt, balance)` writes
// for a new member (written here in bulk: seq 1, balance = delta, user.reputation = balance,
// user.repSeq = 1). It is not recomputed from the imported votes because public dumps do not
// say who cast the up/down votes (and leave out deleted posts, bounties, suggested edits,
// association bonuses …), so no recomputation could match what the site shows. Imported votes
// therefore award nothing (authorRep = voterRep = 0) and undoing one later takes nothing back;
// everything members do after the import goes through the normal ledger rules. The user
// document's reputation always equals the sum of its ledger events.
//
// SCORES: posts.score = the dump's Score; `scoreBase` = Score − Σ(materialised vote values), so
// score == scoreBase + Σ votes holds for every imported post. Only up/down votes whose voter
// the dump names become vote documents (`imported: true`); anonymous ones stay in scoreBase.
// upVotes/downVotes are the dump's up/down tallies.
//
// STREAMING AND MEMORY: files are streamed row by row (never read whole). What is kept in
// memory are id maps: one small record per post (type, parent, owner, score), the set of user
// ids with their display names, post links, vote tallies, revision numbers per post, and an LRU
// cache of the latest revision state of recently edited posts (a miss reads the revision back
// by `_id`). Ids are deterministic — the first 12 bytes of sha1(site, kind, Stack Exchange id) —
// so every write is an upsert by `_id` (the only filter FerretDB pushes down), batched with
// unordered bulkWrite.
//
// IDEMPOTENT AND RESUMABLE: a row is one upsert of one whole document. Rows are insert-only
// ($setOnInsert): a re-run inserts what is missing and never overwrites what exists, so it
// changes nothing, also after members have voted, answered or edited. Facts that are set after
// the row exists (tag wikis, comment counts, counters) are absolute values (no $inc). Each step
// records its completion in `import_state`; a resumed run skips completed steps (re-reading a
// completed file only when a later step needs its id maps) unless `force` is given. Bad XML: the
// reader's DumpFormatError (file + line) propagates after the rows before it are written.
//
// ORDER: Posts.xml is first indexed (types, parents, owners, scores: no writes); then Users, Tags,
// PostLinks (links are folded into the posts), Votes (tallies → scoreBase, named votes →
// vote documents), PostHistory (→ revisions; the Markdown source), Posts (questions, answers,
// tag wikis), Comments, Badges, counters, search.
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
} from './se-dump.reader.js';
import { ImportStateModel } from './se-import-state.model.js';
import {
  badgeTier,
  closeReasonFromHistory,
  fallbackHandle,
  handleFromName,
  htmlToMarkdown,
  htmlToText,
  clipText,
  licenseFor,
  safeUrl,
  seObjectId,
  seRevisionId,
  siteDisplayName,
  siteHandle,
  siteLabel,
  type CloseReason,
} from './se-mapping.js';
import { isDuplicateKey, UpsertBatch, type WriteFailure } from './se-writer.js';

// ---------------------------------------------------------------------------------------------
// Public API

export type SeStep = 'Users' | 'Tags' | 'PostLinks' | 'Votes' | 'PostHistory' | 'Posts' | 'Comments' | 'Badges' | 'counters' | 'search';

export const SE_STEPS: readonly SeStep[] = ['Users', 'Tags', 'PostLinks', 'Votes', 'PostHistory', 'Posts', 'Comments', 'Badges', 'counters', 'search'];

export interface SeProgressEvent {
  step: SeStep | 'index';
  /** e.g. "Posts.xml"; null for the counters and search steps */
  file: string | null;
  phase: 'start' | 'progress' | 'end';
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

export interface SeImportOptions {
  /** slug of the space to import into (created when missing); default from the site, e.g. "ai" */
  space?: string;
  /** re-run completed steps (still insert-only: nothing existing is overwritten) */
  force?: boolean;
  /** the site, e.g. "ai.stackexchange.com"; default from the folder's name */
  site?: string;
  log?: (line: string) => void;
  onProgress?: (event: SeProgressEvent) => void;
  /** rows per bulk write (default 500) */
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
  rows: number;
  imported: number;
  skipped: number;
  errors: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface SeImportSummary {
  site: string;
  space: { id: string; slug: string };
  steps: SeStepSummary[];
  /** what the dump holds and what was imported */
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
 * kept and how). Idempotent and resumable. Rejects with the reader's DumpFormatError (naming
 * the file and line) on malformed XML, after writing every complete row before it.
 */
export async function importStackExchange(deps: AppDeps, dir: string, options: SeImportOptions = {}): Promise<SeImportSummary> {
  const site = options.site ?? siteFromDir(dir);
  if (!site) throw new Error(`cannot tell the site from the folder name "${dir}" (expected e.g. …/ai.stackexchange.com); pass the site option`);
  const files = new Map((await dumpFiles(dir)).map((f) => [f.kind, f]));
  for (const required of ['Posts', 'Users'] as const) {
    if (!files.get(required)?.exists) throw new Error(`${required}.xml is missing in ${dir}`);
  }
  const importer = new SeImporter(deps, site, files, options);
  return importer.run();
}

// ---------------------------------------------------------------------------------------------
// Internals

/** One post of Posts.xml as far as the other files need it. */
interface PostInfo {
  type: number;
  /** answers: the question's Id (0 when none) */
  parent: number;
  owner: number | undefined;
  ownerName: string | undefined;
  score: number;
  /** questions: imported answers, one with a positive score, the AcceptedAnswerId */
  answers: number;
  positive: boolean;
  accepted: number;
  created: Date | undefined;
  license: string | undefined;
  deleted: boolean;
}

interface RevState {
  n: number;
  guid: string;
  title: string | null;
  body: string;
  tags: string[];
  changed: string[];
  authorId: Types.ObjectId | null;
  authorName: string | null;
  summary: string;
  at: Date;
}

interface Stats {
  rows: number;
  imported: number;
  skipped: number;
  errors: number;
}

type Mode = SeStepSummary['mode'];

const FILE_OF: Record<SeStep, DumpKind | null> = {
  Users: 'Users',
  Tags: 'Tags',
  PostLinks: 'PostLinks',
  Votes: 'Votes',
  PostHistory: 'PostHistory',
  Posts: 'Posts',
  Comments: 'Comments',
  Badges: 'Badges',
  counters: null,
  search: null,
};

/** Steps whose in-memory maps a step uses (they are re-read in scan mode when complete). */
const NEEDS: Record<SeStep, SeStep[]> = {
  Users: [],
  Tags: [],
  PostLinks: [],
  Votes: ['Users'],
  PostHistory: ['Users'],
  Posts: ['Users', 'Tags', 'PostLinks', 'Votes', 'PostHistory'],
  Comments: ['Users'],
  Badges: ['Users'],
  counters: ['Users'],
  search: [],
};

/** A step runs again (writing) when one of these ran writing: it derives values from them. */
const REDO_AFTER: Partial<Record<SeStep, SeStep[]>> = {
  Comments: ['Posts'],
  counters: ['Users', 'Tags', 'Votes', 'PostHistory', 'Posts', 'Comments', 'Badges'],
  search: ['Users', 'Tags', 'Votes', 'PostHistory', 'Posts', 'Comments'],
};

const DEFAULT_LICENSE = 'CC BY-SA 4.0';
const MAX_ERRORS_LOGGED = 10;

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
  private readonly wikiOf = new Map<number, { tag: string; kind: 'excerpt' | 'wiki' }>();
  private readonly duplicateOf = new Map<number, number>();
  private readonly related = new Map<number, number[]>();
  private readonly tallies = new Map<number, { up: number; down: number; named: number }>();
  private readonly acceptedAt = new Map<number, Date>();
  private readonly revTrack = new Map<number, { n: number; guid: string }>();
  private readonly stateCache = new Map<number, RevState>();
  private readonly wikiBodies = new Map<number, string>();
  private readonly closeReasons = new Map<number, CloseReason>();
  private revisionsWriter: UpsertBatch | null = null;
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
    this.placeholderId = seObjectId(site, 'placeholder', 'anonymous');
  }

  async run(): Promise<SeImportSummary> {
    const started = performance.now();
    await this.ensureSpace();
    const modes = await this.plan();
    const steps: SeStepSummary[] = [];
    const pending = SE_STEPS.filter((s) => modes.get(s) === 'write');
    if (pending.length === 0) {
      this.log(`${this.site}: every step is complete; nothing to do (use --force to run them again)`);
    } else {
      await this.indexPosts();
    }
    for (const step of SE_STEPS) {
      const mode = modes.get(step)!;
      const file = FILE_OF[step] ? this.files.get(FILE_OF[step])! : null;
      if (mode === 'skipped' || (file && !file.exists)) {
        steps.push({ step, file: file?.fileName ?? null, mode: 'skipped', rows: 0, imported: 0, skipped: 0, errors: 0, seconds: 0, rowsPerSecond: 0 });
        if (file && !file.exists && mode !== 'skipped') this.log(`${file.fileName} is missing: step ${step} skipped`);
        continue;
      }
      const t0 = performance.now();
      const stats: Stats = { rows: 0, imported: 0, skipped: 0, errors: 0 };
      await this.runStep(step, mode === 'write', stats);
      const seconds = (performance.now() - t0) / 1000;
      steps.push({ step, file: file?.fileName ?? null, mode, ...stats, seconds, rowsPerSecond: seconds > 0 ? stats.rows / seconds : 0 });
      if (mode === 'write') {
        await ImportStateModel.updateOne(
          { _id: `${this.site}:${step}` },
          {
            $set: {
              site: this.site,
              step,
              file: file?.fileName ?? null,
              bytes: file?.bytes ?? 0,
              ...stats,
              seconds,
              completedAt: new Date(),
            },
          },
          { upsert: true },
        );
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
      await SpaceModel.updateOne(
        { _id: this.spaceId },
        {
          $setOnInsert: {
            slug,
            name: siteDisplayName(this.site),
            description: `Questions and answers imported from ${this.site} (${DEFAULT_LICENSE}; every post links to its original).`,
            questionCount: 0,
          },
        },
        { upsert: true },
      );
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
    // complete steps whose maps a running step needs are re-read (latest first: needs point back)
    for (const step of [...SE_STEPS].reverse()) {
      if (modes.get(step) === 'skipped') continue;
      for (const need of NEEDS[step]) if (modes.get(need) === 'skipped') modes.set(need, 'scan');
    }
    if (this.options.search === false) modes.set('search', 'skipped');
    return modes;
  }

  private async runStep(step: SeStep, write: boolean, stats: Stats): Promise<void> {
    switch (step) {
      case 'Users':
        return this.stepUsers(write, stats);
      case 'Tags':
        return this.stepTags(write, stats);
      case 'PostLinks':
        return this.stepPostLinks(stats);
      case 'Votes':
        return this.stepVotes(write, stats);
      case 'PostHistory':
        return this.stepPostHistory(write, stats);
      case 'Posts':
        return this.stepPosts(write, stats);
      case 'Comments':
        return this.stepComments(write, stats);
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

  /** Streams one file to `onRow`; on a format error the writes queued so far are flushed first. */
  private async read<K extends DumpKind>(
    step: SeStep | 'index',
    kind: K,
    onRow: (row: DumpRowMap[K], line: number) => void | Promise<void>,
    flushAll: () => Promise<void>,
  ): Promise<number> {
    const file = this.files.get(kind)!;
    const emit = (phase: SeProgressEvent['phase'], bytesRead: number, rows: number) =>
      this.options.onProgress?.({ step, file: file.fileName, phase, bytesRead, totalBytes: file.bytes, rows });
    emit('start', 0, 0);
    let rows = 0;
    try {
      const result = await readDumpFile(
        file.path,
        kind,
        async (row, line) => {
          rows++;
          await onRow(row as DumpRowMap[K], line);
        },
        { signal: this.options.signal, onProgress: (bytes, _total, parsed) => emit('progress', bytes, Math.min(parsed, rows)) },
      );
      rows = result.rows;
    } catch (error) {
      // every row handed over before the error is complete: write it, then report the error
      await flushAll().catch((flushError: unknown) => this.log(`while stopping: ${String(flushError)}`));
      throw error;
    }
    await flushAll();
    emit('end', file.bytes, rows);
    return rows;
  }

  private async flush(writer: UpsertBatch, stats: Stats, what: string): Promise<WriteFailure[]> {
    const { failures } = await writer.flush();
    this.reportFailures(failures, stats, what);
    return failures;
  }

  private reportFailures(failures: WriteFailure[], stats: Stats, what: string): void {
    stats.errors += failures.length;
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

  /** questions, and answers of imported questions */
  private isImportedPost(id: number | undefined): boolean {
    const p = id === undefined ? undefined : this.posts.get(id);
    if (!p || p.deleted) return false;
    return p.type === 1 || (p.type === 2 && this.isQuestion(p.parent));
  }

  private userUrl(seUserId: number | undefined): string | null {
    return seUserId !== undefined && this.userNames.has(seUserId) ? `https://${this.site}/users/${seUserId}` : null;
  }

  private attribution(originalId: string, url: string, authorId: number | undefined, authorName: string | undefined, license: string): Attribution {
    return {
      site: this.site,
      originalId,
      url,
      authorName: (authorId !== undefined ? this.userNames.get(authorId) : undefined) ?? authorName ?? null,
      authorUrl: this.userUrl(authorId),
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
    if (this.revisionsWriter?.pending) await this.revisionsWriter.flush();
    const doc = await RevisionModel.findById(seRevisionId(this.site, postId, n)).lean();
    if (!doc) return null;
    const state: RevState = {
      n,
      guid: this.revTrack.get(postId)?.guid ?? '',
      title: doc.title ?? null,
      body: doc.body,
      tags: [...doc.tags],
      changed: [...doc.changed],
      authorId: doc.authorId ?? null,
      authorName: doc.authorName ?? null,
      summary: doc.summary ?? '',
      at: doc.createdAt,
    };
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

  private async indexPosts(): Promise<void> {
    const t0 = performance.now();
    await this.read(
      'index',
      'Posts',
      (row) => {
        this.posts.set(row.Id, {
          type: row.PostTypeId ?? 0,
          parent: row.ParentId ?? 0,
          owner: row.OwnerUserId,
          ownerName: row.OwnerDisplayName,
          score: row.Score ?? 0,
          answers: 0,
          positive: false,
          accepted: row.AcceptedAnswerId ?? 0,
          created: row.CreationDate,
          license: row.ContentLicense,
          deleted: row.DeletionDate !== undefined,
        });
      },
      async () => undefined,
    );
    for (const p of this.posts.values()) {
      if (p.type !== 2 || p.deleted) continue;
      const q = this.posts.get(p.parent);
      if (!q || q.type !== 1 || q.deleted) continue;
      q.answers++;
      if (p.score > 0) q.positive = true;
    }
    for (const [id, p] of this.posts) {
      if (p.type !== 1 || !p.accepted) continue;
      const a = this.posts.get(p.accepted);
      if (!a || a.type !== 2 || a.parent !== id || a.deleted) p.accepted = 0;
    }
    for (const [id, p] of this.posts) {
      if (p.type === 4 || p.type === 5) continue;
      if (!this.isImportedPost(id)) continue;
      if (p.type === 1) this.counts.questions++;
      else this.counts.answers++;
    }
    this.counts.posts = this.posts.size;
    this.log(`indexed ${this.posts.size} posts of Posts.xml in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  // -------------------------------------------------------------------------------------------
  // Users.xml → users + opening balances

  private async stepUsers(write: boolean, stats: Stats): Promise<void> {
    const users = new UpsertBatch(UserModel, this.batchSize, write);
    const events = new UpsertBatch(ReputationEventModel, this.batchSize, write);
    const taken = new Set<string>();
    const alternatives = new Map<string, { name: string | undefined; id: number }>();
    const rules = this.deps.services.reputationRules;
    const now = new Date();

    const flushAll = async () => {
      await this.flush(events, stats, 'reputation event');
      let failures = (await users.flush()).failures;
      // a handle taken by someone outside this dump (a member, another import): longer forms
      for (let round = 0; round < 2 && failures.length > 0; round++) {
        const rest: WriteFailure[] = [];
        for (const f of failures) {
          const alt = alternatives.get(f.id);
          if (!alt || !isDuplicateKey(f)) {
            rest.push(f);
            continue;
          }
          const handle = round === 0 ? fallbackHandle(alt.name, alt.id) : siteHandle(this.site, alt.id);
          users.add(new Types.ObjectId(f.id), { $setOnInsert: { ...f.update.$setOnInsert, handle, handleKey: handle.toLowerCase() } });
        }
        failures = [...rest, ...(await users.flush()).failures];
      }
      this.reportFailures(failures, stats, 'user');
      stats.imported -= failures.length;
      alternatives.clear();
    };

    const addUser = (
      _id: Types.ObjectId,
      doc: Record<string, unknown> & { handle: string; createdAt: Date },
      balance: number,
      alt: { name: string | undefined; id: number },
    ) => {
      events.add(`join:${_id.toHexString()}`, {
        $setOnInsert: {
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
        },
      });
      alternatives.set(_id.toHexString(), alt);
      return users.add(_id, {
        $setOnInsert: {
          ...doc,
          handleKey: doc.handle.toLowerCase(),
          emailKey: `none:${_id.toHexString()}`,
          email: null,
          passwordHash: null,
          role: 'MEMBER',
          reputation: balance,
          repSeq: 1,
          repDay: '',
          repDayEarned: 0,
          updatedAt: doc.createdAt,
        },
      });
    };

    if (write) {
      // owner of posts and comments whose author's account is gone (the name stays in attribution)
      const label = siteLabel(this.site).slice(0, 16);
      addUser(
        this.placeholderId,
        {
          handle: `se-anonymous-${label}`,
          displayName: 'Anonymous',
          bio: `Stands in for deleted or anonymous ${this.site} accounts; each imported post names its original author.`,
          bioHTML: renderMarkdown(`Stands in for deleted or anonymous ${this.site} accounts; each imported post names its original author.`),
          createdAt: now,
        },
        Math.max(1, rules.initial),
        { name: 'anonymous', id: 0 },
      );
      taken.add(`se-anonymous-${label}`.toLowerCase());
    }

    await this.read(
      'Users',
      'Users',
      async (row) => {
        stats.rows++;
        const name = row.DisplayName?.trim() || `user${row.Id}`;
        this.userNames.set(row.Id, name);
        this.counts.users++;
        stats.imported++;
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
              license: licenseFor(undefined, undefined),
            },
          },
          Math.max(1, row.Reputation ?? rules.initial),
          { name: row.DisplayName, id: row.Id },
        );
        if (full) await flushAll();
      },
      flushAll,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Tags.xml → tags (counts come from the questions at the end)

  private async stepTags(write: boolean, stats: Stats): Promise<void> {
    const tags = new UpsertBatch(TagModel, this.batchSize, write);
    const now = new Date();
    const flushAll = async () => void (await this.flush(tags, stats, 'tag'));
    await this.read(
      'Tags',
      'Tags',
      async (row) => {
        stats.rows++;
        const name = this.cleanTags(row.TagName ? [row.TagName] : [])[0];
        if (!name) {
          stats.skipped++;
          return;
        }
        if (row.ExcerptPostId) this.wikiOf.set(row.ExcerptPostId, { tag: name, kind: 'excerpt' });
        if (row.WikiPostId) this.wikiOf.set(row.WikiPostId, { tag: name, kind: 'wiki' });
        stats.imported++;
        this.counts.tags++;
        const full = tags.add(name, {
          $setOnInsert: { description: '', descriptionHTML: '', excerpt: '', synonymOf: null, questionCount: 0, createdAt: now, updatedAt: now },
        });
        if (full) await flushAll();
      },
      flushAll,
    );
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
        } else if (row.LinkTypeId === 1) {
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
  // Votes.xml → tallies (scores), vote documents for votes that name their voter

  private async stepVotes(write: boolean, stats: Stats): Promise<void> {
    const votes = new UpsertBatch(VoteModel, this.batchSize, write);
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
        if (type === 1 && postId !== undefined && this.isImportedPost(postId)) {
          // acceptance: AcceptedAnswerId says which; this gives the day it happened
          if (row.CreationDate) this.acceptedAt.set(postId, row.CreationDate);
          stats.imported++;
          return;
        }
        if ((type !== 2 && type !== 3) || !this.isImportedPost(postId)) {
          stats.skipped++;
          return;
        }
        const post = this.posts.get(postId!)!;
        const value = type === 2 ? 1 : -1;
        const tally = this.tallies.get(postId!) ?? { up: 0, down: 0, named: 0 };
        if (value > 0) tally.up++;
        else tally.down++;
        this.tallies.set(postId!, tally);
        stats.imported++;
        const voterId = this.userOid(row.UserId);
        if (!voterId) return;
        const _id = `${voterId.toHexString()}:${this.postOid(postId!).toHexString()}`;
        // one vote per member and post: the first one the dump lists is the one kept
        if (seen.has(_id)) return;
        seen.add(_id);
        tally.named += value;
        this.counts.materialisedVotes++;
        const at = row.CreationDate ?? post.created ?? new Date();
        const full = votes.add(_id, {
          $setOnInsert: {
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
          },
        });
        if (full) await flushAll();
      },
      flushAll,
    );
  }

  // -------------------------------------------------------------------------------------------
  // PostHistory.xml → revisions (and the Markdown source of every post)

  private async stepPostHistory(write: boolean, stats: Stats): Promise<void> {
    const revisions = new UpsertBatch(RevisionModel, this.batchSize, write);
    this.revisionsWriter = revisions;
    const flushAll = async () => void (await this.flush(revisions, stats, 'revision'));
    let group: { postId: number; guid: string; rows: PostHistoryRow[] } | null = null;

    const applyGroup = async (g: { postId: number; guid: string; rows: PostHistoryRow[] }) => {
      const info = this.posts.get(g.postId)!;
      if (info.type === 4 || info.type === 5) {
        for (const r of g.rows) if ((r.PostHistoryTypeId === 2 || r.PostHistoryTypeId === 5 || r.PostHistoryTypeId === 8) && r.Text !== undefined) this.wikiBodies.set(g.postId, r.Text);
        return;
      }
      const track = this.revTrack.get(g.postId);
      const merge = !!track && track.guid === g.guid && g.guid !== '';
      const n = merge ? track.n : (track?.n ?? 0) + 1;
      this.revTrack.set(g.postId, { n, guid: g.guid });
      this.counts.revisions += merge ? 0 : 1;
      if (!write) return;
      const previous = track ? await this.stateOf(g.postId, track.n) : null;
      const first = g.rows[0]!;
      const isQuestion = info.type === 1;
      const state: RevState = merge && previous
        ? { ...previous, tags: [...previous.tags], changed: [...previous.changed] }
        : {
            n,
            guid: g.guid,
            title: previous?.title ?? null,
            body: previous?.body ?? '',
            tags: previous ? [...previous.tags] : [],
            changed: [],
            authorId: this.userOid(first.UserId),
            authorName: this.userOid(first.UserId) ? null : (first.UserDisplayName ?? (first.UserId !== undefined ? `user${first.UserId}` : 'anonymous')),
            summary: '',
            at: first.CreationDate ?? info.created ?? new Date(),
          };
      state.n = n;
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
        if (!state.summary && r.Comment && r.PostHistoryTypeId !== 1 && r.PostHistoryTypeId !== 2 && r.PostHistoryTypeId !== 3) state.summary = clipText(r.Comment, 500);
      }
      const order = ['title', 'body', 'tags'];
      state.changed.sort((a, b) => order.indexOf(a) - order.indexOf(b));
      this.rememberState(g.postId, state);
      const full = revisions.add(seRevisionId(this.site, g.postId, n), {
        $set: {
          postId: this.postOid(g.postId),
          number: n,
          authorId: state.authorId,
          authorName: state.authorName,
          title: isQuestion ? state.title : null,
          body: state.body,
          tags: isQuestion ? state.tags : [],
          changed: state.changed,
          summary: state.summary,
          rollbackOf: null,
          importKey: `${this.site}:${g.guid}`,
          createdAt: state.at,
          updatedAt: state.at,
        },
      });
      if (full) await flushAll();
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
          if (type === 10 || type === 11) {
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
            const done = group;
            group = null;
            await applyGroup(done);
          }
          group ??= { postId, guid, rows: [] };
          group.rows.push(row);
        },
        async () => {
          if (group) {
            const done = group;
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
  // Posts.xml → questions, answers, tag wikis

  private async stepPosts(write: boolean, stats: Stats): Promise<void> {
    const posts = new UpsertBatch(PostModel, this.batchSize, write);
    const revisions = new UpsertBatch(RevisionModel, this.batchSize, write);
    const tags = new UpsertBatch(TagModel, this.batchSize, write);
    const now = new Date();
    const flushAll = async () => {
      // revisions before their posts: a post never exists without its history
      await this.flush(revisions, stats, 'revision');
      await this.flush(posts, stats, 'post');
      await this.flush(tags, stats, 'tag wiki');
    };
    await this.read(
      'Posts',
      'Posts',
      async (row) => {
        stats.rows++;
        this.counts.posts++;
        const info = this.posts.get(row.Id)!;
        const license = licenseFor(row.ContentLicense, row.CreationDate);
        if (info.type === 4 || info.type === 5) {
          const wiki = this.wikiOf.get(row.Id);
          if (!wiki) {
            stats.skipped++;
            return;
          }
          stats.imported++;
          this.counts.tagWikis++;
          const source = this.wikiBodies.get(row.Id) ?? htmlToMarkdown(row.Body ?? '');
          const set: Record<string, unknown> =
            wiki.kind === 'excerpt'
              ? { excerpt: excerpt(source, 500) }
              : { description: source, descriptionHTML: renderMarkdown(source) };
          if (tags.add(wiki.tag, { $set: set, $setOnInsert: { synonymOf: null, questionCount: 0, createdAt: now, updatedAt: now } }, { upsert: true })) await flushAll();
          return;
        }
        if (!this.isImportedPost(row.Id)) {
          stats.skipped++;
          return;
        }
        if (!write) return;
        const isQuestion = info.type === 1;
        const _id = this.postOid(row.Id);
        const track = this.revTrack.get(row.Id);
        const state = track ? await this.stateOf(row.Id, track.n) : null;
        const title = isQuestion ? (state?.title ?? row.Title ?? '') : null;
        const body = state?.body ?? htmlToMarkdown(row.Body ?? '');
        const postTags = isQuestion ? (state ? state.tags : this.cleanTags(row.Tags)) : [];
        const createdAt = row.CreationDate ?? now;
        const ownerId = this.userOid(row.OwnerUserId) ?? this.placeholderId;
        if (!state) {
          // no history in the dump: revision 1 is the post as the dump shows it
          revisions.add(seRevisionId(this.site, row.Id, 1), {
            $set: {
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
            },
          });
        }
        const tally = this.tallies.get(row.Id) ?? { up: 0, down: 0, named: 0 };
        const score = row.Score ?? 0;
        const accepted = isQuestion && info.accepted ? info.accepted : 0;
        const duplicate = isQuestion ? this.duplicateOf.get(row.Id) : undefined;
        const closeReason = row.ClosedDate ? (duplicate !== undefined ? 'DUPLICATE' : (this.closeReasons.get(row.Id) ?? 'OTHER')) : null;
        const doc: Record<string, unknown> = {
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
          upVotes: tally.up,
          downVotes: tally.down,
          answerCount: isQuestion ? info.answers : 0,
          commentCount: 0,
          viewCount: row.ViewCount ?? 0,
          isAnswered: isQuestion && (accepted !== 0 || info.positive),
          acceptedAnswerId: accepted ? this.postOid(accepted) : null,
          acceptedAt: accepted ? (this.acceptedAt.get(accepted) ?? null) : null,
          acceptGen: accepted ? 1 : 0,
          closedAt: isQuestion ? (row.ClosedDate ?? null) : null,
          closeReason: isQuestion ? closeReason : null,
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
            license,
          ),
          createdAt,
          updatedAt: row.LastEditDate ?? createdAt,
        };
        stats.imported++;
        if (posts.add(_id, { $setOnInsert: doc })) await flushAll();
      },
      flushAll,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Comments.xml → comments, then each post's comment count

  private async stepComments(write: boolean, stats: Stats): Promise<void> {
    const comments = new UpsertBatch(CommentModel, this.batchSize, write);
    const perPost = new Map<number, number>();
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
        perPost.set(postId, (perPost.get(postId) ?? 0) + 1);
        if (!write) return;
        const text = row.Text ?? '';
        const createdAt = row.CreationDate ?? info.created ?? new Date();
        const questionSeId = info.type === 1 ? postId : info.parent;
        const full = comments.add(seObjectId(this.site, 'comment', row.Id), {
          $setOnInsert: {
            postId: this.postOid(postId),
            questionId: this.postOid(questionSeId),
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
          },
        });
        if (full) await flushAll();
      },
      flushAll,
    );
    if (!write) return;
    const posts = new UpsertBatch(PostModel, this.batchSize, true);
    for (const [postId, n] of perPost) {
      if (posts.add(this.postOid(postId), { $set: { commentCount: n } }, { upsert: false })) await this.flush(posts, stats, 'comment count');
    }
    await this.flush(posts, stats, 'comment count');
  }

  // -------------------------------------------------------------------------------------------
  // Badges.xml → badges

  private async stepBadges(write: boolean, stats: Stats): Promise<void> {
    const badges = new UpsertBatch(BadgeModel, this.batchSize, write);
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
        const full = badges.add(seObjectId(this.site, 'badge', row.Id), {
          $setOnInsert: {
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
              authorUrl: this.userUrl(row.UserId),
              license: DEFAULT_LICENSE,
            },
            createdAt: at,
            updatedAt: at,
          },
        });
        if (full) await flushAll();
      },
      flushAll,
    );
  }

  // -------------------------------------------------------------------------------------------
  // counters: members' question/answer counts, the space's question count, tag counts

  private async stepCounters(stats: Stats): Promise<void> {
    this.options.onProgress?.({ step: 'counters', file: null, phase: 'start', bytesRead: 0, totalBytes: 0, rows: 0 });
    const perUser = new Map<string, { q: number; a: number }>();
    for (const [id, p] of this.posts) {
      if (!this.isImportedPost(id)) continue;
      const key = (this.userOid(p.owner) ?? this.placeholderId).toHexString();
      const c = perUser.get(key) ?? { q: 0, a: 0 };
      if (p.type === 1) c.q++;
      else c.a++;
      perUser.set(key, c);
    }
    const users = new UpsertBatch(UserModel, this.batchSize, true);
    for (const [id, c] of perUser) {
      stats.rows++;
      if (users.add(new Types.ObjectId(id), { $set: { questionCount: c.q, answerCount: c.a } }, { upsert: false })) await this.flush(users, stats, 'user counters');
    }
    await this.flush(users, stats, 'user counters');

    const questions = await PostModel.countDocuments({ spaceId: this.spaceId, type: 'question', deletedAt: null });
    await SpaceModel.updateOne({ _id: this.spaceId }, { $set: { questionCount: questions } });

    // tags: recomputed from every live question (tags are shared by all spaces)
    const counted = (await PostModel.aggregate<{ _id: string; n: number }>([
      { $match: { type: 'question', deletedAt: null } },
      { $project: { tags: 1 } },
      { $unwind: '$tags' },
      { $group: { _id: '$tags', n: { $sum: 1 } } },
    ])) as Array<{ _id: string; n: number }>;
    const byTag = new Map(counted.map((c) => [c._id, c.n]));
    const existing = (await TagModel.find({}).select('questionCount').lean()) as Array<{ _id: string; questionCount: number }>;
    const tags = new UpsertBatch(TagModel, this.batchSize, true);
    const now = new Date();
    for (const t of existing) {
      const n = byTag.get(t._id) ?? 0;
      byTag.delete(t._id);
      if (t.questionCount !== n && tags.add(t._id, { $set: { questionCount: n } }, { upsert: false })) await this.flush(tags, stats, 'tag count');
    }
    for (const [name, n] of byTag) {
      // used by questions but absent from Tags.xml
      if (tags.add(name, { $set: { questionCount: n }, $setOnInsert: { description: '', descriptionHTML: '', excerpt: '', synonymOf: null, createdAt: now, updatedAt: now } })) {
        await this.flush(tags, stats, 'tag count');
      }
    }
    await this.flush(tags, stats, 'tag count');
    stats.imported = stats.rows - stats.errors;
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
      this.options.onProgress?.({ step: 'search', file: null, phase: 'progress', bytesRead: stats.rows, totalBytes: total, rows: stats.imported });
    }
    this.options.onProgress?.({ step: 'search', file: null, phase: 'end', bytesRead: total, totalBytes: total, rows: stats.imported });
  }
}
