import { redirect } from '@sveltejs/kit';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalidForm, text, toFormErrors, trimmed } from '$lib/server/forms';
import { CreateWatchMutation, DeleteWatchMutation, GROUPINGS, ListeningPageQuery, type Grouping } from './documents';
import type { Actions, PageServerLoad } from './$types';

const MATCHES_PER_PAGE = 100;
const RAW_ID = /^[a-f0-9]{24}$/;
const CURSOR = /^\d{1,6}$/;

export const load: PageServerLoad = async (event) => {
  if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
  const params = event.url.searchParams;
  const rawGroup = params.get('group') ?? 'watch';
  const group: Grouping = (GROUPINGS as readonly string[]).includes(rawGroup) ? (rawGroup as Grouping) : 'watch';
  const watch = params.get('watch');
  const watchId = watch && RAW_ID.test(watch) ? watch : null;
  const after = params.get('after');
  try {
    const data = await gql(event, ListeningPageQuery, {
      watchId,
      first: MATCHES_PER_PAGE,
      after: after && CURSOR.test(after) ? after : null,
    });
    return { watches: data.listeningWatches, matches: data.listeningMatches, group, watchId };
  } catch (err) {
    apiFailure(err);
  }
};

export const actions: Actions = {
  create: async (event) => {
    if (!event.locals.viewer) redirect(303, '/signin?redirectTo=/listening');
    const form = await event.request.formData();
    const values = { name: trimmed(form, 'name'), query: trimmed(form, 'query') };
    let payload;
    try {
      payload = (await gql(event, CreateWatchMutation, { input: values })).createListeningWatch;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql') return invalidForm(400, { action: 'create', ...values }, err.message);
      throw err;
    }
    if (payload.errors.length) return invalidForm(400, { action: 'create', ...values }, toFormErrors(payload.errors, ['name', 'query']));
    redirect(303, '/listening');
  },

  delete: async (event) => {
    if (!event.locals.viewer) redirect(303, '/signin?redirectTo=/listening');
    const form = await event.request.formData();
    const watchId = text(form, 'watchId');
    let payload;
    try {
      payload = (await gql(event, DeleteWatchMutation, { input: { watchId } })).deleteListeningWatch;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql') return invalidForm(400, { action: 'delete', watchId }, err.message);
      throw err;
    }
    if (payload.errors.length) return invalidForm(400, { action: 'delete', watchId }, toFormErrors(payload.errors));
    redirect(303, '/listening');
  },
};
