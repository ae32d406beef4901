// The spaces collection: the only code that touches it.
import type { Types } from 'mongoose';
import { keyset, type PageWindow } from '../../lib/connection.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { SpaceModel, type SpaceDoc } from './space.model.js';

export class SpaceRepository extends Repository<SpaceDoc> {
  constructor(storage: Storage) {
    super(storage, SpaceModel, { versionKeys: (id) => [`spaces:${String(id)}`, 'list:spaces'], cache: { name: 'spaces' } });
  }

  async create(doc: Record<string, unknown>): Promise<SpaceDoc> {
    const space = await SpaceModel.create(doc);
    await this.touched(space._id);
    return space.toObject() as SpaceDoc;
  }

  async findBySlug(slug: string, select?: string): Promise<SpaceDoc | null> {
    const query = SpaceModel.findOne({ slug: slug.toLowerCase() });
    if (select) query.select(select);
    return (await query.lean()) as SpaceDoc | null;
  }

  /** Creates the space when no space has its slug (seeding); leaves an existing one alone. */
  async ensure(doc: { slug: string } & Record<string, unknown>): Promise<void> {
    await SpaceModel.updateOne({ slug: doc.slug }, { $setOnInsert: doc }, { upsert: true });
    await this.storage.changed(['list:spaces']);
  }

  /** Spaces by name (keyset page, limit + 1 rows). */
  async listByName(window: PageWindow): Promise<SpaceDoc[]> {
    const page = keyset('name', 1, window);
    return (await SpaceModel.find(page.filter)
      .sort(page.sort)
      .limit(window.limit + 1)
      .lean()) as SpaceDoc[];
  }

  async adjustQuestionCount(id: Types.ObjectId, delta: number): Promise<void> {
    await this.update(id, { $inc: { questionCount: delta } });
  }

  async setQuestionCount(id: Types.ObjectId, n: number, options?: { timestamps?: boolean }): Promise<void> {
    await SpaceModel.updateOne({ _id: id }, { $set: { questionCount: n } }, options);
    await this.touched(id);
  }

  /** Inserts a whole space document as is (generators that set every field themselves). */
  async insertRaw(doc: Record<string, unknown>): Promise<void> {
    await SpaceModel.collection.insertOne(doc as never);
    await this.touched(doc._id);
  }
}
