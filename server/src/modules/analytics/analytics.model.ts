import { Schema, model, type Types } from 'mongoose';

/**
 * A space's community figures for one UTC day (`_id`: `${spaceId}:${yyyy-mm-dd}`), recomputed by
 * the worker from the posts and support tickets of that day when a write marks it
 * (analytics.rollup.ts). `communityAnalytics` reads a date range of these by `_id`.
 */
const contributorSchema = new Schema(
  { userId: { type: String, required: true }, answers: { type: Number, required: true }, staff: { type: Boolean, required: true } },
  { _id: false },
);
const daySchema = new Schema(
  {
    _id: { type: String, required: true },
    spaceId: { type: Schema.Types.ObjectId, required: true },
    day: { type: String, required: true },
    /** questions asked that day (live ones) */
    questions: { type: Number, default: 0 },
    /** …of which have at least one live answer */
    answered: { type: Number, default: 0 },
    /** …of which have none */
    unanswered: { type: Number, default: 0 },
    /** minutes from asking to the first answer, per answered question */
    firstAnswerMinutes: { type: [Number], default: [] },
    /** minutes from asking to an accepted or verified answer */
    resolutionMinutes: { type: [Number], default: [] },
    /** customer questions with an SLA: first response in time, late (or overdue), pending */
    slaMet: { type: Number, default: 0 },
    slaBreached: { type: Number, default: 0 },
    slaPending: { type: Number, default: 0 },
    /** answers written that day, per author */
    contributors: { type: [contributorSchema], default: [] },
    builtAt: { type: Date, required: true },
  },
  { collection: 'analytics_days', versionKey: false },
);

export interface AnalyticsDayDoc {
  _id: string;
  spaceId: Types.ObjectId;
  day: string;
  questions: number;
  answered: number;
  unanswered: number;
  firstAnswerMinutes: number[];
  resolutionMinutes: number[];
  slaMet: number;
  slaBreached: number;
  slaPending: number;
  contributors: Array<{ userId: string; answers: number; staff: boolean }>;
  builtAt: Date;
}
export const AnalyticsDayModel = model('AnalyticsDay', daySchema);
