import { error, redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { UserChipFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import type { PageServerLoad } from './$types';

// the tag's top answerers: the same ranking (and read model) as `experts(tag)`
const TagExpertsQuery = graphql(
  `
    query TagExpertsPage($name: String!) {
      tag(name: $name) {
        id
        name
        url
        topAnswerers(first: 50) {
          answerCount
          acceptedCount
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
  const name = event.params.name.toLowerCase();
  const data = await gql(event, TagExpertsQuery, { name }).catch((err: unknown) => apiFailure(err));
  const tag = data.tag;
  if (!tag) error(404, `There is no tag “${name}”`);
  // synonyms resolve to their master tag
  if (tag.name !== event.params.name) redirect(301, `${tag.url}/experts`);
  return { tag };
};
