// Pure rules for webhooks, shared by the service (enforcement) and the GraphQL hints.
import type { Viewer } from '../../context.js';
import { viewerHasScope } from '../../lib/scopes.js';
import { ACTIVITY_TYPES } from '../activity/activity.js';

/** Events a webhook may subscribe to (`ping` is sent on request only). */
export const WEBHOOK_EVENTS: readonly string[] = ACTIVITY_TYPES;

/** Admins manage webhooks: from a session, or with an API token holding `admin:webhooks`. */
export function canManageWebhooks(viewer: Viewer | null): boolean {
  return viewer !== null && viewer.role === 'ADMIN' && viewerHasScope(viewer, 'admin:webhooks');
}

/** Whether a webhook wants an event: active, subscribed to its type, and site-wide or of its space. */
export function wantsEvent(
  webhook: { active?: boolean | null; events?: readonly string[] | null; spaceId?: { toString(): string } | null },
  event: { type: string; spaceId?: string | null },
): boolean {
  if (!webhook.active) return false;
  if (!webhook.events?.includes(event.type)) return false;
  return !webhook.spaceId || webhook.spaceId.toString() === event.spaceId;
}
