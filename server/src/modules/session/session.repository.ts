// The sessions and api_tokens collections: the only code that touches them.
import type { InferSchemaType, Types } from 'mongoose';
import { op } from '../../lib/mongo-ops.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { ApiTokenModel, SessionModel, type SessionDoc } from './session.model.js';

export type ApiTokenDoc = InferSchemaType<(typeof ApiTokenModel)['schema']> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };

export class SessionRepository extends Repository<SessionDoc & { _id: string }> {
  constructor(storage: Storage) {
    super(storage, SessionModel);
  }

  /** Removes expired sessions (FerretDB has no TTL indexes); returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    const result = await SessionModel.deleteMany({ expiresAt: op.lt(now) });
    return result.deletedCount ?? 0;
  }
}

export class ApiTokenRepository extends Repository<ApiTokenDoc> {
  constructor(storage: Storage) {
    super(storage, ApiTokenModel);
  }

  async create(doc: Record<string, unknown>): Promise<ApiTokenDoc> {
    const token = await ApiTokenModel.create(doc);
    return token.toObject() as ApiTokenDoc;
  }

  async findByHash(tokenHash: string): Promise<ApiTokenDoc | null> {
    return (await ApiTokenModel.findOne({ tokenHash }).lean()) as ApiTokenDoc | null;
  }

  countActiveOf(userId: Types.ObjectId): Promise<number> {
    return ApiTokenModel.countDocuments({ userId, revokedAt: null });
  }

  async listOf(userId: Types.ObjectId): Promise<ApiTokenDoc[]> {
    return (await ApiTokenModel.find({ userId }).sort({ createdAt: -1 }).lean()) as ApiTokenDoc[];
  }

  /** An organisation's tokens (index organizationId + createdAt), newest first. */
  async listOfOrganization(organizationId: Types.ObjectId): Promise<ApiTokenDoc[]> {
    return (await ApiTokenModel.find({ organizationId }).sort({ createdAt: -1 }).lean()) as ApiTokenDoc[];
  }
}
