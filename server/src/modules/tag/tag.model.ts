import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/**
 * A tag; `_id` is its name. A synonym points at its master tag through `synonymOf`; a master
 * lists its synonyms in `synonyms` (read with the tag by id; absent on a tag stored before the
 * list was kept: it is computed from `synonymOf` once, then kept).
 */
const tagSchema = new Schema(
  {
    _id: { type: String, required: true },
    description: { type: String, default: '' },
    descriptionHTML: { type: String, default: '' },
    excerpt: { type: String, default: '' },
    synonymOf: { type: String, default: null },
    synonyms: { type: [String], default: undefined },
    questionCount: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'tags' },
);
tagSchema.index({ questionCount: -1, _id: 1 });
tagSchema.index({ synonymOf: 1 });

export type TagDoc = InferSchemaType<typeof tagSchema> & { _id: string; createdAt: Date; updatedAt: Date };
export const TagModel = model('Tag', tagSchema);
export type { Types };
