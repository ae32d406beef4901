import { graphql } from '$lib/graphql/graphql';
import { UserChipFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import { pageArgs } from '$lib/server/paging';
import type { PageServerLoad } from './$types';

const UsersQuery = graphql(
  `
    query Users($first: Int, $after: String, $last: Int, $before: String, $orderBy: MemberOrder, $tag: String) {
      users(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, tag: $tag) {
        nodes {
          ...UserChip
          location
          answerCount
          topTags(first: 3) {
            name
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
      }
    }
  `,
  [UserChipFragment],
);

const ORDERS = { reputation: 'REPUTATION', newest: 'NEWEST', name: 'NAME' } as const;
const TAG = /^[a-z0-9+#.-]{1,35}$/;

export const load: PageServerLoad = async (event) => {
  const param = event.url.searchParams.get('sort') ?? 'reputation';
  const sort = (param in ORDERS ? param : 'reputation') as keyof typeof ORDERS;
  const rawTag = (event.url.searchParams.get('tag') ?? '').trim().toLowerCase();
  const tag = TAG.test(rawTag) ? rawTag : '';
  const paging = pageArgs(event.url, 36);
  try {
    const data = await gql(event, UsersQuery, {
      // a tag's experts page forward only
      ...(tag && paging.before ? { first: 36 } : paging),
      orderBy: ORDERS[sort],
      tag: tag || null,
    });
    return { users: data.users, sort, tag };
  } catch (err) {
    apiFailure(err);
  }
};
