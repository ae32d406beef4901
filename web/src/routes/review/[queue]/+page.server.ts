import { error, redirect } from '@sveltejs/kit';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalidForm, text, trimmed, toFormErrors } from '$lib/server/forms';
import { ReviewTaskQuery, SubmitReviewMutation } from '../documents';
import type { Actions, PageServerLoad } from './$types';

const QUEUES = ['FIRST_POSTS', 'LATE_ANSWERS', 'LOW_QUALITY', 'CLOSE_VOTES', 'REOPEN_VOTES', 'SUGGESTED_EDITS'] as const;
type Queue = (typeof QUEUES)[number];
const OUTCOMES = ['LOOKS_OK', 'RECOMMEND_DELETION', 'CLOSE', 'LEAVE_OPEN', 'REOPEN', 'LEAVE_CLOSED', 'APPROVE', 'REJECT', 'SKIP'] as const;
type Outcome = (typeof OUTCOMES)[number];

function queueOf(param: string): Queue {
  const queue = param.toUpperCase() as Queue;
  if (!QUEUES.includes(queue)) error(404, 'No such review queue');
  return queue;
}

export const load: PageServerLoad = async (event) => {
  if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
  const queue = queueOf(event.params.queue);
  try {
    const data = await gql(event, ReviewTaskQuery, { queue });
    return { queue, task: data.reviewTask, refused: null as string | null };
  } catch (err) {
    // FORBIDDEN (the queue's privilege) is shown on the page, not as an error page
    if (err instanceof ApiError && err.kind === 'graphql') return { queue, task: null, refused: err.message };
    apiFailure(err);
  }
};

export const actions: Actions = {
  review: async (event) => {
    if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
    const form = await event.request.formData();
    const taskId = text(form, 'taskId');
    const outcome = text(form, 'outcome') as Outcome;
    const comment = trimmed(form, 'comment');
    if (!OUTCOMES.includes(outcome)) return invalidForm(400, { taskId, outcome }, 'Choose an outcome.');
    let payload;
    try {
      payload = (await gql(event, SubmitReviewMutation, { input: { taskId, outcome, comment: comment || null } })).submitReview;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql') return invalidForm(400, { taskId, outcome }, err.message);
      throw err;
    }
    if (payload.errors.length) return invalidForm(400, { taskId, outcome }, toFormErrors(payload.errors));
    redirect(303, event.url.pathname);
  },
};
