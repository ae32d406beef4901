// Stack Exchange data dump → Colloquy (phase 2 of the importer: se-dump.reader.ts reads, this
// maps and writes). `npm run import:stackexchange -- <dump-dir>` and `npm start`'s demo seed
// call `importStackExchange`.
//
// This file is the runner: it plans the steps (which to write, which to re-read, which to skip),
// runs them in order, records each completed step and sums up. One step per dump file, in
// steps/*.step.ts; what they hand to each other is steps/import-maps.ts; every database access
// is in se-store.ts. Where the decisions are described:
//   REPUTATION (opening balances, imported votes award nothing)   steps/users.step.ts
//   SCORES (score, scoreBase, upVotes/downVotes)                   steps/posts.step.ts
//   WRITES (insert-only, deterministic ids, re-runs change nothing) se-store.ts, infra/insert-batch.ts
//   MEMORY (id maps, the revision-state LRU)                       steps/import-maps.ts
//
// ORDER: files are streamed row by row, never read whole. Posts.xml is indexed first (one
// small record per post: type, parent, owner, score — no writes); then Users (with their
// question/answer counts), PostLinks, Votes (tallies → scoreBase; named votes → vote
// documents), Comments (→ comment counts), PostHistory (→ revisions: the Markdown source),
// Posts (questions and answers, complete), Tags (with wikis and counts), Badges, counters,
// search.
//
// RESUME: each step records its completion in `import_state`; a resumed run skips completed
// steps (re-reading a completed file only when a later step needs its id maps) unless `force`.
// Bad XML: the reader's DumpFormatError ("Posts.xml line 1234: …") propagates after every
// complete row before it has been written; the step stays incomplete.
import type { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import { rebuildRollupsAndRanking } from '../post/post.rollups.js';
import { rebuildBadgeReadModels } from '../badge/badge.awards.js';
import { dumpFiles, siteFromDir, type DumpFileInfo, type DumpKind } from './se-dump.reader.js';
import type { SeImportOptions, SeImportSummary, SeStep, SeStepSummary } from './se-import.types.js';
import { seObjectId, siteDisplayName, siteLabel } from './se-mapping.js';
import { importStore, type ImportStore } from './se-store.js';
import { badgesStep } from './steps/badges.step.js';
import { bountiesStep } from './steps/bounties.step.js';
import { commentsStep } from './steps/comments.step.js';
import { DEFAULT_LICENSE, emptyStats, ImportContext, type StepRunner } from './steps/context.js';
import { countersStep } from './steps/counters.step.js';
import { postHistoryStep } from './steps/post-history.step.js';
import { postLinksStep } from './steps/post-links.step.js';
import { postsStep } from './steps/posts.step.js';
import { indexPostsFile } from './steps/posts-index.js';
import { searchStep } from './steps/search.step.js';
import { tagsStep } from './steps/tags.step.js';
import { usersStep } from './steps/users.step.js';
import { votesStep } from './steps/votes.step.js';

// ---------------------------------------------------------------------------------------------
// Public API

export type { SeImportOptions, SeImportSummary, SeProgressEvent, SeStep, SeStepSummary } from './se-import.types.js';

export const SE_STEPS: readonly SeStep[] = [
  'Users',
  'PostLinks',
  'Votes',
  'Comments',
  'PostHistory',
  'Posts',
  'Tags',
  'Badges',
  'Bounties',
  'counters',
  'search',
];

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
  const summary = await runImport(deps, site, files, options);
  // the question listings (Redis, on FerretDB) from what is now in the database
  await deps.services.listings.rebuild();
  await rebuildRollupsAndRanking(deps); // members by reputation and handle, tag and member statistics
  await rebuildBadgeReadModels(deps, { repair: true }); // members' badge counters, badge holders and lists
  // the import wrote in batches, past the repositories' version bumps: every cache starts afresh
  await deps.repos.storage.changed(['epoch']);
  return summary;
}

/**
 * Everything a run left out, by kind (the dump file) and reason, most frequent first: the table
 * `npm run import:stackexchange` prints at the end. Rows counted here are neither imported nor
 * errors; a second run (skipped steps) reports none.
 */
export function skipReport(summary: SeImportSummary): Array<{ kind: string; rows: number; reason: string }> {
  return summary.steps.flatMap((s) =>
    Object.entries(s.skippedBy)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, rows]) => ({ kind: s.file ?? s.step, rows, reason })),
  );
}

/** The id an imported entity gets (tests and tools find imported documents with it). */
export function importedId(site: string, kind: 'user' | 'post' | 'comment' | 'badge', seId: number): Types.ObjectId {
  return seObjectId(site, kind, seId);
}

// ---------------------------------------------------------------------------------------------
// The steps

type Mode = SeStepSummary['mode'];

const RUN: Record<SeStep, StepRunner> = {
  Users: usersStep,
  PostLinks: postLinksStep,
  Votes: votesStep,
  Comments: commentsStep,
  PostHistory: postHistoryStep,
  Posts: postsStep,
  Tags: tagsStep,
  Badges: badgesStep,
  Bounties: bountiesStep,
  counters: countersStep,
  search: searchStep,
};

const FILE_OF: Record<SeStep, DumpKind | null> = {
  Users: 'Users',
  PostLinks: 'PostLinks',
  Votes: 'Votes',
  Comments: 'Comments',
  PostHistory: 'PostHistory',
  Posts: 'Posts',
  Tags: 'Tags',
  Badges: 'Badges',
  Bounties: 'Votes',
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
  Bounties: ['Users'],
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
  Bounties: [],
  counters: [],
  search: [],
};

/** A complete step runs again when one of these runs: it derives its values from them. */
const REDO_AFTER: Partial<Record<SeStep, SeStep[]>> = {
  counters: ['Posts', 'Tags'],
  search: ['Users', 'Votes', 'PostHistory', 'Posts'],
};

// ---------------------------------------------------------------------------------------------
// The run

async function runImport(
  deps: AppDeps,
  site: string,
  files: ReadonlyMap<DumpKind, DumpFileInfo>,
  options: SeImportOptions,
): Promise<SeImportSummary> {
  const started = performance.now();
  const store = importStore(deps.repos);
  const space = await ensureSpace(store, site, options);
  const ctx = new ImportContext(deps, site, space.id, files, options);
  const modes = await plan(store, site, files, options);
  const steps: SeStepSummary[] = [];
  if (![...modes.values()].some((m) => m !== 'skipped')) {
    ctx.log(`${site}: every step is complete; nothing to do (force runs them again)`);
  } else {
    await indexPostsFile(ctx);
  }
  for (const step of SE_STEPS) steps.push(await runStep(ctx, step, modes.get(step)!));
  return {
    site,
    space: { id: space.id.toHexString(), slug: space.slug },
    steps,
    counts: ctx.counts,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Runs one step in its mode and, when it wrote, records its completion. */
async function runStep(ctx: ImportContext, step: SeStep, mode: Mode): Promise<SeStepSummary> {
  const kind = FILE_OF[step];
  const file = kind ? ctx.files.get(kind)! : null;
  const fileName = file?.fileName ?? null;
  if (file && !file.exists && mode === 'write') ctx.log(`${file.fileName} is missing: step ${step} reads no rows`);
  if (mode === 'skipped') return { step, file: fileName, mode: 'skipped', ...emptyStats(), seconds: 0, rowsPerSecond: 0 };
  const t0 = performance.now();
  const stats = emptyStats();
  await RUN[step](ctx, mode === 'write', stats);
  const seconds = (performance.now() - t0) / 1000;
  const summary: SeStepSummary = { step, file: fileName, mode, ...stats, seconds, rowsPerSecond: seconds > 0 ? stats.rows / seconds : 0 };
  if (mode === 'write') {
    await ctx.store.writeImportState({
      _id: `${ctx.site}:${step}`,
      site: ctx.site,
      step,
      file: fileName,
      bytes: file?.bytes ?? 0,
      rows: stats.rows,
      imported: stats.imported,
      skipped: stats.skipped,
      failed: stats.errors,
      seconds,
      completedAt: new Date(),
    });
  }
  return summary;
}

/** The space to import into: found by its slug, else created. */
async function ensureSpace(store: ImportStore, site: string, options: SeImportOptions): Promise<{ id: Types.ObjectId; slug: string }> {
  const slug = (options.space ?? siteLabel(site)).toLowerCase();
  const existing = await store.findSpaceIdBySlug(slug);
  if (existing) return { id: existing, slug };
  const id = seObjectId(site, 'space', slug);
  await store.createImportSpace({
    _id: id,
    slug,
    name: siteDisplayName(site),
    description: `Questions and answers imported from ${site} (${DEFAULT_LICENSE}; every post links to its original).`,
  });
  return { id, slug };
}

/** write: run it; scan: re-read its file for the id maps a later step needs; skipped. */
async function plan(
  store: ImportStore,
  site: string,
  files: ReadonlyMap<DumpKind, DumpFileInfo>,
  options: SeImportOptions,
): Promise<Map<SeStep, Mode>> {
  const done = new Set<SeStep>();
  if (!options.force) {
    const states = await Promise.all(SE_STEPS.map((s) => store.readImportState(`${site}:${s}`)));
    SE_STEPS.forEach((step, i) => {
      const state = states[i];
      const kind = FILE_OF[step];
      const file = kind ? files.get(kind) : undefined;
      if (state && (!file || !file.exists || state.bytes === file.bytes)) done.add(step);
    });
  }
  const modes = new Map<SeStep, Mode>();
  for (const step of SE_STEPS) {
    const redo = (REDO_AFTER[step] ?? []).some((s) => modes.get(s) === 'write');
    modes.set(step, !done.has(step) || redo ? 'write' : 'skipped');
  }
  if (options.search === false) modes.set('search', 'skipped');
  // a running step's inputs: later steps only need earlier ones, so one backward pass suffices
  for (const step of [...SE_STEPS].reverse()) {
    const mode = modes.get(step);
    const needs = mode === 'write' ? NEEDS_TO_WRITE[step] : mode === 'scan' ? NEEDS_TO_SCAN[step] : [];
    for (const need of needs) if (modes.get(need) === 'skipped') modes.set(need, 'scan');
  }
  return modes;
}
