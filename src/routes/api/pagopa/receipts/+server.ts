import { json, type RequestHandler } from '@sveltejs/kit';
import { receiveReceipt } from '$server/payments/pagopa/receiver';
import { readCapped } from '$lib/server/body';

const MAX_RECEIPT_BYTES = 64 * 1024;

// pagoPA (or the simulator) posts receipts here, server to server: not tRPC, no session.
export const POST: RequestHandler = async ({ request, locals }) => {
	// A receipt is a few hundred bytes: nothing larger is parsed, let alone stored.
	const body = await readCapped(request, MAX_RECEIPT_BYTES);
	if (body === null) return json({ outcome: 'KO', error: 'Ricevuta troppo grande.' }, { status: 413 });
	const answer = await receiveReceipt(locals.rt, request.headers.get('authorization'), body.toString('utf8'));
	return json(answer.body, { status: answer.status });
};
