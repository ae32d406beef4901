// GraphQL documents of the question page (kept out of +page.server.ts so components can import
// their fragment types).
import { graphql } from '$lib/graphql/graphql';
import { AttributionFragment, PayloadErrorFragment, UserChipFragment } from '$lib/graphql/fragments';
import { QuestionLinksFragment } from '$lib/components/links/links';
import { QuestionSupportFragment } from '$lib/server/support';

export const CommentFragment = graphql(
  `
    fragment CommentItem on Comment @_unmask {
      id
      bodyHTML
      createdAt
      editedAt
      score
      viewerCanDelete
      author {
        ...UserChip
      }
    }
  `,
  [UserChipFragment],
);

export const AnswerFragment = graphql(
  `
    fragment AnswerItem on Answer @_unmask {
      id
      url
      bodyHTML
      score
      createdAt
      lastEditedAt
      isAccepted
      isVerified
      isDeleted
      isHidden
      verifiedAt
      verifiedBy {
        ...UserChip
      }
      viewerVote
      viewerCanVote
      viewerCanAccept
      viewerCanVerify
      viewerCanAwardBounty
      viewerCanEdit
      viewerCanDelete
      viewerCanComment
      author {
        ...UserChip
      }
      lastEditor {
        ...UserChip
      }
      attribution {
        ...AttributionInfo
      }
      comments(first: 50) {
        totalCount
        nodes {
          ...CommentItem
        }
      }
    }
  `,
  [UserChipFragment, AttributionFragment, CommentFragment],
);

export const QuestionPageQuery = graphql(
  `
    query QuestionPage($id: ID!, $answersFirst: Int!, $answersAfter: String) {
      privilegeThresholds {
        name
        granted
        message
      }
      question(id: $id) {
        id
        title
        slug
        url
        body
        bodyHTML
        score
        viewCount
        answerCount
        createdAt
        lastActivityAt
        lastEditedAt
        isClosed
        closedAt
        closeReason
        isDeleted
        isHidden
        duplicateOf {
          title
          url
        }
        viewerVote
        viewerCanVote
        viewerCanEdit
        viewerCanDelete
        viewerCanAnswer
        viewerCanComment
        viewerCanClose
        viewerIsFollowing
        closeVoteCount
        reopenVoteCount
        closeVotesNeeded
        viewerCanCastCloseVote
        viewerHasVotedToClose
        ...QuestionLinks
        ...QuestionSupportFields
        isLocked
        lockReason
        lockedUntil
        isProtected
        viewerCanLock
        viewerCanProtect
        viewerCanUndelete
        viewerBountyAmounts
        viewerBountyRefusal
        bounty {
          id
          amount
          status
          endsAt
          graceEndsAt
          awardedAmount
          awardedAutomatically
          awardedAt
          offeredBy {
            handle
            displayName
          }
          awardedAnswer {
            id
            url
            author {
              handle
              displayName
            }
          }
        }
        tags {
          name
        }
        space {
          slug
          name
          url
        }
        author {
          ...UserChip
        }
        lastEditor {
          ...UserChip
        }
        attribution {
          ...AttributionInfo
        }
        comments(first: 50) {
          totalCount
          nodes {
            ...CommentItem
          }
        }
        answers(first: $answersFirst, after: $answersAfter) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ...AnswerItem
          }
        }
      }
    }
  `,
  [UserChipFragment, AttributionFragment, CommentFragment, AnswerFragment, QuestionLinksFragment, QuestionSupportFragment],
);

export const RecordViewMutation = graphql(`
  mutation RecordQuestionView($questionId: ID!) {
    recordQuestionView(input: { questionId: $questionId }) {
      errors {
        code
      }
    }
  }
`);

export const QuestionIdQuery = graphql(`
  query QuestionId($id: ID!) {
    question(id: $id) {
      id
      url
    }
  }
`);

export const VoteMutation = graphql(
  `
    mutation Vote($input: VoteInput!) {
      vote(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const PostAnswerMutation = graphql(
  `
    mutation PostAnswer($input: PostAnswerInput!) {
      postAnswer(input: $input) {
        errors {
          ...PayloadError
        }
        answer {
          id
          url
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const AddCommentMutation = graphql(
  `
    mutation AddComment($input: AddCommentInput!) {
      addComment(input: $input) {
        errors {
          ...PayloadError
        }
        comment {
          id
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const AcceptAnswerMutation = graphql(
  `
    mutation AcceptAnswer($input: AcceptAnswerInput!) {
      acceptAnswer(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const UnacceptAnswerMutation = graphql(
  `
    mutation UnacceptAnswer($input: UnacceptAnswerInput!) {
      unacceptAnswer(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const VerifyAnswerMutation = graphql(
  `
    mutation VerifyAnswer($input: VerifyAnswerInput!) {
      verifyAnswer(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const UnverifyAnswerMutation = graphql(
  `
    mutation UnverifyAnswer($input: UnverifyAnswerInput!) {
      unverifyAnswer(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const DeleteQuestionMutation = graphql(
  `
    mutation DeleteQuestion($input: DeleteQuestionInput!) {
      deleteQuestion(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const DeleteAnswerMutation = graphql(
  `
    mutation DeleteAnswer($input: DeleteAnswerInput!) {
      deleteAnswer(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const DeleteCommentMutation = graphql(
  `
    mutation DeleteComment($input: DeleteCommentInput!) {
      deleteComment(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const CloseQuestionMutation = graphql(
  `
    mutation CloseQuestion($input: CloseQuestionInput!) {
      closeQuestion(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const ReopenQuestionMutation = graphql(
  `
    mutation ReopenQuestion($input: ReopenQuestionInput!) {
      reopenQuestion(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

// moderation (issue 13): close/reopen votes, lock, protect, undelete
export const CastCloseVoteMutation = graphql(
  `
    mutation CastCloseVote($input: CastCloseVoteInput!) {
      castCloseVote(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const CastReopenVoteMutation = graphql(
  `
    mutation CastReopenVote($input: CastReopenVoteInput!) {
      castReopenVote(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const LockPostMutation = graphql(
  `
    mutation LockPost($input: LockPostInput!) {
      lockPost(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const UnlockPostMutation = graphql(
  `
    mutation UnlockPost($input: UnlockPostInput!) {
      unlockPost(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const ProtectQuestionMutation = graphql(
  `
    mutation ProtectQuestion($input: ProtectQuestionInput!) {
      protectQuestion(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const UnprotectQuestionMutation = graphql(
  `
    mutation UnprotectQuestion($input: UnprotectQuestionInput!) {
      unprotectQuestion(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const UndeleteQuestionMutation = graphql(
  `
    mutation UndeleteQuestion($input: UndeleteQuestionInput!) {
      undeleteQuestion(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);
