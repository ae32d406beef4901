// The reputation ledger (reputation_events): the only code that touches it. Append-only.
import type { Types } from 'mongoose';
import { op } from '../../lib/mongo-ops.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { ReputationEventModel, type ReputationEventDoc } from './reputation.model.js';

export class ReputationRepository extends Repository<ReputationEventDoc> {
  constructor(storage: Storage) {
    super(storage, ReputationEventModel);
  }

  /** Appends an event; a duplicate key (cause or sequence number) throws E11000. */
  async append(doc: Record<string, unknown>): Promise<void> {
    await ReputationEventModel.create(doc);
  }

  async lastOf(userId: Types.ObjectId): Promise<ReputationEventDoc | null> {
    return (await ReputationEventModel.findOne({ userId }).sort({ seq: -1 }).lean()) as ReputationEventDoc | null;
  }

  /** A member's events, newest first, from a sequence number (keyset; `backward` reads up). */
  async pageOf(userId: Types.ObjectId, seq: number | null, backward: boolean, limit: number): Promise<ReputationEventDoc[]> {
    const filter: Record<string, unknown> = { userId };
    if (seq !== null) filter.seq = backward ? op.gt(seq) : op.lt(seq);
    return (await ReputationEventModel.find(filter)
      .sort({ seq: backward ? 1 : -1 })
      .limit(limit)
      .lean()) as ReputationEventDoc[];
  }
}
