import { json, type RequestHandler } from '@sveltejs/kit';
import { MAX_BODY_BYTES, receiveLisNotification, type LisOutcome } from '$server/payments/lis/notification';
import { readCapped } from '$lib/server/body';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '$server/payments/lis/signature';
import { creditNoticesFor } from '$server/payments/alerts';

/*
 * The LIS network's notification of a payment at a retailer (server to server, JSON, signed).
 * A redelivery of a credited transaction answers 200 with the same body, so the network stops.
 */
type Refusal = Exclude<LisOutcome, { status: 'credited' }>;

function refusal(o: Refusal): { status: number; code: string; message: string } {
	switch (o.status) {
		case 'malformed':
			return { status: 400, code: 'BAD_REQUEST', message: `Notifica non valida: ${o.message}` };
		case 'unauthorized':
			return { status: 401, code: 'UNAUTHORIZED', message: `Notifica non autenticata: ${o.reason}` };
		case 'unknown_code':
			return { status: 404, code: 'UNKNOWN_CODE', message: 'Codice Punto LIS sconosciuto.' };
		case 'conflict':
			return { status: 409, code: 'CONFLICT', message: 'Operazione LIS già ricevuta con dati diversi (importo o codice): non accreditata.' };
	}
}

export const POST: RequestHandler = async ({ request, locals }) => {
	const body = await readCapped(request, MAX_BODY_BYTES);
	if (body === null) return json({ error: { message: 'Notifica troppo grande.', code: 'PAYLOAD_TOO_LARGE' } }, { status: 413 });
	const { rt } = locals;
	const outcome = receiveLisNotification(
		rt.db,
		rt.clock,
		rt.secrets,
		{ rawBody: body.toString('utf8'), signature: request.headers.get(SIGNATURE_HEADER), timestamp: request.headers.get(TIMESTAMP_HEADER) },
		creditNoticesFor({ db: rt.db, clock: rt.clock, origin: rt.config.origin })
	);
	const headers: Record<string, string> = { 'cache-control': 'no-store' };
	if (outcome.status === 'credited') {
		if (outcome.replay) headers['idempotent-replayed'] = 'true';
		return json({ status: 'credited', credit: outcome.credit }, { headers });
	}
	const { status, code, message } = refusal(outcome);
	return json({ error: { message, code } }, { status, headers });
};
