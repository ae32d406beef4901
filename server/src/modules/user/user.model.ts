import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { attributionSchema } from '../post/attribution.js';

const socialLinkSchema = new Schema({ label: { type: String, required: true }, url: { type: String, required: true } }, { _id: false });

const userSchema = new Schema(
  {
    handle: { type: String, required: true },
    /** lowercased handle: unique lookup key */
    handleKey: { type: String, required: true },
    email: { type: String, default: null },
    /** lowercased email, or "none:<id>" for accounts without one (imported): always present and unique */
    emailKey: { type: String, required: true },
    passwordHash: { type: String, default: null },
    displayName: { type: String, required: true },
    bio: { type: String, default: '' },
    bioHTML: { type: String, default: '' },
    location: { type: String, default: null },
    websiteUrl: { type: String, default: null },
    socialLinks: { type: [socialLinkSchema], default: [] },
    expertiseTags: { type: [String], default: [] },
    role: { type: String, enum: ['MEMBER', 'STAFF', 'MODERATOR', 'ADMIN'], default: 'MEMBER' },
    affiliation: { type: String, default: null },
    /** the ledger's running balance (see reputation.service.ts); the first event opens it */
    reputation: { type: Number, default: 0 },
    /** sequence number of the last ledger event applied to `reputation` */
    repSeq: { type: Number, default: 0 },
    /** UTC day (YYYY-MM-DD) and the vote-earned reputation of that day (daily cap) */
    repDay: { type: String, default: '' },
    repDayEarned: { type: Number, default: 0 },
    questionCount: { type: Number, default: 0 },
    answerCount: { type: Number, default: 0 },
    /** awarded and imported badges by tier (badge module; repaired by `npm run verify`) */
    badgeCounts: {
      type: new Schema({ gold: Number, silver: Number, bronze: Number }, { _id: false }),
      default: () => ({ gold: 0, silver: 0, bronze: 0 }),
    },
    attribution: { type: attributionSchema, default: null },
    lastSeenAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'users', optimisticConcurrency: false },
);
userSchema.index({ handleKey: 1 }, { unique: true });
userSchema.index({ emailKey: 1 }, { unique: true });
userSchema.index({ reputation: -1, _id: 1 });

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const UserModel = model('User', userSchema);
