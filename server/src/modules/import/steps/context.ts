// What every step of one import run shares: the settings, the id maps (import-maps.ts), the
// counts of the summary, and the reading, writing and id helpers.
import type { Types } from 'mongoose';
import type { AppDeps } from '../../../context.js';
import type { Attribution } from '../../post/attribution.js';
import { TAG_NAME } from '../../tag/tag.rules.js';
import { readDumpFile, type DumpFileInfo, type DumpKind, type DumpRowMap } from '../se-dump.reader.js';
import type { SeImportOptions, SeImportSummary, SeProgressEvent, SeStep } from '../se-import.types.js';
import { seObjectId } from '../se-mapping.js';
import { importStore, type ImportCollection, type ImportStore } from '../se-store.js';
import type { InsertBatch, InsertBatchOptions, InsertFailure } from '../../../infra/insert-batch.js';
import { newImportMaps, type ImportMaps } from './import-maps.js';

export const DEFAULT_LICENSE = 'CC BY-SA 4.0';
export const EMPTY_BODY = '*(empty)*';
const MAX_ERRORS_LOGGED = 10;

/** What one step did (the step's line of the summary). */
export interface StepStats {
  rows: number;
  imported: number;
  skipped: number;
  errors: number;
  existing: number;
  /** skipped rows by reason (the end-of-run summary lists them) */
  skippedBy: Record<string, number>;
}

export const emptyStats = (): StepStats => ({ rows: 0, imported: 0, skipped: 0, errors: 0, existing: 0, skippedBy: {} });

/** Leaves a row out, counted under its reason. */
export function skip(stats: StepStats, reason: string): void {
  stats.skipped++;
  stats.skippedBy[reason] = (stats.skippedBy[reason] ?? 0) + 1;
}

/** A step: `write` false is scan mode (re-read the file for the id maps only). */
export type StepRunner = (ctx: ImportContext, write: boolean, stats: StepStats) => Promise<void>;

export class ImportContext {
  /** every database access of the run (se-store.ts) */
  readonly store: ImportStore;
  readonly batchSize: number;
  readonly log: (line: string) => void;
  /** the user owning posts, comments and votes whose author's account is gone */
  readonly placeholderId: Types.ObjectId;
  readonly maps: ImportMaps;
  readonly counts: SeImportSummary['counts'] = {
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
    follows: 0,
    moderationHistory: 0,
  };
  private errorsLogged = 0;

  constructor(
    readonly deps: AppDeps,
    readonly site: string,
    readonly spaceId: Types.ObjectId,
    readonly files: ReadonlyMap<DumpKind, DumpFileInfo>,
    readonly options: SeImportOptions,
  ) {
    this.store = importStore(deps.repos);
    this.batchSize = Math.max(1, options.batchSize ?? 500);
    this.log = options.log ?? ((line: string) => deps.log.info(line));
    this.placeholderId = seObjectId(site, 'user', 'anonymous');
    this.maps = newImportMaps(this.store, site, Math.max(1, options.stateCacheSize ?? 20_000));
  }

  progress(event: SeProgressEvent): void {
    this.options.onProgress?.(event);
  }

  // -------------------------------------------------------------------------------------------
  // reading and writing

  /** Streams one file to `onRow`; the writes queued before a format error are flushed first. */
  async read<K extends DumpKind>(
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
      this.progress({ step, file: file.fileName, phase, bytesRead, totalBytes: file.bytes, rows });
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

  /** An insert batch of this run's size for `collection`; disabled (a no-op) in scan mode. */
  writer(collection: ImportCollection, write: boolean, options: Pick<InsertBatchOptions, 'otherUniqueKeys'> = {}): InsertBatch {
    return this.store.insertBatchFor(collection, { size: this.batchSize, enabled: write, trusted: true, ...options });
  }

  /** Inserts a writer's queued documents; counts what was new, already there, or refused. */
  async flush(writer: InsertBatch, stats: StepStats, what: string): Promise<InsertFailure[]> {
    const { existing, failures } = await writer.flush();
    stats.existing += existing;
    this.reportFailures(failures, stats, what);
    return failures;
  }

  reportFailures(failures: InsertFailure[], stats: StepStats, what: string): void {
    stats.errors += failures.length;
    stats.imported -= failures.length;
    for (const f of failures) {
      if (this.errorsLogged++ < MAX_ERRORS_LOGGED) this.log(`✗ ${what} ${f.id}: ${f.message}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // ids

  /** The imported account of a dump user; null when Users.xml does not list them. */
  userOid(seUserId: number | undefined): Types.ObjectId | null {
    return seUserId !== undefined && this.maps.userNames.has(seUserId) ? seObjectId(this.site, 'user', seUserId) : null;
  }

  postOid(sePostId: number): Types.ObjectId {
    return seObjectId(this.site, 'post', sePostId);
  }

  isQuestion(id: number | undefined): boolean {
    const p = id === undefined ? undefined : this.maps.posts.get(id);
    return !!p && p.type === 1 && !p.deleted;
  }

  /** questions, and answers of imported questions (rows with a DeletionDate are left out) */
  isImportedPost(id: number | undefined): boolean {
    const p = id === undefined ? undefined : this.maps.posts.get(id);
    if (!p || p.deleted) return false;
    return p.type === 1 || (p.type === 2 && this.isQuestion(p.parent));
  }

  attribution(originalId: string, url: string, authorId: number | undefined, authorName: string | undefined, license: string): Attribution {
    const known = authorId !== undefined && this.maps.userNames.has(authorId);
    return {
      site: this.site,
      originalId,
      url,
      authorName: (known ? this.maps.userNames.get(authorId!) : undefined) ?? authorName ?? null,
      authorUrl: known ? `https://${this.site}/users/${authorId}` : null,
      license,
    };
  }
}

/** Valid tag names (trimmed, lower case), each once. */
export function cleanTags(tags: readonly string[] | null | undefined): string[] {
  const out: string[] = [];
  for (const raw of tags ?? []) {
    const tag = raw.trim().toLowerCase();
    if (TAG_NAME.test(tag) && !out.includes(tag)) out.push(tag);
  }
  return out;
}
