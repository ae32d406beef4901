import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/**
 * A question's links that its own document does not hold, read by `_id` (= the question's id):
 * the questions that link to it (imported PostLinks rows whose target it is, related or
 * duplicate) — its outgoing links are on the question (`relatedIds`, `duplicateOfId`) — and the
 * "Related" list found by search, cached with the title and tags it was computed for.
 */
const questionLinksSchema = new Schema(
  {
    /** questions linking to this one (PostLinks LinkTypeId 1 or 3 with this question as RelatedPostId) */
    inboundIds: { type: [Schema.Types.ObjectId], default: [] },
    /** similar questions from search ("Related" when the question has few links) */
    similarIds: { type: [Schema.Types.ObjectId], default: undefined },
    /** what `similarIds` was computed for: a digest of the title and tags */
    similarBasis: { type: String, default: null },
    similarAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'question_links' },
);

export type QuestionLinksDoc = InferSchemaType<typeof questionLinksSchema> & { _id: Types.ObjectId };
export const QuestionLinksModel = model('QuestionLinks', questionLinksSchema);
