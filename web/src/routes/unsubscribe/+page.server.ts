// One-click unsubscribe from e-mail (works without a session): GET shows what the signed link
// turns off and a confirm button; POST unsubscribes — the button's form, or a mail client's
// RFC 8058 one-click POST (`List-Unsubscribe=One-Click`) to the same URL.
import { fail } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import type { Actions, PageServerLoad } from './$types';

const LinkQuery = graphql(`
  query UnsubscribeLink($token: String!) {
    unsubscribeLink(token: $token) {
      kind
      handle
    }
  }
`);

const UnsubscribeMutation = graphql(
  `
    mutation Unsubscribe($token: String!) {
      unsubscribe(input: { token: $token }) {
        link {
          kind
          handle
        }
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const load: PageServerLoad = async (event) => {
  const token = event.url.searchParams.get('token') ?? '';
  if (!token) return { token, link: null };
  try {
    return { token, link: (await gql(event, LinkQuery, { token })).unsubscribeLink };
  } catch (err) {
    apiFailure(err);
  }
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData().catch(() => new FormData());
    const token = String(form.get('token') ?? event.url.searchParams.get('token') ?? '');
    const payload = (await gql(event, UnsubscribeMutation, { token })).unsubscribe;
    if (payload.errors.length || !payload.link) return fail(400, { error: payload.errors[0]?.message ?? 'This link is not valid.' });
    return { done: payload.link };
  },
};
