import { graphql } from '$lib/graphql/graphql';

export const DashboardQuery = graphql(`
  query ModerationDashboard($actorId: ID, $targetId: ID, $action: String, $after: String) {
    flags(first: 50) {
      totalCount
      nodes {
        subjectId
        subjectType
        activeCount
        spamOrRudeCount
        isHidden
        lastFlaggedAt
        reasonCounts {
          reason
          count
        }
        author {
          handle
        }
        member {
          handle
        }
        comment {
          body
        }
        post {
          id
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
        flags {
          reason
          details
          flagger {
            handle
          }
        }
      }
    }
    suspendedMembers {
      suspendedUntil
      suspensionReason
      member {
        id
        handle
      }
    }
    moderationLog(first: 30, actorId: $actorId, targetId: $targetId, action: $action, after: $after) {
      nodes {
        id
        action
        targetType
        targetId
        reason
        createdAt
        actor {
          handle
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const UserIdQuery = graphql(`
  query ModerationUserId($handle: String!) {
    user(handle: $handle) {
      id
    }
  }
`);

export const HandleFlagsMutation = graphql(`
  mutation HandleFlags($input: HandleFlagsInput!) {
    handleFlags(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const SuspendMutation = graphql(`
  mutation SuspendMember($input: SuspendMemberInput!) {
    suspendMember(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const UnsuspendMutation = graphql(`
  mutation UnsuspendMember($input: UnsuspendMemberInput!) {
    unsuspendMember(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const SendMessageMutation = graphql(`
  mutation SendModeratorMessage($input: SendModeratorMessageInput!) {
    sendModeratorMessage(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const AcknowledgeMutation = graphql(`
  mutation AcknowledgeModeratorMessage($input: AcknowledgeModeratorMessageInput!) {
    acknowledgeModeratorMessage(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);
