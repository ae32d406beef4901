import { Schema, model } from 'mongoose';

/**
 * A tag's statistics, the read model of its page's sidebar (and of `experts(tag)`): its top askers
 * and top answerers, ranked as post.stats.ts ranks them, the first MAX_RANKED of each. One
 * document per tag (`_id`: the tag's name), read by `_id`; recomputed from the posts by the worker
 * after writes mark the tag (post.rollups.ts), and checked and repaired by `npm run verify`.
 */
const askerSchema = new Schema(
  { userId: { type: String, required: true }, questionCount: { type: Number, required: true }, score: { type: Number, required: true } },
  { _id: false },
);
const answererSchema = new Schema(
  {
    userId: { type: String, required: true },
    answerCount: { type: Number, required: true },
    score: { type: Number, required: true },
    acceptedCount: { type: Number, required: true },
  },
  { _id: false },
);

const tagStatsSchema = new Schema(
  {
    _id: { type: String, required: true },
    askers: { type: [askerSchema], default: [] },
    answerers: { type: [answererSchema], default: [] },
    /** the rollup sequence when its facts were read: an older computation never replaces a newer one */
    mark: { type: Number, default: 0 },
    builtAt: { type: Date, required: true },
  },
  { collection: 'tag_stats', versionKey: false, minimize: false },
);

export interface TagStatsDoc {
  _id: string;
  askers: Array<{ userId: string; questionCount: number; score: number }>;
  answerers: Array<{ userId: string; answerCount: number; score: number; acceptedCount: number }>;
  mark: number;
  builtAt: Date;
}
export const TagStatsModel = model('TagStats', tagStatsSchema);
