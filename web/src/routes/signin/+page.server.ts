import { redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { gql, ApiError } from '$lib/server/api';
import { invalid, safeRedirect, text, toFormErrors, trimmed } from '$lib/server/forms';
import type { Actions, PageServerLoad } from './$types';

const SignInMutation = graphql(
  `
    mutation SignIn($input: SignInInput!) {
      signIn(input: $input) {
        errors {
          ...PayloadError
        }
        viewer {
          id
          handle
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.viewer) redirect(303, safeRedirect(url.searchParams.get('redirectTo')));
  return { redirectTo: safeRedirect(url.searchParams.get('redirectTo'), '') };
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const login = trimmed(data, 'login');
    const password = text(data, 'password');
    const redirectTo = safeRedirect(text(data, 'redirectTo'));
    const values = { login };

    if (!login || !password) {
      return invalid(400, values, {
        fields: {
          ...(login ? {} : { login: 'Enter your handle or email.' }),
          ...(password ? {} : { password: 'Enter your password.' }),
        },
      });
    }

    let result;
    try {
      result = (await gql(event, SignInMutation, { input: { login, password } })).signIn;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 429 || err.code === 'RATE_LIMITED')) {
        return invalid(429, values, 'Too many attempts. Please wait a minute and try again.');
      }
      throw err;
    }
    if (result.errors.length || !result.viewer) {
      const errors = toFormErrors(result.errors, ['login', 'password']);
      if (!result.errors.length) errors.form.push('Sign in failed. Please try again.');
      return invalid(400, values, errors);
    }
    redirect(303, redirectTo);
  },
};
