// Where the synthetic generator's documents go: one insert batch per collection (a full batch is
// written while generation goes on, at most one write in flight per collection), the count of
// documents written, and the search documents, sent to the search port in batches.
import type { SearchDocument, SearchPort } from '../../infra/search/search.port.js';
import type { SeedStore, SeedWriter } from './seed-store.js';

type Doc = Record<string, unknown> & { _id: { toString(): string } };

export class SyntheticOutput {
  /** documents inserted or found already there, in all collections */
  written = 0;
  /** documents that were already there (a re-run) */
  existing = 0;
  readonly writers: Record<'events' | 'posts' | 'revisions' | 'comments' | 'votes', SeedWriter>;
  private readonly inflight = new Map<SeedWriter, Promise<void>>();

  constructor(
    readonly store: SeedStore,
    batch: number,
  ) {
    this.writers = {
      events: store.insertBatchFor('events', { size: batch, trusted: true }),
      posts: store.insertBatchFor('posts', { size: batch, trusted: true }),
      revisions: store.insertBatchFor('revisions', { size: batch, trusted: true }),
      comments: store.insertBatchFor('comments', { size: batch, trusted: true }),
      votes: store.insertBatchFor('votes', { size: batch, trusted: true }),
    };
  }

  /** Writes what the writer holds; a refused document stops the run. */
  async flush(writer: SeedWriter): Promise<void> {
    const r = await writer.flush();
    this.written += r.inserted + r.existing;
    this.existing += r.existing;
    if (r.failures.length) throw new Error(`synthetic data: ${r.failures.length} documents refused, e.g. ${r.failures[0]!.message}`);
  }

  /** Queues a document; a full batch is written in the background (awaited by the writer's next one). */
  async add(writer: SeedWriter, doc: Doc): Promise<void> {
    if (!writer.add(doc)) return;
    await this.inflight.get(writer);
    const writing = this.flush(writer);
    writing.catch(() => undefined); // surfaced by the next await of this writer
    this.inflight.set(writer, writing);
  }

  /** Waits for the writes in flight, then writes what every writer still holds. */
  async flushAll(): Promise<void> {
    for (const writing of this.inflight.values()) await writing;
    this.inflight.clear();
    for (const w of Object.values(this.writers)) await this.flush(w);
  }

  /** A document written outside the batches. */
  countWritten(n = 1): void {
    this.written += n;
  }
}

/** Search documents built from the generated data (no database reads), upserted in batches. */
export class SearchBuffer {
  private docs: SearchDocument[] = [];
  /** time spent in the search port */
  ms = 0;

  constructor(
    private readonly port: SearchPort | null,
    private readonly batch: number,
  ) {}

  /** false: the run does not index (nothing is built) */
  get enabled(): boolean {
    return this.port !== null;
  }

  async add(docs: SearchDocument[]): Promise<void> {
    this.docs.push(...docs);
    if (this.docs.length >= this.batch) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.port || this.docs.length === 0) return;
    const t = performance.now();
    await this.port.upsert(this.docs);
    this.docs = [];
    this.ms += performance.now() - t;
  }
}
