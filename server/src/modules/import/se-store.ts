// Every database access of the Stack Exchange importer, as small named operations over the owning
// modules' repositories (`importStore(repos)`, built once per run): the steps (steps/*.step.ts),
// the runner (se-import.service.ts) and the revision-state cache import no model and no repository.
//
// WRITES: insert-only (see infra/insert-batch.ts for why not upserts on FerretDB): every imported row is
// one document with a deterministic `_id` (the first 12 bytes of sha1(site, kind, Stack
// Exchange id)), inserted whole, in batches of 500, with every derived value already in it
// (counters, links, the Markdown source). A re-run or a resumed run inserts what is missing and
// leaves existing documents alone (a duplicate `_id` means "already imported"), so it changes
// nothing — also after members have voted, answered or edited imported posts. The few values
// that can only be written afterwards (the space's question count, tag counts of tags that
// already existed) are single `$set`s of values recomputed from the facts (the counters step).
import type { Types } from 'mongoose';
import type { AuditDoc } from '../moderation/audit.model.js';
import type { RevisionDoc } from '../revision/revision.model.js';
import type { Repositories } from '../repositories.js';
import type { InsertBatch, InsertBatchOptions } from '../../infra/insert-batch.js';

type ImportRepos = Pick<
  Repositories,
  | 'users'
  | 'reputation'
  | 'votes'
  | 'comments'
  | 'revisions'
  | 'posts'
  | 'tags'
  | 'badges'
  | 'spaces'
  | 'importState'
  | 'links'
  | 'audit'
  | 'follows'
>;

/** The collections the importer inserts into. */
export type ImportCollection =
  'users' | 'reputationEvents' | 'votes' | 'comments' | 'revisions' | 'posts' | 'tags' | 'badges' | 'questionLinks' | 'auditLog';

export interface ImportStepRecord {
  /** "<site>:<step>" */
  _id: string;
  site: string;
  step: string;
  file: string | null;
  /** the size of the file the step read */
  bytes: number;
  rows: number;
  imported: number;
  skipped: number;
  failed: number;
  seconds: number;
  completedAt: Date;
}

export function importStore(repos: ImportRepos) {
  const batchOwners = {
    users: repos.users,
    reputationEvents: repos.reputation,
    votes: repos.votes,
    comments: repos.comments,
    revisions: repos.revisions,
    posts: repos.posts,
    tags: repos.tags,
    badges: repos.badges,
    questionLinks: repos.links,
    auditLog: repos.audit,
  } as const;
  return {
    // -------------------------------------------------------------------------------------------
    // insert batches (every imported row)
    /** An insert batch for one collection (see infra/insert-batch.ts). */
    insertBatchFor: (collection: ImportCollection, options: InsertBatchOptions): InsertBatch =>
      batchOwners[collection].insertBatch(options),

    // -------------------------------------------------------------------------------------------
    // the space
    findSpaceIdBySlug: async (slug: string): Promise<Types.ObjectId | null> => (await repos.spaces.findBySlug(slug, '_id'))?._id ?? null,
    /** Creates the space the import writes into (question count 0); one that already exists under
     * this `_id` or slug (a duplicate-key refusal: created meanwhile) is fine. */
    createImportSpace: async (space: { _id: Types.ObjectId; slug: string; name: string; description: string }): Promise<void> => {
      try {
        await repos.spaces.create({ ...space, questionCount: 0 });
      } catch (error) {
        if ((error as { code?: number }).code !== 11000) throw error;
      }
    },
    countLiveQuestions: (spaceId: Types.ObjectId): Promise<number> => repos.posts.countQuestions({ spaceId }, 'NEWEST'),
    setSpaceQuestionCount: (spaceId: Types.ObjectId, questionCount: number): Promise<void> =>
      repos.spaces.setQuestionCount(spaceId, questionCount, { timestamps: false }),

    // -------------------------------------------------------------------------------------------
    // tags
    /** Live questions per tag, over every space (tags are shared by all spaces). */
    questionCountsByTag: (): Promise<Map<string, number>> => repos.posts.questionCountsByTag(),
    /** Every tag with its stored question count. */
    storedTagQuestionCounts: () => repos.tags.questionCounts(),
    setTagQuestionCount: (name: string, questionCount: number): Promise<void> =>
      repos.tags.setQuestionCount(name, questionCount, { timestamps: false }),

    // -------------------------------------------------------------------------------------------
    // revisions (the revision-state cache reads the latest state of a post back from them)
    findRevisionById: (id: Types.ObjectId): Promise<RevisionDoc | null> => repos.revisions.findById(id),
    /** Revisions by `_id` (missing ones left out, in no particular order). */
    findRevisionsByIds: (ids: readonly Types.ObjectId[]): Promise<RevisionDoc[]> => repos.revisions.findManyByIds(ids),
    /** Completes a revision that is already written (a `$set` by `_id`, timestamps untouched). */
    setRevisionFields: (id: Types.ObjectId, fields: Record<string, unknown>): Promise<void> => repos.revisions.setFields(id, fields),

    // -------------------------------------------------------------------------------------------
    // moderation history (the audit log's entries are inserted in batches; these list them in its
    // Redis listings — idempotent — as recordAudit does for a live action)
    listAuditEntries: (entries: ReadonlyArray<Pick<AuditDoc, '_id' | 'actorId' | 'targetId' | 'action'>>): Promise<void> =>
      repos.audit.list(entries),

    // -------------------------------------------------------------------------------------------
    // favourites → follows (both sides of each follow; a follow that exists is left alone)
    addFollows: (follows: ReadonlyArray<{ memberId: string; subject: string }>): Promise<number> => repos.follows.followMany(follows),

    // -------------------------------------------------------------------------------------------
    // import progress (`import_state`: one document per site and completed step)
    /** The record of a completed step, or null. */
    readImportState: async (id: string): Promise<{ bytes: number } | null> => repos.importState.findById(id),
    /** Records a completed step: delete + insert of one small document (not an update: see infra/insert-batch.ts). */
    writeImportState: (record: ImportStepRecord): Promise<void> => repos.importState.replace(record),
  };
}

export type ImportStore = ReturnType<typeof importStore>;
