import { Schema, model, type InferSchemaType } from 'mongoose';

import { FLAG_REASONS, FLAG_SUBJECT_TYPES, type FlagReason, type FlagSubjectType } from './flag.rules.js';

export { FLAG_REASONS, FLAG_SUBJECT_TYPES, type FlagReason, type FlagSubjectType };

/**
 * One member's flag on one subject. `_id` = "<flaggerId>:<subjectId>": one flag per member per
 * subject (a handled flag may be raised again, which reopens the same document).
 */
const flagSchema = new Schema(
  {
    _id: { type: String, required: true },
    flaggerId: { type: Schema.Types.ObjectId, required: true },
    subjectId: { type: String, required: true },
    subjectType: { type: String, enum: FLAG_SUBJECT_TYPES, required: true },
    reason: { type: String, enum: FLAG_REASONS, required: true },
    details: { type: String, default: null },
    /** DUPLICATE: the question this one duplicates */
    targetId: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, enum: ['ACTIVE', 'HELPFUL', 'DECLINED'], required: true },
    createdAt: { type: Date, required: true },
    handledAt: { type: Date, default: null },
    handledById: { type: Schema.Types.ObjectId, default: null },
  },
  { collection: 'flags', versionKey: false },
);
flagSchema.index({ subjectId: 1 });
flagSchema.index({ flaggerId: 1 });

export type FlagDoc = InferSchemaType<typeof flagSchema> & { _id: string; reason: FlagReason; subjectType: FlagSubjectType };
export const FlagModel = model('Flag', flagSchema);

/**
 * The flags of one subject, summed (`_id` = the subject's id): the moderators' queue reads these
 * by id. `flaggerIds` lists the members whose flag is active; the counters follow from the flags
 * (`npm run verify` recounts them). `version` guards every change.
 */
const flagSubjectSchema = new Schema(
  {
    _id: { type: String, required: true },
    subjectType: { type: String, enum: FLAG_SUBJECT_TYPES, required: true },
    /** the author (posts, comments) or the member (users) */
    authorId: { type: Schema.Types.ObjectId, default: null },
    questionId: { type: Schema.Types.ObjectId, default: null },
    flaggerIds: { type: [Schema.Types.ObjectId], default: [] },
    activeCount: { type: Number, default: 0 },
    /** active spam / rude flags (auto-hide) */
    hidingCount: { type: Number, default: 0 },
    /** active flags per reason, e.g. { SPAM: 5, RUDE_OR_ABUSIVE: 1 } */
    reasonCounts: { type: Schema.Types.Mixed, default: () => ({}) },
    /** when the flags hid the post (pending review), null when visible */
    hiddenAt: { type: Date, default: null },
    lastFlaggedAt: { type: Date, default: null },
    /** the member of the Redis queue listing this subject (while open) */
    queueMember: { type: String, default: null },
    status: { type: String, enum: ['OPEN', 'HANDLED'], required: true },
    version: { type: Number, required: true },
  },
  { collection: 'flag_subjects', versionKey: false, minimize: false },
);
flagSubjectSchema.index({ status: 1, lastFlaggedAt: -1 });

export type FlagSubjectDoc = InferSchemaType<typeof flagSubjectSchema> & {
  _id: string;
  subjectType: FlagSubjectType;
  reasonCounts: Record<string, number>;
};
export const FlagSubjectModel = model('FlagSubject', flagSubjectSchema);
