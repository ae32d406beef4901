import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { attributionSchema } from '../post/attribution.js';

const commentSchema = new Schema(
  {
    postId: { type: Schema.Types.ObjectId, required: true },
    questionId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: Schema.Types.ObjectId, required: true },
    body: { type: String, required: true },
    bodyHTML: { type: String, required: true },
    score: { type: Number, default: 0 },
    deletedAt: { type: Date, default: null },
    deletedById: { type: Schema.Types.ObjectId, default: null },
    editedAt: { type: Date, default: null },
    attribution: { type: attributionSchema, default: null },
  },
  { timestamps: true, collection: 'comments' },
);
commentSchema.index({ postId: 1, createdAt: 1 });
commentSchema.index({ questionId: 1 });
commentSchema.index({ 'attribution.site': 1, 'attribution.originalId': 1 });

export type CommentDoc = InferSchemaType<typeof commentSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const CommentModel = model('Comment', commentSchema);
