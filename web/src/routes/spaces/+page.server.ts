import { graphql } from '$lib/graphql/graphql';
import { apiFailure, gql } from '$lib/server/api';
import { pageArgs } from '$lib/server/paging';
import type { PageServerLoad } from './$types';

const SpacesQuery = graphql(`
  query Spaces($first: Int, $after: String, $last: Int, $before: String) {
    spaces(first: $first, after: $after, last: $last, before: $before) {
      nodes {
        id
        slug
        name
        description
        questionCount
        url
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`);

export const load: PageServerLoad = async (event) => {
  try {
    const data = await gql(event, SpacesQuery, pageArgs(event.url, 50));
    return { spaces: data.spaces };
  } catch (err) {
    apiFailure(err);
  }
};
