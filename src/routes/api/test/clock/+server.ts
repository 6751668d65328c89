import { error, json, type RequestHandler } from '@sveltejs/kit';
import { testClock } from '$lib/server/test-clock';

// Test builds only (see hooks.server.ts): POST {"now": ISO} moves the server's clock there.
export const GET: RequestHandler = ({ locals }) => {
	if (!testClock) error(404, 'Not found');
	return json({ now: locals.rt.clock.now().toISOString() });
};

export const POST: RequestHandler = async ({ request, locals }) => {
	if (!testClock) error(404, 'Not found');
	const at = new Date(String(((await request.json()) as { now?: unknown }).now));
	if (Number.isNaN(at.getTime())) error(400, 'now: data non valida');
	testClock.shiftTo(at);
	return json({ now: locals.rt.clock.now().toISOString() });
};
