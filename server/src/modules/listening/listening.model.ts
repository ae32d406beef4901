import { Schema, model, type Types } from 'mongoose';

/**
 * A staff member's saved watch ("data loss", a competitor's name, CVE…): a search query evaluated
 * on every new or edited post. `scope`: the vendor organisation whose engineers share it (or
 * "site" for site admins outside one).
 */
const watchSchema = new Schema(
  {
    name: { type: String, required: true },
    query: { type: String, required: true },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    scope: { type: String, required: true },
  },
  { timestamps: true, collection: 'listening_watches' },
);
watchSchema.index({ scope: 1 });

export interface WatchDoc {
  _id: Types.ObjectId;
  name: string;
  query: string;
  ownerId: Types.ObjectId;
  scope: string;
  createdAt: Date;
  updatedAt: Date;
}
export const WatchModel = model('ListeningWatch', watchSchema);

/** A post that matched a watch: `_id` `${watchId}:${postId}:${revision}` (evaluating again adds nothing). */
const matchSchema = new Schema(
  {
    _id: { type: String, required: true },
    watchId: { type: Schema.Types.ObjectId, required: true },
    scope: { type: String, required: true },
    postId: { type: Schema.Types.ObjectId, required: true },
    questionId: { type: Schema.Types.ObjectId, required: true },
    spaceId: { type: Schema.Types.ObjectId, required: true },
    revision: { type: Number, required: true },
    excerpt: { type: String, required: true },
    day: { type: String, required: true },
    matchedAt: { type: Date, required: true },
  },
  { collection: 'listening_matches', versionKey: false },
);
matchSchema.index({ scope: 1, matchedAt: -1 });

export interface MatchDoc {
  _id: string;
  watchId: Types.ObjectId;
  scope: string;
  postId: Types.ObjectId;
  questionId: Types.ObjectId;
  spaceId: Types.ObjectId;
  revision: number;
  excerpt: string;
  day: string;
  matchedAt: Date;
}
export const MatchModel = model('ListeningMatch', matchSchema);
