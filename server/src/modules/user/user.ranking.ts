// Members by reputation, and members by handle, in Redis: for databases that cannot answer a
// sorted page or a lookup by a field other than `_id` from an index (FerretDB 1.x scans the users
// collection for both). On real MongoDB it is off: the `{reputation: -1, _id: 1}` and `handleKey`
// indexes answer (user.repository.ts keeps that path).
//
//   rank:v1:rep      sorted set, every member scored 0 and named `<reputation>:<id>` (reputation
//                    offset and zero-padded): its lexical order is the members list's (reputation,
//                    then id, both descending — the keyset order of the database path), and a
//                    cursor is an exclusive lexical bound
//   rank:v1:state    hash, member id → `<repSeq>|<its member>`: one Lua call replaces a member's
//                    old entry; an older reputation (a lower ledger sequence) never overwrites a
//                    newer one
//   rank:v1:handles  hash, handle key → member id: the complete directory of handles, so a handle
//                    that does not exist is known without a query
//   rank:v1:handles:lex  sorted set of the same handle keys (all scored 0): handles by prefix
//                    (ZRANGEBYLEX) for mention autocomplete; refilled from the directory when
//                    it lists fewer handles than the directory (handles never change)
//   rank:v1:ready    set by a full rebuild; until then (and after a failed sync) the database answers
//
// Kept up to date by the users repository on every write of a member's reputation (the ledger's
// `setReputationIf`, verify's repair) and on every member created; rebuilt from the users by
// seeding, imports and the worker (when not ready), checked and repaired by `npm run verify`.
import type { Redis } from 'ioredis';
import type { Types } from 'mongoose';
import type { PageWindow } from '../../lib/connection.js';

const BASE = 'rank:v1:';

// KEYS: sorted set, state hash; ARGV: member id, ledger sequence, new member
const SYNC_SCRIPT = `
local cur = redis.call('HGET', KEYS[2], ARGV[1])
local seq = tonumber(ARGV[2])
if cur then
  local sep = string.find(cur, '|', 1, true)
  local oldseq = tonumber(string.sub(cur, 1, sep - 1))
  local old = string.sub(cur, sep + 1)
  if oldseq > seq then return 0 end
  if old == ARGV[3] and oldseq == seq then return 0 end
  if old ~= ARGV[3] then redis.call('ZREM', KEYS[1], old) end
end
redis.call('ZADD', KEYS[1], 0, ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], seq .. '|' .. ARGV[3])
return 1
`;

/** A member as the ranking keeps them. */
export interface RankedMember {
  _id: Types.ObjectId;
  reputation: number;
  repSeq: number;
  handleKey?: string;
}

/** Lexically sortable reputation: offset by 1e12, 13 digits (negative balances sort below zero). */
export function reputationText(reputation: number): string {
  const n = Math.max(-999_999_999_999, Math.min(999_999_999_999, Math.trunc(reputation)));
  return String(n + 1_000_000_000_000).padStart(13, '0');
}

export class UserRanking {
  private readonly z: string;
  private readonly state: string;
  private readonly handlesKey: string;
  private readonly lexKey: string;
  private readonly readyKey: string;
  /** a sync failed in this process: not trusted until Redis is back (then a rebuild, by the worker) */
  private broken = false;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    /** off: the database answers (MongoDB) */
    readonly enabled: boolean,
  ) {
    this.z = `${prefix}${BASE}rep`;
    this.state = `${prefix}${BASE}state`;
    this.handlesKey = `${prefix}${BASE}handles`;
    this.lexKey = `${prefix}${BASE}handles:lex`;
    this.readyKey = `${prefix}${BASE}ready`;
    if (enabled) {
      this.redis.defineCommand('colloquySyncRanking', { numberOfKeys: 2, lua: SYNC_SCRIPT });
      // a sync lost while Redis was away: every process reads from the database until a rebuild
      this.redis.on('ready', () => {
        if (this.broken)
          void this.redis.del(this.readyKey).then(
            () => (this.broken = false),
            () => undefined,
          );
      });
    }
  }

  memberOf(m: Pick<RankedMember, '_id' | 'reputation'>): string {
    return `${reputationText(m.reputation)}:${m._id.toHexString()}`;
  }

  /** Brings these members' entries to their reputation. Never throws: a failure makes the ranking wait for a rebuild. */
  async sync(members: readonly RankedMember[]): Promise<void> {
    if (!this.enabled || members.length === 0) return;
    try {
      await this.write(members);
    } catch {
      this.broken = true;
      await this.redis.del(this.readyKey).then(
        () => (this.broken = false),
        () => undefined,
      );
    }
  }

  private async write(members: readonly RankedMember[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const m of members) {
      (
        pipeline as unknown as { colloquySyncRanking(z: string, s: string, id: string, seq: number, member: string): void }
      ).colloquySyncRanking(this.z, this.state, m._id.toHexString(), m.repSeq, this.memberOf(m));
      if (m.handleKey) pipeline.hset(this.handlesKey, m.handleKey, m._id.toHexString()).zadd(this.lexKey, 0, m.handleKey);
    }
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  async isReady(): Promise<boolean> {
    if (!this.enabled || this.broken) return false;
    return (await this.redis.exists(this.readyKey).catch(() => 0)) === 1;
  }

  /** One page of member ids by reputation (limit + 1 at most, in the window's direction), or null when the database must answer. */
  async page(window: PageWindow): Promise<string[] | null> {
    if (!(await this.isReady())) return null;
    const bound = window.cursor ? `(${reputationText(Number(window.cursor.key))}:${window.cursor.id}` : null;
    const n = window.limit + 1;
    try {
      const members = window.backward
        ? await this.redis.zrangebylex(this.z, bound ?? '-', '+', 'LIMIT', 0, n)
        : await this.redis.zrevrangebylex(this.z, bound ?? '+', '-', 'LIMIT', 0, n);
      return members.map((m) => m.slice(m.lastIndexOf(':') + 1));
    } catch {
      return null;
    }
  }

  /**
   * The member ids of these handle keys from the directory (absent keys: no such member), or
   * null when the database must answer (off, not built, Redis away).
   */
  async idsOfHandles(keys: readonly string[]): Promise<Map<string, string> | null> {
    if (keys.length === 0 || !(await this.isReady())) return null;
    try {
      const ids = await this.redis.hmget(this.handlesKey, ...keys);
      const out = new Map<string, string>();
      keys.forEach((k, i) => {
        if (ids[i]) out.set(k, ids[i]!);
      });
      return out;
    } catch {
      return null;
    }
  }

  /**
   * Member ids of the first `limit` handle keys starting with `prefix` (lowercase), in handle
   * order, or null when the database must answer. Refills the prefix index from the directory
   * first when it lists fewer handles (built before the index existed, or a lost write).
   */
  async idsByHandlePrefix(prefix: string, limit: number): Promise<Array<[string, string]> | null> {
    if (!(await this.isReady())) return null;
    try {
      const [lex, all] = await Promise.all([this.redis.zcard(this.lexKey), this.redis.hlen(this.handlesKey)]);
      if (lex < all) {
        let cursor = '0';
        do {
          const [next, flat] = await this.redis.hscan(this.handlesKey, cursor, 'COUNT', 1000);
          cursor = next;
          const keys = flat.filter((_, i) => i % 2 === 0);
          if (keys.length) await this.redis.zadd(this.lexKey, ...keys.flatMap((k) => [0, k]));
        } while (cursor !== '0');
      }
      const keys = await this.redis.zrangebylex(this.lexKey, `[${prefix}`, `[${prefix}\xff`, 'LIMIT', 0, limit);
      if (keys.length === 0) return [];
      const ids = await this.redis.hmget(this.handlesKey, ...keys);
      return keys.flatMap((k, i) => (ids[i] ? [[k, ids[i]!] as [string, string]] : []));
    } catch {
      return null;
    }
  }

  /**
   * A full pass over the members (seeding, imports, the worker when not ready): syncs each, drops
   * the entries of members that no longer exist, marks the ranking ready. Returns the members seen.
   */
  async rebuild(members: AsyncIterable<RankedMember>): Promise<number> {
    if (!this.enabled) return 0;
    const live = new Set<string>();
    let batch: RankedMember[] = [];
    for await (const m of members) {
      live.add(m._id.toHexString());
      batch.push(m);
      if (batch.length >= 1000) {
        await this.write(batch);
        batch = [];
      }
    }
    await this.write(batch);
    await this.dropStrays(live, true);
    this.broken = false;
    await this.redis.set(this.readyKey, new Date().toISOString());
    return live.size;
  }

  // -------------------------------------------------------------------------------------------
  // verify

  /** The members among these whose entry is not their reputation's (missing, stale or wrong). */
  async mismatches(members: readonly RankedMember[]): Promise<RankedMember[]> {
    if (members.length === 0) return [];
    const expected = members.map((m) => this.memberOf(m));
    const [states, scores] = await Promise.all([
      this.redis.hmget(this.state, ...members.map((m) => m._id.toHexString())),
      this.redis.zmscore(this.z, ...expected),
    ]);
    return members.filter((m, i) => scores[i] === null || states[i]?.slice(states[i]!.indexOf('|') + 1) !== expected[i]);
  }

  /** Re-syncs members as read from the database just now, whatever their stored sequence (a repair). */
  async repair(members: readonly RankedMember[]): Promise<void> {
    if (members.length === 0) return;
    await this.redis.hdel(this.state, ...members.map((m) => m._id.toHexString()));
    await this.write(members);
  }

  /**
   * Sorted-set entries that stand for no member as they are: not the member's current entry, or
   * (with `live`, every member id) of a member that no longer exists. Removed with `remove`.
   */
  async dropStrays(live: ReadonlySet<string> | null, remove: boolean): Promise<string[]> {
    const strays: string[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.zscan(this.z, cursor, 'COUNT', 1000);
      cursor = next;
      const members = flat.filter((_, i) => i % 2 === 0);
      if (members.length === 0) continue;
      const ids = members.map((m) => m.slice(m.lastIndexOf(':') + 1));
      const states = await this.redis.hmget(this.state, ...ids);
      members.forEach((m, i) => {
        const current = states[i]?.slice(states[i]!.indexOf('|') + 1);
        if (current !== m || (live && !live.has(ids[i]!))) strays.push(m);
      });
    } while (cursor !== '0');
    if (remove && strays.length) {
      await this.redis.zrem(this.z, ...strays);
      const gone = live ? [...new Set(strays.map((m) => m.slice(m.lastIndexOf(':') + 1)))].filter((id) => !live.has(id)) : [];
      if (gone.length) await this.redis.hdel(this.state, ...gone);
    }
    return strays;
  }
}
