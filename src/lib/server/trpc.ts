import type { RequestEvent } from '@sveltejs/kit';
import { appRouter } from '$server/trpc/app';
import { createCallerFactory } from '$server/trpc/init';
import type { Context } from '$server/trpc/context';
import { clearSessionCookie, setSessionCookie } from './auth';

export function contextFor(event: RequestEvent, resHeaders: Headers = new Headers()): Context {
	return {
		rt: event.locals.rt,
		auth: event.locals.auth,
		edge: {
			ip: event.getClientAddress(),
			resHeaders,
			setSessionCookie: (token, expiresAt) => setSessionCookie(event, token, expiresAt),
			clearSessionCookie: () => clearSessionCookie(event)
		}
	};
}

const createCaller = createCallerFactory(appRouter);

/** Server-side loads call the same procedures the browser does. */
export function serverCaller(event: RequestEvent) {
	return createCaller(contextFor(event));
}
