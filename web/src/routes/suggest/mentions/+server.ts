// Mention suggestions for the answer and comment editors (components/mentions): GET
// /suggest/mentions?questionId=…&prefix=ab → the thread's participants first, then members by
// handle prefix (the api's mentionSuggestions). Signed-in members only (the api refuses others:
// an empty list).
import { json } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { ApiError, gql } from '$lib/server/api';
import type { RequestHandler } from './$types';

const MentionSuggestQuery = graphql(`
  query MentionSuggest($questionId: ID!, $prefix: String!) {
    mentionSuggestions(questionId: $questionId, prefix: $prefix, first: 8) {
      id
      handle
      displayName
    }
  }
`);

const PREFIX = /^[A-Za-z0-9_-]{0,30}$/;

export const GET: RequestHandler = async (event) => {
  const questionId = (event.url.searchParams.get('questionId') ?? '').slice(0, 100);
  const prefix = event.url.searchParams.get('prefix') ?? '';
  if (!questionId || !PREFIX.test(prefix)) return json({ members: [] });
  try {
    const data = await gql(event, MentionSuggestQuery, { questionId, prefix });
    return json({ members: data.mentionSuggestions }, { headers: { 'cache-control': 'private, max-age=30' } });
  } catch (err) {
    if (err instanceof ApiError) return json({ members: [] }, { status: err.status === 429 ? 429 : 200 });
    throw err;
  }
};
