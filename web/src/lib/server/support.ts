// Vendor support on the question page (issue 15): org badges, "escalated to support" with the
// case status, verified versions, and for the space's engineers the SLA timer, assignment,
// suggested assignees and the forms (which post to the /support page's actions and come back).
// Every field read here is by id on the api side (tickets, cases, verifications, memberships),
// and asked for in the page's own query (the fragment below): one request to the api per page.
import type { RequestEvent } from '@sveltejs/kit';
import { graphql, type ResultOf } from '$lib/graphql/graphql';
import { ApiError, gql } from '$lib/server/api';

/**
 * Spread into the question page's query; its `answers` selection uses the page's own arguments
 * (`$answersFirst`, `$answersAfter`), so both merge into one connection.
 */
export const QuestionSupportFragment = graphql(`
  fragment QuestionSupportFields on Question @_unmask {
    id
    escalatedToSupport
    verifiedVersionsLabel
    viewerCanEscalate
    viewerWorksSupport
    author {
      id
      orgBadge
    }
    space {
      id
      versions
    }
    supportCase {
      id
      status
      reason
      externalRef
      createdAt
      resolutionUrl
      resolutionAnswer {
        id
      }
    }
    support {
      slaState
      phase
      minutesLeft
      dueAt
      tier
      reverify
      customer {
        name
      }
      assignee {
        id
        handle
        displayName
      }
    }
    answers(first: $answersFirst, after: $answersAfter) {
      nodes {
        id
        isVerified
        verifiedVersions
        verificationLabel
        verificationOutdated
        author {
          id
          orgBadge
        }
      }
    }
  }
`);

export const SuggestedAssigneesQuery = graphql(`
  query SuggestedAssignees($id: ID!) {
    suggestedAssignees(questionId: $id) {
      user {
        id
        handle
        displayName
      }
      score
      acceptedAnswers
      answers
      answerScore
      tags
      openAssignments
    }
  }
`);

type SupportQuestion = ResultOf<typeof QuestionSupportFragment>;
export type SuggestedAssignee = ResultOf<typeof SuggestedAssigneesQuery>['suggestedAssignees'][number];

export interface AnswerSupport {
  label: string | null;
  outdated: boolean;
  versions: string[];
  isVerified: boolean;
  orgBadge: string | null;
}

export interface QuestionSupport {
  questionId: string;
  orgBadge: string | null;
  escalated: boolean;
  verifiedVersionsLabel: string | null;
  canEscalate: boolean;
  worksSupport: boolean;
  spaceId: string;
  versions: string[];
  supportCase: SupportQuestion['supportCase'];
  support: SupportQuestion['support'];
  suggested: SuggestedAssignee[];
  /** by answer id */
  answers: Record<string, AnswerSupport>;
}

/**
 * The question page's support labels, from the fields its query read (QuestionSupportFields).
 * Suggested assignees are asked for only when the viewer works the space.
 */
export async function loadQuestionSupport(event: RequestEvent, question: SupportQuestion): Promise<QuestionSupport> {
  let suggested: SuggestedAssignee[] = [];
  if (question.viewerWorksSupport && question.support) {
    try {
      suggested = (await gql(event, SuggestedAssigneesQuery, { id: question.id })).suggestedAssignees.slice(0, 5);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  const answers: Record<string, AnswerSupport> = {};
  for (const a of question.answers.nodes) {
    answers[a.id] = {
      label: a.verificationLabel,
      outdated: a.verificationOutdated,
      versions: a.verifiedVersions,
      isVerified: a.isVerified,
      orgBadge: a.author.orgBadge,
    };
  }
  return {
    questionId: question.id,
    orgBadge: question.author.orgBadge,
    escalated: question.escalatedToSupport,
    verifiedVersionsLabel: question.verifiedVersionsLabel,
    canEscalate: question.viewerCanEscalate,
    worksSupport: question.viewerWorksSupport,
    spaceId: question.space.id,
    versions: question.space.versions,
    supportCase: question.supportCase,
    support: question.support,
    suggested,
    answers,
  };
}
