// The followers and member_follows collections: the only code that touches them. Both sides of a
// follow are written (the member's list first, then the subject's followers), each under its
// document's lock; `repairFollowers` rebuilds the subjects' side from the members' lists.
import type mongoose from 'mongoose';
import type { Storage } from '../../infra/storage.js';
import { Repository } from '../../infra/repository.js';
import { op } from '../../lib/mongo-ops.js';
import { FollowersModel, MemberFollowsModel, type FollowersDoc, type MemberFollowsDoc } from './follow.model.js';

export class FollowRepository extends Repository<FollowersDoc> {
  constructor(storage: Storage) {
    super(storage, FollowersModel);
  }

  /** The member ids following a subject. */
  async followersOf(subject: string): Promise<string[]> {
    return (await this.findById(subject))?.memberIds ?? [];
  }

  /** Followers of several subjects at once (by id). */
  async followersOfMany(subjects: readonly string[]): Promise<Map<string, string[]>> {
    const docs = await this.findManyByIds(subjects);
    return new Map(docs.map((d) => [d._id, d.memberIds]));
  }

  async ofMember(memberId: string): Promise<MemberFollowsDoc | null> {
    return (await MemberFollowsModel.findById(memberId).lean()) as MemberFollowsDoc | null;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- either collection
  private async editList(model: mongoose.Model<any>, id: string, field: string, value: string, add: boolean) {
    return this.storage.withLock(`follow:${model.collection.collectionName}:${id}`, async () => {
      const doc = (await model.findById(id).lean()) as Record<string, unknown> | null;
      const list = (doc?.[field] as string[] | undefined) ?? [];
      const has = list.includes(value);
      if (has === add) return false;
      const next = add ? [...list, value] : list.filter((v) => v !== value);
      await model.updateOne({ _id: id }, { $set: { [field]: next } }, { upsert: true });
      return true;
    });
  }

  /** Follows (idempotent). Returns whether it changed anything. */
  async follow(memberId: string, subject: string): Promise<boolean> {
    const changed = await this.editList(MemberFollowsModel, memberId, 'subjects', subject, true);
    await this.editList(FollowersModel, subject, 'memberIds', memberId, true);
    return changed;
  }

  async unfollow(memberId: string, subject: string): Promise<boolean> {
    const changed = await this.editList(MemberFollowsModel, memberId, 'subjects', subject, false);
    await this.editList(FollowersModel, subject, 'memberIds', memberId, false);
    return changed;
  }

  /**
   * Many follows at once (batch tools: the importer's favourites): each member's list and each
   * subject's followers written once, each under its lock; follows that exist are left alone.
   * Returns how many follows were new.
   */
  async followMany(follows: ReadonlyArray<{ memberId: string; subject: string }>): Promise<number> {
    const group = (key: 'memberId' | 'subject', value: 'memberId' | 'subject') => {
      const out = new Map<string, string[]>();
      for (const f of follows) out.set(f[key], [...new Set([...(out.get(f[key]) ?? []), f[value]])]);
      return out;
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- either collection
    const addAll = async (model: mongoose.Model<any>, id: string, field: string, values: string[]) =>
      this.storage.withLock(`follow:${model.collection.collectionName}:${id}`, async () => {
        const doc = (await model.findById(id).lean()) as Record<string, unknown> | null;
        const list = (doc?.[field] as string[] | undefined) ?? [];
        const added = values.filter((v) => !list.includes(v));
        if (added.length) await model.updateOne({ _id: id }, { $set: { [field]: [...list, ...added] } }, { upsert: true });
        return added.length;
      });
    let added = 0;
    for (const [memberId, subjects] of group('memberId', 'subject'))
      added += await addAll(MemberFollowsModel, memberId, 'subjects', subjects);
    for (const [subject, memberIds] of group('subject', 'memberId')) await addAll(FollowersModel, subject, 'memberIds', memberIds);
    return added;
  }

  async setIgnoredTag(memberId: string, tag: string, ignored: boolean): Promise<boolean> {
    return this.editList(MemberFollowsModel, memberId, 'ignoredTags', tag, ignored);
  }

  /** Rebuilds every subject's followers from the members' lists (maintenance). */
  async repairFollowers(): Promise<number> {
    const bySubject = new Map<string, string[]>();
    for await (const m of MemberFollowsModel.find({}).lean().cursor() as AsyncIterable<MemberFollowsDoc>)
      for (const s of m.subjects) bySubject.set(s, [...(bySubject.get(s) ?? []), m._id]);
    await FollowersModel.deleteMany({ _id: op.nin([...bySubject.keys()]) });
    for (const [subject, memberIds] of bySubject)
      await FollowersModel.updateOne({ _id: subject }, { $set: { memberIds } }, { upsert: true });
    return bySubject.size;
  }
}
