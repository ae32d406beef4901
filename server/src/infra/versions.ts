// Versions of read models in Redis: the exact invalidation of every cache in front of them.
// A key names what a page or response read (`posts:<id>`, `users:<id>`, `list:posts`, `search`);
// its version (`<prefix>v:<key>`, an integer, 0 when missing) is bumped by every write of it.
// A cache entry records the versions of the keys it used and is fresh while they are unchanged
// (the web's page cache reads them with one MGET). `epoch` is part of every entry: when a bump
// could not reach Redis (an outage), the epoch is bumped as soon as Redis answers again, so no
// entry written before the outage survives it.
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/** the key every cache entry depends on (bumped after an outage) */
export const EPOCH = 'epoch';
/** how long a write waits for its bumps before going on (Redis down: it does not wait longer) */
const BUMP_TIMEOUT_MS = 250;

export class Versions {
  private lost = false;
  private readonly listeners: Array<(keys: readonly string[]) => Promise<void> | void> = [];

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log?: Logger,
  ) {
    redis.on('ready', () => {
      if (this.lost) void this.recover();
    });
  }

  key(name: string): string {
    return `${this.prefix}v:${name}`;
  }

  /** Also tells `listener` about every bump (e.g. a response cache invalidating by entity). */
  onBump(listener: (keys: readonly string[]) => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  /** Bumps the versions of these keys (after the write they describe). Never throws. */
  async bump(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const name of new Set(names)) pipeline.incr(this.key(name));
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('version bump timed out')), BUMP_TIMEOUT_MS);
      });
      const results = await Promise.race([pipeline.exec(), timeout]);
      if (!results || results.some(([error]) => error)) throw new Error('version bump failed');
    } catch (error) {
      if (!this.lost) this.log?.warn({ err: error }, 'read-model versions could not be bumped; caches restart when Redis is back');
      this.lost = true;
      if (this.redis.status === 'ready') void this.recover();
    } finally {
      clearTimeout(timer);
    }
    // after the versions moved: a listener's cache can no longer be refilled under the old ones
    for (const listener of this.listeners) await Promise.resolve(listener(names)).catch(() => undefined);
  }

  /** The current versions of these keys (0 where never bumped). */
  async read(names: readonly string[]): Promise<number[]> {
    if (names.length === 0) return [];
    const values = await this.redis.mget(...names.map((n) => this.key(n)));
    return values.map((v) => Number(v ?? 0));
  }

  private async recover(): Promise<void> {
    try {
      await this.redis.incr(this.key(EPOCH));
      this.lost = false;
      this.log?.info('Redis is back: cache epoch bumped');
    } catch {
      // still down: the next 'ready' tries again
    }
  }
}
