import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { attributionSchema } from '../post/attribution.js';

/**
 * A badge awarded to a member. Imported Stack Exchange badges keep their original name and tier;
 * `key` is the catalogue key when the name is one of BADGE_CATALOGUE (Stack Overflow's standard
 * badges, which Colloquy's rules follow), else null ("kept as imported"). Tag badges
 * (`tagBased`) are named after their tag.
 */
const badgeSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    /** catalogue key (e.g. "nice-answer"), null when the badge is not in the catalogue */
    key: { type: String, default: null },
    tier: { type: String, enum: ['GOLD', 'SILVER', 'BRONZE'], required: true },
    tagBased: { type: Boolean, default: false },
    /** awarded badges that repeat per subject: the post id, tag name or year it was earned for */
    subjectId: { type: String, default: null },
    awardedAt: { type: Date, required: true },
    imported: { type: Boolean, default: false },
    attribution: { type: attributionSchema, default: null },
  },
  { timestamps: true, collection: 'badges' },
);
badgeSchema.index({ userId: 1, awardedAt: -1 });
badgeSchema.index({ key: 1, awardedAt: -1 });
badgeSchema.index({ name: 1, tier: 1, awardedAt: -1 });

export type BadgeDoc = InferSchemaType<typeof badgeSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const BadgeModel = model('Badge', badgeSchema);
