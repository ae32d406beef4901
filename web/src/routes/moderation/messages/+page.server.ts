// Acknowledging a moderator message (the banner's form posts here; works without JavaScript).
import { redirect } from '@sveltejs/kit';
import { gql } from '$lib/server/api';
import { safeRedirect, text } from '$lib/server/forms';
import { AcknowledgeMutation } from '../documents';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  acknowledge: async (event) => {
    if (!event.locals.viewer) redirect(303, '/signin');
    const form = await event.request.formData();
    await gql(event, AcknowledgeMutation, { input: { messageId: text(form, 'messageId') } });
    redirect(303, safeRedirect(text(form, 'back'), '/'));
  },
};
