import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** Liveness of the web process (does not call the api). */
export const GET: RequestHandler = () => json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
