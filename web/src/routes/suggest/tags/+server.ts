// Tag suggestions for the ask/edit forms' autocomplete: GET /suggest/tags?prefix=sve
import { json } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { ApiError, gql } from '$lib/server/api';
import type { RequestHandler } from './$types';

const TagSuggestQuery = graphql(`
  query TagSuggest($prefix: String!) {
    tags(first: 8, prefix: $prefix, orderBy: POPULAR) {
      nodes {
        name
        questionCount
        excerpt
      }
    }
  }
`);

export const GET: RequestHandler = async (event) => {
  const prefix = (event.url.searchParams.get('prefix') ?? '').trim().toLowerCase().slice(0, 35);
  if (!prefix) return json({ tags: [] });
  try {
    const data = await gql(event, TagSuggestQuery, { prefix });
    return json({ tags: data.tags.nodes }, { headers: { 'cache-control': 'public, max-age=60' } });
  } catch (err) {
    if (err instanceof ApiError) return json({ tags: [] }, { status: 503 });
    throw err;
  }
};
