import { json, type RequestHandler } from '@sveltejs/kit';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '$server/trpc/app';
import { contextFor } from '$lib/server/trpc';

/** Inputs are small forms and mark batches; anything larger is a mistake or an attack. */
const MAX_BODY_BYTES = 256 * 1024;

const tooLarge = () => json({ error: { message: 'Richiesta troppo grande.', code: 'PAYLOAD_TOO_LARGE' } }, { status: 413 });

/**
 * Reads at most `limit` bytes: a body streamed without Content-Length is held to the same limit.
 * The rest is drained, not cut off, so that the client hears the 413 instead of a reset.
 */
async function readCapped(request: Request, limit: number): Promise<Buffer | null> {
	if (!request.body) return Buffer.alloc(0);
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
			size += chunk.byteLength;
			if (size <= limit) chunks.push(chunk);
		}
	} catch {
		// adapter-node's own BODY_SIZE_LIMIT ends the stream with an error.
		return null;
	}
	return size > limit ? null : Buffer.concat(chunks);
}

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
			if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`[trpc] ${path}`, error);
		}
	});
};

export const GET = handler;
export const POST = handler;
