import { fail, redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import type { Actions, PageServerLoad } from './$types';

const FollowingQuery = graphql(`
  query FollowingPage {
    following {
      questions {
        id
        title
        url
      }
      tags {
        id
        name
      }
      spaces {
        id
        slug
        name
      }
      members {
        id
        handle
        displayName
      }
      ignoredTags
    }
  }
`);

const UnfollowMutation = graphql(
  `
    mutation Unfollow($input: UnfollowInput!) {
      unfollow(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

const IgnoreTagMutation = graphql(
  `
    mutation IgnoreTag($input: IgnoreTagInput!) {
      ignoreTag(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const load: PageServerLoad = async (event) => {
  if (!event.locals.viewer) redirect(303, '/signin?redirectTo=/following');
  try {
    return { following: (await gql(event, FollowingQuery)).following };
  } catch (err) {
    apiFailure(err);
  }
};

export const actions: Actions = {
  unfollow: async (event) => {
    const subjectId = String((await event.request.formData()).get('subjectId') ?? '');
    const payload = (await gql(event, UnfollowMutation, { input: { subjectId } })).unfollow;
    if (payload.errors.length) return fail(400, { error: payload.errors[0]!.message });
    return { done: true };
  },
  unignore: async (event) => {
    const name = String((await event.request.formData()).get('name') ?? '');
    const payload = (await gql(event, IgnoreTagMutation, { input: { name, ignored: false } })).ignoreTag;
    if (payload.errors.length) return fail(400, { error: payload.errors[0]!.message });
    return { done: true };
  },
};
