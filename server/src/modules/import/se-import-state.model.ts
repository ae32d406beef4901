import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * Progress of Stack Exchange imports: one document per (site, step), `_id` "<site>:<step>".
 * A step is recorded when it has completed (every row of its file written); a resumed import
 * skips completed steps unless forced. `bytes` is the size of the file the step read: a
 * different file (a newer dump) makes the step run again.
 */
const importStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    site: { type: String, required: true },
    step: { type: String, required: true },
    file: { type: String, default: null },
    bytes: { type: Number, default: 0 },
    rows: { type: Number, default: 0 },
    imported: { type: Number, default: 0 },
    skipped: { type: Number, default: 0 },
    failed: { type: Number, default: 0 },
    seconds: { type: Number, default: 0 },
    completedAt: { type: Date, required: true },
  },
  { collection: 'import_state' },
);

export type ImportStateDoc = InferSchemaType<typeof importStateSchema> & { _id: string };
export const ImportStateModel = model('ImportState', importStateSchema);
