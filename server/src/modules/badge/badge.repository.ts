// The badges collection (awards): the only code that touches it, and its Redis read models.
//
//   badge:v1:holders:<slug>  sorted set of award ids by award time (a badge's page, its holder count)
//   badge:v1:user:<userId>   sorted set of award ids by award time (a member's badges)
//   badge:v1:seen:<userId>:<kind>[:<day>]  sets of subject ids a member acted on (comments, votes,
//                            edits): the counting badges' progress (idempotent on replays)
//
// Awards are written first (a unique deterministic `_id` makes a second award a no-op), the read
// models after; `rebuildIndex` rebuilds every set from the awards (imports, `npm run verify`).
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { BadgeModel, type BadgeDoc } from './badge.model.js';
import { badgeSlug } from './badge.rules.js';

const BASE = 'badge:v1:';

/** The award's `_id`: one per (badge, member[, subject]) so that an award is written once. */
export function awardId(slug: string, userId: string, subjectId: string | null): Types.ObjectId {
  const hex = createHash('sha1')
    .update(`award\0${slug}\0${userId}\0${subjectId ?? ''}`)
    .digest('hex')
    .slice(0, 24);
  return new Types.ObjectId(hex);
}

export class BadgeRepository extends Repository<BadgeDoc> {
  constructor(storage: Storage) {
    // awards are read by id on profiles and badge pages (an award is inserted once, never changed)
    super(storage, BadgeModel, { versionKeys: (id) => [`badge_awards:${String(id)}`], cache: { name: 'badges' } });
  }

  /** Inserts the award; false when it exists already (awarded before). */
  async insertOnce(doc: Partial<BadgeDoc> & { _id: Types.ObjectId }): Promise<boolean> {
    try {
      await this.insert(doc);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }
}

/** Redis read models of the awards (see the top of this file). */
export class BadgeIndex {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private holdersKey(slug: string) {
    return `${this.prefix}${BASE}holders:${slug}`;
  }
  private userKey(userId: string) {
    return `${this.prefix}${BASE}user:${userId}`;
  }
  private seenKey(userId: string, kind: string) {
    return `${this.prefix}${BASE}seen:${userId}:${kind}`;
  }

  async add(awards: ReadonlyArray<Pick<BadgeDoc, '_id' | 'userId' | 'name' | 'key' | 'tier' | 'tagBased' | 'awardedAt'>>): Promise<void> {
    if (awards.length === 0) return;
    const p = this.redis.pipeline();
    for (const a of awards) {
      const id = a._id.toHexString();
      const at = new Date(a.awardedAt).getTime();
      p.zadd(this.holdersKey(badgeSlug(a)), at, id);
      p.zadd(this.userKey(a.userId.toHexString()), at, id);
    }
    for (const [error] of (await p.exec()) ?? []) if (error) throw error;
  }

  /** Whether the member's read model lists this award (absent: ask the awards). */
  async holds(userId: string, awardId: string): Promise<boolean> {
    return (await this.redis.zscore(this.userKey(userId), awardId).catch(() => null)) !== null;
  }

  /** Award ids of a badge, newest first, after the (time, id) bound: limit + 1 at most. */
  async holders(slug: string, limit: number, after: { at: number; id: string } | null): Promise<string[]> {
    return this.pageOf(this.holdersKey(slug), limit, after);
  }

  async holderCount(slugs: readonly string[]): Promise<number[]> {
    if (slugs.length === 0) return [];
    const p = this.redis.pipeline();
    for (const s of slugs) p.zcard(this.holdersKey(s));
    return ((await p.exec()) ?? []).map(([, n]) => Number(n ?? 0));
  }

  /** How many awards a member's list holds. */
  async countOf(userId: string): Promise<number> {
    return this.redis.zcard(this.userKey(userId));
  }

  /** A member's award ids, newest first. */
  async ofUser(userId: string, limit: number, after: { at: number; id: string } | null): Promise<string[]> {
    return this.pageOf(this.userKey(userId), limit, after);
  }

  private async pageOf(key: string, limit: number, after: { at: number; id: string } | null): Promise<string[]> {
    if (!after) return this.redis.zrevrange(key, 0, limit);
    // same-time entries sort by member (descending): take those below the cursor's member
    const rows = await this.redis.zrevrangebyscore(key, after.at, '-inf', 'WITHSCORES', 'LIMIT', 0, limit + 200);
    const out: string[] = [];
    for (let i = 0; i < rows.length && out.length < limit + 1; i += 2) {
      const id = rows[i]!;
      const at = Number(rows[i + 1]);
      if (at < after.at || id < after.id) out.push(id);
    }
    return out;
  }

  /** Notes that a member acted on a subject (idempotent); returns how many distinct subjects so far. */
  async seen(userId: string, kind: string, subjectId: string): Promise<number> {
    const key = this.seenKey(userId, kind);
    const res = await this.redis.multi().sadd(key, subjectId).scard(key).exec();
    return Number(res?.[1]?.[1] ?? 0);
  }

  /** Drops every read model (a full rebuild follows). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}${BASE}holders:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}${BASE}user:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
  }
}
