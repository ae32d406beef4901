// The notifications and mentions collections, and each member's inbox read model: the only code
// that touches them.
//
// Read model (Redis, derived: `rebuildInboxes` rebuilds it from the collection):
//   inbox:<member>    sorted set of the member's visible notification ids, score = its newest event (ms)
//   inbox:u:<member>  the unread ones (its cardinality is the unread count)
//   inbox:g:<member>  hash group key (`<kind>:<questionId>`) → the unread notification it groups into
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { MentionModel, NotificationModel, type NotificationDoc, type NotificationKind } from './notification.model.js';

export interface NotifyInput {
  recipientId: string;
  kind: NotificationKind;
  questionId: string | null;
  postId: string | null;
  subjectId: string;
  actorId: string | null;
  eventId: string;
  at: Date;
  /** entries of one kind on one question group while unread (not mentions: each is its own) */
  group: boolean;
  text?: string | null;
}

export interface NotifyResult {
  doc: NotificationDoc;
  /** false when this event was already counted (a retried job) */
  changed: boolean;
}

/** A deterministic id per (event, recipient, kind): a retried event never creates a second entry. */
function entryId(eventId: string, recipientId: string, kind: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(`${eventId}|${recipientId}|${kind}`).digest('hex').slice(0, 24));
}

export class NotificationRepository extends Repository<NotificationDoc> {
  private redis: Redis | null = null;
  private prefix = '';

  constructor(storage: Storage) {
    super(storage, NotificationModel);
    const cache = storage.cache;
    if (cache) {
      this.redis = cache.redis;
      this.prefix = cache.prefix;
    }
  }

  private get r(): Redis {
    if (!this.redis) throw new Error('notifications need Redis (the inbox read model)');
    return this.redis;
  }

  private key(kind: '' | 'u' | 'g', memberId: string): string {
    return `${this.prefix}inbox:${kind ? `${kind}:` : ''}${memberId}`;
  }

  /** Adds one event to a member's inbox: into the unread group of its kind and question, or a new entry. */
  async notify(input: NotifyInput): Promise<NotifyResult> {
    const groupKey = input.group && input.questionId ? `${input.kind}:${input.questionId}` : null;
    return this.storage.withLock(`inbox:${input.recipientId}:${groupKey ?? input.eventId}`, async () => {
      if (groupKey) {
        const groupedId = await this.r.hget(this.key('g', input.recipientId), groupKey);
        const grouped = groupedId ? await this.findById(new Types.ObjectId(groupedId)) : null;
        if (grouped && !grouped.readAt && !grouped.goneAt) {
          if (grouped.eventIds.includes(input.eventId)) return { doc: grouped, changed: false };
          const subjectIds = [...new Set([...grouped.subjectIds, input.subjectId])];
          const doc = await this.updateReturning(grouped._id, {
            $set: {
              subjectIds,
              count: subjectIds.length,
              at: input.at,
              ...(input.postId ? { postId: new Types.ObjectId(input.postId) } : {}),
            },
            $addToSet: { eventIds: input.eventId, ...(input.actorId ? { actorIds: new Types.ObjectId(input.actorId) } : {}) },
          });
          if (doc) {
            await this.index(doc);
            return { doc, changed: true };
          }
        }
      }
      const _id = entryId(input.eventId, input.recipientId, input.kind);
      let doc = await this.findById(_id);
      const changed = !doc;
      if (!doc) {
        await this.insert({
          _id,
          recipientId: new Types.ObjectId(input.recipientId),
          kind: input.kind,
          groupKey,
          questionId: input.questionId ? new Types.ObjectId(input.questionId) : null,
          postId: input.postId ? new Types.ObjectId(input.postId) : null,
          subjectIds: [input.subjectId],
          actorIds: input.actorId ? [new Types.ObjectId(input.actorId)] : [],
          eventIds: [input.eventId],
          count: 1,
          text: input.text ?? null,
          at: input.at,
          createdAt: input.at,
        } as never);
        doc = (await this.findById(_id))!;
      }
      await this.index(doc);
      return { doc, changed };
    });
  }

  /** Puts one entry into its member's inbox read model as it is now. */
  private async index(doc: NotificationDoc): Promise<void> {
    const member = doc.recipientId.toHexString();
    const id = doc._id.toHexString();
    const score = new Date(doc.at).getTime();
    const m = this.r.multi();
    if (doc.goneAt) {
      m.zrem(this.key('', member), id).zrem(this.key('u', member), id);
    } else {
      m.zadd(this.key('', member), score, id);
      if (doc.readAt) m.zrem(this.key('u', member), id);
      else m.zadd(this.key('u', member), score, id);
    }
    if (doc.groupKey && !doc.readAt && !doc.goneAt) m.hset(this.key('g', member), doc.groupKey, id);
    await m.exec();
    if (doc.groupKey && (doc.readAt || doc.goneAt)) await this.releaseGroup(member, doc.groupKey, id);
  }

  /** The group key stops pointing at this entry (a later event starts a new one). */
  private async releaseGroup(member: string, groupKey: string, id: string): Promise<void> {
    const key = this.key('g', member);
    if ((await this.r.hget(key, groupKey)) === id) await this.r.hdel(key, groupKey);
  }

  /** One page of a member's inbox, newest first: ids after the cursor (score, id). */
  async inboxPage(memberId: string, unreadOnly: boolean, after: { score: number; id: string } | null, limit: number) {
    const key = this.key(unreadOnly ? 'u' : '', memberId);
    const max = after ? String(after.score) : '+inf';
    const rows: Array<{ id: string; score: number }> = [];
    let offset = 0;
    const batch = limit + 20;
    for (;;) {
      const raw = await this.r.zrevrangebyscore(key, max, '-inf', 'WITHSCORES', 'LIMIT', offset, batch);
      for (let i = 0; i < raw.length; i += 2) {
        const id = raw[i]!;
        const score = Number(raw[i + 1]);
        // equal scores come in reverse id order: skip those at or before the cursor
        if (after && score === after.score && id >= after.id) continue;
        rows.push({ id, score });
      }
      if (rows.length >= limit || raw.length < batch * 2) break;
      offset += batch;
    }
    return rows.slice(0, limit);
  }

  unreadCount(memberId: string): Promise<number> {
    return this.r.zcard(this.key('u', memberId));
  }

  /** Marks entries read (only the member's own): `ids` or every unread one. Returns the ids marked. */
  async markRead(memberId: string, ids: readonly string[] | 'all', at: Date): Promise<string[]> {
    const wanted = ids === 'all' ? await this.r.zrange(this.key('u', memberId), 0, -1) : [...new Set(ids)];
    const objectIds = wanted.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id));
    const docs = (await this.findManyByIds(objectIds)).filter((d) => d.recipientId.toHexString() === memberId && !d.readAt);
    for (const doc of docs) {
      const updated = await this.updateReturning(doc._id, { $set: { readAt: at, groupKey: null } });
      if (updated) await this.index({ ...updated, groupKey: doc.groupKey });
    }
    return docs.map((d) => d._id.toHexString());
  }

  /**
   * A source (answer, comment, post) was deleted: it leaves every entry standing for it; an entry
   * left with none is gone (out of the inbox). Worker only (queries by subject). Returns the
   * recipients whose inbox changed.
   */
  async removeSubject(subjectId: string, at: Date): Promise<string[]> {
    const oid = Types.ObjectId.isValid(subjectId) ? new Types.ObjectId(subjectId) : null;
    const docs = await this.findWhere({ subjectIds: subjectId });
    if (oid) {
      const seen = new Set(docs.map((d) => d._id.toHexString()));
      for (const d of await this.findWhere({ postId: oid })) if (!seen.has(d._id.toHexString())) docs.push(d);
    }
    return this.drop(docs, (d) => (d.subjectIds.includes(subjectId) ? d.subjectIds.filter((s) => s !== subjectId) : []), at, subjectId);
  }

  /** A question was deleted: every entry about it is gone (worker only). */
  async removeQuestion(questionId: string, at: Date): Promise<string[]> {
    if (!Types.ObjectId.isValid(questionId)) return [];
    const docs = await this.findWhere({ questionId: new Types.ObjectId(questionId) });
    return this.drop(docs, () => [], at);
  }

  private async drop(
    docs: NotificationDoc[],
    remaining: (d: NotificationDoc) => string[],
    at: Date,
    deletedPostId?: string,
  ): Promise<string[]> {
    const members = new Set<string>();
    for (const d of docs) {
      if (d.goneAt) continue;
      const left = remaining(d);
      // an entry still standing for others links to its question once its newest post is gone
      const unlink = deletedPostId && d.postId?.toHexString() === deletedPostId ? { postId: null } : {};
      const update = left.length
        ? { $set: { subjectIds: left, count: left.length, ...unlink } }
        : { $set: { subjectIds: left, goneAt: at } };
      const updated = await this.updateReturning(d._id, update);
      if (updated) {
        await this.index(updated);
        members.add(d.recipientId.toHexString());
      }
    }
    return [...members];
  }

  /** Rebuilds every member's inbox read model from the collection (maintenance). */
  async rebuildInboxes(): Promise<{ members: number; entries: number }> {
    let cursor = '0';
    do {
      const [next, keys] = await this.r.scan(cursor, 'MATCH', `${this.prefix}inbox:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await this.r.del(...keys);
    } while (cursor !== '0');
    const members = new Set<string>();
    let entries = 0;
    for await (const doc of this.scan<NotificationDoc>({ goneAt: null })) {
      await this.index(doc);
      members.add(doc.recipientId.toHexString());
      entries++;
    }
    return { members: members.size, entries };
  }

  /** The members already mentioned by a post or comment; records `memberIds` as mentioned too. Returns the new ones. */
  async newMentions(subjectId: string, memberIds: readonly string[]): Promise<string[]> {
    if (memberIds.length === 0) return [];
    return this.storage.withLock(`mentions:${subjectId}`, async () => {
      const doc = (await MentionModel.findById(subjectId).lean()) as { memberIds?: string[] } | null;
      const known = new Set(doc?.memberIds ?? []);
      const fresh = [...new Set(memberIds)].filter((id) => !known.has(id));
      if (fresh.length) await MentionModel.updateOne({ _id: subjectId }, { $set: { memberIds: [...known, ...fresh] } }, { upsert: true });
      return fresh;
    });
  }
}
