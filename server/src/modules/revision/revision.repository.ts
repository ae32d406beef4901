// The revisions collection (a post's history; unique (postId, number)): the only code that touches it.
import type { Types } from 'mongoose';
import { op } from '../../lib/mongo-ops.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { RevisionModel, type RevisionDoc } from './revision.model.js';

export class RevisionRepository extends Repository<RevisionDoc> {
  constructor(storage: Storage) {
    super(storage, RevisionModel);
  }

  /** Appends a revision; a concurrent edit with the same number throws E11000. */
  async append(doc: Record<string, unknown>): Promise<void> {
    await RevisionModel.create(doc);
  }

  async removeNumber(postId: Types.ObjectId, number: number): Promise<void> {
    await RevisionModel.deleteOne({ postId, number });
  }

  async findNumber(postId: Types.ObjectId, number: number): Promise<RevisionDoc | null> {
    return (await RevisionModel.findOne({ postId, number }).lean()) as RevisionDoc | null;
  }

  /** Every revision of the given posts, by post and number. */
  async ofPosts(postIds: readonly Types.ObjectId[]): Promise<RevisionDoc[]> {
    return (await RevisionModel.find({ postId: op.in(postIds) })
      .sort({ postId: 1, number: 1 })
      .lean()) as RevisionDoc[];
  }

  /** Sets fields of a revision without touching its timestamps (imports). */
  async setFields(id: Types.ObjectId, fields: Record<string, unknown>): Promise<void> {
    await RevisionModel.updateOne({ _id: id }, { $set: fields }, { timestamps: false });
  }
}
