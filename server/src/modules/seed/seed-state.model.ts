import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * The demo community's seeding (`npm start` on an empty database): one document, `_id` "demo",
 * written before the first row and marked finished after the last. A database with members but
 * an unfinished Stack Exchange seed is resumed by the next start (the importer skips its
 * completed steps); a finished one, or a database seeded some other way, is left alone.
 */
const seedStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    source: { type: String, enum: ['stackexchange', 'synthetic'], required: true },
    dir: { type: String, default: null },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
  },
  { collection: 'seed_state', versionKey: false },
);

export type SeedStateDoc = InferSchemaType<typeof seedStateSchema> & { _id: string };
export const SeedStateModel = model('SeedState', seedStateSchema);
