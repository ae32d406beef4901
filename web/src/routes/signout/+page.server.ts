import { redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { gql } from '$lib/server/api';
import { SESSION_COOKIE } from '$lib/server/config';
import type { Actions, PageServerLoad } from './$types';

const SignOutMutation = graphql(`
  mutation SignOut {
    signOut(input: {}) {
      ok
    }
  }
`);

// GET /signout shows a confirmation form (sign-out is a POST, never a link a crawler can follow).
export const load: PageServerLoad = ({ locals }) => {
  if (!locals.viewer) redirect(303, '/');
  return {};
};

export const actions: Actions = {
  default: async (event) => {
    try {
      await gql(event, SignOutMutation);
    } finally {
      // Whatever the api said, this browser is signed out.
      event.cookies.delete(SESSION_COOKIE, { path: '/' });
    }
    redirect(303, '/');
  },
};
