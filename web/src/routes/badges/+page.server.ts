import { graphql } from '$lib/graphql/graphql';
import { apiFailure, gql } from '$lib/server/api';
import type { PageServerLoad } from './$types';

const BadgesQuery = graphql(`
  query Badges {
    badges {
      name
      slug
      tier
      description
      url
      awardedCount
    }
  }
`);

export const load: PageServerLoad = async (event) => {
  try {
    const data = await gql(event, BadgesQuery, {});
    return { badges: data.badges };
  } catch (err) {
    apiFailure(err);
  }
};
