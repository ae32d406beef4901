import { redirect } from '@sveltejs/kit';
import { apiFailure, gql } from '$lib/server/api';
import { ReviewQueuesQuery } from './documents';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
  try {
    const data = await gql(event, ReviewQueuesQuery, {});
    return { queues: data.reviewQueues };
  } catch (err) {
    apiFailure(err);
  }
};
