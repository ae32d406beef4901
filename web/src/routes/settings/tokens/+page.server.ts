import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalid, text, toFormErrors, trimmed } from '$lib/server/forms';
import type { Actions, PageServerLoad } from './$types';

const TokensQuery = graphql(`
  query SettingsTokens {
    viewer {
      id
      apiTokens {
        id
        name
        prefix
        scopes
        createdAt
        lastUsedAt
        revokedAt
      }
    }
  }
`);

const CreateTokenMutation = graphql(
  `
    mutation CreateApiToken($input: CreateApiTokenInput!) {
      createApiToken(input: $input) {
        errors {
          ...PayloadError
        }
        token
        apiToken {
          id
          name
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

const RevokeTokenMutation = graphql(
  `
    mutation RevokeApiToken($input: RevokeApiTokenInput!) {
      revokeApiToken(input: $input) {
        errors {
          ...PayloadError
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const load: PageServerLoad = async (event) => {
  try {
    const data = await gql(event, TokensQuery);
    return { tokens: data.viewer?.apiTokens ?? [] };
  } catch (err) {
    apiFailure(err);
  }
};

export const actions: Actions = {
  create: async (event) => {
    const form = await event.request.formData();
    const name = trimmed(form, 'name');
    const scopes = form.getAll('scopes').filter((s): s is 'READ' | 'WRITE' => s === 'READ' || s === 'WRITE');
    const values = { action: 'create', name, scopes: scopes.join(' ') };
    if (!name) return invalid(400, values, { fields: { name: 'Give the token a name.' } });
    if (!scopes.length) return invalid(400, values, { fields: { scopes: 'Choose at least one scope.' } });
    let payload;
    try {
      payload = (await gql(event, CreateTokenMutation, { input: { name, scopes } })).createApiToken;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql') return invalid(400, values, err.message);
      throw err;
    }
    if (payload.errors.length || !payload.token || !payload.apiToken) {
      return invalid(400, values, toFormErrors(payload.errors, ['name', 'scopes']));
    }
    // The secret is returned in this one response only; it is never stored by the web app.
    return { values, created: { name: payload.apiToken.name, token: payload.token } };
  },

  revoke: async (event) => {
    const apiTokenId = text(await event.request.formData(), 'apiTokenId');
    const values = { action: 'revoke', name: '', scopes: '' };
    let payload;
    try {
      payload = (await gql(event, RevokeTokenMutation, { input: { apiTokenId } })).revokeApiToken;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql') return invalid(400, values, err.message);
      throw err;
    }
    if (payload.errors.length) return invalid(400, values, toFormErrors(payload.errors));
    return { values, revoked: true };
  },
};
