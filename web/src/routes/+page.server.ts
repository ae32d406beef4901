import { graphql } from '$lib/graphql/graphql';
import { QuestionSummaryFragment, UserChipFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import type { PageServerLoad } from './$types';

const HomeQuery = graphql(
  `
    query Home {
      spaces(first: 12) {
        nodes {
          id
          slug
          name
          description
          questionCount
          url
        }
      }
      hot: questions(first: 15, orderBy: ACTIVE) {
        nodes {
          ...QuestionSummary
        }
      }
      unanswered: questions(first: 8, filter: { unanswered: true }) {
        nodes {
          ...QuestionSummary
        }
      }
      topUsers: users(first: 8) {
        nodes {
          ...UserChip
          answerCount
        }
      }
    }
  `,
  [QuestionSummaryFragment, UserChipFragment],
);

export const load: PageServerLoad = async (event) => {
  try {
    return await gql(event, HomeQuery);
  } catch (err) {
    apiFailure(err);
  }
};
