import { API_SCOPES } from '$lib/api-scopes';
import type { PageServerLoad } from './$types';
import { costModel, schemaReference, webhookEvents } from './reference';
import { activitySource, costSource, schemaSource } from './sources';

const WEBHOOK_FIELDS = [
  'createWebhook',
  'updateWebhook',
  'deleteWebhook',
  'pingWebhook',
  'redeliverWebhookDelivery',
  'webhooks',
  'webhookDeliveries',
];

// read once per process: the sources do not change while it runs
const facts = (() => {
  const reference = schemaReference(schemaSource);
  const roots = new Set([...reference.queries, ...reference.mutations].map((f) => f.name));
  return {
    events: webhookEvents(activitySource),
    cost: costModel(costSource),
    webhookFields: WEBHOOK_FIELDS.filter((f) => roots.has(f)),
    counts: { queries: reference.queries.length, mutations: reference.mutations.length, types: reference.types.length },
  };
})();

export const load: PageServerLoad = () => ({ ...facts, scopes: API_SCOPES });
