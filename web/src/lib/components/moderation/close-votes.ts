// The retract mutation behind RetractVoteForm.svelte (question page action `?/retractCloseVote`).
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';

export const RetractCloseVoteMutation = graphql(
  `
    mutation RetractCloseVote($input: RetractCloseVoteInput!) {
      retractCloseVote(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);
