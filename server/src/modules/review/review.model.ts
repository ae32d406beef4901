import { Schema, model, type Types } from 'mongoose';

/**
 * One member's close, reopen or delete vote on a question in one round. `_id` is
 * `<questionId>:<voterId>:<round>` for close/reopen votes (the round is the question's
 * `voteRound`: closures and reopenings advance it, so a vote's kind follows from the round) and
 * `<questionId>:<voterId>:d<deleteRound>` for delete votes. The question's tallies are derived
 * from these (verify repairs them).
 */
const closeVoteSchema = new Schema(
  {
    _id: { type: String, required: true },
    questionId: { type: Schema.Types.ObjectId, required: true },
    voterId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['CLOSE', 'REOPEN', 'DELETE'], required: true },
    round: { type: Number, required: true },
    reason: { type: String, default: null },
    duplicateOfId: { type: Schema.Types.ObjectId, default: null },
    /** a moderator's vote, or the asker confirming a duplicate: decides alone */
    binding: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
  },
  { collection: 'close_votes', versionKey: false },
);
closeVoteSchema.index({ questionId: 1, kind: 1, round: 1 });

export interface CloseVoteDoc {
  _id: string;
  questionId: Types.ObjectId;
  voterId: Types.ObjectId;
  kind: 'CLOSE' | 'REOPEN' | 'DELETE';
  round: number;
  reason: string | null;
  duplicateOfId: Types.ObjectId | null;
  binding: boolean;
  createdAt: Date;
}
export const CloseVoteModel = model('CloseVote', closeVoteSchema);

/**
 * A review task: one post in one queue (`_id` = `<QUEUE>:<postId>:<round>`; the round is the
 * question's vote round for close/reopen tasks, the suggested edit's id for edits, 0 otherwise),
 * with every review it got. Open tasks are also listed in a Redis sorted set per queue
 * (review.queues.ts), rebuilt from these documents by verify.
 */
const reviewTaskSchema = new Schema(
  {
    _id: { type: String, required: true },
    queue: { type: String, required: true },
    postId: { type: Schema.Types.ObjectId, required: true },
    questionId: { type: Schema.Types.ObjectId, required: true },
    suggestedEditId: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, enum: ['OPEN', 'COMPLETED'], required: true },
    outcome: { type: String, default: null },
    reviews: { type: [Schema.Types.Mixed], default: [] },
    /** guards each added review (one write wins; the other retries) */
    version: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
    completedAt: { type: Date, default: null },
  },
  { collection: 'review_tasks', versionKey: false },
);
reviewTaskSchema.index({ status: 1, queue: 1, createdAt: 1 });

export interface ReviewEntry {
  reviewerId: Types.ObjectId;
  outcome: string;
  comment: string | null;
  binding: boolean;
  at: Date;
}

export interface ReviewTaskDoc {
  _id: string;
  queue: string;
  postId: Types.ObjectId;
  questionId: Types.ObjectId;
  suggestedEditId: Types.ObjectId | null;
  status: 'OPEN' | 'COMPLETED';
  outcome: string | null;
  reviews: ReviewEntry[];
  version: number;
  createdAt: Date;
  completedAt: Date | null;
}
export const ReviewTaskModel = model('ReviewTask', reviewTaskSchema);

/**
 * An edit suggested by a member without the edit privilege: invisible until reviewers approve
 * it (then applied as a new revision credited to its author); a rejected one changes nothing.
 */
const suggestedEditSchema = new Schema(
  {
    postId: { type: Schema.Types.ObjectId, required: true },
    questionId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: Schema.Types.ObjectId, required: true },
    /** the post's revision the edit was made against */
    baseRevision: { type: Number, required: true },
    title: { type: String, default: null },
    body: { type: String, default: null },
    tags: { type: [String], default: undefined },
    summary: { type: String, default: '' },
    status: { type: String, enum: ['PENDING', 'APPROVED', 'REJECTED'], required: true },
    reviewerIds: { type: [Schema.Types.ObjectId], default: [] },
    /** the revision the approval wrote */
    revisionNumber: { type: Number, default: null },
    createdAt: { type: Date, required: true },
    decidedAt: { type: Date, default: null },
  },
  { collection: 'suggested_edits', versionKey: false },
);
suggestedEditSchema.index({ postId: 1, status: 1 });

export interface SuggestedEditDoc {
  _id: Types.ObjectId;
  postId: Types.ObjectId;
  questionId: Types.ObjectId;
  authorId: Types.ObjectId;
  baseRevision: number;
  title: string | null;
  body: string | null;
  tags?: string[];
  summary: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  reviewerIds: Types.ObjectId[];
  revisionNumber: number | null;
  createdAt: Date;
  decidedAt: Date | null;
}
export const SuggestedEditModel = model('SuggestedEdit', suggestedEditSchema);
