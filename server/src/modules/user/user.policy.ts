// Pure rules about the viewer themself, shared by every module's policies: who may write at all
// (a session, or an API token with the write scope) and what a role allows.
import type { Viewer } from '../../context.js';
import { isAtLeast } from '../../lib/roles.js';
import { viewerHasScope, type FineScope } from '../../lib/scopes.js';

/**
 * May the viewer write at all: a session, or an API token with `scope` (when given) or else with
 * any scope beyond `read` (the mutation field's own scope is checked by scope-auth).
 */
export const canWrite = (viewer: Viewer | null, scope?: FineScope): viewer is Viewer => {
  if (viewer === null) return false;
  if (viewer.via === 'session') return true;
  return scope ? viewerHasScope(viewer, scope) : viewer.scopes.some((s) => s !== 'read');
};
export const isModerator = (viewer: Viewer | null) => isAtLeast(viewer?.role, 'MODERATOR');
export const isStaff = (viewer: Viewer | null) => viewer?.role === 'STAFF' || viewer?.role === 'ADMIN';
