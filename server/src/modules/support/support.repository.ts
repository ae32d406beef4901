// Support settings, tickets, cases and verifications, and the engineer queue (Redis sorted sets
// of ticket ids by deadline, one per space, rebuilt from the tickets by `rebuildQueue`): the only
// code that touches them.
import type { Redis } from 'ioredis';
import { op } from '../../lib/mongo-ops.js';
import type { Types } from 'mongoose';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import {
  SupportCaseModel,
  SupportSpaceModel,
  TicketModel,
  VerificationModel,
  type SupportCaseDoc,
  type SupportSpaceDoc,
  type TicketDoc,
  type VerificationDoc,
} from './support.model.js';

export class SupportSpaceRepository extends Repository<SupportSpaceDoc> {
  constructor(storage: Storage) {
    // read on every question page (is its space a support space?): absent ones are cached too
    super(storage, SupportSpaceModel, {
      versionKeys: (id) => [`support_spaces:${String(id)}`, `spaces:${String(id)}`],
      cache: { name: 'support_spaces', absent: true },
    });
  }
}

export class TicketRepository extends Repository<TicketDoc> {
  constructor(storage: Storage) {
    // read on every question page (is it a customer question?): absent ones are cached too
    super(storage, TicketModel, {
      versionKeys: (id) => [`support_tickets:${String(id)}`, `posts:${String(id)}`],
      cache: { name: 'support_tickets', absent: true },
    });
  }

  /** Creates the ticket unless it exists (handlers run again after a crash). True when created. */
  async createOnce(doc: Omit<TicketDoc, 'createdAt' | 'updatedAt'>): Promise<boolean> {
    const { _id, ...rest } = doc;
    const result = await TicketModel.updateOne({ _id }, { $setOnInsert: rest }, { upsert: true });
    if (result.upsertedCount > 0) await this.touched(_id);
    return result.upsertedCount > 0;
  }

  /** Tickets of a space whose question has a verified answer (worker: a new product version). */
  findVerifiedInSpace(spaceId: Types.ObjectId): Promise<TicketDoc[]> {
    return this.findWhere({ spaceId, verifiedAnswerId: op.ne(null) });
  }
}

export class SupportCaseRepository extends Repository<SupportCaseDoc> {
  constructor(storage: Storage) {
    super(storage, SupportCaseModel, { versionKeys: (id) => [`support_cases:${String(id)}`], cache: { name: 'support_cases' } });
  }

  async create(doc: Omit<SupportCaseDoc, '_id' | 'createdAt' | 'updatedAt'>): Promise<SupportCaseDoc> {
    const created = await SupportCaseModel.create(doc);
    await this.touched(created._id);
    return created.toObject() as SupportCaseDoc;
  }
}

export class VerificationRepository extends Repository<VerificationDoc> {
  constructor(storage: Storage) {
    // an answer's verification (by the answer's id) on support question pages: absent ones cached too
    super(storage, VerificationModel, {
      versionKeys: (id) => [`posts:${String(id)}`],
      cache: { name: 'support_verifications', absent: true },
    });
  }
}

export interface QueueItem {
  id: string;
  /** the deadline the entry is sorted by (epoch ms) */
  dueAt: number;
}

/** The engineer queue: per space, ticket ids by the deadline that matters next. */
export class SupportQueue {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(spaceId: string) {
    return `${this.prefix}support:queue:${spaceId}`;
  }

  async put(spaceId: string, ticketId: string, dueAt: number): Promise<void> {
    await this.redis.multi().zadd(this.key(spaceId), dueAt, ticketId).sadd(`${this.prefix}support:queue-spaces`, spaceId).exec();
  }

  async remove(spaceId: string, ticketId: string): Promise<void> {
    await this.redis.zrem(this.key(spaceId), ticketId);
  }

  /** Every entry of these spaces, soonest deadline first. */
  async entries(spaceIds: readonly string[]): Promise<QueueItem[]> {
    const out: QueueItem[] = [];
    for (const spaceId of spaceIds) {
      const flat = await this.redis.zrange(this.key(spaceId), 0, -1, 'WITHSCORES');
      for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, dueAt: Number(flat[i + 1]) });
    }
    return out.sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id));
  }

  /** Entries due before `until` in these spaces (the breach-warning tick). */
  async dueBefore(spaceIds: readonly string[], until: number): Promise<QueueItem[]> {
    return (await this.entries(spaceIds)).filter((e) => e.dueAt <= until);
  }

  /** Spaces that have a queue. */
  async spaces(): Promise<string[]> {
    return this.redis.smembers(`${this.prefix}support:queue-spaces`);
  }

  /** Open assignments per engineer. */
  async load(userIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (userIds.length === 0) return out;
    const counts = await this.redis.hmget(`${this.prefix}support:load`, ...userIds);
    userIds.forEach((id, i) => out.set(id, Number(counts[i] ?? 0)));
    return out;
  }

  /** Whether the queue was built (a flushed Redis: `rebuildQueue` in support.tick.ts). */
  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}support:queue-built`)) === 1;
  }

  async clearAll(): Promise<void> {
    for (const spaceId of await this.spaces()) await this.redis.del(this.key(spaceId));
    await this.redis.del(`${this.prefix}support:queue-spaces`, `${this.prefix}support:load`);
  }

  async markBuilt(): Promise<void> {
    await this.redis.set(`${this.prefix}support:queue-built`, '1');
  }

  async adjustLoad(userId: string, delta: number): Promise<void> {
    const n = await this.redis.hincrby(`${this.prefix}support:load`, userId, delta);
    if (n < 0) await this.redis.hset(`${this.prefix}support:load`, userId, 0);
  }
}

export class SupportRepository {
  readonly spaces: SupportSpaceRepository;
  readonly tickets: TicketRepository;
  readonly cases: SupportCaseRepository;
  readonly verifications: VerificationRepository;

  constructor(storage: Storage) {
    this.spaces = new SupportSpaceRepository(storage);
    this.tickets = new TicketRepository(storage);
    this.cases = new SupportCaseRepository(storage);
    this.verifications = new VerificationRepository(storage);
  }

  queue(redis: Redis, prefix: string): SupportQueue {
    return new SupportQueue(redis, prefix);
  }
}
