// GraphQL documents of the bounty UI (the question page's actions).
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';

export const OfferBountyMutation = graphql(
  `
    mutation OfferBounty($input: OfferBountyInput!) {
      offerBounty(input: $input) {
        bounty {
          id
        }
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const AwardBountyMutation = graphql(
  `
    mutation AwardBounty($input: AwardBountyInput!) {
      awardBounty(input: $input) {
        bounty {
          id
        }
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);
