// The post module's rollups: a tag's statistics (tag_stats: top askers and answerers) and a
// member's (user_stats: top tags). Pages read them by `_id` (FerretDB scans the posts for every
// other filter, 6–7 s at 30k posts); they are recomputed from the posts away from requests.
//
// Marks: every write's postsChanged (post.changes.ts) marks the tags and members it affects in
// two Redis sorted sets (`rollup:v1:dirty:tags|users`), each member scored with a sequence number
// taken when it was marked (`rollup:v1:seq`); a change of a tag's document (a question entered
// or left it: asked, retagged, deleted — deps.ts forwards those version bumps) marks the tag.
// The job (`runRollups`: the worker every few seconds, tests when they want it) reads the
// sequence, recomputes a batch of marked tags and members from the posts read after it, stores
// them (never over a rollup computed from later facts: tag-stats.repository.ts) and removes the
// marks not newer than the sequence it read — a mark made meanwhile stays for the next round, a
// crash leaves every mark in place. Several workers may run the job: they duplicate work, never
// store older over newer.
//
// Consistency: a mark lost (Redis unreachable when it was made) leaves its rollup behind until
// the next change of that tag or member, or `npm run verify -- --repair`, which recomputes every
// stored rollup from its facts. `rebuildRollups` (seeding, imports, the worker when none exist)
// computes them all.
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import type { Context } from '../../context.js';
import { noteReads, requestScoped } from '../../graphql/request-scoped.js';
import type { Logger } from '../../infra/logger.js';
import type { Repositories } from '../repositories.js';
import { computeTagStats } from './tag-stats.compute.js';
import type { TagStatsDoc } from './tag-stats.model.js';
import { tagStatsKey } from './tag-stats.repository.js';
import { computeUserStats } from './user-stats.compute.js';
import type { UserStatsDoc } from './user-stats.model.js';
import { userStatsKey } from './user-stats.repository.js';

export interface RollupDeps {
  redis: Redis;
  config: { redisPrefix: string };
  repos: Pick<Repositories, 'posts' | 'tagStats' | 'userStats'>;
  log?: Logger;
}

/** What a full rebuild walks besides: every tag, every member. */
export type RebuildDeps = RollupDeps & { repos: Pick<Repositories, 'posts' | 'tagStats' | 'userStats' | 'tags' | 'users'> };

type Kind = 'tags' | 'users';

/** marked tags or members recomputed per round at most (each round reads the posts once per kind) */
const BATCH = 200;

const keyOf = (deps: Pick<RollupDeps, 'config'>, name: string) => `${deps.config.redisPrefix}rollup:v1:${name}`;
const dirtyKey = (deps: Pick<RollupDeps, 'config'>, kind: Kind) => keyOf(deps, `dirty:${kind}`);

// KEYS: seq, dirty tags, dirty users; ARGV: number of tags, the tags, then the users
const MARK_SCRIPT = `
local s = redis.call('INCR', KEYS[1])
local n = tonumber(ARGV[1])
for i = 2, n + 1 do redis.call('ZADD', KEYS[2], s, ARGV[i]) end
for i = n + 2, #ARGV do redis.call('ZADD', KEYS[3], s, ARGV[i]) end
return s
`;

// KEYS: a dirty set; ARGV: the sequence read before the facts, then the members recomputed
const DONE_SCRIPT = `
local s = tonumber(ARGV[1])
local removed = 0
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) <= s then
    redis.call('ZREM', KEYS[1], ARGV[i])
    removed = removed + 1
  end
end
return removed
`;

/**
 * Marks tags and members (hex ids) for the job. Never throws: a mark that cannot reach Redis is
 * logged and left to the next change or to verify.
 */
export async function markRollups(deps: RollupDeps, tags: Iterable<string>, userIds: Iterable<string>): Promise<void> {
  const t = [...new Set(tags)];
  const u = [...new Set(userIds)];
  if (t.length + u.length === 0) return;
  try {
    await deps.redis.eval(MARK_SCRIPT, 3, keyOf(deps, 'seq'), dirtyKey(deps, 'tags'), dirtyKey(deps, 'users'), t.length, ...t, ...u);
  } catch (error) {
    // Redis away: said once by the client; a failure with Redis connected is worth a line
    if (deps.redis.status === 'ready')
      deps.log?.warn({ err: error, tags: t.length, users: u.length }, 'rollup marks lost (verify --repair recomputes the rollups)');
  }
}

/** Marks the tags whose documents a write changed (version keys `tags:<name>`: deps.ts forwards every bump). */
export function markTagBumps(deps: RollupDeps, keys: readonly string[]): Promise<void> {
  const names = keys.filter((k) => k.startsWith('tags:')).map((k) => k.slice('tags:'.length));
  return names.length ? markRollups(deps, names, []) : Promise.resolve();
}

/** The sequence now: a computation whose facts are read after it covers every mark up to it. */
export async function rollupSequence(deps: Pick<RollupDeps, 'redis' | 'config'>): Promise<number> {
  return Number((await deps.redis.get(keyOf(deps, 'seq'))) ?? 0);
}

/** Which of these tags or members (hex ids) are marked: the job will recompute them (verify). */
export async function pendingRollups(
  deps: Pick<RollupDeps, 'redis' | 'config'>,
  kind: Kind,
  names: readonly string[],
): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const scores = await deps.redis.zmscore(dirtyKey(deps, kind), ...names);
  return new Set(names.filter((_, i) => scores[i] !== null));
}

async function storeAll<D extends TagStatsDoc | UserStatsDoc>(
  store: (doc: D, force?: boolean) => Promise<boolean>,
  docs: readonly D[],
  force = false,
): Promise<number> {
  let changed = 0;
  for (const doc of docs) if (await store(doc, force)) changed++;
  return changed;
}

/** Recomputes and stores these tags' statistics (`mark`: the sequence read before; null: a repair without it). */
export async function refreshTagStats(deps: RollupDeps, names: readonly string[], mark: number | null): Promise<TagStatsDoc[]> {
  const docs = await computeTagStats(deps.repos.posts, names, mark ?? 0);
  await storeAll((d, f) => deps.repos.tagStats.storeComputed(d, f), docs, mark === null);
  return docs;
}

/** Recomputes and stores these members' statistics (`mark` as above). */
export async function refreshUserStats(deps: RollupDeps, userIds: readonly Types.ObjectId[], mark: number | null): Promise<UserStatsDoc[]> {
  const docs = await computeUserStats(deps.repos.posts, userIds, mark ?? 0);
  await storeAll((d, f) => deps.repos.userStats.storeComputed(d, f), docs, mark === null);
  return docs;
}

export interface RollupRound {
  tags: number;
  users: number;
  /** marks are left (more than a batch, or made during the round) */
  more: boolean;
}

/**
 * One round of the rollup job: recomputes up to `batch` marked tags and as many marked members,
 * oldest marks first. The worker runs it every few seconds; tests call it to run the job now.
 */
export async function runRollups(deps: RollupDeps, batch = BATCH): Promise<RollupRound> {
  const seq = await rollupSequence(deps);
  const tags = await deps.redis.zrange(dirtyKey(deps, 'tags'), 0, batch - 1);
  const marked = await deps.redis.zrange(dirtyKey(deps, 'users'), 0, batch - 1);
  const users = marked.filter((id) => /^[0-9a-f]{24}$/.test(id));
  if (users.length < marked.length) await deps.redis.zrem(dirtyKey(deps, 'users'), ...marked.filter((id) => !users.includes(id)));
  if (tags.length) {
    await refreshTagStats(deps, tags, seq);
    await deps.redis.eval(DONE_SCRIPT, 1, dirtyKey(deps, 'tags'), seq, ...tags);
  }
  if (users.length) {
    await refreshUserStats(
      deps,
      users.map((id) => new Types.ObjectId(id)),
      seq,
    );
    await deps.redis.eval(DONE_SCRIPT, 1, dirtyKey(deps, 'users'), seq, ...users);
  }
  const left = (await deps.redis.zcard(dirtyKey(deps, 'tags'))) + (await deps.redis.zcard(dirtyKey(deps, 'users')));
  return { tags: tags.length, users: users.length, more: left > 0 && tags.length + users.length > 0 };
}

/** Runs the job until nothing is marked (tests; tools). Returns the tags and members recomputed. */
export async function runRollupsUntilIdle(deps: RollupDeps, batch = BATCH): Promise<{ tags: number; users: number }> {
  const total = { tags: 0, users: 0 };
  for (;;) {
    const round = await runRollups(deps, batch);
    total.tags += round.tags;
    total.users += round.users;
    if (!round.more) return total;
  }
}

/**
 * Computes every tag's statistics and the statistics of every member who has posts or a stored
 * rollup (seeding, imports, the worker when none exist yet), `batch` at a time; then drops the
 * marks this covered.
 */
export async function rebuildRollups(deps: RebuildDeps, batch = 2000): Promise<{ tags: number; users: number }> {
  const seq = await rollupSequence(deps);
  let tags = 0;
  let names: string[] = [];
  for await (const t of deps.repos.tags.scan<{ _id: string }>({}, '_id')) {
    names.push(t._id);
    if (names.length >= batch) {
      tags += (await refreshTagStats(deps, names, seq)).length;
      names = [];
    }
  }
  if (names.length) tags += (await refreshTagStats(deps, names, seq)).length;
  const members = new Map<string, Types.ObjectId>();
  const counted = deps.repos.users.scan<{ _id: Types.ObjectId; questionCount: number; answerCount: number }>(
    {},
    'questionCount answerCount',
  );
  for await (const u of counted) if (u.questionCount > 0 || u.answerCount > 0) members.set(u._id.toHexString(), u._id);
  // members with a stored rollup but no posts left (all deleted) get theirs emptied
  for await (const s of deps.repos.userStats.scan<{ _id: Types.ObjectId }>({}, '_id')) members.set(s._id.toHexString(), s._id);
  const ids = [...members.values()];
  for (let i = 0; i < ids.length; i += batch) await refreshUserStats(deps, ids.slice(i, i + batch), seq);
  // every mark made before `seq` is covered (a tag or member not walked has nothing to show)
  await deps.redis.zremrangebyscore(dirtyKey(deps, 'tags'), '-inf', seq);
  await deps.redis.zremrangebyscore(dirtyKey(deps, 'users'), '-inf', seq);
  return { tags, users: ids.length };
}

/**
 * After a batch tool wrote past the services (seeding, imports, the synthetic generator): members
 * by reputation and by handle (user/user.ranking.ts), then every rollup.
 */
export async function rebuildRollupsAndRanking(deps: RebuildDeps): Promise<{ members: number; tags: number; users: number }> {
  const members = await deps.repos.users.rebuildRanking();
  return { members, ...(await rebuildRollups(deps)) };
}

/** Whether no tag statistics exist at all while tags do (a database from before the rollups): the worker rebuilds then. */
export async function rollupsMissing(deps: RebuildDeps): Promise<boolean> {
  return (await deps.repos.tagStats.estimatedCount()) === 0 && (await deps.repos.tags.estimatedCount()) > 0;
}

// ---------------------------------------------------------------------------------------------
// reads

/** computations on the spot in flight in this process, by key: concurrent first visitors share one */
const inFlight = new Map<string, Promise<unknown>>();

function once<T>(key: string, run: () => Promise<T>): Promise<T> {
  const running = inFlight.get(key) as Promise<T> | undefined;
  if (running) return running;
  const started = run().finally(() => inFlight.delete(key));
  inFlight.set(key, started);
  return started;
}

type ReadContext = Pick<Context, 'cache'> & { deps: RollupDeps & { repos: Pick<Repositories, 'tags'> } };

const emptyTagStats = (name: string): TagStatsDoc => ({ _id: name, askers: [], answerers: [], mark: 0, builtAt: new Date(0) });

/**
 * A tag's statistics, read by `_id`. `tag` is its document when the caller has it (`undefined`:
 * read here, through the entity cache). A tag that does not exist or has no live question has no
 * one, without a read of its statistics. A tag whose statistics were never computed (its first
 * question was asked a moment ago and the worker has not run yet, or a database from before the
 * rollups) is computed on the spot once and stored: its first visitor waits for one read of the
 * tag's questions, every later one reads the stored document.
 */
export function tagStatsOf(ctx: ReadContext, name: string, tag?: { questionCount: number } | null): Promise<TagStatsDoc> {
  noteReads(ctx, [tagStatsKey(name), `tags:${name}`]);
  // the tag page asks twice (askers, answerers): one read
  return requestScoped(ctx, `rollups:tag_stats:${name}`, async () => {
    const { repos } = ctx.deps;
    const known = tag === undefined ? ((await repos.tags.findManyByIds<{ _id: string; questionCount: number }>([name]))[0] ?? null) : tag;
    if (!known || known.questionCount <= 0) return emptyTagStats(name);
    const stored = await repos.tagStats.ofTag(name);
    if (stored) return stored;
    return once(`${ctx.deps.config.redisPrefix}tag_stats:${name}`, async () => {
      const [doc] = await refreshTagStats(ctx.deps, [name], await rollupSequence(ctx.deps).catch(() => 0));
      return doc!;
    });
  });
}

/**
 * A member's statistics, read by `_id`. A member without live posts (their counters) has none,
 * without a read. One whose statistics were never computed is computed on the spot once and
 * stored, as for tags.
 */
export async function userStatsOf(
  ctx: Pick<Context, 'cache'> & { deps: RollupDeps },
  user: { _id: Types.ObjectId; questionCount: number; answerCount: number },
): Promise<UserStatsDoc['topTags']> {
  noteReads(ctx, [userStatsKey(user._id.toHexString())]);
  if (user.questionCount <= 0 && user.answerCount <= 0) return [];
  const stored = await ctx.deps.repos.userStats.ofUser(user._id);
  if (stored) return stored.topTags;
  return once(`${ctx.deps.config.redisPrefix}user_stats:${user._id.toHexString()}`, async () => {
    const [doc] = await refreshUserStats(ctx.deps, [user._id], await rollupSequence(ctx.deps).catch(() => 0));
    return doc!.topTags;
  });
}
