// The public types of the Stack Exchange importer (re-exported by se-import.service.ts, which is
// where callers import them from).

export type SeStep =
  'Users' | 'PostLinks' | 'Votes' | 'Comments' | 'PostHistory' | 'Posts' | 'Tags' | 'Badges' | 'Bounties' | 'counters' | 'search';

export interface SeProgressEvent {
  step: SeStep | 'index';
  /** e.g. "Posts.xml"; null for the counters and search steps */
  file: string | null;
  phase: 'start' | 'progress' | 'end';
  /** files: bytes read so far; search: questions indexed so far */
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

export interface SeImportOptions {
  /** slug of the space to import into (created when missing); default from the site, e.g. "ai" */
  space?: string;
  /** run completed steps again (still insert-only: nothing that exists is overwritten) */
  force?: boolean;
  /** the site, e.g. "ai.stackexchange.com"; default from the folder's name */
  site?: string;
  /** one line per notable event (default: the deps' logger at info level) */
  log?: (line: string) => void;
  onProgress?: (event: SeProgressEvent) => void;
  /** documents per insert (default 500) */
  batchSize?: number;
  /** revision states kept in memory (default 20,000 posts); a miss reads the revision back */
  stateCacheSize?: number;
  /** index the imported posts into search at the end (default true) */
  search?: boolean;
  signal?: AbortSignal;
}

export interface SeStepSummary {
  step: SeStep;
  file: string | null;
  /** write: rows written; scan: file re-read for its id maps only; skipped: already complete */
  mode: 'write' | 'scan' | 'skipped';
  /** rows read from the file */
  rows: number;
  /** rows that became (or already were) part of the import */
  imported: number;
  /** rows deliberately left out (other post types, rows about posts that are not imported …) */
  skipped: number;
  /** skipped rows by reason */
  skippedBy: Record<string, number>;
  /** rows that could not be written */
  errors: number;
  /** documents already present (a re-run or a resumed run) */
  existing: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface SeImportSummary {
  site: string;
  space: { id: string; slug: string };
  steps: SeStepSummary[];
  /** what this run read from the dump (0 for skipped steps) */
  counts: {
    posts: number;
    questions: number;
    answers: number;
    tagWikis: number;
    users: number;
    comments: number;
    revisions: number;
    tags: number;
    postLinks: number;
    votes: number;
    materialisedVotes: number;
    badges: number;
    /** favourites (Votes VoteTypeId 5) that became new follows of their question */
    follows: number;
    /** PostHistory rows 10–20 (closures, deletions, locks, protections) kept as audit-log entries */
    moderationHistory: number;
  };
  seconds: number;
}
