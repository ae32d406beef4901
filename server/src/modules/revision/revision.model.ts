import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/** A post's state after one edit. Revision 1 is the original. */
const revisionSchema = new Schema(
  {
    postId: { type: Schema.Types.ObjectId, required: true },
    number: { type: Number, required: true },
    authorId: { type: Schema.Types.ObjectId, default: null },
    authorName: { type: String, default: null },
    title: { type: String, default: null },
    body: { type: String, required: true },
    tags: { type: [String], default: [] },
    /** which parts changed compared to the previous revision */
    changed: { type: [String], default: [] },
    summary: { type: String, default: '' },
    rollbackOf: { type: Number, default: null },
    /** an approved suggested edit (modules/review): which one, and the reviewers who approved it */
    suggestedEditId: { type: Schema.Types.ObjectId, default: null },
    approvedByIds: { type: [Schema.Types.ObjectId], default: undefined },
    importKey: { type: String, default: null },
  },
  { timestamps: true, collection: 'revisions' },
);
revisionSchema.index({ postId: 1, number: 1 }, { unique: true });

export type RevisionDoc = InferSchemaType<typeof revisionSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const RevisionModel = model('Revision', revisionSchema);
