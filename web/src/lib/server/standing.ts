// The signed-in member's standing for the layout's notices: a suspension (reason and end), a
// silence, and unacknowledged moderator messages. Read once per page for signed-in members.
import { graphql } from '$lib/graphql/graphql';
import { gql, type ApiEvent } from './api';

const StandingQuery = graphql(`
  query ViewerStanding {
    viewer {
      suspendedUntil
      suspensionReason
      silencedUntil
      moderatorMessages {
        id
        subject
        bodyHTML
        createdAt
      }
    }
  }
`);

export interface Standing {
  suspendedUntil: string | null;
  suspensionReason: string | null;
  silencedUntil: string | null;
  messages: Array<{ id: string; subject: string; bodyHTML: string; createdAt: string }>;
}

/** null when there is nothing to show (or the API cannot say: a notice is not worth an error page). */
export async function standingOf(event: ApiEvent): Promise<Standing | null> {
  try {
    const v = (await gql(event, StandingQuery)).viewer;
    if (!v || (!v.suspendedUntil && !v.silencedUntil && v.moderatorMessages.length === 0)) return null;
    return {
      suspendedUntil: v.suspendedUntil ? String(v.suspendedUntil) : null,
      suspensionReason: v.suspensionReason ?? null,
      silencedUntil: v.silencedUntil ? String(v.silencedUntil) : null,
      messages: v.moderatorMessages.map((m) => ({ id: m.id, subject: m.subject, bodyHTML: m.bodyHTML, createdAt: String(m.createdAt) })),
    };
  } catch {
    return null;
  }
}
