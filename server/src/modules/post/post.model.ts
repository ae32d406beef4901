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
    duplicateOfId: { type: Schema.Types.ObjectId, default: null },
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
