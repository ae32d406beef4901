// The tags collection (the tag name is the `_id`): the only code that touches it.
import { keyset, type PageWindow } from '../../lib/connection.js';
import { op } from '../../lib/mongo-ops.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { TagModel, type TagDoc } from './tag.model.js';

export class TagRepository extends Repository<TagDoc> {
  constructor(storage: Storage) {
    super(storage, TagModel, { versionKeys: (id) => [`tags:${String(id)}`, 'list:tags'], cache: { name: 'tags' } });
  }

  /** +1 question (creating the tag on first use) or −1. */
  async adjustQuestionCount(name: string, delta: 1 | -1): Promise<void> {
    if (delta > 0)
      await this.update(
        name,
        { $inc: { questionCount: 1 }, $setOnInsert: { description: '', synonymOf: null, synonyms: [] } },
        { upsert: true },
      );
    else await this.update(name, { $inc: { questionCount: -1 } });
  }

  /** A master tag's synonyms, from its document (computed and stored once for a tag without the list). */
  async synonymsOf(tag: { _id: string; synonyms?: string[] | null | undefined }): Promise<string[]> {
    if (Array.isArray(tag.synonyms)) return tag.synonyms;
    return this.storage.withLock(synonymsLock(tag._id), () => this.storedSynonyms(tag._id));
  }

  /** Makes `name` a synonym of `masterName`: its pointer, then the master's list (and a previous master's). */
  async setSynonym(name: string, masterName: string): Promise<void> {
    const previous = (await this.findById(name, 'synonymOf'))?.synonymOf ?? null;
    await this.update(name, { $set: { synonymOf: masterName }, $setOnInsert: { description: '', questionCount: 0 } }, { upsert: true });
    await this.storage.withLock(synonymsLock(masterName), async () => {
      // the list is computed first where missing: it then holds `name` already
      const list = await this.storedSynonyms(masterName);
      if (!list.includes(name)) await this.update(masterName, { $addToSet: { synonyms: name } });
    });
    if (previous && previous !== masterName) {
      await this.storage.withLock(synonymsLock(previous), async () => {
        await this.storedSynonyms(previous);
        await this.update(previous, { $pull: { synonyms: name } });
      });
    }
  }

  /** The stored list, computed from the synonyms' pointers (one query) when the tag has none yet (under its lock). */
  private async storedSynonyms(name: string): Promise<string[]> {
    const stored = (await this.findById(name, 'synonyms'))?.synonyms;
    if (Array.isArray(stored)) return stored;
    const names = ((await TagModel.find({ synonymOf: name }).select('_id').lean()) as Array<{ _id: string }>).map((s) => s._id);
    await this.update(name, { $set: { synonyms: names } });
    return names;
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

/** one writer of a master tag's synonym list at a time */
const synonymsLock = (name: string) => `tag-synonyms:${name}`;
