import { resolve } from 'node:path';
import { json } from '@sveltejs/kit';
import { checkReadiness } from '$server/ops/health';
import type { RequestHandler } from './$types';

/** Readiness: the database takes writes and has every migration this build ships (server/ops/health.ts). */
export const GET: RequestHandler = ({ locals }) => {
	const { ready, checks } = checkReadiness(locals.rt.db.$client, resolve('drizzle'));
	return json({ status: ready ? 'ready' : 'unavailable', checks }, { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } });
};
