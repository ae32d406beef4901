import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * One member's vote on one post. `_id` is "<userId>:<postId>" (the unique pair, and an `_id`
 * lookup is the one filter FerretDB pushes down). `version` guards every change; `authorRep`
 * and `voterRep` are the reputation this vote currently awards (after cap and floor), so an
 * undo reverses exactly what was given.
 */
const voteSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    postId: { type: Schema.Types.ObjectId, required: true },
    postAuthorId: { type: Schema.Types.ObjectId, required: true },
    postType: { type: String, enum: ['question', 'answer'], required: true },
    value: { type: Number, enum: [-1, 0, 1], required: true },
    version: { type: Number, required: true },
    authorRep: { type: Number, default: 0 },
    voterRep: { type: Number, default: 0 },
    imported: { type: Boolean, default: false },
  },
  { timestamps: true, collection: 'votes' },
);
voteSchema.index({ postId: 1 });
voteSchema.index({ userId: 1, updatedAt: -1 });

export type VoteDoc = InferSchemaType<typeof voteSchema> & { _id: string; createdAt: Date; updatedAt: Date };
export const VoteModel = model('Vote', voteSchema);
