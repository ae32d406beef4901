import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/**
 * The append-only reputation ledger. `_id` is the event's cause key (unique: a cause is
 * applied once); `(userId, seq)` is unique too, which serialises a user's events without
 * transactions. `delta` is what was actually applied (after the daily cap and the floor of 1);
 * `balance` is the user's reputation after this event.
 */
const reputationEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    delta: { type: Number, required: true },
    /** the rule's amount before cap and floor */
    nominal: { type: Number, required: true },
    reason: { type: String, required: true },
    /** counted toward the daily cap */
    capped: { type: Boolean, default: false },
    day: { type: String, default: '' },
    dayEarned: { type: Number, required: true },
    balance: { type: Number, required: true },
    subjectId: { type: Schema.Types.ObjectId, default: null },
    subjectType: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'reputation_events' },
);
reputationEventSchema.index({ userId: 1, seq: 1 }, { unique: true });

export type ReputationEventDoc = InferSchemaType<typeof reputationEventSchema> & { _id: string; userId: Types.ObjectId };
export const ReputationEventModel = model('ReputationEvent', reputationEventSchema);
