import type { Handle, HandleServerError } from '@sveltejs/kit';
import { log, requestIdFor } from '$server/log';

/** Probes call these every few seconds: their successes are debug lines, their failures info like the rest. */
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * A request id for every request (a trusted proxy's X-Request-Id, else a fresh one), echoed in the
 * answer, and one access line when the answer starts: method, route id (never the raw path, which
 * may carry a token), status, milliseconds, request id. Static files are served before the hooks.
 */
export function requestLog(trustedProxies: () => readonly string[]): Handle {
	return async ({ event, resolve }) => {
		const started = performance.now();
		const requestId = requestIdFor(event.request.headers.get('x-request-id'), event.platform?.req?.socket?.remoteAddress, trustedProxies());
		event.locals.requestId = requestId;
		let status = 500;
		try {
			const response = await resolve(event);
			status = response.status;
			response.headers.set('X-Request-Id', requestId);
			return response;
		} finally {
			const route = event.route.id;
			const line = { requestId, method: event.request.method, route, status, ms: Math.round((performance.now() - started) * 10) / 10 };
			if (route && PROBES.has(route) && status === 200) log.debug(line, 'request');
			else log.info(line, 'request');
		}
	};
}

/** Unexpected errors, with the request id that ties them to their access line; the page shows SvelteKit's generic message. */
export const logServerError: HandleServerError = ({ error, event, status, message }) => {
	// A 404 is no fault of ours, and its access line already says it.
	if (status !== 404) log.error({ err: error, requestId: event.locals.requestId, route: event.route.id, status }, 'unhandled error');
	return { message };
};
