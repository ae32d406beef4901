import { error, redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { QuestionSummaryFragment, UserChipFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import { pageArgs } from '$lib/server/paging';
import type { PageServerLoad } from './$types';

const TagPageQuery = graphql(
  `
    query TagPage($name: String!, $first: Int, $after: String, $last: Int, $before: String, $orderBy: QuestionOrder) {
      tag(name: $name) {
        id
        name
        url
        description
        descriptionHTML
        excerpt
        questionCount
        synonyms
        viewerCanEdit
        viewerIsFollowing
        viewerIsIgnoring
        synonymOf {
          name
          url
        }
        topAskers(first: 5) {
          questionCount
          score
          user {
            ...UserChip
          }
        }
        topAnswerers(first: 5) {
          answerCount
          acceptedCount
          score
          user {
            ...UserChip
          }
        }
        questions(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
          nodes {
            ...QuestionSummary
          }
          pageInfo {
            hasNextPage
            hasPreviousPage
            startCursor
            endCursor
          }
        }
      }
    }
  `,
  [QuestionSummaryFragment, UserChipFragment],
);

const SORTS = { newest: 'NEWEST', active: 'ACTIVE', votes: 'VOTES', unanswered: 'UNANSWERED' } as const;

export const load: PageServerLoad = async (event) => {
  const name = event.params.name.toLowerCase();
  const sortParam = event.url.searchParams.get('sort') ?? 'newest';
  const sort = (sortParam in SORTS ? sortParam : 'newest') as keyof typeof SORTS;
  let data;
  try {
    data = await gql(event, TagPageQuery, { name, ...pageArgs(event.url, 30), orderBy: SORTS[sort] });
  } catch (err) {
    apiFailure(err);
  }
  const tag = data.tag;
  if (!tag) error(404, `There is no tag “${name}”`);
  // Synonyms resolve to their master tag: one canonical page per tag.
  if (tag.name !== event.params.name) redirect(301, tag.url + event.url.search);
  return { tag, sort, sorts: Object.keys(SORTS) };
};
