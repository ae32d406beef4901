import { redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { gql, ApiError } from '$lib/server/api';
import { invalid, safeRedirect, text, toFormErrors, trimmed } from '$lib/server/forms';
import type { Actions, PageServerLoad } from './$types';

const SignUpMutation = graphql(
  `
    mutation SignUp($input: SignUpInput!) {
      signUp(input: $input) {
        errors {
          ...PayloadError
        }
        viewer {
          id
          handle
          url
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

const FIELDS = ['handle', 'displayName', 'email', 'password'] as const;

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.viewer) redirect(303, safeRedirect(url.searchParams.get('redirectTo')));
  return { redirectTo: safeRedirect(url.searchParams.get('redirectTo'), '') };
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const input = {
      handle: trimmed(data, 'handle'),
      displayName: trimmed(data, 'displayName'),
      email: trimmed(data, 'email'),
      password: text(data, 'password'),
    };
    const values = { handle: input.handle, displayName: input.displayName, email: input.email };
    const redirectTo = safeRedirect(text(data, 'redirectTo'));

    const missing: Record<string, string> = {};
    for (const name of FIELDS) if (!input[name]) missing[name] = 'This field is required.';
    if (Object.keys(missing).length) return invalid(400, values, { fields: missing });

    let result;
    try {
      result = (await gql(event, SignUpMutation, { input })).signUp;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 429 || err.code === 'RATE_LIMITED')) {
        return invalid(429, values, 'Too many attempts. Please wait a minute and try again.');
      }
      throw err;
    }
    if (result.errors.length || !result.viewer) {
      const errors = toFormErrors(result.errors, FIELDS);
      if (!result.errors.length) errors.form.push('Sign up failed. Please try again.');
      return invalid(400, values, errors);
    }
    redirect(303, redirectTo === '/' ? result.viewer.url : redirectTo);
  },
};
