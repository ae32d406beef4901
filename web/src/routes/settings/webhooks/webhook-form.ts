// Reading the create/edit webhook form (shared by the list page and a webhook's page).
import { text, trimmed } from '$lib/server/forms';

export type WebhookFormValues = {
  url: string;
  description: string;
  events: string[];
  spaceId: string;
  active: boolean;
};

export function readWebhookForm(form: FormData): WebhookFormValues {
  return {
    url: trimmed(form, 'url'),
    description: trimmed(form, 'description'),
    events: form.getAll('events').filter((e): e is string => typeof e === 'string'),
    spaceId: text(form, 'spaceId'),
    active: text(form, 'active') !== 'false',
  };
}

export const WEBHOOK_FIELDS = ['url', 'description', 'events', 'spaceId'];
