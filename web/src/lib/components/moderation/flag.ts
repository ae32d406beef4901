// The flag mutation behind FlagForm.svelte (question page action `?/flag`).
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';

export const FLAG_REASONS = ['SPAM', 'RUDE_OR_ABUSIVE', 'NEEDS_IMPROVEMENT', 'NOT_AN_ANSWER', 'NEEDS_MODERATOR_ATTENTION'] as const;
export type FlagFormReason = (typeof FLAG_REASONS)[number];

export const FlagMutation = graphql(
  `
    mutation FlagPost($input: FlagInput!) {
      flag(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);
