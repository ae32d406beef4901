// The tag_stats collection (tag-stats.model.ts): the only code that touches it. Also the base of
// the post module's rollup repositories (tag_stats, user_stats): a rollup is read by `_id` and
// written only as a whole computed document, never older over newer.
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { TagStatsModel, type TagStatsDoc } from './tag-stats.model.js';

/** What every rollup document carries besides its content. */
export interface RollupDoc {
  _id: unknown;
  /** the rollup sequence (post.rollups.ts) when its facts were read */
  mark: number;
  builtAt: Date;
}

export abstract class RollupRepository<D extends RollupDoc> extends Repository<D> {
  /** The part of a document its readers see (compared to tell whether a computation changed it). */
  protected abstract contentOf(doc: D): unknown;

  /** Whether a stored rollup shows what `expected` shows (verify). */
  sameContent(stored: D, expected: D): boolean {
    return JSON.stringify(this.contentOf(stored)) === JSON.stringify(this.contentOf(expected));
  }

  /**
   * Stores a computed rollup unless one computed from later facts (a higher mark) is stored:
   * replaces it when what readers see differs (bumping its read-model version), else only moves
   * its mark forward. `force` (a repair without the sequence) ignores the marks. Writers of one
   * rollup are serialised (a lock per document). Returns whether readers see a change.
   */
  storeComputed(doc: D, force = false): Promise<boolean> {
    const name = `rollup:${this.model.collection.collectionName}:${String(doc._id)}`;
    return this.storage.withLock(name, async () => {
      const current = await this.findById(doc._id);
      if (current && !force && current.mark > doc.mark) return false;
      if (current && this.sameContent(current, doc)) {
        if (current.mark < doc.mark) await this.model.updateOne({ _id: doc._id }, { $set: { mark: doc.mark } });
        return false;
      }
      await this.model.replaceOne({ _id: doc._id }, doc, { upsert: true });
      await this.touched(doc._id);
      return true;
    });
  }
}

export class TagStatsRepository extends RollupRepository<TagStatsDoc> {
  constructor(storage: Storage) {
    // the tag page and `experts(tag)` note this key (post.rollups.ts)
    // read by the tag page: not computed yet is remembered too (a rollup's store bumps the key)
    super(storage, TagStatsModel, { versionKeys: (id) => [tagStatsKey(String(id))], cache: { name: 'tag_stats', absent: true } });
  }

  protected contentOf(doc: TagStatsDoc): unknown {
    const askers = doc.askers.map((a) => [a.userId, a.questionCount, a.score]);
    const answerers = doc.answerers.map((a) => [a.userId, a.answerCount, a.score, a.acceptedCount]);
    return [askers, answerers];
  }

  /** A tag's statistics (by `_id`), or null when not computed yet. */
  ofTag(name: string): Promise<TagStatsDoc | null> {
    return this.findCachedById(name);
  }
}

/** The read-model version key of a tag's statistics. */
export const tagStatsKey = (name: string) => `tag_stats:${name}`;
