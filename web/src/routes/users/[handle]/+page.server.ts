import { error, redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { AttributionFragment, QuestionSummaryFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import type { PageServerLoad } from './$types';

const HANDLE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

const UserPageQuery = graphql(
  `
    query UserPage($handle: String!) {
      user(handle: $handle) {
        id
        handle
        displayName
        url
        role
        affiliation
        reputation
        bioHTML
        location
        websiteUrl
        socialLinks {
          label
          url
        }
        expertiseTags
        questionCount
        answerCount
        viewerIsFollowing
        createdAt
        lastSeenAt
        isViewer
        attribution {
          ...AttributionInfo
        }
        badgeCounts {
          gold
          silver
          bronze
        }
        badges(first: 12) {
          nodes {
            id
            name
            tier
            awardedAt
            badge {
              url
            }
          }
        }
        answers(first: 10) {
          nodes {
            id
            url
            score
            isAccepted
            createdAt
            question {
              title
            }
          }
        }
        reputationEvents(first: 100) {
          totalCount
          nodes {
            id
            delta
            balance
            reason
            createdAt
            subject {
              __typename
              ... on Question {
                title
                url
              }
              ... on Answer {
                url
                question {
                  title
                }
              }
            }
          }
        }
      }
      questions(first: 50, filter: { authorHandle: $handle }, orderBy: NEWEST) {
        nodes {
          ...QuestionSummary
        }
      }
    }
  `,
  [AttributionFragment, QuestionSummaryFragment],
);

export const load: PageServerLoad = async (event) => {
  const { handle } = event.params;
  if (!HANDLE.test(handle)) error(404, 'No such member');
  let data;
  try {
    data = await gql(event, UserPageQuery, { handle });
  } catch (err) {
    apiFailure(err);
  }
  const user = data.user;
  if (!user) error(404, `There is no member “${handle}”`);
  if (user.url !== event.url.pathname) redirect(301, user.url);

  // Top tags of the member's questions (the schema has no per-user tag statistics yet).
  const counts = new Map<string, number>();
  for (const q of data.questions.nodes) for (const t of q.tags) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const topTags = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 8)
    .map(([name, count]) => ({ name, count }));

  // Reputation over time, oldest first (the ledger comes newest first).
  const history = [...user.reputationEvents.nodes].reverse().map((e) => ({ at: e.createdAt, balance: e.balance }));

  return {
    user,
    questions: data.questions.nodes.slice(0, 10),
    topTags,
    history,
  };
};
