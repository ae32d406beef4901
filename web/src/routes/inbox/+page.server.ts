import { fail, redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import type { Actions, PageServerLoad } from './$types';

const InboxQuery = graphql(`
  query Inbox($first: Int!, $after: String, $unreadOnly: Boolean) {
    unreadNotificationCount
    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      nodes {
        id
        kind
        count
        isRead
        url
        text
        updatedAt
        actorCount
        actors {
          handle
          displayName
        }
        question {
          title
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const MarkReadMutation = graphql(
  `
    mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) {
      markNotificationsRead(input: $input) {
        unreadCount
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const load: PageServerLoad = async (event) => {
  const { locals, url } = event;
  if (!locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  const unreadOnly = url.searchParams.get('filter') === 'unread';
  const after = url.searchParams.get('after');
  try {
    const data = await gql(event, InboxQuery, { first: 30, after: after || null, unreadOnly });
    return { unreadOnly, unread: data.unreadNotificationCount, notifications: data.notifications };
  } catch (err) {
    apiFailure(err);
  }
};

async function mark(event: Parameters<Actions[string]>[0], input: { ids?: string[]; all?: boolean }) {
  if (!event.locals.viewer) redirect(303, '/signin?redirectTo=/inbox');
  const payload = (await gql(event, MarkReadMutation, { input })).markNotificationsRead;
  if (payload.errors.length) return fail(400, { error: payload.errors[0]!.message });
  return { marked: true };
}

export const actions: Actions = {
  markAll: (event) => mark(event, { all: true }),
  markOne: async (event) => {
    const id = String((await event.request.formData()).get('id') ?? '');
    return mark(event, { ids: [id] });
  },
  /** mark read, then follow the entry's link (works without JavaScript) */
  open: async (event) => {
    const form = await event.request.formData();
    const id = String(form.get('id') ?? '');
    const to = String(form.get('url') ?? '/inbox');
    await mark(event, { ids: [id] });
    redirect(303, to.startsWith('/') && !to.startsWith('//') ? to : '/inbox');
  },
};
