import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/**
 * A member's standing with the moderators, one document per member (`_id` = the member's id,
 * absent for most members): suspension and silence, flag weight, unacknowledged moderator
 * messages. Read by `_id` on every write the member makes.
 */
const standingSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    /** no writes at all until then (they can sign in and read) */
    suspendedUntil: { type: Date, default: null },
    suspensionReason: { type: String, default: null },
    /** no posting (questions, answers, comments) until then */
    silencedUntil: { type: Date, default: null },
    silenceReason: { type: String, default: null },
    /** outcomes of the member's handled flags: their flag weight */
    flagsHelpful: { type: Number, default: 0 },
    flagsDeclined: { type: Number, default: 0 },
    /** moderator messages not yet acknowledged, oldest first */
    pendingMessageIds: { type: [Schema.Types.ObjectId], default: [] },
  },
  { timestamps: true, collection: 'member_standing', versionKey: false },
);
standingSchema.index({ suspendedUntil: 1 });

export type StandingDoc = InferSchemaType<typeof standingSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const StandingModel = model('MemberStanding', standingSchema);

const messageSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    fromId: { type: Schema.Types.ObjectId, required: true },
    subject: { type: String, required: true },
    body: { type: String, required: true },
    bodyHTML: { type: String, required: true },
    createdAt: { type: Date, required: true },
    acknowledgedAt: { type: Date, default: null },
  },
  { collection: 'moderator_messages', versionKey: false },
);
messageSchema.index({ userId: 1, createdAt: -1 });

export type ModeratorMessageDoc = InferSchemaType<typeof messageSchema> & { _id: Types.ObjectId };
export const ModeratorMessageModel = model('ModeratorMessage', messageSchema);
