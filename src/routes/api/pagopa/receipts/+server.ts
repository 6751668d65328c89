import { json, type RequestHandler } from '@sveltejs/kit';
import { receiveReceipt } from '$server/payments/pagopa/receiver';

// pagoPA (or the simulator) posts receipts here, server to server: not tRPC, no session.
export const POST: RequestHandler = async ({ request, locals }) => {
	const answer = await receiveReceipt(locals.rt, request.headers.get('authorization'), await request.text());
	return json(answer.body, { status: answer.status });
};
