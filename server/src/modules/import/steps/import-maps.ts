// What the steps hand to each other: id maps (posts, user names, links, tallies, comment
// counts, revision numbers) and an LRU cache of the latest revision state of recently edited
// posts (revision-state.ts). Files are streamed row by row, never read whole; these maps are
// what memory holds. Each field names the step that fills it; a step whose inputs come from a
// completed step makes the runner re-read that step's file in scan mode (se-import.service.ts).
import type { CloseReason } from '../se-mapping.js';
import type { ImportStore } from '../se-store.js';
import { RevisionStateCache, type RevisionTrack } from './revision-state.js';

/** One post of Posts.xml as far as the other files need it. */
export interface PostInfo {
  type: number;
  /** answers: the question's Id (0 when none) */
  parent: number;
  owner: number | undefined;
  score: number;
  /** questions: imported answers, whether one has a positive score, the (valid) accepted answer */
  answers: number;
  positive: boolean;
  accepted: number;
  created: Date | undefined;
  deleted: boolean;
}

/** A post's up/down votes in the dump, and those of them that became vote documents (named). */
export interface VoteTally {
  up: number;
  down: number;
  /** Σ values of the vote documents */
  named: number;
  namedUp: number;
  namedDown: number;
}

export const emptyTally = (): VoteTally => ({ up: 0, down: 0, named: 0, namedUp: 0, namedDown: 0 });

/**
 * A post's moderation state after its PostHistory rows 10–20 (closed, reopened, locked,
 * unlocked, protected, unprotected): what the Posts step writes on it. Users are Stack Exchange
 * ids (undefined: the Community user or nobody the dump names).
 */
export interface ModerationState {
  closedAt: Date | null;
  closedBy: number | undefined;
  /** the members whose votes closed it (Text's Voters) */
  closeVoters: number[];
  lockedAt: Date | null;
  lockedBy: number | undefined;
  lockReason: string | null;
  protectedAt: Date | null;
  protectedBy: number | undefined;
}

/** Keys are Stack Exchange ids (post, user, comment Ids) unless said otherwise. */
export interface ImportMaps {
  /** the Posts.xml index (posts-index.ts): every post */
  readonly posts: Map<number, PostInfo>;
  /** the Posts.xml index: a question's imported answers (written with the posts, post.model.ts) */
  readonly answerIdsOf: Map<number, number[]>;
  /** Users: the users of Users.xml and their display names (no entry: no imported account) */
  readonly userNames: Map<number, string>;
  /** PostLinks: question → the question it duplicates */
  readonly duplicateOf: Map<number, number>;
  /** PostLinks: question → its linked posts */
  readonly related: Map<number, number[]>;
  /** Votes: per post */
  readonly tallies: Map<number, VoteTally>;
  /** Votes: accepted answer → when it was accepted */
  readonly acceptedAt: Map<number, Date>;
  /** Comments: per post */
  readonly commentCounts: Map<number, number>;
  /** Comments: a post's comment Ids (written with the posts, post.model.ts) */
  readonly commentIdsOf: Map<number, number[]>;
  /** PostHistory: each post's latest revision */
  readonly revTrack: Map<number, RevisionTrack>;
  /** PostHistory: the latest revision states of recently edited posts */
  readonly revisionStates: RevisionStateCache;
  /** PostHistory: tag wiki post → its latest body */
  readonly wikiBodies: Map<number, string>;
  /** PostHistory: closed question → why */
  readonly closeReasons: Map<number, CloseReason>;
  /** PostHistory: a post's closure, lock and protection (rows 10, 11, 14, 15, 19, 20) */
  readonly moderation: Map<number, ModerationState>;
  /** Posts: tag name → questions using it (for the Tags step) */
  readonly tagCounts: Map<string, number>;
  /** Posts: tag wiki post → its Markdown (for the Tags step) */
  readonly wikiTexts: Map<number, string>;
}

export function newImportMaps(store: ImportStore, site: string, stateCacheSize: number): ImportMaps {
  return {
    posts: new Map(),
    answerIdsOf: new Map(),
    userNames: new Map(),
    duplicateOf: new Map(),
    related: new Map(),
    tallies: new Map(),
    acceptedAt: new Map(),
    commentCounts: new Map(),
    commentIdsOf: new Map(),
    revTrack: new Map(),
    revisionStates: new RevisionStateCache(store, site, stateCacheSize),
    wikiBodies: new Map(),
    closeReasons: new Map(),
    moderation: new Map(),
    tagCounts: new Map(),
    wikiTexts: new Map(),
  };
}
