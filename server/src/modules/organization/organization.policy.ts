// Who may do what with organisations (pure).
import type { Types } from 'mongoose';
import type { Viewer } from '../../context.js';

type OrgFacts = { adminIds: readonly Types.ObjectId[]; memberIds: readonly Types.ObjectId[] };

/** An administrator of this organisation (not of the site). */
export function isOrgAdmin(org: { adminIds: readonly Types.ObjectId[] }, userId: string | null | undefined): boolean {
  return !!userId && org.adminIds.some((id) => id.toHexString() === userId);
}

export function isOrgMember(org: OrgFacts, userId: string | null | undefined): boolean {
  return !!userId && (org.memberIds.some((id) => id.toHexString() === userId) || isOrgAdmin(org, userId));
}

/** Site admins create organisations and change their kind, tier and spaces. */
export function canCreateOrganization(viewer: Viewer | null): boolean {
  return viewer?.role === 'ADMIN';
}

/** Site admins and the organisation's admins manage its name, domains and members. */
export function canManageOrganization(viewer: Viewer | null, org: OrgFacts): boolean {
  return viewer?.role === 'ADMIN' || isOrgAdmin(org, viewer?.id);
}

/** Members, domains and tier are private to the organisation and the site's admins. */
export function canSeeOrganizationPrivate(viewer: Viewer | null, org: OrgFacts): boolean {
  return viewer?.role === 'ADMIN' || isOrgMember(org, viewer?.id);
}
