// Possible duplicates while typing a question title: GET /suggest/similar?title=…
import { json } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { ApiError, gql } from '$lib/server/api';
import type { RequestHandler } from './$types';

const SimilarQuery = graphql(`
  query SimilarQuestions($title: String!) {
    similarQuestions(title: $title, first: 5) {
      id
      title
      url
      answerCount
      score
      acceptedAnswer {
        id
      }
    }
  }
`);

export const GET: RequestHandler = async (event) => {
  const title = (event.url.searchParams.get('title') ?? '').trim().slice(0, 150);
  if (title.length < 8) return json({ questions: [] });
  try {
    const data = await gql(event, SimilarQuery, { title });
    return json({ questions: data.similarQuestions }, { headers: { 'cache-control': 'private, max-age=30' } });
  } catch (err) {
    if (err instanceof ApiError) return json({ questions: [] }, { status: 503 });
    throw err;
  }
};
