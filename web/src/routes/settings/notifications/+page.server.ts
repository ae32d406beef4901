import { fail } from '@sveltejs/kit';
import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { apiFailure, gql } from '$lib/server/api';
import type { Actions, PageServerLoad } from './$types';

const PrefsQuery = graphql(`
  query NotificationPreferences {
    notificationPreferences {
      emailOnAnswer
      emailOnMention
      emailOnModeratorMessage
      digest
    }
  }
`);

const UpdatePrefsMutation = graphql(
  `
    mutation UpdateNotificationPreferences($input: UpdateNotificationPreferencesInput!) {
      updateNotificationPreferences(input: $input) {
        preferences {
          emailOnAnswer
          emailOnMention
          emailOnModeratorMessage
          digest
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
  try {
    return { prefs: (await gql(event, PrefsQuery)).notificationPreferences };
  } catch (err) {
    apiFailure(err);
  }
};

const DIGESTS = ['NONE', 'DAILY', 'WEEKLY'] as const;

export const actions: Actions = {
  save: async (event) => {
    const form = await event.request.formData();
    const digest = String(form.get('digest') ?? 'NONE');
    const payload = (
      await gql(event, UpdatePrefsMutation, {
        input: {
          emailOnAnswer: form.get('emailOnAnswer') === 'on',
          emailOnMention: form.get('emailOnMention') === 'on',
          emailOnModeratorMessage: form.get('emailOnModeratorMessage') === 'on',
          digest: DIGESTS.includes(digest as (typeof DIGESTS)[number]) ? (digest as (typeof DIGESTS)[number]) : 'NONE',
        },
      })
    ).updateNotificationPreferences;
    if (payload.errors.length) return fail(400, { error: payload.errors[0]!.message });
    return { saved: true };
  },
};
