// The header's unread count (the inbox badge), read once per page for signed-in members.
import { graphql } from '$lib/graphql/graphql';
import { gql, type ApiEvent } from './api';

const UnreadCountQuery = graphql(`
  query UnreadNotificationCount {
    unreadNotificationCount
  }
`);

/** The viewer's unread notifications (0 when the API cannot say: the badge is not worth an error page). */
export async function unreadCount(event: ApiEvent): Promise<number> {
  try {
    return (await gql(event, UnreadCountQuery)).unreadNotificationCount;
  } catch {
    return 0;
  }
}
