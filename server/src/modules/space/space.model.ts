import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/** A product forum. */
const spaceSchema = new Schema(
  {
    slug: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    questionCount: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'spaces' },
);
spaceSchema.index({ slug: 1 }, { unique: true });

export type SpaceDoc = InferSchemaType<typeof spaceSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const SpaceModel = model('Space', spaceSchema);
