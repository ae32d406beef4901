import { siteName } from '$lib/server/config';
import { unreadCount } from '$lib/server/inbox';
import { standingOf } from '$lib/server/standing';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => ({
  viewer: event.locals.viewer,
  siteName: siteName(),
  // the header's inbox badge (signed-in members only; live updates keep it current)
  unreadNotificationCount: event.locals.viewer ? await unreadCount(event) : 0,
  // suspension / silence notices and unacknowledged moderator messages (modules/moderation)
  standing: event.locals.viewer ? await standingOf(event) : null,
});
