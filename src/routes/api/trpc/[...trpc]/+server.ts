import { json, type RequestHandler } from '@sveltejs/kit';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '$server/trpc/app';
import { contextFor } from '$lib/server/trpc';

/** Inputs are small forms and mark batches; anything larger is a mistake or an attack. */
const MAX_BODY_BYTES = 256 * 1024;

const handler: RequestHandler = async (event) => {
	const length = Number(event.request.headers.get('content-length') ?? 0);
	if (length > MAX_BODY_BYTES) {
		return json({ error: { message: 'Richiesta troppo grande.', code: 'PAYLOAD_TOO_LARGE' } }, { status: 413 });
	}
	return fetchRequestHandler({
		endpoint: '/api/trpc',
		req: event.request,
		router: appRouter,
		createContext: ({ resHeaders }) => contextFor(event, resHeaders),
		onError({ error, path }) {
			if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`[trpc] ${path}`, error);
		}
	});
};

export const GET = handler;
export const POST = handler;
