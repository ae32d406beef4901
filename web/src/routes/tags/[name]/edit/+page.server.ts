import { error, redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalid, text, toFormErrors } from '$lib/server/forms';
import { preview } from '$lib/server/markdown';
import type { Actions, PageServerLoad } from './$types';

const TagEditQuery = graphql(`
  query TagEdit($name: String!) {
    tag(name: $name) {
      id
      name
      url
      description
      viewerCanEdit
    }
  }
`);

const UpdateTagMutation = graphql(
  `
    mutation UpdateTag($input: UpdateTagInput!) {
      updateTag(input: $input) {
        errors {
          ...PayloadError
        }
        tag {
          url
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const load: PageServerLoad = async (event) => {
  if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
  let data;
  try {
    data = await gql(event, TagEditQuery, { name: event.params.name.toLowerCase() });
  } catch (err) {
    apiFailure(err);
  }
  if (!data.tag) error(404, 'No such tag');
  if (!data.tag.viewerCanEdit) error(403, 'You cannot edit this tag wiki');
  return { tag: data.tag };
};

export const actions: Actions = {
  save: async (event) => {
    const description = text(await event.request.formData(), 'description');
    const values = { description, preview: null as string | null };
    let payload;
    try {
      payload = (await gql(event, UpdateTagMutation, { input: { name: event.params.name.toLowerCase(), description } })).updateTag;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql') return invalid(400, values, err.message);
      throw err;
    }
    if (payload.errors.length || !payload.tag) return invalid(400, values, toFormErrors(payload.errors, ['description']));
    redirect(303, payload.tag.url);
  },
  preview: async (event) => {
    const description = text(await event.request.formData(), 'description');
    return { values: { description, preview: (await preview(event, description)).html } };
  },
};
