import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/**
 * A bounty: reputation a member paid up front to draw attention to a question (bounty.rules.ts).
 * Its status moves once, ACTIVE → AWARDED or EXPIRED, by a write guarded on `status: 'ACTIVE'`;
 * the reputation moves through the ledger under deterministic keys (`bounty:<id>:offer`,
 * `bounty:<id>:award`), so a step applied twice moves nothing more and `npm run verify` can tell
 * a missing step from the facts (bounty.verify.ts).
 */
const bountySchema = new Schema(
  {
    questionId: { type: Schema.Types.ObjectId, required: true },
    offeredBy: { type: Schema.Types.ObjectId, required: true },
    amount: { type: Number, required: true },
    startedAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    graceEndsAt: { type: Date, required: true },
    status: { type: String, enum: ['ACTIVE', 'AWARDED', 'EXPIRED'], required: true },
    awardedAnswerId: { type: Schema.Types.ObjectId, default: null },
    awardedTo: { type: Schema.Types.ObjectId, default: null },
    /** what the answer's author received: the amount (by the offerer), half (automatic), 0 */
    awardedAmount: { type: Number, default: 0 },
    awardedAt: { type: Date, default: null },
    /** OFFERER (awardBounty) or AUTO (the expiry job) */
    awardedBy: { type: String, default: null },
    /** from a Stack Exchange dump: its reputation is already in the imported balances */
    imported: { type: Boolean, default: false },
    version: { type: Number, default: 1 },
  },
  { timestamps: true, collection: 'bounties' },
);
// the expiry job (worker) and verify: active bounties past their grace
bountySchema.index({ status: 1, graceEndsAt: 1 });
bountySchema.index({ questionId: 1 });

export type BountyDoc = InferSchemaType<typeof bountySchema> & {
  _id: Types.ObjectId;
  status: 'ACTIVE' | 'AWARDED' | 'EXPIRED';
  createdAt: Date;
  updatedAt: Date;
};
export const BountyModel = model('Bounty', bountySchema);

/**
 * A question's bounties, by the question's `_id` (the page reads it by id): the active one (at
 * most one, claimed by a write guarded on `activeId: null`), the latest one, and every offer
 * (who offered how much: a member's next bounty on the question must be at least double).
 */
const questionBountiesSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    activeId: { type: Schema.Types.ObjectId, default: null },
    latestId: { type: Schema.Types.ObjectId, default: null },
    offers: {
      type: [{ _id: false, bountyId: Schema.Types.ObjectId, offeredBy: Schema.Types.ObjectId, amount: Number, at: Date }],
      default: [],
    },
  },
  { timestamps: true, collection: 'question_bounties' },
);

export type QuestionBountiesDoc = Omit<InferSchemaType<typeof questionBountiesSchema>, 'activeId' | 'latestId' | 'offers'> & {
  _id: Types.ObjectId;
  activeId: Types.ObjectId | null;
  latestId: Types.ObjectId | null;
  offers: Array<{ bountyId: Types.ObjectId; offeredBy: Types.ObjectId; amount: number; at: Date }>;
};
export const QuestionBountiesModel = model('QuestionBounties', questionBountiesSchema);
