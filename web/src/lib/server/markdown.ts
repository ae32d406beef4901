// Server-side Markdown previews (the api renders and sanitizes) and similar-question lookups,
// shared by the no-JavaScript "Preview" form actions.
import { graphql, type ResultOf } from '$lib/graphql/graphql';
import { ApiError, gql, type ApiEvent } from './api';

const PreviewWithSimilarQuery = graphql(`
  query PreviewWithSimilar($markdown: String!, $title: String!, $withSimilar: Boolean!) {
    markdownPreview(markdown: $markdown)
    similarQuestions(title: $title, first: 5) @include(if: $withSimilar) {
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

export type SimilarQuestion = NonNullable<ResultOf<typeof PreviewWithSimilarQuery>['similarQuestions']>[number];

/** Renders a preview (and, given a title, finds similar questions). Never throws for api trouble. */
export async function preview(event: ApiEvent, markdown: string, title = ''): Promise<{ html: string | null; similar: SimilarQuestion[] }> {
  try {
    const data = await gql(event, PreviewWithSimilarQuery, {
      markdown: markdown.slice(0, 30_000),
      title: title.slice(0, 150),
      withSimilar: title.trim().length >= 8,
    });
    return { html: data.markdownPreview, similar: data.similarQuestions ?? [] };
  } catch (err) {
    if (err instanceof ApiError) return { html: null, similar: [] };
    throw err;
  }
}
