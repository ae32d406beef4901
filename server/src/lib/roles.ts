/** Who a member is on the site: MEMBER < STAFF < MODERATOR < ADMIN. */
export type Role = 'MEMBER' | 'STAFF' | 'MODERATOR' | 'ADMIN';

export const ROLES: readonly Role[] = ['MEMBER', 'STAFF', 'MODERATOR', 'ADMIN'];

/**
 * Role order for coarse checks: MEMBER < STAFF < MODERATOR < ADMIN. STAFF (vendor engineers)
 * may verify answers; moderators curate; admins do everything.
 */
export function isAtLeast(role: Role | undefined, wanted: Role): boolean {
  if (!role) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(wanted);
}
