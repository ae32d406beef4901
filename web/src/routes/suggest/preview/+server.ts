// Live Markdown preview for editors: POST /suggest/preview {"markdown": "…"} → {"html": "…"}.
// The HTML is rendered and sanitized by the api (markdownPreview), exactly as a post is stored.
import { error, json } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { ApiError, gql } from '$lib/server/api';
import type { RequestHandler } from './$types';

const PreviewQuery = graphql(`
  query MarkdownPreview($markdown: String!) {
    markdownPreview(markdown: $markdown)
  }
`);

const MAX = 30_000;

export const POST: RequestHandler = async (event) => {
  if (!(event.request.headers.get('content-type') ?? '').includes('application/json')) error(415, 'Send JSON');
  let markdown: unknown;
  try {
    ({ markdown } = (await event.request.json()) as { markdown?: unknown });
  } catch {
    error(400, 'Malformed JSON');
  }
  if (typeof markdown !== 'string') error(400, 'markdown must be a string');
  if (!markdown.trim()) return json({ html: '' });
  try {
    const data = await gql(event, PreviewQuery, { markdown: markdown.slice(0, MAX) });
    return json({ html: data.markdownPreview }, { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    if (err instanceof ApiError) return json({ html: null }, { status: err.status === 429 ? 429 : 503 });
    throw err;
  }
};
