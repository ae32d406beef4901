// The state one embedded search port keeps between calls, as one object the parts share (the
// writer, the query runner, the reindex): the connection and its cached statements, the
// in-memory attribute cache, the scratch database and the tuning.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AttributeCache } from './attributes.js';
import { DEFAULT_TUNING, type EmbeddedSearchOptions, type EmbeddedTuning } from './options.js';
import { ScratchDb } from './scratch.js';
import { initialiseFile, type BuildState } from './schema.js';
import { exactTokens } from './tokens.js';

export class EmbeddedStore {
  /** this process's name in meta 'build' (who runs a reindex) */
  readonly owner = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  readonly tuning: EmbeddedTuning;
  readonly attrs = new AttributeCache();
  readonly scratch = new ScratchDb();
  closed = false;
  private db: Database.Database | null = null;
  private initialised = false;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly options: EmbeddedSearchOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
  }

  /** the connection, opened on first use */
  open(): Database.Database {
    if (this.closed) throw new Error('the embedded search index is closed');
    if (this.db) return this.db;
    let file = ':memory:';
    if (this.options.dir !== ':memory:') {
      mkdirSync(this.options.dir, { recursive: true });
      file = join(this.options.dir, 'search.sqlite');
    }
    const conn = new Database(file, { timeout: this.options.busyTimeoutMs ?? 10_000 });
    if (file !== ':memory:') conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
    conn.pragma('cache_size = -65536');
    conn.pragma('temp_store = MEMORY');
    conn.pragma('mmap_size = 1073741824');
    this.db = conn;
    return conn;
  }

  /** the connection, with the file's shared tables and live set created on first use */
  ensureInit(): Database.Database {
    const conn = this.open();
    if (this.initialised) return conn;
    conn.transaction(() => initialiseFile(conn)).immediate();
    this.initialised = true;
    return conn;
  }

  /** a cached prepared statement (statements re-prepare themselves after another process's swap) */
  stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.open().prepare(sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, s);
    }
    return s as unknown as Database.Statement<P, R>;
  }

  clearStatements(): void {
    this.statements.clear();
  }

  readMeta(key: string): string | undefined {
    return this.stmt<[string], { value: string }>(`SELECT value FROM meta WHERE key = ?`).get(key)?.value;
  }

  /** the live generation */
  liveGen(): string {
    return this.readMeta('live_gen') ?? '0';
  }

  currentBuild(): BuildState | null {
    const raw = this.readMeta('build');
    return raw ? (JSON.parse(raw) as BuildState) : null;
  }

  /** the tokens FTS5 indexes for each text (see exactTokens) */
  exactTokens(texts: readonly string[]): string[][] {
    return exactTokens(texts, (list) => this.scratch.tokenize(list));
  }

  /** closes the scratch database and the connection (the store cannot be used afterwards) */
  close(): void {
    this.closed = true;
    this.statements.clear();
    this.scratch.close();
    this.db?.close();
    this.db = null;
  }
}
