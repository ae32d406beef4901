// The dashboard's numbers as CSV (the same filters as the page; the api writes the CSV).
import { error } from '@sveltejs/kit';
import { apiFailure, gql } from '$lib/server/api';
import { AnalyticsCsvQuery, AnalyticsSpacesQuery } from '../documents';
import { readFilters } from '../params';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  if (!event.locals.viewer) error(401, { message: 'Please sign in to export analytics.' });
  try {
    const spaces = (await gql(event, AnalyticsSpacesQuery)).analyticsSpaces;
    if (spaces.length === 0) error(403, { message: 'Community analytics are for the vendor’s engineers and site admins.' });
    const filters = readFilters(event.url, spaces, new Date());
    const space = spaces.find((s) => s.slug === filters.slug)!;
    const data = await gql(event, AnalyticsCsvQuery, { spaceId: space.id, from: filters.from, to: filters.to });
    return new Response(data.communityAnalytics.csv, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="analytics-${space.slug}-${filters.from}-${filters.to}.csv"`,
        'cache-control': 'private, no-store',
      },
    });
  } catch (err) {
    apiFailure(err);
  }
};
