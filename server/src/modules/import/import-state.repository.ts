// The import_state collection (one document per site and completed import step): the only code
// that touches it.
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { ImportStateModel, type ImportStateDoc } from './se-import-state.model.js';

export class ImportStateRepository extends Repository<ImportStateDoc> {
  constructor(storage: Storage) {
    super(storage, ImportStateModel);
  }

  /** Replaces a record: delete + insert of one small document (not an update: see infra/insert-batch.ts). */
  async replace(record: ImportStateDoc): Promise<void> {
    await ImportStateModel.deleteOne({ _id: record._id });
    await ImportStateModel.create(record);
  }
}
