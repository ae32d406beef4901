// The badges collection (awards): the only code that touches it.
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { BadgeModel, type BadgeDoc } from './badge.model.js';

export class BadgeRepository extends Repository<BadgeDoc> {
  constructor(storage: Storage) {
    super(storage, BadgeModel);
  }
}
