import { json, type RequestHandler } from '@sveltejs/kit';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '$server/trpc/app';
import { contextFor } from '$lib/server/trpc';
import { readCapped } from '$lib/server/body';
import { log } from '$server/log';

/** Inputs are small forms and mark batches; anything larger is a mistake or an attack. */
const MAX_BODY_BYTES = 256 * 1024;

const tooLarge = () => json({ error: { message: 'Richiesta troppo grande.', code: 'PAYLOAD_TOO_LARGE' } }, { status: 413 });

const handler: RequestHandler = async (event) => {
	const length = event.request.headers.get('content-length');
	if (Number(length ?? 0) > MAX_BODY_BYTES) return tooLarge();
	let req = event.request;
	// With a Content-Length the adapter already holds the body to it; only a streamed body is read here.
	if (req.method === 'POST' && length === null) {
		const body = await readCapped(req, MAX_BODY_BYTES);
		if (body === null) return tooLarge();
		req = new Request(req.url, { method: 'POST', headers: req.headers, body: new Uint8Array(body) });
	}
	return fetchRequestHandler({
		endpoint: '/api/trpc',
		req,
		router: appRouter,
		createContext: ({ resHeaders }) => contextFor(event, resHeaders),
		onError({ error, path }) {
			if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error, requestId: event.locals.requestId, procedure: path }, 'procedure failed');
		}
	});
};

export const GET = handler;
export const POST = handler;
