// The engineer queue's GraphQL documents (issue 15).
import { graphql } from '$lib/graphql/graphql';

export const SupportQueueQuery = graphql(`
  query SupportQueuePage($filter: SupportQueueFilter, $first: Int, $after: String) {
    supportQueue(filter: $filter, first: $first, after: $after) {
      totalCount
      hasNextPage
      endCursor
      nodes {
        question {
          id
          title
          url
        }
        slaState
        phase
        minutesLeft
        dueAt
        tier
        reverify
        escalated
        verifiedVersions
        assignee {
          handle
        }
        customer {
          name
        }
        supportCase {
          id
          status
          externalRef
        }
      }
    }
  }
`);

export const AssignMutation = graphql(`
  mutation SupportAssign($input: AssignQuestionInput!) {
    assignQuestion(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const UnassignMutation = graphql(`
  mutation SupportUnassign($input: UnassignQuestionInput!) {
    unassignQuestion(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const VerifyVersionsMutation = graphql(`
  mutation SupportVerifyVersions($input: VerifyAnswerInput!) {
    verifyAnswer(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const EscalateMutation = graphql(`
  mutation SupportEscalate($input: EscalateQuestionInput!) {
    escalateQuestion(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const UpdateCaseMutation = graphql(`
  mutation SupportUpdateCase($input: UpdateSupportCaseInput!) {
    updateSupportCase(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const AddVersionMutation = graphql(`
  mutation SupportAddVersion($input: AddProductVersionInput!) {
    addProductVersion(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const FILTERS = ['mine', 'unassigned', 'breached', 'escalated', 'reverify'] as const;
export type QueueFilterName = (typeof FILTERS)[number];
