// The seed_state collection (how far `npm start`'s demo seeding got): the only code that touches it.
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { SeedStateModel, type SeedStateDoc } from './seed-state.model.js';

export class SeedStateRepository extends Repository<SeedStateDoc> {
  constructor(storage: Storage) {
    super(storage, SeedStateModel);
  }

  /** Starts a seeding record afresh. */
  async restart(doc: SeedStateDoc & Record<string, unknown>): Promise<void> {
    await SeedStateModel.deleteOne({ _id: doc._id });
    await SeedStateModel.create(doc);
  }
}
