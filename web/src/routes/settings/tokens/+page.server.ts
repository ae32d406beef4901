import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalid, text, toFormErrors, trimmed } from '$lib/server/forms';
import { API_SCOPES, EXPIRY_CHOICES, type ApiScopeValue } from '$lib/api-scopes';
import type { Actions, PageServerLoad } from './$types';

const SCOPE_VALUES: ReadonlySet<string> = new Set(API_SCOPES.map((s) => s.value));
const EXPIRY_VALUES: ReadonlySet<string> = new Set(EXPIRY_CHOICES.map((c) => c.value));

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
        expiresAt
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
    const scopes = form.getAll('scopes').filter((s): s is ApiScopeValue => typeof s === 'string' && SCOPE_VALUES.has(s));
    const expiry = text(form, 'expiresInDays');
    const values = { action: 'create', name, scopes: scopes.join(' '), expiresInDays: expiry };
    if (!name) return invalid(400, values, { fields: { name: 'Give the token a name.' } });
    if (!scopes.length) return invalid(400, values, { fields: { scopes: 'Choose at least one scope.' } });
    if (!EXPIRY_VALUES.has(expiry)) return invalid(400, values, { fields: { expiresInDays: 'Choose when the token expires.' } });
    const input = { name, scopes, ...(expiry ? { expiresInDays: Number(expiry) } : {}) };
    let payload;
    try {
      payload = (await gql(event, CreateTokenMutation, { input })).createApiToken;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql') return invalid(400, values, err.message);
      throw err;
    }
    if (payload.errors.length || !payload.token || !payload.apiToken) {
      return invalid(400, values, toFormErrors(payload.errors, ['name', 'scopes', 'expiresInDays']));
    }
    // The secret is returned in this one response only; it is never stored by the web app.
    return { values, created: { name: payload.apiToken.name, token: payload.token } };
  },

  revoke: async (event) => {
    const apiTokenId = text(await event.request.formData(), 'apiTokenId');
    const values = { action: 'revoke', name: '', scopes: '', expiresInDays: '' };
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
