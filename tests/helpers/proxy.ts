import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { freePort } from './server.js';

export interface TestProxy {
	url: string;
	close(): Promise<void>;
}

/**
 * A pass-through HTTP proxy in front of a test server that can rewrite a response body: the one
 * way to show the browser a "new deployment" of a file it fetches by itself (the service worker's
 * script, whose update check neither page nor browser-level request interception sees).
 * The Origin header is put back to the server's, so its same-origin checks hold as without proxy.
 */
export async function startRewritingProxy(target: string, rewrite: (path: string, body: string) => string | null): Promise<TestProxy> {
	const upstream = new URL(target);
	const server = createServer((req, res) => {
		const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
		if (headers.origin) headers.origin = upstream.origin;
		// Whole, plain bodies, so they can be rewritten (no 304 with an empty body).
		delete headers['accept-encoding'];
		delete headers['if-none-match'];
		delete headers['if-modified-since'];
		const forward = request({ host: '127.0.0.1', port: upstream.port, path: req.url, method: req.method, headers }, (answer) => {
			const chunks: Buffer[] = [];
			answer.on('data', (c: Buffer) => chunks.push(c));
			answer.on('end', () => {
				const original = Buffer.concat(chunks);
				const rewritten = rewrite(req.url ?? '/', original.toString('utf8'));
				const body = rewritten === null ? original : Buffer.from(rewritten);
				const out = { ...answer.headers, 'content-length': String(body.length) };
				delete out['transfer-encoding'];
				if (rewritten !== null) delete out.etag;
				res.writeHead(answer.statusCode ?? 502, out);
				res.end(body);
			});
		});
		forward.on('error', () => res.writeHead(502).end());
		req.pipe(forward);
	});
	const port = await freePort();
	await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
	return { url: `http://localhost:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
