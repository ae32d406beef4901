// The question page's "Linked" and "Related" sidebar (QuestionLinks.svelte): its fragment, spread
// into the question page's query.
import { graphql } from '$lib/graphql/graphql';

export const QuestionLinksFragment = graphql(`
  fragment QuestionLinks on Question @_unmask {
    linkedQuestions {
      id
      title
      url
      score
      isClosed
    }
    relatedQuestions {
      id
      title
      url
      score
      isClosed
    }
  }
`);
