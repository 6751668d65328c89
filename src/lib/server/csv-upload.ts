import type { RequestEvent } from '@sveltejs/kit';

/**
 * A CSV file sent as a multipart upload (it can exceed what a tRPC call carries). The body is read
 * whole, up to adapter-node's BODY_SIZE_LIMIT (3 MB, server/serve.js): answering before the upload
 * ends would leave the browser's connection mid-request. Each file's own limits are its reader's.
 */
export async function readUpload(event: RequestEvent, messages: { missing: string; tooLarge: string }): Promise<{ fileName: string; bytes: Uint8Array; form: FormData } | { message: string }> {
	let form: FormData;
	try {
		form = await event.request.formData();
	} catch {
		return { message: messages.tooLarge };
	}
	const file = form.get('file');
	if (!(file instanceof File) || file.size === 0) return { message: messages.missing };
	return { fileName: file.name.slice(0, 200), bytes: new Uint8Array(await file.arrayBuffer()), form };
}
