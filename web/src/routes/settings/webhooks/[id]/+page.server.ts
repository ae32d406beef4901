import { error, redirect } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalid, text, toFormErrors } from '$lib/server/forms';
import { readWebhookForm, WEBHOOK_FIELDS } from '../webhook-form';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const WebhookQuery = graphql(`
  query SettingsWebhook($id: ID!, $after: String) {
    webhook(id: $id) {
      id
      url
      description
      events
      active
      disabledAt
      disabledReason
      consecutiveFailures
      createdAt
      space {
        id
        name
      }
    }
    webhookDeliveries(webhookId: $id, first: 20, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        messageId
        event
        status
        note
        requestBody
        createdAt
        attempts {
          number
          at
          isRedelivery
          responseStatus
          responseBodyExcerpt
          durationMs
          error
          succeeded
          requestHeaders {
            name
            value
          }
        }
      }
    }
    webhookEventTypes
    spaces(first: 100) {
      nodes {
        id
        name
      }
    }
  }
`);

const UpdateWebhookMutation = graphql(
  `
    mutation UpdateWebhook($input: UpdateWebhookInput!) {
      updateWebhook(input: $input) {
        errors {
          ...PayloadError
        }
        webhook {
          id
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

const DeleteWebhookMutation = graphql(
  `
    mutation DeleteWebhook($input: DeleteWebhookInput!) {
      deleteWebhook(input: $input) {
        errors {
          ...PayloadError
        }
        deletedWebhookId
      }
    }
  `,
  [PayloadErrorFragment],
);

const PingWebhookMutation = graphql(
  `
    mutation PingWebhook($input: PingWebhookInput!) {
      pingWebhook(input: $input) {
        errors {
          ...PayloadError
        }
        delivery {
          id
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

const RedeliverMutation = graphql(
  `
    mutation RedeliverWebhookDelivery($input: RedeliverWebhookDeliveryInput!) {
      redeliverWebhookDelivery(input: $input) {
        errors {
          ...PayloadError
        }
        delivery {
          id
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

export const load: PageServerLoad = async (event) => {
  if (event.locals.viewer?.role !== 'ADMIN') error(403, { message: 'Only admins manage webhooks.' });
  try {
    const data = await gql(event, WebhookQuery, { id: event.params.id, after: event.url.searchParams.get('after') || null });
    if (!data.webhook) error(404, { message: 'Webhook not found' });
    return {
      webhook: data.webhook,
      deliveries: data.webhookDeliveries.nodes,
      pageInfo: data.webhookDeliveries.pageInfo,
      eventTypes: data.webhookEventTypes,
      spaces: data.spaces.nodes,
    };
  } catch (err) {
    apiFailure(err);
  }
};

/** Runs one mutation for an action: a refused one becomes the form's errors. */
async function run<T extends { errors: ReadonlyArray<{ message: string; code: string }> }>(
  action: string,
  call: () => Promise<T>,
  values: Record<string, unknown> = {},
) {
  let payload: T;
  try {
    payload = await call();
  } catch (err) {
    if (err instanceof ApiError && err.kind === 'graphql') return { failed: invalid(400, { action, ...values }, err.message) };
    throw err;
  }
  if (payload.errors.length) return { failed: invalid(400, { action, ...values }, toFormErrors(payload.errors, WEBHOOK_FIELDS)) };
  return { payload };
}

const webhookId = (event: RequestEvent) => event.params.id;

export const actions: Actions = {
  update: async (event) => {
    const values = readWebhookForm(await event.request.formData());
    if (!values.url) return invalid(400, { action: 'update', ...values }, { fields: { url: 'Give the URL to deliver to.' } });
    if (!values.events.length) return invalid(400, { action: 'update', ...values }, { fields: { events: 'Choose at least one event.' } });
    const input = {
      webhookId: webhookId(event),
      url: values.url,
      description: values.description,
      events: values.events,
      spaceId: values.spaceId || null,
    };
    const r = await run('update', async () => (await gql(event, UpdateWebhookMutation, { input })).updateWebhook, values);
    return r.failed ?? { values: { action: 'update' }, done: 'Saved.' };
  },

  enable: async (event) => {
    const input = { webhookId: webhookId(event), active: true };
    const r = await run('enable', async () => (await gql(event, UpdateWebhookMutation, { input })).updateWebhook);
    return r.failed ?? { values: { action: 'enable' }, done: 'Enabled: deliveries resume with the next event.' };
  },

  disable: async (event) => {
    const input = { webhookId: webhookId(event), active: false };
    const r = await run('disable', async () => (await gql(event, UpdateWebhookMutation, { input })).updateWebhook);
    return r.failed ?? { values: { action: 'disable' }, done: 'Disabled: no events are sent until you enable it.' };
  },

  delete: async (event) => {
    const input = { webhookId: webhookId(event) };
    const r = await run('delete', async () => (await gql(event, DeleteWebhookMutation, { input })).deleteWebhook);
    if (r.failed) return r.failed;
    redirect(303, '/settings/webhooks');
  },

  ping: async (event) => {
    const input = { webhookId: webhookId(event) };
    const r = await run('ping', async () => (await gql(event, PingWebhookMutation, { input })).pingWebhook);
    return r.failed ?? { values: { action: 'ping' }, done: 'Ping sent: reload in a moment to see its delivery.' };
  },

  redeliver: async (event) => {
    const deliveryId = text(await event.request.formData(), 'deliveryId');
    const r = await run('redeliver', async () => (await gql(event, RedeliverMutation, { input: { deliveryId } })).redeliverWebhookDelivery);
    return r.failed ?? { values: { action: 'redeliver' }, done: 'Redelivery queued: reload in a moment to see the new attempt.' };
  },
};
