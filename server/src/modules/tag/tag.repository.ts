// The tags collection (the tag name is the `_id`): the only code that touches it.
import { keyset, type PageWindow } from '../../lib/connection.js';
import { op } from '../../lib/mongo-ops.js';
import type { EntityCache } from '../../infra/entity-cache.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { TagModel, type TagDoc } from './tag.model.js';

export class TagRepository extends Repository<TagDoc> {
  private cache: EntityCache | null = null;

  constructor(storage: Storage) {
    super(storage, TagModel, { versionKeys: (id) => [`tags:${String(id)}`, 'list:tags'] });
  }

  /** Serves by-name batches through the entity cache (deps.ts). */
  useEntityCache(cache: EntityCache | null): void {
    this.cache = cache;
  }

  /**
   * Tags by name. Whole documents (what the GraphQL loaders ask for) come through the entity cache
   * (infra/entity-cache.ts); a projection (`select`) is read from the database.
   */
  override findManyByIds<R extends { _id: unknown } = TagDoc>(ids: readonly unknown[], select?: string): Promise<R[]> {
    if (!this.cache || select !== undefined) return super.findManyByIds<R>(ids, select);
    return this.cache.read<R>('tags', ids, (missing) => super.findManyByIds<R>(missing));
  }

  /** +1 question (creating the tag on first use) or −1. */
  async adjustQuestionCount(name: string, delta: 1 | -1): Promise<void> {
    if (delta > 0)
      await this.update(name, { $inc: { questionCount: 1 }, $setOnInsert: { description: '', synonymOf: null } }, { upsert: true });
    else await this.update(name, { $inc: { questionCount: -1 } });
  }

  async synonymsOf(name: string): Promise<string[]> {
    return ((await TagModel.find({ synonymOf: name }).select('_id').lean()) as Array<{ _id: string }>).map((s) => s._id);
  }

  /** Master tags by popularity or name, optionally by prefix (keyset page, limit + 1 rows). */
  async list(window: PageWindow, byName: boolean, prefix: string): Promise<TagDoc[]> {
    const page = byName ? keyset('_id', 1, window) : keyset('questionCount', -1, window);
    const where: Record<string, unknown> = { synonymOf: null };
    const clauses = [page.filter, prefix ? { _id: op.range(prefix, `${prefix}\uffff`) } : {}].filter((c) => Object.keys(c).length > 0);
    if (clauses.length) where.$and = clauses;
    return (await TagModel.find(where)
      .sort(page.sort)
      .limit(window.limit + 1)
      .lean()) as TagDoc[];
  }

  /** Question counts of the given tags (repairs and imports). */
  async questionCounts(names?: readonly string[]): Promise<Array<{ _id: string; questionCount: number }>> {
    return (await TagModel.find(names ? { _id: op.in(names) } : {})
      .select('questionCount')
      .lean()) as Array<{ _id: string; questionCount: number }>;
  }

  async setQuestionCount(name: string, n: number, options?: { timestamps?: boolean }): Promise<void> {
    await TagModel.updateOne({ _id: name }, { $set: { questionCount: n } }, options);
    await this.touched(name);
  }
}
