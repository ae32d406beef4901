// The analytics dashboard's GraphQL documents (issue 15 item 7).
import { graphql } from '$lib/graphql/graphql';

export const AnalyticsSpacesQuery = graphql(`
  query AnalyticsSpaces {
    analyticsSpaces {
      id
      slug
      name
    }
  }
`);

export const CommunityAnalyticsQuery = graphql(`
  query CommunityAnalyticsPage($spaceId: ID!, $from: String!, $to: String!) {
    communityAnalytics(spaceId: $spaceId, from: $from, to: $to) {
      from
      to
      questions
      answered
      answerRate
      medianFirstAnswerMinutes
      medianResolutionMinutes
      slaMet
      slaBreached
      slaPending
      slaAttainment
      unansweredBacklog
      answers
      staffAnswers
      staffShare
      days {
        day
        questions
        answered
        unanswered
        medianFirstAnswerMinutes
        medianResolutionMinutes
        slaMet
        slaBreached
        slaPending
        answers
        staffAnswers
      }
      topContributors {
        user {
          id
          handle
          displayName
          url
        }
        answers
        staff
      }
    }
  }
`);

export const AnalyticsCsvQuery = graphql(`
  query CommunityAnalyticsCsv($spaceId: ID!, $from: String!, $to: String!) {
    communityAnalytics(spaceId: $spaceId, from: $from, to: $to) {
      csv
    }
  }
`);
