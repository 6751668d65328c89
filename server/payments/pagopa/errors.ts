/**
 * Why pagoPA did not take a request. `message` is for the guardian (Italian, no jargon, says
 * whether to retry); `detail` is for the log and the operator.
 */
export type PagopaErrorCode = 'UNAVAILABLE' | 'UNAUTHORIZED' | 'REJECTED' | 'CONFLICT';

const messages: Record<PagopaErrorCode, string> = {
	UNAVAILABLE: 'pagoPA non risponde in questo momento. Riprova fra qualche minuto: non è stato addebitato nulla.',
	UNAUTHORIZED: 'Il Comune non risulta abilitato ai pagamenti pagoPA (chiave di accesso non valida). Avvisa l’ufficio scuola; non è stato addebitato nulla.',
	REJECTED: 'pagoPA ha rifiutato la richiesta di pagamento. Riprova più tardi o contatta l’ufficio scuola; non è stato addebitato nulla.',
	CONFLICT: 'Esiste già presso pagoPA un avviso con lo stesso numero ma dati diversi. Contatta l’ufficio scuola; non è stato addebitato nulla.'
};

export class PagopaError extends Error {
	constructor(
		readonly code: PagopaErrorCode,
		readonly detail: string
	) {
		super(messages[code]);
		this.name = 'PagopaError';
	}
}

export const SUBSCRIPTION_KEY_HEADER = 'Ocp-Apim-Subscription-Key';

/**
 * One call to a pagoPA API: subscription key, JSON body, a deadline, no redirect followed
 * (Checkout answers 302 and the Location is the result). Network failures, timeouts and 5xx
 * become UNAVAILABLE, 401/403 UNAUTHORIZED; any other status is the caller's to read.
 */
export async function callPagopa(
	fetchFn: typeof fetch,
	url: string,
	init: { method: 'GET' | 'POST'; key: string; body?: unknown; timeoutMs: number }
): Promise<{ status: number; location: string | null; json: () => unknown }> {
	let response: Response;
	try {
		response = await fetchFn(url, {
			method: init.method,
			headers: { [SUBSCRIPTION_KEY_HEADER]: init.key, accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: init.body === undefined ? undefined : JSON.stringify(init.body),
			redirect: 'manual',
			signal: AbortSignal.timeout(init.timeoutMs)
		});
	} catch (error) {
		const why = error instanceof Error && error.name === 'TimeoutError' ? `nessuna risposta in ${init.timeoutMs} ms` : String(error);
		throw new PagopaError('UNAVAILABLE', `${init.method} ${url}: ${why}`);
	}
	const text = await response.text();
	const detail = () => `${init.method} ${url}: HTTP ${response.status} ${text.slice(0, 300)}`;
	if (response.status >= 500) throw new PagopaError('UNAVAILABLE', detail());
	if (response.status === 401 || response.status === 403) throw new PagopaError('UNAUTHORIZED', detail());
	return {
		status: response.status,
		location: response.headers.get('location'),
		json: () => {
			try {
				return JSON.parse(text) as unknown;
			} catch {
				throw new PagopaError('REJECTED', `risposta non JSON: ${detail()}`);
			}
		}
	};
}
