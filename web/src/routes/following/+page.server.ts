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

const FollowMutation = graphql(
  `
    mutation Follow($input: FollowInput!) {
      follow(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

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

/**
 * Where a follow button on another page (components/follow) sends the member back: a local path
 * only (never `//host` or `/\\host`), else null (stay on /following).
 */
function backTo(form: FormData): string | null {
  const to = String(form.get('redirectTo') ?? '');
  return /^\/(?![/\\])/.test(to) && to.length <= 2000 ? to : null;
}

/** Signed out: sign in first, then back to the page the button was on. */
function requireSignIn(event: { locals: App.Locals }, to: string | null) {
  if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(to ?? '/following')}`);
}

export const actions: Actions = {
  follow: async (event) => {
    const form = await event.request.formData();
    const to = backTo(form);
    requireSignIn(event, to);
    const payload = (await gql(event, FollowMutation, { input: { subjectId: String(form.get('subjectId') ?? '') } })).follow;
    if (payload.errors.length) return fail(400, { error: payload.errors[0]!.message });
    if (to) redirect(303, to);
    return { done: true };
  },
  unfollow: async (event) => {
    const form = await event.request.formData();
    const to = backTo(form);
    requireSignIn(event, to);
    const payload = (await gql(event, UnfollowMutation, { input: { subjectId: String(form.get('subjectId') ?? '') } })).unfollow;
    if (payload.errors.length) return fail(400, { error: payload.errors[0]!.message });
    if (to) redirect(303, to);
    return { done: true };
  },
  ignore: async (event) => {
    const form = await event.request.formData();
    const to = backTo(form);
    requireSignIn(event, to);
    const name = String(form.get('name') ?? '');
    const payload = (await gql(event, IgnoreTagMutation, { input: { name, ignored: true } })).ignoreTag;
    if (payload.errors.length) return fail(400, { error: payload.errors[0]!.message });
    if (to) redirect(303, to);
    return { done: true };
  },
  unignore: async (event) => {
    const form = await event.request.formData();
    const to = backTo(form);
    requireSignIn(event, to);
    const name = String(form.get('name') ?? '');
    const payload = (await gql(event, IgnoreTagMutation, { input: { name, ignored: false } })).ignoreTag;
    if (payload.errors.length) return fail(400, { error: payload.errors[0]!.message });
    if (to) redirect(303, to);
    return { done: true };
  },
};
