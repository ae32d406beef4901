// Accounts: sign-up, sign-in, profiles, roles and API tokens.
// Each use case: contract (zod) → load → policy → write → event.
import argon2 from 'argon2';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context, Role, TokenScope } from '../../context.js';
import { limitSignIn, limitSignUp } from '../../infra/rate-limit.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../lib/errors.js';
import { renderMarkdown } from '../../lib/markdown.js';
import { TOKEN_SCOPES } from '../../lib/scopes.js';
import { parseInput } from '../../lib/validate.js';
import { profileChanged } from '../analytics/analytics.people.js';
import { openLedger } from '../reputation/reputation.service.js';
import { apiTokenIdOf, endSession, newSecret, sha256, startSession } from '../session/session.service.js';
import { TAG_NAME } from '../tag/tag.rules.js';
import type { Repositories } from '../repositories.js';
import { reposOf, servicesOf } from '../services.js';
import type { UserDoc } from './user.model.js';
import { rememberHandle, userIdByHandle } from './user.handles.js';
import { canWrite } from './user.policy.js';
import { isOrgAdmin } from '../organization/organization.policy.js';

/** OWASP's argon2id baseline: m = 19 MiB, t = 2, p = 1. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;
let dummyHash: Promise<string> | undefined;

export const HANDLE = /^[A-Za-z0-9][A-Za-z0-9_-]{2,29}$/;

const signUpInput = z.object({
  handle: z.string().trim().regex(HANDLE, { error: 'use 3–30 letters, digits, "_" or "-", starting with a letter or digit' }),
  email: z.email({ error: 'must be a valid email address' }).max(254),
  password: z.string().min(10, { error: 'must be at least 10 characters' }).max(200, { error: 'must be at most 200 characters' }),
  displayName: z.string().trim().min(1, { error: 'must not be empty' }).max(60, { error: 'must be at most 60 characters' }),
});

export async function createUser(
  ctx: Pick<Context, 'deps'>,
  input: { handle: string; email: string | null; password: string | null; displayName: string; role?: Role; affiliation?: string | null },
  now: Date,
): Promise<UserDoc> {
  const handleKey = input.handle.toLowerCase();
  const emailKey = input.email ? input.email.toLowerCase() : null;
  // taken handles and emails are refused by the unique indexes (E11000 below), not by a query
  // first: FerretDB answers a query on a field other than _id by reading every member
  const _id = new Types.ObjectId();
  const users = reposOf(ctx).users;
  try {
    const user = await users.create({
      _id,
      handle: input.handle,
      handleKey,
      email: input.email,
      emailKey: emailKey ?? `none:${_id.toHexString()}`,
      passwordHash: input.password ? await argon2.hash(input.password, ARGON2_OPTIONS) : null,
      displayName: input.displayName,
      role: input.role ?? 'MEMBER',
      affiliation: input.affiliation ?? null,
      createdAt: now,
    });
    await openLedger(reposOf(ctx), servicesOf(ctx).reputationRules, _id, now);
    await rememberHandle(ctx.deps, handleKey, _id);
    return (await users.findById(user._id))!;
  } catch (error) {
    if ((error as { code?: number }).code === 11000) {
      // MongoDB names the index in the message; FerretDB does not: then ask (a rare path)
      const message = String((error as { message?: string }).message);
      const field = message.includes('emailKey')
        ? 'email'
        : message.includes('handleKey') || (await users.handleTaken(handleKey))
          ? 'handle'
          : 'email';
      throw new ValidationError(field === 'email' ? 'an account with this email already exists' : 'this handle is taken', field);
    }
    throw error;
  }
}

export async function signUp(ctx: Context, raw: unknown): Promise<UserDoc> {
  const input = parseInput(signUpInput, raw);
  if (input.password.toLowerCase().includes(input.handle.toLowerCase())) {
    throw new ValidationError('must not contain your handle', 'password');
  }
  await limitSignUp(ctx);
  const now = servicesOf(ctx).clock.now();
  const user = await createUser(ctx, input, now);
  await startSession(ctx.deps, ctx.req, ctx.res, user._id, now);
  return user;
}

const signInInput = z.object({
  login: z.string().trim().min(1, { error: 'enter your handle or email' }).max(254),
  password: z.string().min(1, { error: 'enter your password' }).max(200),
});

/** Generic failure on purpose: no hint whether the account exists. */
export async function signIn(ctx: Context, raw: unknown): Promise<UserDoc> {
  const input = parseInput(signInInput, raw);
  const login = input.login.toLowerCase();
  await limitSignIn(ctx, login);
  // by handle through the handle cache (a read by _id); by email a query on emailKey
  const userId = login.includes('@') ? null : await userIdByHandle(ctx.deps, login);
  const users = reposOf(ctx).users;
  const user = login.includes('@') ? await users.findByEmailKey(login) : userId && (await users.findById(userId));
  dummyHash ??= argon2.hash('not-a-real-password', ARGON2_OPTIONS);
  const ok = await argon2.verify(user?.passwordHash ?? (await dummyHash), input.password).catch(() => false);
  if (!user || !user.passwordHash || !ok) throw new UnauthenticatedError('Incorrect handle/email or password.');
  const now = servicesOf(ctx).clock.now();
  await startSession(ctx.deps, ctx.req, ctx.res, user._id, now);
  await users.update(user._id, { $set: { lastSeenAt: now } });
  return user;
}

export async function signOut(ctx: Context): Promise<void> {
  await endSession(ctx.deps, ctx.req, ctx.res);
}

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(300);

const profileInput = z.object({
  displayName: z.string().trim().min(1).max(60).optional(),
  bio: z.string().max(3000, { error: 'must be at most 3000 characters' }).optional(),
  location: z.string().trim().max(100).nullable().optional(),
  websiteUrl: url.nullable().optional(),
  socialLinks: z
    .array(z.object({ label: z.string().trim().min(1).max(40), url }))
    .max(8, { error: 'at most 8 links' })
    .optional(),
  expertiseTags: z
    .array(z.string().trim().toLowerCase().regex(TAG_NAME, { error: 'is not a valid tag name' }))
    .max(10, { error: 'at most 10 tags' })
    .optional(),
});

export async function updateProfile(ctx: Context, raw: unknown): Promise<UserDoc> {
  const viewer = requireWriter(ctx);
  const input = parseInput(profileInput, raw);
  const set: Record<string, unknown> = {};
  if (input.displayName !== undefined) set.displayName = input.displayName;
  if (input.bio !== undefined) {
    set.bio = input.bio;
    set.bioHTML = renderMarkdown(input.bio);
  }
  if (input.location !== undefined) set.location = input.location || null;
  if (input.websiteUrl !== undefined) set.websiteUrl = input.websiteUrl;
  if (input.socialLinks !== undefined) set.socialLinks = input.socialLinks;
  if (input.expertiseTags !== undefined) set.expertiseTags = [...new Set(input.expertiseTags.map((t) => t.toLowerCase()))];
  const user = await reposOf(ctx).users.updateReturning(new Types.ObjectId(viewer.id), { $set: set });
  if (!user) throw new NotFoundError('Your account');
  // the people finder's index of skills and about text (analytics/analytics.people.ts)
  if (input.expertiseTags !== undefined || input.bio !== undefined) await profileChanged(ctx.deps, user);
  return user;
}

export function requireViewer(ctx: Pick<Context, 'viewer'>) {
  if (!ctx.viewer) throw new UnauthenticatedError();
  return ctx.viewer;
}

/**
 * A signed-in viewer allowed to write (sessions always; API tokens need a scope beyond `read`).
 * Each mutation field also declares the one scope a token needs for it (graphql/builder.ts needsScope).
 */
export function requireWriter(ctx: Pick<Context, 'viewer'>) {
  const viewer = requireViewer(ctx);
  if (!canWrite(viewer)) throw new ForbiddenError('This API token is read-only.');
  return viewer;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The longest a token may live (a year); no expiry at all is allowed too. */
export const MAX_TOKEN_DAYS = 366;

const createTokenInput = z
  .object({
    name: z.string().trim().min(1, { error: 'must not be empty' }).max(60),
    scopes: z
      .array(z.enum([...TOKEN_SCOPES, 'write']))
      .min(1, { error: 'choose at least one scope' })
      .transform((s) => [...new Set(s)] as TokenScope[]),
    expiresInDays: z
      .number()
      .int({ error: 'must be a whole number of days' })
      .min(1, { error: 'must be at least 1 day' })
      .max(MAX_TOKEN_DAYS, { error: `must be at most ${MAX_TOKEN_DAYS} days` })
      .nullish(),
    expiresAt: z.date().nullish(),
    /** an organisation's token (raw id): only its admins make them */
    organizationId: z.string().nullish(),
  })
  .refine((i) => i.expiresInDays == null || i.expiresAt == null, {
    error: 'give expiresInDays or expiresAt, not both',
    path: ['expiresAt'],
  });

const TOKEN_ORDER: readonly TokenScope[] = [...TOKEN_SCOPES, 'write'];

export async function createApiToken(ctx: Context, raw: unknown) {
  const viewer = requireViewer(ctx);
  // tokens are created from a session only: a token cannot mint tokens
  if (viewer.via !== 'session') throw new ForbiddenError('API tokens can only be created from a signed-in session.');
  const input = parseInput(createTokenInput, raw);
  const now = servicesOf(ctx).clock.now();
  let expiresAt: Date | null = null;
  if (input.expiresInDays != null) expiresAt = new Date(now.getTime() + input.expiresInDays * DAY_MS);
  else if (input.expiresAt != null) {
    if (input.expiresAt.getTime() <= now.getTime()) throw new ValidationError('must be in the future', 'expiresAt');
    if (input.expiresAt.getTime() > now.getTime() + MAX_TOKEN_DAYS * DAY_MS)
      throw new ValidationError(`must be at most ${MAX_TOKEN_DAYS} days away`, 'expiresAt');
    expiresAt = input.expiresAt;
  }
  const organizationId = input.organizationId ? await administeredOrganization(ctx, viewer.id, input.organizationId) : null;
  const tokens = reposOf(ctx).apiTokens;
  const count = await tokens.countActiveOf(new Types.ObjectId(viewer.id));
  if (count >= 50) throw new ConflictError('You have 50 active tokens; revoke one first.');
  const secret = newSecret('cq_');
  // the legacy `write` (the deprecated WRITE enum value) keeps its old meaning: read + every write:*
  const scopes = input.scopes.includes('write') ? [...new Set<TokenScope>(['read', ...input.scopes])] : input.scopes;
  const tokenHash = sha256(secret);
  const token = await tokens.create({
    _id: apiTokenIdOf(tokenHash),
    userId: new Types.ObjectId(viewer.id),
    name: input.name,
    scopes: TOKEN_ORDER.filter((s) => scopes.includes(s)),
    tokenHash,
    prefix: secret.slice(0, 7),
    expiresAt,
    organizationId,
  });
  return { token, secret };
}

export async function revokeApiToken(ctx: Context, tokenId: string) {
  const viewer = requireViewer(ctx);
  if (viewer.via !== 'session') throw new ForbiddenError('API tokens can only be revoked from a signed-in session.');
  if (!Types.ObjectId.isValid(tokenId)) throw new ValidationError('is not a token id', 'tokenId');
  const tokens = reposOf(ctx).apiTokens;
  const token = await tokens.findById(new Types.ObjectId(tokenId));
  if (!token) throw new NotFoundError('The token');
  // its owner, or an admin of the organisation it belongs to
  if (token.userId.toHexString() !== viewer.id) {
    const org = token.organizationId ? await reposOf(ctx).organizations.findById(token.organizationId) : null;
    if (!org || !isOrgAdmin(org, viewer.id)) throw new NotFoundError('The token');
  }
  if (!token.revokedAt) {
    await tokens.update(token._id, { $set: { revokedAt: servicesOf(ctx).clock.now() } });
    await ctx.deps.redis.del(`${ctx.deps.config.redisPrefix}token:${token.tokenHash}`).catch(() => undefined);
  }
  return (await tokens.findById(token._id))!;
}

/** The organisation (its id) the viewer administers, for its tokens; NOT_FOUND or FORBIDDEN otherwise. */
async function administeredOrganization(ctx: Context, viewerId: string, organizationId: string): Promise<Types.ObjectId> {
  if (!Types.ObjectId.isValid(organizationId)) throw new ValidationError('is not an organisation id', 'organizationId');
  const org = await reposOf(ctx).organizations.findById(new Types.ObjectId(organizationId));
  if (!org) throw new NotFoundError('The organisation');
  if (!isOrgAdmin(org, viewerId)) throw new ForbiddenError('Only the organisation’s admins can manage its API tokens.');
  return org._id;
}

/** An organisation's tokens, for its admins (sessions only: a token never lists tokens). */
export async function organizationApiTokens(ctx: Context, organizationId: string) {
  const viewer = requireViewer(ctx);
  if (viewer.via !== 'session') throw new ForbiddenError('API tokens can only be listed from a signed-in session.');
  const orgId = await administeredOrganization(ctx, viewer.id, organizationId);
  return reposOf(ctx).apiTokens.listOfOrganization(orgId);
}

/** Grants a role (admin command line). STAFF carries an affiliation (the vendor). */
export async function grantRole(
  repos: Pick<Repositories, 'users'>,
  handle: string,
  role: Role,
  affiliation: string | null,
): Promise<UserDoc> {
  const found = await repos.users.findByHandleKey(handle.toLowerCase());
  const user = found
    ? await repos.users.updateReturning(found._id, {
        $set: { role, affiliation: role === 'STAFF' || role === 'ADMIN' ? affiliation : null },
      })
    : null;
  if (!user) throw new NotFoundError(`User "${handle}"`);
  return user;
}
