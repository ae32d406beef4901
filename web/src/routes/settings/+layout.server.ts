import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => {
  if (!locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(url.pathname)}`);
  return {};
};
