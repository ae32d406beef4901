// Every database access of the seed module (the synthetic generator and the demo community), as
// small named operations over the owning modules' repositories: the generator and the demo seed
// import no model and no repository internals.
import type { Types } from 'mongoose';
import type { InsertBatch, InsertBatchOptions } from '../../infra/insert-batch.js';
import type { Repositories } from '../repositories.js';

/** A batch of whole documents inserted `size` at a time (see infra/insert-batch.ts). */
export type SeedWriter = InsertBatch;

/** The collections the synthetic generator writes in batches. */
export type SeedCollection = 'events' | 'posts' | 'revisions' | 'comments' | 'votes' | 'users' | 'tags';

type SeedRepos = Pick<Repositories, 'reputation' | 'posts' | 'revisions' | 'comments' | 'votes' | 'users' | 'tags' | 'spaces'>;

export function seedStore(repos: SeedRepos) {
  const batchOwners = {
    events: repos.reputation,
    posts: repos.posts,
    revisions: repos.revisions,
    comments: repos.comments,
    votes: repos.votes,
    users: repos.users,
    tags: repos.tags,
  } as const;
  return {
    /** A new insert batch for one collection. */
    insertBatchFor(collection: SeedCollection, options: InsertBatchOptions): SeedWriter {
      return batchOwners[collection].insertBatch(options);
    },

    /** The `_id` of the space with this slug, or null when there is none. */
    async findSpaceIdBySlug(slug: string): Promise<Types.ObjectId | null> {
      return (await repos.spaces.findBySlug(slug, '_id'))?._id ?? null;
    },

    /** The stored question count of a space (undefined when the space is missing). */
    async spaceQuestionCount(spaceId: Types.ObjectId): Promise<number | undefined> {
      return (await repos.spaces.findById(spaceId, 'questionCount'))?.questionCount;
    },

    setSpaceQuestionCount: (spaceId: Types.ObjectId, questionCount: number) => repos.spaces.setQuestionCount(spaceId, questionCount),

    /** Inserts a whole space document as it is (no schema defaults, no validation). */
    insertSpaceDocument: (doc: Record<string, unknown> & { _id: Types.ObjectId }) => repos.spaces.insertRaw(doc),

    /** Creates the space with this slug unless one exists (the demo community). */
    ensureSpace: (space: { slug: string; name: string; description: string }) => repos.spaces.ensure(space),

    /** Non-deleted questions in a space. */
    countLiveQuestions: (spaceId: Types.ObjectId) => repos.posts.countQuestions({ spaceId }, 'NEWEST'),

    /** Non-deleted questions carrying each of these tags (one read; tags without any are left out). */
    questionCountsByTag: (names: string[]) => repos.posts.questionCountsByTag(names),

    /** The stored question counts of those of these tags that exist. */
    tagQuestionCounts: (names: string[]) => repos.tags.questionCounts(names),

    setTagQuestionCount: (name: string, questionCount: number) => repos.tags.setQuestionCount(name, questionCount),

    /** The member with this handle key (lower-case handle), or null. */
    findUserByHandleKey: (handleKey: string) => repos.users.findByHandleKey(handleKey),
  };
}

export type SeedStore = ReturnType<typeof seedStore>;
