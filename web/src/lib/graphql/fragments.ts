// Fragments shared by several pages. `@_unmask` spreads their fields into the parent's result
// type, so components take `ResultOf<typeof Fragment>` directly.
import { graphql } from './graphql';

export const UserChipFragment = graphql(`
  fragment UserChip on User @_unmask {
    id
    handle
    displayName
    reputation
    role
    affiliation
    url
    badgeCounts {
      gold
      silver
      bronze
    }
  }
`);

export const QuestionSummaryFragment = graphql(
  `
    fragment QuestionSummary on Question @_unmask {
      id
      title
      url
      score
      answerCount
      viewCount
      isAnswered
      isClosed
      createdAt
      lastActivityAt
      acceptedAnswer {
        id
      }
      activeBounty {
        amount
      }
      tags {
        name
      }
      space {
        slug
        name
      }
      author {
        ...UserChip
      }
    }
  `,
  [UserChipFragment],
);

export const PageInfoFragment = graphql(`
  fragment Pagination on PageInfo @_unmask {
    hasNextPage
    endCursor
  }
`);

export const PayloadErrorFragment = graphql(`
  fragment PayloadError on Error @_unmask {
    message
    code
    ... on ValidationError {
      field
      path
    }
  }
`);

export const AttributionFragment = graphql(`
  fragment AttributionInfo on Attribution @_unmask {
    site
    url
    authorName
    authorUrl
    license
  }
`);
