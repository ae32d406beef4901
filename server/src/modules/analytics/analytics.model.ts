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

/**
 * A space's experts (`_id`: the space id): the members whose live answers there score best, with
 * their accepted and verified answers, ranked by analytics.experts.ts (`rankSpaceExperts`), the
 * first MAX_EXPERTS. Recomputed by the worker when an answer, acceptance, verification or vote in
 * the space marks it; `Space.experts` reads it by `_id`.
 */
const expertSchema = new Schema(
  {
    userId: { type: String, required: true },
    answerCount: { type: Number, required: true },
    score: { type: Number, required: true },
    acceptedCount: { type: Number, required: true },
    verifiedCount: { type: Number, required: true },
  },
  { _id: false },
);
const spaceExpertsSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    experts: { type: [expertSchema], default: [] },
    builtAt: { type: Date, required: true },
  },
  { collection: 'space_experts', versionKey: false, minimize: false },
);

export interface SpaceExpert {
  userId: string;
  answerCount: number;
  /** total score of their live answers in the space */
  score: number;
  acceptedCount: number;
  verifiedCount: number;
}
export interface SpaceExpertsDoc {
  _id: Types.ObjectId;
  experts: SpaceExpert[];
  builtAt: Date;
}
export const SpaceExpertsModel = model('SpaceExperts', spaceExpertsSchema);
