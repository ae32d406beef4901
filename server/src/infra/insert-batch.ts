// Batched, idempotent, insert-only writes for batch tools that are their database's only writer
// (the importer, the synthetic generator), through each repository's `insertBatch()`.
//
// Why inserts and not upserts, on FerretDB 1.24 (SQLite): an update or upsert is, per
// statement, a read of the document, a change applied in Go and a write of the whole document
// (see storage.ts). FerretDB pushes only a filter of exactly `{_id: value}` down to
// SQLite; any other filter, `$in` included, decodes every document of the collection. And even
// that `{_id}` lookup uses an index only where scripts/lib/ferretdb-ids.ts has added one
// (FerretDB's own `_id` index is on another expression than the lookup's): on the scripts' local
// FerretDB, for the collection tables that existed when it last ran (`npm start` runs it after
// seeding, so the tables a first import creates have none yet); without it SQLite scans the
// table for every lookup. Besides, an `update` command of 100 or more statements that match
// existing documents never returns (99 do), and reads and writes of its database wait behind
// it. An `insert` of a batch is one fast command and, with deterministic `_id`s, idempotent: a
// document that is already there is refused with a duplicate-key error (E11000), which here
// means "already imported". A row is one document, written whole or not at all.
import type { Model } from 'mongoose';

export interface InsertFailure {
  id: string;
  doc: Record<string, unknown>;
  /** the document exists under another `_id` with the same unique key (e.g. a taken handle) */
  conflict: boolean;
  message: string;
}

export interface InsertResult {
  inserted: number;
  /** already there (same `_id`): a re-run or a resumed run */
  existing: number;
  failures: InsertFailure[];
}

export interface InsertBatchOptions {
  /** rows per insert command (default 500) */
  size?: number;
  /** false: a no-op (scan mode of a step that is already complete) */
  enabled?: boolean;
  /**
   * The collection has unique indexes besides `_id`: duplicate-key refusals are checked with
   * one read of their `_id`s to tell "already imported" from "conflicts with another document"
   * (FerretDB's error does not name the index). Without it every refusal means "already there".
   */
  otherUniqueKeys?: boolean;
  /**
   * The caller builds complete, correctly typed documents (ObjectIds, Dates, timestamps): they
   * get the schema's defaults for missing fields but skip mongoose's document construction and
   * validation (~1 ms per document — most of the cost of a bulk load).
   */
  trusted?: boolean;
}

/**
 * Collects whole documents (with their `_id`) and inserts them `size` at a time with
 * `insertMany({ordered: false})`. Documents are built with the model (defaults and casting
 * applied) and validated; invalid ones come back as failures. Adding a document whose `_id` is
 * still queued replaces the queued one.
 */
export class InsertBatch {
  private docs = new Map<string, Record<string, unknown>>();
  inserted = 0;
  existing = 0;
  failed = 0;
  private readonly size: number;
  private readonly enabled: boolean;
  private readonly otherUniqueKeys: boolean;
  private readonly trusted: boolean;
  private defaults: Record<string, unknown> | null = null;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly model: Model<any>,
    options: InsertBatchOptions = {},
  ) {
    this.size = Math.max(1, options.size ?? 500);
    this.enabled = options.enabled ?? true;
    this.otherUniqueKeys = options.otherUniqueKeys ?? false;
    this.trusted = options.trusted ?? false;
  }

  /** The schema's default values (without `_id`), computed once. */
  private schemaDefaults(): Record<string, unknown> {
    if (!this.defaults) {
      const template = new this.model({}).toObject({ virtuals: false, versionKey: false, minimize: false }) as Record<string, unknown>;
      delete template._id;
      this.defaults = template;
    }
    return this.defaults;
  }

  get pending(): number {
    return this.docs.size;
  }

  /** Queues a document; true when the batch is full (flush it). */
  add(doc: Record<string, unknown> & { _id: { toString(): string } }): boolean {
    if (!this.enabled) return false;
    this.docs.set(String(doc._id), doc);
    return this.docs.size >= this.size;
  }

  /** The queued (not yet written) document with this `_id`, to amend it in place. */
  queued(id: { toString(): string }): Record<string, unknown> | undefined {
    return this.docs.get(String(id));
  }

  async flush(): Promise<InsertResult> {
    if (this.docs.size === 0) return { inserted: 0, existing: 0, failures: [] };
    const batch = [...this.docs.values()];
    this.docs = new Map();
    const failures: InsertFailure[] = [];
    const ready: Array<Record<string, unknown>> = [];
    if (this.trusted) {
      const defaults = this.schemaDefaults();
      for (const raw of batch) ready.push({ ...defaults, ...raw });
    } else
      await Promise.all(
        batch.map(async (raw) => {
          const doc = new this.model(raw);
          try {
            await doc.validate();
            ready.push(doc.toObject({ virtuals: false, versionKey: false, minimize: false }) as Record<string, unknown>);
          } catch (error) {
            failures.push({
              id: String(raw._id),
              doc: raw,
              conflict: false,
              message: error instanceof Error ? error.message : String(error),
            });
          }
        }),
      );
    let existing = 0;
    if (ready.length > 0) {
      try {
        await this.model.collection.insertMany(ready, { ordered: false });
      } catch (error) {
        const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
        const list = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as Array<{
          index: number;
          code?: number;
          errmsg?: string;
          err?: { code?: number; errmsg?: string; index?: number };
        }>;
        if (list.length === 0) throw error;
        const duplicates: Array<{ doc: Record<string, unknown>; message: string }> = [];
        for (const w of list) {
          const index = w.index ?? w.err?.index ?? -1;
          const code = w.code ?? w.err?.code;
          const message = w.errmsg ?? w.err?.errmsg ?? 'insert failed';
          const doc = ready[index];
          if (!doc) continue;
          if (code === 11000 || /duplicate key/i.test(message)) duplicates.push({ doc, message });
          else failures.push({ id: String(doc._id), doc, conflict: false, message });
        }
        if (duplicates.length > 0) {
          // one `$in` read for all of them: on FerretDB a pass over the collection, but once per
          // batch rather than one `_id` lookup per row (each a scan where the lookup index is missing)
          const found = this.otherUniqueKeys
            ? new Set(
                (
                  await this.model.collection
                    .find({ _id: { $in: duplicates.map((d) => d.doc._id) } } as never, { projection: { _id: 1 } })
                    .toArray()
                ).map((d) => String(d._id)),
              )
            : null;
          for (const { doc, message } of duplicates) {
            if (!found || found.has(String(doc._id))) existing++;
            else failures.push({ id: String(doc._id), doc, conflict: true, message });
          }
        }
      }
    }
    const inserted = batch.length - existing - failures.length;
    this.inserted += inserted;
    this.existing += existing;
    this.failed += failures.length;
    return { inserted, existing, failures };
  }
}
