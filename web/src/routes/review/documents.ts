// The review queues' GraphQL documents (issue 13).
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';

export const ReviewQueuesQuery = graphql(`
  query ReviewQueues {
    reviewQueues {
      queue
      count
    }
  }
`);

export const ReviewTaskQuery = graphql(`
  query ReviewTaskPage($queue: ReviewQueue!) {
    reviewTask(queue: $queue) {
      id
      queue
      outcomes
      reviewsNeeded
      createdAt
      reviews {
        outcome
      }
      post {
        __typename
        id
        bodyHTML
        score
        author {
          handle
          displayName
        }
        ... on Question {
          title
          url
          closeVoteCount
          reopenVoteCount
        }
        ... on Answer {
          question {
            title
            url
          }
        }
      }
      suggestedEdit {
        title
        body
        tags
        summary
        author {
          handle
          displayName
        }
      }
    }
  }
`);

export const SubmitReviewMutation = graphql(
  `
    mutation SubmitReview($input: SubmitReviewInput!) {
      submitReview(input: $input) {
        task {
          id
          status
        }
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

/** What each queue is for, as the pages say it. */
export const QUEUE_LABELS: Record<string, { title: string; about: string }> = {
  FIRST_POSTS: { title: 'First posts', about: 'The first question or answer of new members.' },
  LATE_ANSWERS: { title: 'Late answers', about: 'Answers posted long after their question.' },
  LOW_QUALITY: { title: 'Low quality', about: 'Posts flagged as needing improvement or voted down.' },
  CLOSE_VOTES: { title: 'Close votes', about: 'Questions others voted to close.' },
  REOPEN_VOTES: { title: 'Reopen votes', about: 'Closed questions others voted to reopen.' },
  SUGGESTED_EDITS: { title: 'Suggested edits', about: 'Edits by members who cannot edit without review yet.' },
};

export const OUTCOME_LABELS: Record<string, string> = {
  LOOKS_OK: 'Looks OK',
  RECOMMEND_DELETION: 'Recommend deletion',
  CLOSE: 'Close',
  LEAVE_OPEN: 'Leave open',
  REOPEN: 'Reopen',
  LEAVE_CLOSED: 'Leave closed',
  APPROVE: 'Approve',
  REJECT: 'Reject',
  SKIP: 'Skip',
};
