// Sessions (cookie) and API tokens (Bearer). Opaque random ids of 256 bits; only their SHA-256
// is stored. Redis caches a resolved session for a short time; MongoDB is the truth.
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { Types } from 'mongoose';
import type { AppDeps, Role, TokenScope, Viewer } from '../../context.js';
import { op } from '../../lib/mongo-ops.js';
import { UserModel } from '../user/user.model.js';
import { ApiTokenModel, SessionModel } from './session.model.js';
import { updateById } from '../../infra/guarded-write.js';

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
  await SessionModel.create({
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
    await SessionModel.deleteOne({ _id: hash });
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

async function identityOf(userId: Types.ObjectId, expiresAt: number, extra: Partial<CachedIdentity> = {}): Promise<CachedIdentity | null> {
  const user = await UserModel.findById(userId).select('handle role').lean();
  if (!user) return null;
  return { userId: user._id.toHexString(), handle: user.handle, role: user.role as Role, expiresAt, ...extra };
}

/** Resolves the viewer of a request from its Bearer token or session cookie. */
export async function authenticateRequest(deps: AppDeps, req: Request): Promise<Viewer | null> {
  // the same clock that stamped the session's expiry (tests inject one)
  const now = deps.services.clock.now().getTime();
  const authorization = req.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return null;
    const hash = sha256(match[1]!);
    const identity = await cached(deps, `token:${hash}`, async () => {
      const token = await ApiTokenModel.findOne({ tokenHash: hash }).lean();
      if (!token || token.revokedAt) return null;
      return identityOf(token.userId, Number.MAX_SAFE_INTEGER, { scopes: token.scopes as TokenScope[], tokenId: token._id.toHexString() });
    });
    if (!identity) return null;
    // lastUsedAt, at most once a minute per token
    const touchKey = `${deps.config.redisPrefix}token-touch:${hash}`;
    deps.redis
      .set(touchKey, '1', 'EX', 60, 'NX')
      .then((set) =>
        set && identity.tokenId
          ? updateById(ApiTokenModel, new Types.ObjectId(identity.tokenId), { $set: { lastUsedAt: new Date(now) } })
          : null,
      )
      .catch(() => undefined);
    return { id: identity.userId, handle: identity.handle, role: identity.role, via: 'token', scopes: identity.scopes ?? ['read'] };
  }
  const sessionId = parseCookies(req.get('cookie'))[SESSION_COOKIE];
  if (!sessionId || sessionId.length > 100) return null;
  const hash = sha256(sessionId);
  const identity = await cached(deps, `session:${hash}`, async () => {
    const session = await SessionModel.findById(hash).lean();
    if (!session) return null;
    return identityOf(session.userId, session.expiresAt.getTime());
  });
  if (!identity || identity.expiresAt <= now) return null;
  return { id: identity.userId, handle: identity.handle, role: identity.role, via: 'session', scopes: ['read', 'write'], sessionId: hash };
}

/** Removes expired sessions (FerretDB has no TTL indexes); run by the worker. */
export async function purgeExpiredSessions(now: Date): Promise<number> {
  const result = await SessionModel.deleteMany({ expiresAt: op.lt(now) });
  return result.deletedCount ?? 0;
}
