// Privileges earned by reputation (Stack Overflow's model). Pure: policies, services and the
// `viewerCan*` / `User.privileges` fields share these functions. Moderators and admins hold every
// privilege; staff (vendor engineers) hold those up to `editWithoutReview` and `moderatorTools`'
// reading side is not theirs; members earn them by reputation.
import { ForbiddenError } from '../../lib/errors.js';
import { isAtLeast, type Role } from '../../lib/roles.js';
import { DEFAULT_MODERATION_RULES, PRIVILEGE_NAMES, type PrivilegeName } from './moderation.rules.js';

export { PRIVILEGE_NAMES, type PrivilegeName };

/** The default thresholds (reputation needed), keyed by privilege. Config: MODERATION_RULES.privileges. */
export const PRIVILEGES: Readonly<Record<PrivilegeName, number>> = DEFAULT_MODERATION_RULES.privileges;

/** What a privilege lets you do, for messages ("You need 15 reputation to vote up."). */
export const PRIVILEGE_ACTIONS: Readonly<Record<PrivilegeName, string>> = Object.freeze({
  voteUp: 'vote up',
  flag: 'flag posts',
  commentEverywhere: 'comment on posts that are not yours',
  voteDown: 'vote down',
  reviewFirstPosts: 'review first posts and late answers',
  seeVoteCounts: 'see up and down vote counts',
  editWithoutReview: 'edit without review',
  closeReopenVotes: 'cast close and reopen votes',
  moderatorTools: 'use the moderator tools',
  protectQuestions: 'protect questions',
  trustedUser: 'delete and undelete by vote',
});

/** Privileges staff hold whatever their reputation (vendor engineers curate their own products). */
const STAFF_PRIVILEGES: ReadonlySet<PrivilegeName> = new Set([
  'voteUp',
  'flag',
  'commentEverywhere',
  'voteDown',
  'reviewFirstPosts',
  'seeVoteCounts',
  'editWithoutReview',
]);

export interface PrivilegeHolder {
  role: Role | string;
  /** absent (e.g. a Viewer without its member loaded) counts as 0 */
  reputation?: number | null;
}

export type Thresholds = Readonly<Record<PrivilegeName, number>>;

export function hasPrivilege(user: PrivilegeHolder | null | undefined, name: PrivilegeName, thresholds: Thresholds = PRIVILEGES): boolean {
  if (!user) return false;
  const role = user.role as Role;
  if (isAtLeast(role, 'MODERATOR')) return true;
  if (role === 'STAFF' && STAFF_PRIVILEGES.has(name)) return true;
  return (user.reputation ?? 0) >= thresholds[name];
}

/** The message naming the missing privilege. */
export function privilegeMessage(name: PrivilegeName, thresholds: Thresholds = PRIVILEGES): string {
  return `You need ${thresholds[name].toLocaleString('en-US')} reputation to ${PRIVILEGE_ACTIONS[name]}.`;
}

/** Throws FORBIDDEN naming the privilege (and its threshold) when the user lacks it. */
export function requirePrivilege(user: PrivilegeHolder | null | undefined, name: PrivilegeName, thresholds: Thresholds = PRIVILEGES): void {
  if (!hasPrivilege(user, name, thresholds)) throw new ForbiddenError(privilegeMessage(name, thresholds));
}

/** Every privilege the user holds, in threshold order. */
export function privilegesOf(user: PrivilegeHolder | null | undefined, thresholds: Thresholds = PRIVILEGES): PrivilegeName[] {
  return PRIVILEGE_NAMES.filter((n) => hasPrivilege(user, n, thresholds));
}
