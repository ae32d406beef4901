// Organisations: create (site admins), update, add and remove members (site or organisation
// admins), and the membership of a member — joined lazily by their email's domain the first time
// it is asked for (sign-up or sign-in writes nothing here; the first page or question that needs
// the badge does, once).
import type { Types } from 'mongoose';
import { z } from 'zod';
import type { AppDeps, Context } from '../../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { toObjectId } from '../../lib/ids.js';
import { parseInput } from '../../lib/validate.js';
import { reposOf, servicesOf } from '../services.js';
import { requireWriter } from '../user/user.service.js';
import type { MembershipDoc, OrganizationDoc } from './organization.model.js';
import { canCreateOrganization, canManageOrganization } from './organization.policy.js';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const DOMAIN = /^(?=.{3,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
const domains = z
  .array(z.string().trim().toLowerCase().regex(DOMAIN, { error: 'is not a domain name' }))
  .max(20, { error: 'at most 20 domains' });
const tier = z.string().trim().min(1).max(30).nullable();

const createInput = z.object({
  slug: z.string().regex(SLUG, { error: 'use 1–40 lowercase letters, digits or "-"' }),
  name: z.string().trim().min(2).max(80),
  kind: z.enum(['VENDOR', 'CUSTOMER']),
  domains: domains.default([]),
  supportTier: tier.default(null),
});

async function claimDomains(deps: AppDeps, org: OrganizationDoc, list: readonly string[]) {
  const repo = deps.repos.organizations.domains;
  for (const domain of list) {
    const held = await repo.findById(domain);
    if (held && !held.orgId.equals(org._id)) throw new ValidationError(`${domain} belongs to another organisation`, 'domains');
  }
  for (const domain of list) await repo.set(domain, org._id);
}

export async function createOrganization(ctx: Context, raw: z.input<typeof createInput>): Promise<OrganizationDoc> {
  const viewer = requireWriter(ctx);
  if (!canCreateOrganization(viewer)) throw new ForbiddenError('Only admins create organisations.');
  const input = parseInput(createInput, raw);
  const repo = reposOf(ctx).organizations;
  for (const domain of input.domains) {
    if (await repo.domains.findById(domain)) throw new ValidationError(`${domain} belongs to another organisation`, 'domains');
  }
  let org: OrganizationDoc;
  try {
    org = await repo.create({ ...input, adminIds: [], memberIds: [], spaceIds: [] });
  } catch (error) {
    if ((error as { code?: number }).code === 11000) throw new ValidationError('an organisation with this slug exists', 'slug');
    throw error;
  }
  await claimDomains(ctx.deps, org, input.domains);
  return org;
}

const updateInput = z.object({
  organizationId: z.string(),
  name: z.string().trim().min(2).max(80).optional(),
  domains: domains.optional(),
  supportTier: tier.optional(),
  spaceIds: z.array(z.string()).max(50).optional(),
});

export async function loadOrganization(ctx: Pick<Context, 'deps'>, id: string | Types.ObjectId): Promise<OrganizationDoc> {
  const oid = toObjectId(id);
  const org = oid ? await reposOf(ctx).organizations.findById(oid) : null;
  if (!org) throw new NotFoundError('The organisation');
  return org;
}

export async function updateOrganization(ctx: Context, raw: z.input<typeof updateInput>): Promise<OrganizationDoc> {
  const viewer = requireWriter(ctx);
  const input = parseInput(updateInput, raw);
  const org = await loadOrganization(ctx, input.organizationId);
  if (!canManageOrganization(viewer, org)) throw new ForbiddenError('Only the organisation’s admins manage it.');
  const siteOnly = input.supportTier !== undefined || input.spaceIds !== undefined;
  if (siteOnly && !canCreateOrganization(viewer)) throw new ForbiddenError('Only site admins set the support tier and spaces.');
  const set: Record<string, unknown> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.supportTier !== undefined) set.supportTier = input.supportTier;
  if (input.spaceIds !== undefined) {
    const ids = input.spaceIds.map((s) => toObjectId(s));
    if (ids.some((id) => id === null)) throw new ValidationError('is not a list of space ids', 'spaceIds');
    const found = await reposOf(ctx).spaces.findManyByIds(ids as Types.ObjectId[], '_id');
    if (found.length !== new Set(input.spaceIds).size) throw new ValidationError('names a space that does not exist', 'spaceIds');
    set.spaceIds = ids;
  }
  if (input.domains !== undefined) {
    await claimDomains(ctx.deps, org, input.domains);
    for (const gone of org.domains.filter((d) => !input.domains!.includes(d))) await reposOf(ctx).organizations.domains.deleteById(gone);
    set.domains = input.domains;
  }
  const updated = await reposOf(ctx).organizations.updateReturning(org._id, { $set: set });
  if (input.name !== undefined && input.name !== org.name) {
    for (const userId of updated!.memberIds) await writeMembership(ctx.deps, userId, updated!, 'ADMIN', true);
  }
  return updated!;
}

const memberInput = z.object({ organizationId: z.string(), handle: z.string().trim().min(1).max(40), admin: z.boolean().default(false) });

async function writeMembership(deps: AppDeps, userId: Types.ObjectId, org: OrganizationDoc, via: 'DOMAIN' | 'ADMIN', keepVia = false) {
  const existing = keepVia ? await deps.repos.organizations.memberships.findById(userId) : null;
  await deps.repos.organizations.memberships.set(userId, {
    orgId: org._id,
    orgName: org.name,
    orgKind: org.kind,
    via: existing?.via === 'DOMAIN' ? 'DOMAIN' : via,
    joinedAt: existing?.joinedAt ?? deps.services.clock.now(),
  });
  // a vendor's engineers are STAFF, affiliated with it (a role above STAFF stays)
  if (org.kind === 'VENDOR') {
    const user = await deps.repos.users.findById(userId, 'role');
    if (user && (user.role === 'MEMBER' || user.role === 'STAFF'))
      await deps.repos.users.update(userId, { $set: { role: 'STAFF', affiliation: org.name } });
  }
}

export async function addOrganizationMember(ctx: Context, raw: z.input<typeof memberInput>): Promise<OrganizationDoc> {
  const viewer = requireWriter(ctx);
  const input = parseInput(memberInput, raw);
  const org = await loadOrganization(ctx, input.organizationId);
  if (!canManageOrganization(viewer, org)) throw new ForbiddenError('Only the organisation’s admins add members.');
  const user = await reposOf(ctx).users.findByHandleKey(input.handle.toLowerCase());
  if (!user) throw new NotFoundError(`User "${input.handle}"`);
  const current = await reposOf(ctx).organizations.memberships.findById(user._id);
  if (current?.orgId && !current.orgId.equals(org._id)) throw new ValidationError('already belongs to another organisation', 'handle');
  const update: Record<string, unknown> = { $addToSet: { memberIds: user._id, ...(input.admin ? { adminIds: user._id } : {}) } };
  const updated = await reposOf(ctx).organizations.updateReturning(org._id, update);
  await writeMembership(ctx.deps, user._id, updated!, 'ADMIN');
  return updated!;
}

const removeInput = z.object({ organizationId: z.string(), handle: z.string().trim().min(1).max(40) });

export async function removeOrganizationMember(ctx: Context, raw: z.input<typeof removeInput>): Promise<OrganizationDoc> {
  const viewer = requireWriter(ctx);
  const input = parseInput(removeInput, raw);
  const org = await loadOrganization(ctx, input.organizationId);
  if (!canManageOrganization(viewer, org)) throw new ForbiddenError('Only the organisation’s admins remove members.');
  const user = await reposOf(ctx).users.findByHandleKey(input.handle.toLowerCase());
  if (!user) throw new NotFoundError(`User "${input.handle}"`);
  const updated = await reposOf(ctx).organizations.updateReturning(org._id, { $pull: { memberIds: user._id, adminIds: user._id } });
  // REMOVED: by an admin, so the email domain does not bring them back
  await reposOf(ctx).organizations.memberships.set(user._id, {
    orgId: null,
    orgName: null,
    orgKind: null,
    via: 'REMOVED',
    joinedAt: servicesOf(ctx).clock.now(),
  });
  return updated!;
}

/** The domain of an email address (lowercase), or null. */
export function emailDomain(email: string | null | undefined): string | null {
  const at = email?.lastIndexOf('@') ?? -1;
  return at > 0 ? email!.slice(at + 1).toLowerCase() : null;
}

/** how long a member found in no organisation stays so before their email domain is looked up again */
const RECHECK_MS = 10 * 60_000;

/**
 * A member's organisation (null: none). The first time it is asked for, a member whose email
 * domain a CUSTOMER organisation claims joins it (vendor organisations add their engineers by
 * hand); the answer is stored, so later reads are one read by `_id`.
 */
export async function membershipOf(deps: AppDeps, userId: Types.ObjectId | string): Promise<MembershipDoc | null> {
  const id = toObjectId(userId);
  if (!id) return null;
  return resolveMembership(deps, id, await deps.repos.organizations.memberships.findCachedById(id));
}

/** `membershipOf` for a membership document already read (null: none stored yet). */
export async function resolveMembership(deps: AppDeps, id: Types.ObjectId, found: MembershipDoc | null): Promise<MembershipDoc | null> {
  const repo = deps.repos.organizations;
  if (found?.orgId) return found;
  const now = deps.services.clock.now();
  // "no organisation" is remembered for a while (a domain claimed later is found after it)
  if (found && (found.via === 'REMOVED' || now.getTime() - found.joinedAt.getTime() < RECHECK_MS)) return null;
  const user = await deps.repos.users.findById(id, 'email');
  if (!user) return null;
  const domain = emailDomain(user.email);
  const claim = domain ? await repo.domains.findById(domain) : null;
  const org = claim ? await repo.findById(claim.orgId) : null;
  if (!org || org.kind !== 'CUSTOMER') {
    await repo.memberships.rememberNone(id, now);
    return null;
  }
  await repo.update(org._id, { $addToSet: { memberIds: id } });
  await writeMembership(deps, id, org, 'DOMAIN');
  return repo.memberships.findById(id);
}

/** The organisation a member belongs to (null: none). */
export async function organizationOf(deps: AppDeps, userId: Types.ObjectId | string): Promise<OrganizationDoc | null> {
  const membership = await membershipOf(deps, userId);
  return membership?.orgId ? deps.repos.organizations.findById(membership.orgId) : null;
}

/** "Customer · Acme Bank", "Staff · Acme Corp", or null. */
export function orgBadge(membership: Pick<MembershipDoc, 'orgKind' | 'orgName'> | null): string | null {
  if (!membership?.orgName) return null;
  return `${membership.orgKind === 'VENDOR' ? 'Staff' : 'Customer'} · ${membership.orgName}`;
}
