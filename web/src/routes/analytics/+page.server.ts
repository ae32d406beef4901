import { error, redirect } from '@sveltejs/kit';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { AnalyticsSpacesQuery, CommunityAnalyticsQuery } from './documents';
import { readFilters } from './params';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname + event.url.search)}`);
  const { analyticsSpaces: spaces } = await gql(event, AnalyticsSpacesQuery).catch((err: unknown) => apiFailure(err));
  if (spaces.length === 0) error(403, { message: 'Community analytics are for the vendor’s engineers and site admins.' });
  const filters = readFilters(event.url, spaces, new Date());
  const space = spaces.find((s) => s.slug === filters.slug)!;
  try {
    const data = await gql(event, CommunityAnalyticsQuery, { spaceId: space.id, from: filters.from, to: filters.to });
    return { spaces, filters, space, analytics: data.communityAnalytics, problem: null };
  } catch (err) {
    // a bad range (to before from, more than 366 days): the form again, with the api's message
    if (err instanceof ApiError && err.code === 'VALIDATION') {
      return {
        spaces,
        filters,
        space,
        analytics: null,
        problem: `The date range is not valid: ${err.errors[0]?.message ?? 'check the dates'}.`,
      };
    }
    apiFailure(err);
  }
};
