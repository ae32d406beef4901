// Pure rules about the viewer themself, shared by every module's policies: who may write at all
// (a session, or an API token with the write scope) and what a role allows.
import type { Viewer } from '../../context.js';
import { isAtLeast } from '../../lib/roles.js';

export const canWrite = (viewer: Viewer | null): viewer is Viewer =>
  viewer !== null && (viewer.via === 'session' || viewer.scopes.includes('write'));
export const isModerator = (viewer: Viewer | null) => isAtLeast(viewer?.role, 'MODERATOR');
export const isStaff = (viewer: Viewer | null) => viewer?.role === 'STAFF' || viewer?.role === 'ADMIN';
