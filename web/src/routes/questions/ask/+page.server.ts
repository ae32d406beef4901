import { redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalid, text, toFormErrors, trimmed } from '$lib/server/forms';
import { preview } from '$lib/server/markdown';
import { parseTags } from '$lib/tags';
import type { Actions, PageServerLoad } from './$types';

const AskPageQuery = graphql(`
  query AskPage {
    spaces(first: 100) {
      nodes {
        id
        slug
        name
        description
      }
    }
  }
`);

const AskQuestionMutation = graphql(
  `
    mutation AskQuestion($input: AskQuestionInput!) {
      askQuestion(input: $input) {
        errors {
          ...PayloadError
        }
        question {
          id
          url
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

const FIELDS = ['title', 'body', 'tags', 'spaceSlug', 'spaceId'];

export const load: PageServerLoad = async (event) => {
  if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname + event.url.search)}`);
  try {
    const data = await gql(event, AskPageQuery);
    return {
      spaces: data.spaces.nodes,
      initial: {
        title: event.url.searchParams.get('title') ?? '',
        tags: parseTags(event.url.searchParams.get('tags') ?? '').join(' '),
        space: event.url.searchParams.get('space') ?? '',
      },
    };
  } catch (err) {
    apiFailure(err);
  }
};

function read(form: FormData) {
  return {
    title: trimmed(form, 'title'),
    body: text(form, 'body'),
    tags: text(form, 'tags'),
    space: text(form, 'space'),
  };
}

export const actions: Actions = {
  ask: async (event) => {
    if (!event.locals.viewer) redirect(303, '/signin?redirectTo=/questions/ask');
    const values = read(await event.request.formData());
    const tags = parseTags(values.tags);
    const missing: Record<string, string> = {};
    if (!values.space) missing.space = 'Choose a space.';
    if (!values.title) missing.title = 'Enter a title.';
    if (!values.body.trim()) missing.body = 'Describe your problem.';
    if (!tags.length) missing.tags = 'Add at least one tag.';
    if (Object.keys(missing).length) return invalid(400, { ...values, preview: null }, { fields: missing });

    let payload;
    try {
      payload = (
        await gql(event, AskQuestionMutation, {
          input: { title: values.title, body: values.body, tags, spaceSlug: values.space },
        })
      ).askQuestion;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 429 || err.code === 'RATE_LIMITED')) {
        return invalid(429, { ...values, preview: null }, 'You are asking too often. Please wait a moment.');
      }
      throw err;
    }
    if (payload.errors.length || !payload.question) {
      const errors = toFormErrors(payload.errors, FIELDS);
      // The api names the space field spaceSlug/spaceId; the form calls it "space".
      const spaceError = errors.fields.spaceSlug ?? errors.fields.spaceId;
      if (spaceError) errors.fields.space = spaceError;
      return invalid(400, { ...values, preview: null }, errors);
    }
    redirect(303, payload.question.url);
  },

  // Without JavaScript: "Preview" renders the body on the server and looks for similar questions.
  preview: async (event) => {
    const values = read(await event.request.formData());
    const { html, similar } = await preview(event, values.body, values.title);
    return { values: { ...values, preview: html }, similar };
  },
};
