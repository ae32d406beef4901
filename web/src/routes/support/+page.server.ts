import { fail, redirect } from '@sveltejs/kit';
import { apiFailure, gql } from '$lib/server/api';
import { AssignMutation, FILTERS, SupportQueueQuery } from './documents';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
  const active = FILTERS.filter((f) => event.url.searchParams.get(f) === '1');
  const filter = Object.fromEntries(active.map((f) => [f, true]));
  const after = event.url.searchParams.get('after');
  try {
    const data = await gql(event, SupportQueueQuery, { filter, first: 50, after });
    return { queue: data.supportQueue, active };
  } catch (err) {
    apiFailure(err);
  }
};

export const actions: Actions = {
  assign: async (event) => {
    const form = await event.request.formData();
    const questionId = String(form.get('questionId') ?? '');
    try {
      const data = await gql(event, AssignMutation, { input: { questionId } });
      const errors = data.assignQuestion.errors;
      if (errors.length) return fail(400, { message: errors[0]!.message });
    } catch (err) {
      apiFailure(err);
    }
    return { assigned: questionId };
  },
};
