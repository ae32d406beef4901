import { graphql } from '$lib/graphql/graphql';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import type { PageServerLoad } from './$types';

const SearchQuery = graphql(`
  query Search($query: String!, $first: Int!, $after: String, $sort: SearchSort) {
    search(query: $query, first: $first, after: $after, sort: $sort) {
      query
      totalCount
      terms
      phrases
      chips {
        kind
        value
        raw
        negated
      }
      facets {
        tags {
          value
          count
        }
        spaces {
          value
          count
        }
        types {
          value
          count
        }
        statuses {
          value
          count
        }
      }
      nodes {
        type
        titleHighlight
        snippet
        score
        createdAt
        tags
        question {
          id
          url
          answerCount
          isClosed
          acceptedAnswer {
            id
          }
          space {
            slug
            name
          }
        }
        answer {
          id
          url
          isAccepted
          author {
            handle
            displayName
          }
        }
        post {
          author {
            handle
            displayName
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const SORTS = { relevance: 'RELEVANCE', newest: 'NEWEST', votes: 'VOTES', activity: 'ACTIVITY' } as const;
type Sort = keyof typeof SORTS;
const CURSOR = /^[A-Za-z0-9_\-=:.+/]{1,512}$/;

export const load: PageServerLoad = async (event) => {
  const q = (event.url.searchParams.get('q') ?? '').trim().slice(0, 1000);
  const sortParam = event.url.searchParams.get('sort') ?? 'relevance';
  const sort: Sort = sortParam in SORTS ? (sortParam as Sort) : 'relevance';
  const after = event.url.searchParams.get('after');
  if (!q) return { q, sort, result: null, queryError: null };

  try {
    const data = await gql(event, SearchQuery, {
      query: q,
      first: 20,
      after: after && CURSOR.test(after) ? after : null,
      sort: SORTS[sort],
    });
    return { q, sort, result: data.search, queryError: null };
  } catch (err) {
    // A malformed operator (e.g. "score:abc") is the searcher's mistake: say what is wrong.
    if (err instanceof ApiError && err.code === 'VALIDATION') {
      return { q, sort, result: null, queryError: err.errors[0]?.message ?? err.message };
    }
    apiFailure(err);
  }
};
