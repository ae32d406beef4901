// Listening watches and matches, with their Redis read models (a scope's watches and matches by
// time, per scope and per watch): the only code that touches them. `rebuildIndex` rebuilds the
// Redis side from the collections.
import type { Redis } from 'ioredis';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { MatchModel, WatchModel, type MatchDoc, type WatchDoc } from './listening.model.js';

export class WatchRepository extends Repository<WatchDoc> {
  constructor(storage: Storage) {
    super(storage, WatchModel);
  }

  async create(doc: Omit<WatchDoc, '_id' | 'createdAt' | 'updatedAt'>): Promise<WatchDoc> {
    const created = await WatchModel.create(doc);
    return created.toObject() as WatchDoc;
  }
}

export class MatchRepository extends Repository<MatchDoc> {
  constructor(storage: Storage) {
    super(storage, MatchModel);
  }

  /** Inserts the match unless it exists; true when it was new. */
  async insertOnce(doc: MatchDoc): Promise<boolean> {
    const { _id, ...rest } = doc;
    const result = await MatchModel.updateOne({ _id }, { $setOnInsert: rest }, { upsert: true });
    return result.upsertedCount > 0;
  }
}

export class ListeningIndex {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private k(name: string) {
    return `${this.prefix}listening:${name}`;
  }

  async addWatch(watch: Pick<WatchDoc, '_id' | 'scope' | 'createdAt'>): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.k(`watches:${watch.scope}`), watch.createdAt.getTime(), watch._id.toHexString())
      .sadd(this.k('scopes'), watch.scope)
      .exec();
  }

  async removeWatch(watch: Pick<WatchDoc, '_id' | 'scope'>): Promise<void> {
    await this.redis.zrem(this.k(`watches:${watch.scope}`), watch._id.toHexString());
  }

  watchIds(scope: string): Promise<string[]> {
    return this.redis.zrange(this.k(`watches:${scope}`), 0, -1);
  }

  /** Every watch id of every scope (the handler evaluates them all). */
  async allWatchIds(): Promise<string[]> {
    const out: string[] = [];
    for (const scope of await this.redis.smembers(this.k('scopes'))) out.push(...(await this.watchIds(scope)));
    return out;
  }

  async addMatch(match: Pick<MatchDoc, '_id' | 'scope' | 'watchId' | 'matchedAt'>): Promise<void> {
    const score = match.matchedAt.getTime();
    await this.redis
      .multi()
      .zadd(this.k(`matches:${match.scope}`), score, match._id)
      .zadd(this.k(`watch-matches:${match.watchId.toHexString()}`), score, match._id)
      .exec();
  }

  /** Match ids, newest first: of one watch or of a whole scope. */
  matchIds(key: { scope: string } | { watchId: string }, offset: number, limit: number): Promise<string[]> {
    const name = 'scope' in key ? `matches:${key.scope}` : `watch-matches:${key.watchId}`;
    return this.redis.zrevrange(this.k(name), offset, offset + limit - 1);
  }

  async matchCount(key: { scope: string } | { watchId: string }): Promise<number> {
    const name = 'scope' in key ? `matches:${key.scope}` : `watch-matches:${key.watchId}`;
    return this.redis.zcard(this.k(name));
  }

  /** Whether the read models were built from the collections (false after a flushed Redis). */
  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(this.k('built'))) === 1;
  }

  async markBuilt(): Promise<void> {
    await this.redis.set(this.k('built'), '1');
  }
}

export class ListeningRepository {
  readonly watches: WatchRepository;
  readonly matches: MatchRepository;
  constructor(storage: Storage) {
    this.watches = new WatchRepository(storage);
    this.matches = new MatchRepository(storage);
  }

  index(redis: Redis, prefix: string): ListeningIndex {
    return new ListeningIndex(redis, prefix);
  }

  /** Rebuilds the Redis read models from the collections (a flushed Redis). */
  async rebuildIndex(redis: Redis, prefix: string): Promise<void> {
    const index = this.index(redis, prefix);
    for await (const w of this.watches.scan<WatchDoc>({})) await index.addWatch(w);
    for await (const m of this.matches.scan<MatchDoc>({})) await index.addMatch(m);
    await index.markBuilt();
  }
}
