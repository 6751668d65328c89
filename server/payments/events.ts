import { logLine } from '../log.js';

/**
 * What happens after money reaches a family's account, outside the ledger transaction: the
 * "ricarica accreditata" e-mail, balance alerts. Whoever sends them registers here
 * (`onCredited(listener)`); the receipt receiver calls `emitCredited` after the commit.
 */
export type CreditedListener = (paymentId: number) => void | Promise<void>;

const listeners = new Set<CreditedListener>();

/** Registers a listener; the function returned removes it. */
export function onCredited(listener: CreditedListener): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}

/**
 * Listeners run after the current request has been answered (setImmediate): the e-mails never
 * delay the acknowledgement pagoPA or the LIS network waits for. A failing listener (SMTP down)
 * is logged and never undoes the credit already committed.
 */
export function emitCredited(paymentId: number, log: (line: string, error: unknown) => void = logLine): void {
	if (listeners.size > 0) setImmediate(() => notify(paymentId, log));
}

function notify(paymentId: number, log: (line: string, error: unknown) => void): void {
	for (const listener of listeners) {
		try {
			void Promise.resolve(listener(paymentId)).catch((error) => log(`[ricarica] avviso dopo l’accredito del pagamento ${paymentId} non riuscito`, error));
		} catch (error) {
			log(`[ricarica] avviso dopo l’accredito del pagamento ${paymentId} non riuscito`, error);
		}
	}
}
