import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment, UserChipFragment } from '$lib/graphql/fragments';

export const EditPostQuery = graphql(`
  query EditPost($id: ID!) {
    node(id: $id) {
      __typename
      ... on Question {
        id
        title
        body
        url
        viewerCanEdit
        tags {
          name
        }
      }
      ... on Answer {
        id
        body
        url
        viewerCanEdit
        question {
          title
          url
        }
      }
    }
  }
`);

export const UpdateQuestionMutation = graphql(
  `
    mutation UpdateQuestion($input: UpdateQuestionInput!) {
      updateQuestion(input: $input) {
        errors {
          ...PayloadError
        }
        question {
          url
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const UpdateAnswerMutation = graphql(
  `
    mutation UpdateAnswer($input: UpdateAnswerInput!) {
      updateAnswer(input: $input) {
        errors {
          ...PayloadError
        }
        answer {
          url
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const RevisionFragment = graphql(
  `
    fragment RevisionItem on Revision @_unmask {
      id
      number
      createdAt
      editSummary
      changed
      rollbackOf
      title
      body
      tags
      authorName
      author {
        ...UserChip
      }
    }
  `,
  [UserChipFragment],
);

export const RevisionsQuery = graphql(
  `
    query PostRevisions($id: ID!) {
      node(id: $id) {
        __typename
        ... on Question {
          id
          title
          url
          viewerCanEdit
          revisions(first: 100) {
            totalCount
            nodes {
              ...RevisionItem
            }
          }
        }
        ... on Answer {
          id
          url
          viewerCanEdit
          question {
            title
            url
          }
          revisions(first: 100) {
            totalCount
            nodes {
              ...RevisionItem
            }
          }
        }
      }
    }
  `,
  [RevisionFragment],
);

export const RollbackMutation = graphql(
  `
    mutation RollbackRevision($input: RollbackRevisionInput!) {
      rollbackRevision(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);
