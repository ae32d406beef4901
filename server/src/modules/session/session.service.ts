// Sessions (cookie) and API tokens (Bearer). Opaque random ids of 256 bits; only their SHA-256
// is stored. Redis caches a resolved session for a short time; MongoDB is the truth.
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { Types } from 'mongoose';
import type { AppDeps, Role, TokenScope, Viewer } from '../../context.js';
import type { UserRepository } from '../user/user.repository.js';
import type { SessionRepository } from './session.repository.js';

export const SESSION_COOKIE = 'colloquy_session';
const CACHE_SECONDS = 30;

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const newSecret = (prefix = '') => prefix + randomBytes(32).toString('base64url');

interface CachedIdentity {
  userId: string;
  handle: string;
  role: Role;
  expiresAt: number;
  scopes?: TokenScope[];
  tokenId?: string;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (!(name in out)) {
      try {
        out[name] = decodeURIComponent(value);
      } catch {
        out[name] = value;
      }
    }
  }
  return out;
}

function cookieOptions(deps: AppDeps, req: Request) {
  const secure = req.secure || deps.config.publicUrl.startsWith('https://');
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' };
}

/** Starts a session: a fresh id every sign-in (no fixation), set as an HttpOnly cookie. */
export async function startSession(deps: AppDeps, req: Request, res: Response, userId: Types.ObjectId, now: Date): Promise<void> {
  const id = newSecret();
  const expiresAt = new Date(now.getTime() + deps.config.sessionTtlMs);
  await deps.repos.sessions.insert({
    _id: sha256(id),
    userId,
    expiresAt,
    userAgent: req.get('user-agent')?.slice(0, 300) ?? null,
    ip: req.ip ?? null,
    lastSeenAt: now,
  });
  res.cookie(SESSION_COOKIE, id, { ...cookieOptions(deps, req), expires: expiresAt });
}

/** Revokes the current session everywhere (database and cache) and clears the cookie. */
export async function endSession(deps: AppDeps, req: Request, res: Response): Promise<void> {
  const id = parseCookies(req.get('cookie'))[SESSION_COOKIE];
  if (id) {
    const hash = sha256(id);
    await deps.repos.sessions.deleteById(hash);
    await deps.redis.del(`${deps.config.redisPrefix}session:${hash}`).catch(() => undefined);
  }
  res.clearCookie(SESSION_COOKIE, cookieOptions(deps, req));
}

async function cached(deps: AppDeps, key: string, load: () => Promise<CachedIdentity | null>): Promise<CachedIdentity | null> {
  const redisKey = `${deps.config.redisPrefix}${key}`;
  try {
    const hit = await deps.redis.get(redisKey);
    if (hit) return hit === 'none' ? null : (JSON.parse(hit) as CachedIdentity);
  } catch {
    // Redis is a cache: fall through to MongoDB
  }
  const identity = await load();
  deps.redis.set(redisKey, identity ? JSON.stringify(identity) : 'none', 'EX', CACHE_SECONDS).catch(() => undefined);
  return identity;
}

async function identityOf(
  users: UserRepository,
  userId: Types.ObjectId,
  expiresAt: number,
  extra: Partial<CachedIdentity> = {},
): Promise<CachedIdentity | null> {
  const user = await users.findById(userId, 'handle role');
  if (!user) return null;
  return { userId: user._id.toHexString(), handle: user.handle, role: user.role as Role, expiresAt, ...extra };
}

/** How a request authenticated. `invalidBearer` set: an Authorization header that does not authenticate (answer 401). */
export interface Authentication {
  viewer: Viewer | null;
  /** the API token that authenticated the request (its own rate-limit budget) */
  tokenId?: string;
  invalidBearer?: string;
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]{1,512})$/i;

/** The `_id` of the API token whose secret has this SHA-256: its first 12 bytes (a read by `_id`). */
export const apiTokenIdOf = (hash: string) => new Types.ObjectId(hash.slice(0, 24));

/** A token's identity: null when unknown; a revoked token is known (its `revokedAt`) but resolves to no one. */
async function tokenIdentity(deps: AppDeps, hash: string): Promise<CachedIdentity | { revokedAt: number } | null> {
  const redisKey = `${deps.config.redisPrefix}token:${hash}`;
  try {
    const hit = await deps.redis.get(redisKey);
    if (hit) return hit === 'none' ? null : (JSON.parse(hit) as CachedIdentity | { revokedAt: number });
  } catch {
    // Redis is a cache: fall through to MongoDB
  }
  // by _id (derived from the hash) — tokens made before that have a random _id: by their hash
  const byId = await deps.repos.apiTokens.findById(apiTokenIdOf(hash));
  const token = byId?.tokenHash === hash ? byId : await deps.repos.apiTokens.findByHash(hash);
  // a made-up token leaves nothing behind in Redis (unlike a revoked one, remembered briefly)
  if (!token) return null;
  const identity = token.revokedAt
    ? { revokedAt: token.revokedAt.getTime() }
    : await identityOf(deps.repos.users, token.userId, tokenExpiry(token), {
        scopes: token.scopes as TokenScope[],
        tokenId: token._id.toHexString(),
      });
  deps.redis.set(redisKey, identity ? JSON.stringify(identity) : 'none', 'EX', CACHE_SECONDS).catch(() => undefined);
  return identity;
}

/** When a token stops working: its `expiresAt` if it has one, else never. */
const tokenExpiry = (token: { expiresAt?: Date | null }) => token.expiresAt?.getTime() ?? Number.MAX_SAFE_INTEGER;

async function authenticateBearer(deps: AppDeps, authorization: string, now: number): Promise<Authentication> {
  const match = BEARER.exec(authorization.trim());
  if (!match) return { viewer: null, invalidBearer: 'The Authorization header must be "Bearer <token>".' };
  const hash = sha256(match[1]!);
  const identity = await tokenIdentity(deps, hash);
  if (!identity || !('userId' in identity)) {
    const revoked = identity && 'revokedAt' in identity;
    return {
      viewer: null,
      invalidBearer: revoked
        ? `This API token was revoked on ${new Date(identity.revokedAt).toISOString()}.`
        : 'The access token is invalid, expired or revoked.',
    };
  }
  if (identity.expiresAt <= now) {
    return { viewer: null, invalidBearer: `This API token expired on ${new Date(identity.expiresAt).toISOString()}.` };
  }
  // lastUsedAt, at most once a minute per token
  const touchKey = `${deps.config.redisPrefix}token-touch:${hash}`;
  deps.redis
    .set(touchKey, '1', 'EX', 60, 'NX')
    .then((set) =>
      set && identity.tokenId
        ? deps.repos.apiTokens.update(new Types.ObjectId(identity.tokenId), { $set: { lastUsedAt: new Date(now) } })
        : null,
    )
    .catch(() => undefined);
  return {
    viewer: { id: identity.userId, handle: identity.handle, role: identity.role, via: 'token', scopes: identity.scopes ?? ['read'] },
    ...(identity.tokenId ? { tokenId: identity.tokenId } : {}),
  };
}

/**
 * Resolves who is asking: a Bearer token (a malformed, unknown, expired or revoked one is reported
 * in `invalidBearer`, never treated as anonymous) or else the session cookie (an unknown or
 * expired cookie is simply anonymous).
 */
export async function authenticate(deps: AppDeps, req: Request): Promise<Authentication> {
  // the same clock that stamped the session's expiry (tests inject one)
  const now = deps.services.clock.now().getTime();
  const authorization = req.get('authorization');
  if (authorization) return authenticateBearer(deps, authorization, now);
  const sessionId = parseCookies(req.get('cookie'))[SESSION_COOKIE];
  if (!sessionId || sessionId.length > 100) return { viewer: null };
  const hash = sha256(sessionId);
  const identity = await cached(deps, `session:${hash}`, async () => {
    const session = await deps.repos.sessions.findById(hash);
    if (!session) return null;
    return identityOf(deps.repos.users, session.userId, session.expiresAt.getTime());
  });
  if (!identity || identity.expiresAt <= now) return { viewer: null };
  return {
    viewer: {
      id: identity.userId,
      handle: identity.handle,
      role: identity.role,
      via: 'session',
      scopes: ['read', 'write'],
      sessionId: hash,
    },
  };
}

/** The viewer of a request (null when anonymous or when its Bearer token does not authenticate). */
export async function authenticateRequest(deps: AppDeps, req: Request): Promise<Viewer | null> {
  return (await authenticate(deps, req)).viewer;
}

/** Removes expired sessions (FerretDB has no TTL indexes); run by the worker. */
export function purgeExpiredSessions(sessions: SessionRepository, now: Date): Promise<number> {
  return sessions.deleteExpired(now);
}
