import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { safeRedirect, text, trimmed } from '$lib/server/forms';
import {
  AddVersionMutation,
  AssignMutation,
  EscalateMutation,
  FILTERS,
  SupportQueueQuery,
  UnassignMutation,
  UpdateCaseMutation,
  VerifyVersionsMutation,
} from './documents';
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

type Errors = readonly { message: string }[];

/**
 * Runs one support mutation. The question page's support forms post here with `returnTo` (the
 * question's path): success and failure both go back there with a 303 (the failure's message in
 * `?supportError=`, shown by the support panel), so every form works without JavaScript. Without
 * `returnTo` (the queue's own forms) a failure is shown on this page.
 */
async function run(event: RequestEvent, form: FormData, mutate: () => Promise<Errors>) {
  const returnTo = text(form, 'returnTo');
  let message: string | null = null;
  try {
    const errors = await mutate();
    if (errors.length) message = errors[0]!.message;
  } catch (err) {
    if (!(err instanceof ApiError) || err.kind !== 'graphql') throw err;
    if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(safeRedirect(returnTo, '/support'))}`);
    message = err.message;
  }
  if (!returnTo) {
    if (message) return fail(400, { message });
    redirect(303, '/support');
  }
  const back = safeRedirect(returnTo, '/support');
  if (message) redirect(303, `${back}?supportError=${encodeURIComponent(message.slice(0, 300))}#support`);
  redirect(303, `${back}#support`);
}

export const actions: Actions = {
  assign: async (event) => {
    const form = await event.request.formData();
    const questionId = text(form, 'questionId');
    const assigneeId = trimmed(form, 'assigneeId');
    return run(event, form, async () => {
      const input = assigneeId ? { questionId, assigneeId } : { questionId };
      return (await gql(event, AssignMutation, { input })).assignQuestion.errors;
    });
  },

  unassign: async (event) => {
    const form = await event.request.formData();
    const questionId = text(form, 'questionId');
    return run(event, form, async () => (await gql(event, UnassignMutation, { input: { questionId } })).unassignQuestion.errors);
  },

  verify: async (event) => {
    const form = await event.request.formData();
    const answerId = text(form, 'answerId');
    const versions = form.getAll('versions').filter((v): v is string => typeof v === 'string' && v !== '');
    if (versions.length === 0) return run(event, form, async () => [{ message: 'Choose the versions the answer applies to.' }]);
    return run(event, form, async () => (await gql(event, VerifyVersionsMutation, { input: { answerId, versions } })).verifyAnswer.errors);
  },

  escalate: async (event) => {
    const form = await event.request.formData();
    const questionId = text(form, 'questionId');
    const reason = trimmed(form, 'reason');
    const externalRef = trimmed(form, 'externalRef');
    return run(
      event,
      form,
      async () =>
        (await gql(event, EscalateMutation, { input: { questionId, reason, ...(externalRef ? { externalRef } : {}) } })).escalateQuestion
          .errors,
    );
  },

  updateCase: async (event) => {
    const form = await event.request.formData();
    const caseId = text(form, 'caseId');
    const raw = text(form, 'status');
    const status = raw === 'OPEN' || raw === 'IN_PROGRESS' || raw === 'RESOLVED' ? raw : undefined;
    const resolutionAnswerId = trimmed(form, 'resolutionAnswerId');
    const resolutionUrl = trimmed(form, 'resolutionUrl');
    const externalRef = trimmed(form, 'externalRef');
    return run(
      event,
      form,
      async () =>
        (
          await gql(event, UpdateCaseMutation, {
            input: {
              caseId,
              ...(status ? { status } : {}),
              ...(resolutionAnswerId ? { resolutionAnswerId } : {}),
              ...(resolutionUrl ? { resolutionUrl } : {}),
              ...(externalRef ? { externalRef } : {}),
            },
          })
        ).updateSupportCase.errors,
    );
  },

  addVersion: async (event) => {
    const form = await event.request.formData();
    const spaceId = text(form, 'spaceId');
    const version = trimmed(form, 'version');
    return run(event, form, async () => (await gql(event, AddVersionMutation, { input: { spaceId, version } })).addProductVersion.errors);
  },
};
