// Rate limits with rate-limiter-flexible, built once per app (createApp) from the config:
//   requests  every /graphql request        per member `m:<userId>`, API token `t:<tokenId>` or anonymous address `ip:<address>`
//   writes    every mutation field          the same keys, a stricter budget
//   signin    sign-in attempts              per client address and handle/email
//   signup    sign-ups                      per client address
//   points    each operation's computed cost (graphql/cost.ts), per hour, GitHub-style: the same
//             keys as requests; refunded when refused (a refused query spends nothing)
// Counters live in Redis (keys `<REDIS_PREFIX>rl:<budget>:<key>`), shared by every api process.
// The request and write budgets carry an in-memory insurance limiter: while Redis is unreachable
// each process keeps limiting on its own (fail open: the api stays up). Sign-in and sign-up have
// none: without Redis they refuse (fail closed) with RATE_LIMITED and a message saying so.
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { Kind, getOperationAST, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppDeps, Context, Viewer } from '../context.js';
import { RateLimitedError } from '../lib/errors.js';

export type BudgetName = 'requests' | 'writes' | 'signin' | 'signup' | 'points';

export interface Budget {
  name: BudgetName;
  /** points per window */
  limit: number;
  windowSeconds: number;
  /** with Redis unreachable: true = an in-memory budget per process, false = refuse */
  failOpen: boolean;
  limiter: RateLimiterRedis;
}

export interface RateLimits {
  requests: Budget;
  writes: Budget;
  signIn: Budget;
  signUp: Budget;
  points: Budget;
}

/** The state of one budget for one key after a request consumed from it. */
export interface Outcome {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** seconds until the window resets (at least 1) */
  resetSeconds: number;
}

/** Sign-in or sign-up while their limiter cannot count (Redis unreachable): code RATE_LIMITED. */
export class LimiterUnavailableError extends RateLimitedError {
  constructor(action: 'Sign-in' | 'Sign-up') {
    super(60);
    this.message = `${action} is temporarily unavailable; try again in a minute.`;
  }
}

type LimiterDeps = Pick<AppDeps, 'config' | 'redis'>;

function budget(deps: LimiterDeps, name: BudgetName, limit: number, windowSeconds: number, failOpen: boolean): Budget {
  const keyPrefix = `${deps.config.redisPrefix}rl:${name}`;
  const limiter = new RateLimiterRedis({
    storeClient: deps.redis,
    keyPrefix,
    points: limit,
    duration: windowSeconds,
    // while the connection is down, go to the insurance (or refuse) at once instead of queueing
    rejectIfRedisNotReady: true,
    ...(failOpen ? { insuranceLimiter: new RateLimiterMemory({ keyPrefix, points: limit, duration: windowSeconds }) } : {}),
  });
  return { name, limit, windowSeconds, failOpen, limiter };
}

export function createRateLimits(deps: LimiterDeps): RateLimits {
  const c = deps.config;
  return {
    requests: budget(deps, 'requests', c.rateLimitPerMinute, 60, true),
    writes: budget(deps, 'writes', c.rateLimitWritesPerMinute, 60, true),
    signIn: budget(deps, 'signin', c.rateLimitSignInPer15Minutes, 15 * 60, false),
    signUp: budget(deps, 'signup', c.rateLimitSignUpPerHour, 3600, false),
    points: budget(deps, 'points', c.rateLimitPointsPerHour, 3600, true),
  };
}

const built = new WeakMap<object, RateLimits>();

/** The limiters of one app's dependencies: built on first use (createApp, at boot), then shared. */
export function rateLimitsOf(deps: LimiterDeps): RateLimits {
  let limits = built.get(deps);
  if (!limits) {
    limits = createRateLimits(deps);
    built.set(deps, limits);
  }
  return limits;
}

function toOutcome(b: Budget, allowed: boolean, res: RateLimiterRes): Outcome {
  return {
    allowed,
    limit: b.limit,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}

/**
 * Spends `points` of a budget for a key. A fail-open budget never throws (should its insurance
 * fail as well, the request passes); a fail-closed one throws when its store cannot count.
 */
export async function consume(b: Budget, key: string, points = 1, unavailable?: () => Error): Promise<Outcome> {
  try {
    return toOutcome(b, true, await b.limiter.consume(key, points));
  } catch (error) {
    if (error instanceof RateLimiterRes) return toOutcome(b, false, error);
    if (b.failOpen) return { allowed: true, limit: b.limit, remaining: b.limit, resetSeconds: b.windowSeconds };
    throw unavailable?.() ?? error;
  }
}

/**
 * The address a budget is kept for: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 by its /64
 * (one subscriber's usual allocation: rotating addresses inside it buys no fresh budget).
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const address = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address.slice(0, 64);
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, as short lowercase hex. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::');
  const expand = (part: string) =>
    part
      .split(':')
      .filter(Boolean)
      .flatMap((group) => {
        if (!group.includes('.')) return [group];
        const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
        return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
      });
  const left = expand(head);
  const right = tail === undefined ? [] : expand(tail);
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16).toString(16));
}

/** Whose budget a request spends: its API token, its signed-in member, or else its address. */
export function budgetKey(auth: { viewer: Viewer | null; tokenId?: string }, address: string): string {
  if (auth.viewer?.via === 'token' && auth.tokenId) return `t:${auth.tokenId}`;
  if (auth.viewer) return `m:${auth.viewer.id}`;
  return `ip:${address}`;
}

/** How many write points a request costs: its mutation fields (aliases count), 0 for queries. */
export function mutationFieldCount(document: DocumentNode, operationName?: string | null): number {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'mutation') return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const count = (set: SelectionSetNode, seen: Set<string>): number => {
    let n = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) n += s.name.value === '__typename' ? 0 : 1;
      else if (s.kind === Kind.INLINE_FRAGMENT) n += count(s.selectionSet, seen);
      else {
        const fragment = fragments.get(s.name.value);
        if (fragment && !seen.has(fragment.name.value)) n += count(fragment.selectionSet, new Set([...seen, fragment.name.value]));
      }
    }
    return n;
  };
  return Math.max(1, count(operation.selectionSet, new Set()));
}

/**
 * IETF RateLimit headers (draft-ietf-httpapi-ratelimit-headers-07, as before): every budget the
 * request spent in `RateLimit-Policy`, the one closest to its limit in `RateLimit`.
 */
export function rateLimitHeaders(spent: ReadonlyArray<{ budget: Budget; outcome: Outcome }>): Record<string, string> {
  const policy = spent
    .map(({ budget: b }) => `${b.limit};w=${b.windowSeconds}${b.name === 'requests' ? '' : `;comment="${b.name}"`}`)
    .join(', ');
  const tightest = spent.reduce((a, b) =>
    b.outcome.remaining < a.outcome.remaining ||
    (b.outcome.remaining === a.outcome.remaining && b.outcome.resetSeconds > a.outcome.resetSeconds)
      ? b
      : a,
  ).outcome;
  return {
    'RateLimit-Policy': policy,
    RateLimit: `limit=${tightest.limit}, remaining=${tightest.remaining}, reset=${tightest.resetSeconds}`,
  };
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

async function enforce(b: Budget, key: string, action: 'Sign-in' | 'Sign-up'): Promise<void> {
  const outcome = await consume(b, key, 1, () => new LimiterUnavailableError(action));
  if (!outcome.allowed) throw new RateLimitedError(outcome.resetSeconds);
}

/**
 * Counts a sign-in attempt for the client's address and the login (handle or email, any case),
 * whichever way the client came (directly or through the web, which forwards its address).
 * Throws RateLimitedError past the budget, LimiterUnavailableError while Redis is unreachable.
 */
export async function limitSignIn(ctx: Pick<Context, 'deps' | 'req'>, login: string): Promise<void> {
  const key = `${addressKey(ctx.req.ip)}:${sha256(login.trim().toLowerCase())}`;
  await enforce(rateLimitsOf(ctx.deps).signIn, key, 'Sign-in');
}

/** Counts a sign-up for the client's address (same errors as limitSignIn). */
export async function limitSignUp(ctx: Pick<Context, 'deps' | 'req'>): Promise<void> {
  await enforce(rateLimitsOf(ctx.deps).signUp, addressKey(ctx.req.ip), 'Sign-up');
}

/** One request's charge against the hourly points budget: what `rateLimit` and the headers show. */
export interface PointsCharge {
  allowed: boolean;
  limit: number;
  /** points this request cost (charged only when allowed) */
  cost: number;
  /** nodes it may return */
  nodeCount: number;
  /** points spent in the current window, this request included when allowed */
  used: number;
  remaining: number;
  /** when the window resets */
  resetAt: Date;
  /** seconds until then (at least 1) */
  resetSeconds: number;
}

/**
 * Charges `cost` points to a key's hourly budget. Over the budget, the charge is refunded (the
 * request is refused and spends nothing) and `allowed` is false. Fails open, like the request
 * budget: with neither Redis nor the insurance limiter counting, the request passes uncharged.
 */
export async function chargePoints(b: Budget, key: string, cost: number, nodeCount: number, now = Date.now()): Promise<PointsCharge> {
  const charge = (allowed: boolean, used: number, msBeforeNext: number): PointsCharge => {
    const resetSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    return {
      allowed,
      limit: b.limit,
      cost,
      nodeCount,
      used,
      remaining: Math.max(0, b.limit - used),
      resetAt: new Date(now + resetSeconds * 1000),
      resetSeconds,
    };
  };
  try {
    const res = await b.limiter.consume(key, cost);
    return charge(true, res.consumedPoints, res.msBeforeNext);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) return charge(true, 0, b.windowSeconds * 1000);
    const used = Math.max(0, error.consumedPoints - cost);
    await b.limiter.reward(key, cost).catch(() => undefined);
    return charge(false, used, error.msBeforeNext);
  }
}

/** GitHub's `X-RateLimit-*` headers for a points charge. */
export function pointsHeaders(charge: PointsCharge): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(charge.limit),
    'X-RateLimit-Remaining': String(charge.remaining),
    'X-RateLimit-Used': String(charge.used),
    'X-RateLimit-Reset': String(Math.ceil(charge.resetAt.getTime() / 1000)),
    'X-RateLimit-Resource': 'graphql',
  };
}

const charges = new WeakMap<object, PointsCharge>();

/** Notes a request's charge (keyed by its server response object, one per request). */
export function notePointsCharge(request: object, charge: PointsCharge): void {
  charges.set(request, charge);
}

/** A request's charge, once its operation was priced and charged. */
export function pointsChargeOf(request: object): PointsCharge | undefined {
  return charges.get(request);
}
