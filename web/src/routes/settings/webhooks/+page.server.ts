import { error } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalid, toFormErrors } from '$lib/server/forms';
import { readWebhookForm, WEBHOOK_FIELDS } from './webhook-form';
import type { Actions, PageServerLoad } from './$types';

const WebhooksQuery = graphql(`
  query SettingsWebhooks {
    webhooks(first: 100) {
      nodes {
        id
        url
        description
        events
        active
        disabledReason
        consecutiveFailures
        lastDeliveryAt
        lastDeliveryStatus
        space {
          slug
          name
        }
      }
    }
    webhookEventTypes
    spaces(first: 100) {
      nodes {
        id
        slug
        name
      }
    }
  }
`);

const CreateWebhookMutation = graphql(
  `
    mutation CreateWebhook($input: CreateWebhookInput!) {
      createWebhook(input: $input) {
        errors {
          ...PayloadError
        }
        secret
        webhook {
          id
          url
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const load: PageServerLoad = async (event) => {
  if (event.locals.viewer?.role !== 'ADMIN') error(403, { message: 'Only admins manage webhooks.' });
  try {
    const data = await gql(event, WebhooksQuery);
    return { webhooks: data.webhooks.nodes, eventTypes: data.webhookEventTypes, spaces: data.spaces.nodes };
  } catch (err) {
    apiFailure(err);
  }
};

export const actions: Actions = {
  create: async (event) => {
    const values = readWebhookForm(await event.request.formData());
    if (!values.url) return invalid(400, values, { fields: { url: 'Give the URL to deliver to.' } });
    if (!values.events.length) return invalid(400, values, { fields: { events: 'Choose at least one event.' } });
    const input = {
      url: values.url,
      description: values.description,
      events: values.events,
      spaceId: values.spaceId || null,
    };
    let payload;
    try {
      payload = (await gql(event, CreateWebhookMutation, { input })).createWebhook;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql') return invalid(400, values, err.message);
      throw err;
    }
    if (payload.errors.length || !payload.webhook || !payload.secret) {
      return invalid(400, values, toFormErrors(payload.errors, WEBHOOK_FIELDS));
    }
    // the signing secret is returned in this one response only; the web app never stores it
    return { values, created: { id: payload.webhook.id, url: payload.webhook.url, secret: payload.secret } };
  },
};
