import { error } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { UserChipFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import type { PageServerLoad } from './$types';

const BadgeQuery = graphql(
  `
    query Badge($slug: String!, $after: String) {
      badge(slug: $slug) {
        name
        slug
        tier
        description
        tagBased
        awardedCount
        holders(first: 60, after: $after) {
          nodes {
            id
            awardedAt
            user {
              ...UserChip
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  `,
  [UserChipFragment],
);

const SLUG = /^[a-z0-9][a-z0-9+#.-]{0,80}$/;

export const load: PageServerLoad = async (event) => {
  const { slug } = event.params;
  if (!SLUG.test(slug)) error(404, 'No such badge');
  const after = event.url.searchParams.get('after');
  let data;
  try {
    data = await gql(event, BadgeQuery, { slug, after });
  } catch (err) {
    apiFailure(err);
  }
  if (!data.badge) error(404, `There is no badge “${slug}”`);
  return { badge: data.badge };
};
