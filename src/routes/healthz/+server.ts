import type { RequestHandler } from './$types';

/** Liveness: the process answers. Nothing else is touched, so a slow or locked database never gets the process restarted. */
export const GET: RequestHandler = () =>
	new Response('ok', { headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
