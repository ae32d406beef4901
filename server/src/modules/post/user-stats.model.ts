import { Schema, model, type Types } from 'mongoose';

/**
 * A member's post statistics, the read model of their profile's "top tags": the tags of their
 * live questions and of the questions they answered, ranked as post.stats.ts `rankTags` ranks
 * them, the first MAX_TOP_TAGS. One document per member (`_id`: their id), read by `_id`;
 * recomputed from the posts by the worker after writes mark the member (post.rollups.ts), and
 * checked and repaired by `npm run verify`.
 */
const tagScoreSchema = new Schema(
  { name: { type: String, required: true }, posts: { type: Number, required: true }, score: { type: Number, required: true } },
  { _id: false },
);

const userStatsSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    topTags: { type: [tagScoreSchema], default: [] },
    /** the rollup sequence when its facts were read: an older computation never replaces a newer one */
    mark: { type: Number, default: 0 },
    builtAt: { type: Date, required: true },
  },
  { collection: 'user_stats', versionKey: false, minimize: false },
);

export interface UserStatsDoc {
  _id: Types.ObjectId;
  topTags: Array<{ name: string; posts: number; score: number }>;
  mark: number;
  builtAt: Date;
}
export const UserStatsModel = model('UserStats', userStatsSchema);
