// The GraphQL documents the benchmark sends (the same selections the web pages use) and a small
// client for preparing fixtures: a question to load, the page-50 cursor, signed-in agents.

const USER_CHIP = `fragment UserChip on User { id handle displayName reputation role affiliation url }`;
const ATTRIBUTION = `fragment AttributionInfo on Attribution { site url authorName authorUrl license }`;
const COMMENT = `fragment CommentItem on Comment { id bodyHTML createdAt editedAt score viewerCanDelete author { ...UserChip } }`;

/** The question page's query (web/src/routes/questions/[id]/[[slug]]/documents.ts). */
export const QUESTION_QUERY = `query QuestionPage($id: ID!, $answersFirst: Int!, $answersAfter: String) {
  question(id: $id) {
    id title slug url body bodyHTML score viewCount answerCount createdAt lastActivityAt lastEditedAt
    isClosed closedAt closeReason isDeleted duplicateOf { title url }
    viewerVote viewerCanVote viewerCanEdit viewerCanDelete viewerCanAnswer viewerCanComment viewerCanClose
    tags { name } space { slug name url } author { ...UserChip } lastEditor { ...UserChip } attribution { ...AttributionInfo }
    comments(first: 50) { totalCount nodes { ...CommentItem } }
    answers(first: $answersFirst, after: $answersAfter) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes {
        id url bodyHTML score createdAt lastEditedAt isAccepted isVerified isDeleted verifiedAt verifiedBy { ...UserChip }
        viewerVote viewerCanVote viewerCanAccept viewerCanVerify viewerCanEdit viewerCanDelete viewerCanComment
        author { ...UserChip } lastEditor { ...UserChip } attribution { ...AttributionInfo }
        comments(first: 50) { totalCount nodes { ...CommentItem } }
      }
    }
  }
}
${USER_CHIP}
${ATTRIBUTION}
${COMMENT}`;

/** The questions listing (web/src/routes/questions/+page.server.ts, newest first, 30 a page). */
export const LISTING_QUERY = `query Questions($first: Int, $after: String, $orderBy: QuestionOrder) {
  questions(first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    nodes {
      id title url score answerCount viewCount isAnswered isClosed createdAt lastActivityAt
      acceptedAnswer { id } tags { name } space { slug name } author { ...UserChip }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
${USER_CHIP}`;

export const LISTING_PAGE_SIZE = 30;

/** The search page's query (web/src/routes/search/+page.server.ts). */
export const SEARCH_QUERY = `query Search($query: String!, $first: Int!, $after: String, $sort: SearchSort) {
  search(query: $query, first: $first, after: $after, sort: $sort) {
    query totalCount terms phrases
    chips { kind value raw negated }
    facets { tags { value count } spaces { value count } types { value count } statuses { value count } }
    nodes {
      type titleHighlight snippet score createdAt tags
      question { id url answerCount isClosed acceptedAnswer { id } space { slug name } }
      answer { id url isAccepted author { handle displayName } }
      post { author { handle displayName } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const PING_QUERY = `{ ping }`;

export const RECORD_VIEW_MUTATION = `mutation RecordQuestionView($questionId: ID!) {
  recordQuestionView(input: { questionId: $questionId }) { errors { code } }
}`;

export const POST_ANSWER_MUTATION = `mutation PostAnswer($input: PostAnswerInput!) {
  postAnswer(input: $input) { answer { id url } errors { code message } }
}`;

export const VOTE_MUTATION = `mutation Vote($input: VoteInput!) {
  vote(input: $input) { subject { id score viewerVote } errors { code message } }
}`;

const SIGN_UP_MUTATION = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { viewer { id handle } errors { code message } }
}`;

const SIGN_IN_MUTATION = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { viewer { id handle } errors { code message } }
}`;

export function graphqlBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables ? { query, variables } : { query });
}

export class GraphQLRequestError extends Error {}

export async function gql<T>(
  apiUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
  timeoutMs = 600_000,
): Promise<{ data: T; setCookies: string[] }> {
  const res = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: graphqlBody(query, variables),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: { data?: T; errors?: Array<{ message: string }> };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    throw new GraphQLRequestError(`HTTP ${res.status} from ${apiUrl}/graphql: ${text.slice(0, 300)}`);
  }
  if (json.errors?.length || !json.data) {
    throw new GraphQLRequestError(`GraphQL error (HTTP ${res.status}): ${json.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
  }
  return { data: json.data, setCookies: res.headers.getSetCookie() };
}

/** Throws when a mutation payload reports errors. */
export function payloadOk(what: string, payload: { errors: Array<{ code: string; message: string }> }): void {
  if (payload.errors.length) throw new GraphQLRequestError(`${what}: ${payload.errors.map((e) => `${e.code} ${e.message}`).join('; ')}`);
}

export interface Agent {
  handle: string;
  cookie: string;
}

/** Signs up (or, when the handle exists from an earlier run, signs in) a member; returns its session cookie. */
export async function signedInAgent(apiUrl: string, handle: string, password: string): Promise<Agent> {
  type P = { errors: Array<{ code: string; message: string }> };
  const up = await gql<{ signUp: P }>(apiUrl, SIGN_UP_MUTATION, {
    input: { handle, email: `${handle}@bench.colloquy.test`, password, displayName: `Bench agent ${handle}` },
  });
  let cookies = up.setCookies;
  if (up.data.signUp.errors.length) {
    const inn = await gql<{ signIn: P }>(apiUrl, SIGN_IN_MUTATION, { input: { login: handle, password } });
    payloadOk(`signIn ${handle}`, inn.data.signIn);
    cookies = inn.setCookies;
  }
  const session = cookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith('colloquy_session='));
  if (!session) throw new GraphQLRequestError(`no colloquy_session cookie after signing in ${handle}`);
  return { handle, cookie: session };
}
