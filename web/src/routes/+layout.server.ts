import { siteName } from '$lib/server/config';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
  viewer: locals.viewer,
  siteName: siteName(),
});
