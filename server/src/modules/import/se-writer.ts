// Batched, idempotent writes for the importer (and the synthetic generator): every row is one
// `updateOne({_id}, …, {upsert})` — the only filter FerretDB pushes down — sent with
// `bulkWrite({ordered: false})` once a batch is full. A row is whole in a single document write,
// so an interrupted run never leaves half a row; re-sending a batch changes nothing.
import type { Model } from 'mongoose';

export interface Upsert {
  /** overwritten on every run (values that are facts of the dump) */
  $set?: Record<string, unknown>;
  /** written only when the document is new (values members may change after the import) */
  $setOnInsert?: Record<string, unknown>;
}

export interface WriteFailure {
  id: string;
  update: Upsert;
  code: number | undefined;
  message: string;
}

export interface FlushResult {
  written: number;
  failures: WriteFailure[];
}

interface Pending {
  id: unknown;
  update: Upsert;
  upsert: boolean;
}

/**
 * Collects upserts keyed by `_id` and writes them `size` at a time. A second write of the same
 * `_id` before the flush is merged into the first, field by field, the later value winning (the
 * batch never holds two writes of one document, whose order an unordered bulk write would not
 * keep). `enabled: false` makes it a no-op (scan
 * mode of a step that is already complete).
 */
export class UpsertBatch {
  private ops = new Map<string, Pending>();
  written = 0;
  failed = 0;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly model: Model<any>,
    private readonly size = 500,
    private readonly enabled = true,
  ) {}

  get pending(): number {
    return this.ops.size;
  }

  /** Queues a write of document `id`; `upsert: false` updates an existing document only. */
  add(id: { toString(): string }, update: Upsert, options: { upsert?: boolean } = {}): boolean {
    if (!this.enabled) return false;
    const key = String(id);
    const queued = this.ops.get(key);
    const merged: Upsert = queued
      ? {
          ...(queued.update.$set || update.$set ? { $set: { ...queued.update.$set, ...update.$set } } : {}),
          ...(queued.update.$setOnInsert || update.$setOnInsert ? { $setOnInsert: { ...queued.update.$setOnInsert, ...update.$setOnInsert } } : {}),
        }
      : update;
    this.ops.set(key, { id, update: merged, upsert: options.upsert ?? queued?.upsert ?? true });
    return this.ops.size >= this.size;
  }

  /** Writes the queued upserts. Rows the database refused come back as failures. */
  async flush(): Promise<FlushResult> {
    if (this.ops.size === 0) return { written: 0, failures: [] };
    const batch = [...this.ops.entries()];
    this.ops = new Map();
    const operations = batch.map(([, p]) => ({
      updateOne: { filter: { _id: p.id }, update: p.update, upsert: p.upsert },
    }));
    const failures: WriteFailure[] = [];
    try {
      const res = (await this.model.bulkWrite(operations as never, { ordered: false, timestamps: false })) as {
        mongoose?: { validationErrors?: Array<{ index?: number; message?: string }> };
      };
      for (const e of res.mongoose?.validationErrors ?? []) {
        const at = batch[e.index ?? -1];
        failures.push({ id: at?.[0] ?? '?', update: at?.[1].update ?? {}, code: undefined, message: e.message ?? 'invalid document' });
      }
    } catch (error) {
      const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
      if (!Array.isArray(writeErrors) && !(error as { code?: number }).code) throw error;
      const list = Array.isArray(writeErrors) ? (writeErrors as Array<{ index: number; code?: number; errmsg?: string; err?: { errmsg?: string } }>) : [];
      if (list.length === 0) {
        // a single failure reported as the error itself
        const e = error as { index?: number; code?: number; message?: string };
        list.push({ index: e.index ?? 0, code: e.code, errmsg: e.message });
      }
      for (const w of list) {
        const at = batch[w.index];
        failures.push({ id: at?.[0] ?? '?', update: at?.[1].update ?? {}, code: w.code, message: w.errmsg ?? w.err?.errmsg ?? 'write failed' });
      }
    }
    this.written += batch.length - failures.length;
    this.failed += failures.length;
    return { written: batch.length - failures.length, failures };
  }
}

/** True for MongoDB's duplicate-key error (a unique index refused the write). */
export function isDuplicateKey(failure: Pick<WriteFailure, 'code' | 'message'>): boolean {
  return failure.code === 11000 || /duplicate key/i.test(failure.message);
}
