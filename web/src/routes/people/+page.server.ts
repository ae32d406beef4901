import { graphql } from '$lib/graphql/graphql';
import { UserChipFragment } from '$lib/graphql/fragments';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import type { PageServerLoad } from './$types';

const PeopleQuery = graphql(
  `
    query PeoplePage($skill: String!) {
      people(skill: $skill, first: 50) {
        points
        declaredSkills
        aboutMentions
        tags {
          name
          answerCount
          acceptedCount
          score
        }
        user {
          ...UserChip
          location
        }
      }
    }
  `,
  [UserChipFragment],
);

export const load: PageServerLoad = async (event) => {
  const skill = (event.url.searchParams.get('skill') ?? '').trim().slice(0, 200);
  if (!skill) return { skill, people: null, problem: null };
  try {
    const data = await gql(event, PeopleQuery, { skill });
    return { skill, people: data.people, problem: null };
  } catch (err) {
    if (err instanceof ApiError && err.code === 'VALIDATION') {
      return { skill, people: null, problem: err.errors[0]?.message ?? 'Name a skill or tag.' };
    }
    apiFailure(err);
  }
};
