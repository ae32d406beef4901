import { error, redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { QuestionSummaryFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import { pageArgs } from '$lib/server/paging';
import type { PageServerLoad } from './$types';

const SpacePageQuery = graphql(
  `
    query SpacePage($slug: String!, $first: Int, $after: String, $last: Int, $before: String, $orderBy: QuestionOrder) {
      space(slug: $slug) {
        id
        slug
        name
        description
        questionCount
        url
        viewerIsFollowing
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
  [QuestionSummaryFragment],
);

const SORTS = { active: 'ACTIVE', newest: 'NEWEST', votes: 'VOTES', unanswered: 'UNANSWERED' } as const;

export const load: PageServerLoad = async (event) => {
  const slug = event.params.slug.toLowerCase();
  const sortParam = event.url.searchParams.get('sort') ?? 'active';
  const sort = (sortParam in SORTS ? sortParam : 'active') as keyof typeof SORTS;
  let data;
  try {
    data = await gql(event, SpacePageQuery, { slug, ...pageArgs(event.url, 30), orderBy: SORTS[sort] });
  } catch (err) {
    apiFailure(err);
  }
  const space = data.space;
  if (!space) error(404, `There is no space “${slug}”`);
  if (space.url !== event.url.pathname) redirect(301, space.url + event.url.search);
  return { space, sort, sorts: Object.keys(SORTS) };
};
