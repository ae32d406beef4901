import { graphql } from '$lib/graphql/graphql';
import { PayloadErrorFragment } from '$lib/graphql/fragments';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalid, text, toFormErrors, trimmed } from '$lib/server/forms';
import { preview } from '$lib/server/markdown';
import { parseTags } from '$lib/tags';
import type { Actions, PageServerLoad } from './$types';

const ProfileQuery = graphql(`
  query SettingsProfile {
    viewer {
      id
      handle
      url
      displayName
      bio
      location
      websiteUrl
      email
      expertiseTags
      socialLinks {
        label
        url
      }
    }
  }
`);

const UpdateProfileMutation = graphql(
  `
    mutation UpdateProfile($input: UpdateProfileInput!) {
      updateProfile(input: $input) {
        errors {
          ...PayloadError
        }
        user {
          id
        }
      }
    }
  `,
  [PayloadErrorFragment],
);

const LINK_SLOTS = 4;

export const load: PageServerLoad = async (event) => {
  try {
    const data = await gql(event, ProfileQuery);
    return { profile: data.viewer, linkSlots: LINK_SLOTS };
  } catch (err) {
    apiFailure(err);
  }
};

function read(form: FormData) {
  const links: { label: string; url: string }[] = [];
  for (let i = 0; i < LINK_SLOTS; i++) {
    links.push({ label: trimmed(form, `link${i}Label`), url: trimmed(form, `link${i}Url`) });
  }
  return {
    displayName: trimmed(form, 'displayName'),
    bio: text(form, 'bio'),
    location: trimmed(form, 'location'),
    websiteUrl: trimmed(form, 'websiteUrl'),
    expertiseTags: text(form, 'expertiseTags'),
    links,
  };
}

export const actions: Actions = {
  save: async (event) => {
    const values = read(await event.request.formData());
    let payload;
    try {
      payload = (
        await gql(event, UpdateProfileMutation, {
          input: {
            displayName: values.displayName,
            bio: values.bio,
            location: values.location || null,
            websiteUrl: values.websiteUrl || null,
            expertiseTags: parseTags(values.expertiseTags),
            socialLinks: values.links.filter((l) => l.label || l.url),
          },
        })
      ).updateProfile;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql') return invalid(400, { ...values, preview: null }, err.message);
      throw err;
    }
    if (payload.errors.length) {
      return invalid(
        400,
        { ...values, preview: null },
        toFormErrors(payload.errors, ['displayName', 'bio', 'location', 'websiteUrl', 'expertiseTags', 'socialLinks']),
      );
    }
    return { values: { ...values, preview: null }, saved: true };
  },

  preview: async (event) => {
    const values = read(await event.request.formData());
    const { html } = await preview(event, values.bio);
    return { values: { ...values, preview: html } };
  },
};
