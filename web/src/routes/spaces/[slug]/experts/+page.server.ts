import { error } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { UserChipFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import type { PageServerLoad } from './$types';

const SpaceExpertsQuery = graphql(
  `
    query SpaceExpertsPage($slug: String!) {
      space(slug: $slug) {
        id
        slug
        name
        url
        experts(first: 50) {
          answerCount
          acceptedCount
          verifiedCount
          score
          user {
            ...UserChip
          }
        }
      }
    }
  `,
  [UserChipFragment],
);

export const load: PageServerLoad = async (event) => {
  const slug = event.params.slug.toLowerCase();
  const data = await gql(event, SpaceExpertsQuery, { slug }).catch((err: unknown) => apiFailure(err));
  if (!data.space) error(404, `There is no space “${slug}”`);
  return { space: data.space };
};
