import { graphql } from '$lib/graphql/graphql';
import { QuestionSummaryFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import { pageArgs } from '$lib/server/paging';
import type { PageServerLoad } from './$types';

const QuestionsQuery = graphql(
  `
    query Questions(
      $first: Int
      $after: String
      $last: Int
      $before: String
      $orderBy: QuestionOrder
      $filter: QuestionFilter
      $tag: String!
      $withTag: Boolean!
      $space: String!
      $withSpace: Boolean!
    ) {
      questions(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, filter: $filter) {
        totalCount
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
      tag(name: $tag) @include(if: $withTag) {
        name
        excerpt
        questionCount
      }
      space(slug: $space) @include(if: $withSpace) {
        slug
        name
        description
      }
    }
  `,
  [QuestionSummaryFragment],
);

const SORTS = {
  newest: { label: 'Newest', orderBy: 'NEWEST' },
  active: { label: 'Active', orderBy: 'ACTIVE' },
  votes: { label: 'Top voted', orderBy: 'VOTES' },
  unanswered: { label: 'Unanswered', orderBy: 'UNANSWERED' },
  // questions with an active bounty, newest bounty first (modules/bounty)
  featured: { label: 'Featured', orderBy: 'NEWEST' },
} as const;
type Sort = keyof typeof SORTS;

const PAGE_SIZE = 30;

export const load: PageServerLoad = async (event) => {
  const { url } = event;
  const sortParam = url.searchParams.get('sort') ?? 'newest';
  const sort: Sort = sortParam in SORTS ? (sortParam as Sort) : 'newest';
  const tag = url.searchParams.get('tag')?.trim().toLowerCase() || null;
  const space = url.searchParams.get('space')?.trim().toLowerCase() || null;

  try {
    const data = await gql(event, QuestionsQuery, {
      ...pageArgs(url, PAGE_SIZE),
      orderBy: SORTS[sort].orderBy,
      filter: {
        ...(tag ? { tag } : {}),
        ...(space ? { spaceSlug: space } : {}),
        ...(sort === 'unanswered' ? { unanswered: true } : {}),
        ...(sort === 'featured' ? { featured: true } : {}),
      },
      tag: tag ?? '',
      withTag: tag !== null,
      space: space ?? '',
      withSpace: space !== null,
    });
    return {
      sort,
      sorts: Object.entries(SORTS).map(([key, value]) => ({ key, label: value.label })),
      tagName: tag,
      spaceSlug: space,
      questions: data.questions,
      tag: data.tag ?? null,
      space: data.space ?? null,
    };
  } catch (err) {
    apiFailure(err);
  }
};
