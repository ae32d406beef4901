// The latest revision state of posts (title, Markdown body, tags …): PostHistory builds each
// revision from the one before it, and Posts writes a post from its latest revision. Memory
// holds the states of recently edited posts only (an LRU of `capacity` posts); a miss reads the
// revision back by `_id` — from the queued batch when it is not written yet.
import { Types } from 'mongoose';
import { seRevisionId } from '../se-mapping.js';
import type { ImportStore } from '../se-store.js';
import type { InsertBatch } from '../../../infra/insert-batch.js';

export interface RevState {
  n: number;
  title: string | null;
  body: string;
  tags: string[];
  changed: string[];
  authorId: Types.ObjectId | null;
  authorName: string | null;
  summary: string;
  at: Date;
}

/** what a revision document tells about a post's state */
interface RevisionLike {
  title?: string | null;
  body: string;
  tags: string[];
  changed: string[];
  authorId?: Types.ObjectId | null;
  authorName?: string | null;
  summary?: string | null;
  createdAt: Date;
}

/** A post's latest revision: its number and the RevisionGUID of the edit that made it. */
export interface RevisionTrack {
  n: number;
  guid: string;
}

export class RevisionStateCache {
  private readonly states = new Map<number, RevState>();

  constructor(
    private readonly store: ImportStore,
    private readonly site: string,
    private readonly capacity: number,
  ) {}

  remember(postId: number, state: RevState): void {
    this.states.delete(postId);
    this.states.set(postId, state);
    if (this.states.size > this.capacity) {
      const oldest = this.states.keys().next().value;
      if (oldest !== undefined) this.states.delete(oldest);
    }
  }

  /** The post's state after revision `n`: from the cache, else from `queued` (revisions not yet
   * written) or read back from the revision. */
  async stateOf(postId: number, n: number, queued: InsertBatch): Promise<RevState | null> {
    const cached = this.states.get(postId);
    if (cached && cached.n === n) return cached;
    const id = seRevisionId(this.site, postId, n);
    const doc = (queued.queued(id) ?? (await this.store.findRevisionById(id))) as RevisionLike | null;
    if (!doc) return null;
    const state = toState(doc, n);
    this.remember(postId, state);
    return state;
  }

  /** The latest revision state of these posts: from the cache, the rest in one read. */
  async latestStates(postIds: number[], tracks: ReadonlyMap<number, RevisionTrack>): Promise<Map<number, RevState>> {
    const states = new Map<number, RevState>();
    const missing = new Map<string, { postId: number; n: number }>();
    for (const postId of postIds) {
      const track = tracks.get(postId);
      if (!track) continue;
      const cached = this.states.get(postId);
      if (cached && cached.n === track.n) states.set(postId, cached);
      else missing.set(seRevisionId(this.site, postId, track.n).toHexString(), { postId, n: track.n });
    }
    if (missing.size === 0) return states;
    const ids = [...missing.keys()].map((id) => new Types.ObjectId(id));
    const docs: Array<RevisionLike & { _id: Types.ObjectId }> = await this.store.findRevisionsByIds(ids);
    for (const doc of docs) {
      const m = missing.get(doc._id.toHexString());
      if (m) states.set(m.postId, toState(doc, m.n));
    }
    return states;
  }
}

function toState(doc: RevisionLike, n: number): RevState {
  return {
    n,
    title: doc.title ?? null,
    body: doc.body,
    tags: [...doc.tags],
    changed: [...doc.changed],
    authorId: doc.authorId ?? null,
    authorName: doc.authorName ?? null,
    summary: doc.summary ?? '',
    at: doc.createdAt,
  };
}
