import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { attributionSchema } from './attribution.js';

/**
 * Questions and answers share one collection (votes, revisions, search and reputation treat
 * them alike). Counters here are derived from their facts (votes, answers) and repaired by
 * `npm run verify -- --repair`.
 */
const postSchema = new Schema(
  {
    type: { type: String, enum: ['question', 'answer'], required: true },
    spaceId: { type: Schema.Types.ObjectId, required: true },
    /** answers: the question they answer; questions: their own id */
    questionId: { type: Schema.Types.ObjectId, default: null },
    authorId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, default: null },
    tags: { type: [String], default: [] },
    body: { type: String, required: true },
    bodyHTML: { type: String, required: true },
    score: { type: Number, default: 0 },
    /** imported score not backed by individual vote documents (score = scoreBase + Σ votes) */
    scoreBase: { type: Number, default: 0 },
    upVotes: { type: Number, default: 0 },
    downVotes: { type: Number, default: 0 },
    answerCount: { type: Number, default: 0 },
    commentCount: { type: Number, default: 0 },
    viewCount: { type: Number, default: 0 },
    /** question: answered = accepted answer or an answer with a positive score */
    isAnswered: { type: Boolean, default: false },
    acceptedAnswerId: { type: Schema.Types.ObjectId, default: null },
    acceptedAt: { type: Date, default: null },
    /** counts acceptances (accept → unaccept → accept …): makes each one's ledger keys unique */
    acceptGen: { type: Number, default: 0 },
    verifiedAnswerId: { type: Schema.Types.ObjectId, default: null },
    /** answers: verification by a staff member */
    verifiedById: { type: Schema.Types.ObjectId, default: null },
    verifiedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    closedById: { type: Schema.Types.ObjectId, default: null },
    closeReason: { type: String, default: null },
    /** hidden pending review by spam / rude flags (modules/moderation): seen only by its author and moderators */
    hiddenAt: { type: Date, default: null },
    duplicateOfId: { type: Schema.Types.ObjectId, default: null },
    /** questions closed as duplicates of this one ("Linked"; modules/review/close-vote.service.ts) */
    duplicateIds: { type: [Schema.Types.ObjectId], default: undefined },
    /**
     * Close/reopen votes (modules/review): the round counts closures and reopenings (a vote's id is
     * `<question>:<voter>:<round>`); the tally counts the current round's votes, close votes while
     * open, reopen votes while closed. Derived from the votes; `npm run verify` repairs it.
     */
    voteRound: { type: Number, default: 0 },
    closeVoteCount: { type: Number, default: 0 },
    reopenVoteCount: { type: Number, default: 0 },
    /** who voted in the current round (their votes are read by id: `<question>:<voter>:<round>`) */
    roundVoterIds: { type: [Schema.Types.ObjectId], default: undefined },
    /** who voted to delete in the current delete round */
    deleteVoterIds: { type: [Schema.Types.ObjectId], default: undefined },
    /** delete votes on a closed question (round = deleteRound, advanced by each undeletion) */
    deleteVoteCount: { type: Number, default: 0 },
    deleteRound: { type: Number, default: 0 },
    /** the members who cast the votes that closed it (audit and notice) */
    closedByVoterIds: { type: [Schema.Types.ObjectId], default: undefined },
    /** locked: no edits, votes or comments but by moderators, until lockedUntil (null: indefinitely) */
    lockedAt: { type: Date, default: null },
    lockedUntil: { type: Date, default: null },
    lockedById: { type: Schema.Types.ObjectId, default: null },
    lockReason: { type: String, default: null },
    /** protected question: only members with some reputation earned on the site may answer */
    protectedAt: { type: Date, default: null },
    protectedById: { type: Schema.Types.ObjectId, default: null },
    /** counts undeletions: makes each restoration's ledger keys unique */
    undeleteGen: { type: Number, default: 0 },
    /**
     * Child lists, so a question page reads its answers and comments by id (FerretDB scans a
     * collection for any other filter). Appended ($addToSet) in the same write as the parent's
     * counter; deleted children stay listed (and are filtered on read). Absent on posts written
     * before the lists existed: those are read with a query by parent until `verify --repair`
     * fills them in.
     */
    answerIds: { type: [Schema.Types.ObjectId], default: undefined },
    commentIds: { type: [Schema.Types.ObjectId], default: undefined },
    /** questions linked as related (imported Stack Exchange PostLinks of type 1) */
    relatedIds: { type: [Schema.Types.ObjectId], default: [] },
    deletedAt: { type: Date, default: null },
    deletedById: { type: Schema.Types.ObjectId, default: null },
    lastActivityAt: { type: Date, required: true },
    lastEditedAt: { type: Date, default: null },
    lastEditorId: { type: Schema.Types.ObjectId, default: null },
    revisionCount: { type: Number, default: 1 },
    /** bumped on every change that search must see (search sync: version pattern) */
    version: { type: Number, default: 1 },
    attribution: { type: attributionSchema, default: null },
  },
  { timestamps: true, collection: 'posts' },
);
// Listings (real MongoDB uses these; FerretDB scans)
postSchema.index({ type: 1, deletedAt: 1, createdAt: -1, _id: -1 });
postSchema.index({ type: 1, deletedAt: 1, lastActivityAt: -1, _id: -1 });
postSchema.index({ type: 1, deletedAt: 1, score: -1, _id: -1 });
postSchema.index({ spaceId: 1, type: 1, createdAt: -1, _id: -1 });
postSchema.index({ tags: 1, type: 1, createdAt: -1, _id: -1 });
postSchema.index({ authorId: 1, type: 1, createdAt: -1 });
postSchema.index({ questionId: 1, type: 1 });
postSchema.index({ 'attribution.site': 1, 'attribution.originalId': 1 });

export type PostDoc = InferSchemaType<typeof postSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const PostModel = model('Post', postSchema);
