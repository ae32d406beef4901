import { graphql } from '$lib/graphql/graphql';
import { apiFailure, gql } from '$lib/server/api';
import { pageArgs } from '$lib/server/paging';
import type { PageServerLoad } from './$types';

const TagsQuery = graphql(`
  query Tags($first: Int, $after: String, $last: Int, $before: String, $orderBy: TagOrder, $prefix: String) {
    tags(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, prefix: $prefix) {
      totalCount
      nodes {
        id
        name
        excerpt
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
  const sort = event.url.searchParams.get('sort') === 'name' ? 'name' : 'popular';
  const filter = (event.url.searchParams.get('filter') ?? '').trim().toLowerCase().slice(0, 35);
  try {
    const data = await gql(event, TagsQuery, {
      ...pageArgs(event.url, 48),
      orderBy: sort === 'name' ? 'NAME' : 'POPULAR',
      prefix: filter || null,
    });
    return { tags: data.tags, sort, filter };
  } catch (err) {
    apiFailure(err);
  }
};
