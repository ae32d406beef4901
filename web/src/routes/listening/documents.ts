// The listening page's GraphQL documents (issue 15).
import { graphql } from '$lib/graphql/graphql';

export const ListeningPageQuery = graphql(`
  query ListeningPage($watchId: String, $first: Int, $after: String) {
    listeningWatches {
      id
      name
      query
      createdAt
      owner {
        handle
      }
    }
    listeningMatches(watchId: $watchId, first: $first, after: $after) {
      totalCount
      hasNextPage
      endCursor
      nodes {
        id
        watchId
        day
        excerpt
        matchedAt
        revision
        question {
          id
          title
          url
        }
        answer {
          id
          url
        }
        space {
          slug
          name
        }
      }
    }
  }
`);

export const CreateWatchMutation = graphql(`
  mutation ListeningCreateWatch($input: CreateListeningWatchInput!) {
    createListeningWatch(input: $input) {
      watch {
        id
      }
      errors {
        code
        message
        ... on ValidationError {
          field
        }
      }
    }
  }
`);

export const DeleteWatchMutation = graphql(`
  mutation ListeningDeleteWatch($input: DeleteListeningWatchInput!) {
    deleteListeningWatch(input: $input) {
      deletedWatchId
      errors {
        code
        message
      }
    }
  }
`);

export const GROUPINGS = ['watch', 'space', 'day'] as const;
export type Grouping = (typeof GROUPINGS)[number];
