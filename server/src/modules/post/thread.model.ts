import { Schema, model, type Types } from 'mongoose';

/**
 * A question's thread, the read model of its page: every answer and every comment (of the
 * question and of its answers), whole, in one document read by `_id` (the question's id). The
 * page costs one read for the thread whatever its size (FerretDB reads a batch of ids one at a
 * time). Rebuilt from the posts and comments after every change of the question, an answer or a
 * comment (thread.repository.ts), lazily when missing, and by `npm run verify -- --repair`.
 */
const threadSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    /** the question's answers (deleted ones included: readers filter), whole post documents */
    answers: { type: [Schema.Types.Mixed], default: [] },
    /** post id (hex) → that post's comments, oldest first, whole comment documents */
    comments: { type: Schema.Types.Mixed, default: {} },
    builtAt: { type: Date, required: true },
  },
  { collection: 'threads', versionKey: false, minimize: false },
);

export interface ThreadDoc {
  _id: Types.ObjectId;
  answers: unknown[];
  comments: Record<string, unknown[]>;
  builtAt: Date;
}
export const ThreadModel = model('Thread', threadSchema);
