// The question_links collection (links.model.ts): the only code that touches it. Every read and
// write is by `_id` (the question's id); the importer writes the inbound links in insert batches.
import type { Types } from 'mongoose';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { QuestionLinksModel, type QuestionLinksDoc } from './links.model.js';

export class LinksRepository extends Repository<QuestionLinksDoc> {
  constructor(storage: Storage) {
    // read on every question page, and most questions have no links: absent ones are cached too
    super(storage, QuestionLinksModel, {
      versionKeys: (id) => [`question_links:${String(id)}`],
      cache: { name: 'question_links', absent: true },
    });
  }

  /** Adds questions linking to `questionId` (idempotent). */
  async addInbound(questionId: Types.ObjectId, fromIds: readonly Types.ObjectId[]): Promise<void> {
    if (fromIds.length === 0) return;
    await this.update(questionId, { $addToSet: { inboundIds: { $each: [...fromIds] } } }, { upsert: true });
  }

  /** Stores the search-derived "Related" list of a question with what it was computed for. */
  async setSimilar(questionId: Types.ObjectId, similarIds: readonly Types.ObjectId[], basis: string, at: Date): Promise<void> {
    await this.update(questionId, { $set: { similarIds: [...similarIds], similarBasis: basis, similarAt: at } }, { upsert: true });
  }
}
