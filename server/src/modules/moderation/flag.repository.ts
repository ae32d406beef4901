// Flags (`flags`) and their per-subject sums (`flag_subjects`): the only code that touches them.
// The moderators' queue is a Redis sorted set of open subjects (members "<time>:<subjectId>",
// newest flag first, exact keyset paging) rebuilt from `flag_subjects` by verify; without Redis
// the indexed query answers.
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { FlagModel, FlagSubjectModel, type FlagDoc, type FlagSubjectDoc } from './flag.model.js';

export const queueMemberOf = (at: Date, subjectId: string) => `${String(at.getTime()).padStart(15, '0')}:${subjectId}`;

export class FlagRepository extends Repository<FlagDoc> {
  constructor(storage: Storage) {
    super(storage, FlagModel);
  }

  private get queueKey(): string | null {
    const cache = this.storage.cache;
    return cache ? `${cache.prefix}mod:flagqueue` : null;
  }

  /** Inserts a flag; false when the member's flag on that subject already exists. */
  async tryInsert(doc: FlagDoc): Promise<boolean> {
    try {
      await FlagModel.create(doc);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  /** Sets fields of a flag when its status is still `status`. */
  async setIfStatus(id: string, status: string, fields: Partial<FlagDoc>): Promise<boolean> {
    return (await this.updateIf(id, { status }, { $set: fields })).matchedCount > 0;
  }

  // subjects -------------------------------------------------------------------------------

  findSubject(id: string): Promise<FlagSubjectDoc | null> {
    return FlagSubjectModel.findById(id).lean() as Promise<FlagSubjectDoc | null>;
  }

  findSubjects(ids: readonly string[]): Promise<FlagSubjectDoc[]> {
    return this.storage.findByIds<FlagSubjectDoc>(FlagSubjectModel, ids);
  }

  async insertSubject(doc: FlagSubjectDoc): Promise<boolean> {
    try {
      await FlagSubjectModel.create(doc);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  /** Replaces a subject's state when its version is still `version` (then version + 1). */
  async setSubjectIf(id: string, version: number, fields: Partial<FlagSubjectDoc>): Promise<boolean> {
    const res = await this.storage.updateIf(FlagSubjectModel, id, { version }, { $set: { ...fields, version: version + 1 } });
    return res.matchedCount > 0;
  }

  /** Flags of the given ids (in no order). */
  findFlags(ids: readonly string[]): Promise<FlagDoc[]> {
    return this.findManyByIds(ids);
  }

  // the queue ------------------------------------------------------------------------------

  async enqueue(member: string, previous: string | null): Promise<void> {
    const key = this.queueKey;
    if (!key) return;
    const redis = this.storage.cache!.redis;
    if (previous && previous !== member) await redis.zrem(key, previous);
    await redis.zadd(key, 0, member);
  }

  async dequeue(member: string | null): Promise<void> {
    const key = this.queueKey;
    if (key && member) await this.storage.cache!.redis.zrem(key, member);
  }

  /** Open subjects' ids, newest flag first, after the queue member `after` (exclusive). */
  async queuePage(after: string | null, limit: number): Promise<Array<{ member: string; subjectId: string }>> {
    const key = this.queueKey;
    if (!key) {
      const rows = (await FlagSubjectModel.find({ status: 'OPEN' })
        .sort({ lastFlaggedAt: -1 })
        .limit(limit + 200)
        .select('_id queueMember')
        .lean()) as FlagSubjectDoc[];
      const members = rows.map((r) => ({ member: r.queueMember ?? '', subjectId: r._id }));
      return members.filter((m) => !after || m.member < after).slice(0, limit);
    }
    const ids = await this.storage.cache!.redis.zrevrangebylex(key, after ? `(${after}` : '+', '-', 'LIMIT', 0, limit);
    return ids.map((member) => ({ member, subjectId: member.slice(member.indexOf(':') + 1) }));
  }

  async queueSize(): Promise<number> {
    const key = this.queueKey;
    return key ? this.storage.cache!.redis.zcard(key) : FlagSubjectModel.countDocuments({ status: 'OPEN' });
  }

  /** Every queue member (verify). */
  async queueMembers(): Promise<string[] | null> {
    const key = this.queueKey;
    return key ? this.storage.cache!.redis.zrange(key, 0, -1) : null;
  }

  async replaceQueue(members: readonly string[]): Promise<void> {
    const key = this.queueKey;
    if (!key) return;
    const redis = this.storage.cache!.redis;
    await redis.del(key);
    for (let i = 0; i < members.length; i += 500) {
      const chunk = members.slice(i, i + 500);
      await redis.zadd(key, ...chunk.flatMap((m) => [0, m]));
    }
  }

  // verify (batch tools) --------------------------------------------------------------------

  scanSubjects(): AsyncIterable<FlagSubjectDoc> {
    return FlagSubjectModel.find({}).lean().cursor({ batchSize: 500 }) as unknown as AsyncIterable<FlagSubjectDoc>;
  }

  async activeFlagsOf(subjectId: string): Promise<FlagDoc[]> {
    return (await FlagModel.find({ subjectId, status: 'ACTIVE' }).lean()) as FlagDoc[];
  }

  /** Subject ids having flags (verify: subjects missing their sums). */
  async flaggedSubjectIds(): Promise<string[]> {
    return (await FlagModel.distinct('subjectId', { status: 'ACTIVE' })) as string[];
  }

  async forceSubject(id: string, fields: Partial<FlagSubjectDoc>): Promise<void> {
    await FlagSubjectModel.updateOne({ _id: id }, { $set: fields, $inc: { version: 1 } });
  }
}
