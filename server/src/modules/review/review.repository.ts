// The close_votes, review_tasks and suggested_edits collections (review.model.ts): the only code
// that touches them. Request-time reads are by `_id`; the queries by other fields serve verify.
import type { Types } from 'mongoose';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import {
  CloseVoteModel,
  ReviewTaskModel,
  SuggestedEditModel,
  type CloseVoteDoc,
  type ReviewTaskDoc,
  type SuggestedEditDoc,
} from './review.model.js';

const isDuplicate = (error: unknown) => (error as { code?: number }).code === 11000;

export class CloseVoteRepository extends Repository<CloseVoteDoc> {
  constructor(storage: Storage) {
    // a vote moves the tally the question's page shows
    super(storage, CloseVoteModel);
  }

  /** Inserts the vote; false when this member already voted in this round. */
  async cast(doc: CloseVoteDoc): Promise<boolean> {
    try {
      await this.insert(doc as unknown as Record<string, unknown>);
      return true;
    } catch (error) {
      if (isDuplicate(error)) return false;
      throw error;
    }
  }

  /** Deletes a vote (a retraction); true only for the call that removed it. */
  async retract(id: string): Promise<boolean> {
    const result = await CloseVoteModel.deleteOne({ _id: id });
    if (result.deletedCount === 0) return false;
    await this.touched(id);
    return true;
  }

  /** The votes of one round (verify, audit; index-backed). */
  async ofRound(questionId: Types.ObjectId, kind: CloseVoteDoc['kind'], round: number): Promise<CloseVoteDoc[]> {
    return (await CloseVoteModel.find({ questionId, kind, round }).sort({ createdAt: 1 }).lean()) as CloseVoteDoc[];
  }

  /** Every question with votes (verify). */
  async questionIds(): Promise<Types.ObjectId[]> {
    return (await CloseVoteModel.distinct('questionId')) as Types.ObjectId[];
  }
}

export class ReviewTaskRepository extends Repository<ReviewTaskDoc> {
  constructor(storage: Storage) {
    super(storage, ReviewTaskModel);
  }

  /** Creates the task unless it exists; returns whether this call created it. */
  async open(doc: Omit<ReviewTaskDoc, 'status' | 'outcome' | 'reviews' | 'version' | 'completedAt'>): Promise<boolean> {
    try {
      await this.insert({ ...doc, status: 'OPEN', outcome: null, reviews: [], version: 0, completedAt: null });
      return true;
    } catch (error) {
      if (isDuplicate(error)) return false;
      throw error;
    }
  }

  /** Open tasks of one queue, oldest first (verify rebuilds the Redis queues from these). */
  async openOf(queue: string): Promise<Array<Pick<ReviewTaskDoc, '_id' | 'createdAt'>>> {
    return (await ReviewTaskModel.find({ status: 'OPEN', queue }).select('_id createdAt').sort({ createdAt: 1 }).lean()) as Array<
      Pick<ReviewTaskDoc, '_id' | 'createdAt'>
    >;
  }

  /** Open tasks by id (the Redis queue's members). */
  async openByIds(ids: readonly string[]): Promise<ReviewTaskDoc[]> {
    return (await this.findManyByIds(ids)).filter((t) => t.status === 'OPEN');
  }

  /** Tasks of a post (by their deterministic ids). */
  async withIds(ids: readonly string[]): Promise<ReviewTaskDoc[]> {
    return this.findManyByIds(ids);
  }
}

export class SuggestedEditRepository extends Repository<SuggestedEditDoc> {
  constructor(storage: Storage) {
    super(storage, SuggestedEditModel);
  }
}
