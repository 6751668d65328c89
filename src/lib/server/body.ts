/**
 * Reads at most `limit` bytes of a request body, whether or not it came with a Content-Length;
 * null when it is larger. The rest is drained, not cut off, so that the client hears the 413
 * instead of a reset.
 */
export async function readCapped(request: Request, limit: number): Promise<Buffer | null> {
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
