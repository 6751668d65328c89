import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { Clock } from '../../../clock.js';
import type { Db } from '../../../db/client.js';
import type { Sealer } from '../../../auth/sealed.js';
import { simReceiptOutbox } from '../../../db/schema.js';
import { simulatedEnte } from './store.js';
import { ensureReceiptSecret } from './receipt-secret.js';

export interface DeliveryOptions {
	/** the ente's receiver: our own /api/pagopa/receipts */
	receiverUrl: string;
	/** the first retry waits this long, each next one twice as long, up to maxRetryMs */
	retryBaseMs: number;
	maxRetryMs: number;
	timeoutMs: number;
	batch: number;
	fetch?: typeof fetch;
}

export const defaultDeliveryOptions = (receiverUrl: string): DeliveryOptions => ({
	receiverUrl,
	retryBaseMs: 2_000,
	maxRetryMs: 10 * 60_000,
	timeoutMs: 10_000,
	batch: 50
});

/**
 * Sends every receipt copy that is due, as pagoPA does: POST with the ente's bearer secret, done
 * when the receiver answers 200, otherwise retried later with exponential backoff. The outbox
 * lives in SQLite, so a restart loses nothing; a copy sent twice by a crash is one more duplicate,
 * which the receiver absorbs.
 */
export async function deliverDueReceipts(db: Db, wall: Clock, secrets: Sealer, opts: DeliveryOptions): Promise<{ delivered: number; failed: number }> {
	const due = db
		.select()
		.from(simReceiptOutbox)
		.where(and(isNull(simReceiptOutbox.deliveredAt), lte(simReceiptOutbox.nextAttemptAt, wall.now())))
		.orderBy(asc(simReceiptOutbox.nextAttemptAt))
		.limit(opts.batch)
		.all();
	const fetchFn = opts.fetch ?? fetch;
	const results = await Promise.all(
		due.map(async (row) => {
			let error: string | null = null;
			try {
				const ente = simulatedEnte(db, row.organizationFiscalCode);
				const secret = ente ? ensureReceiptSecret(db, secrets, ente.id) : '';
				const response = await fetchFn(opts.receiverUrl, {
					method: 'POST',
					headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
					body: row.payload,
					signal: AbortSignal.timeout(opts.timeoutMs)
				});
				if (response.status !== 200) error = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
				else await response.body?.cancel();
			} catch (e) {
				error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
			}
			const now = wall.now();
			if (error === null) {
				db.update(simReceiptOutbox).set({ deliveredAt: now, attempts: row.attempts + 1, lastError: null }).where(eq(simReceiptOutbox.id, row.id)).run();
				return true;
			}
			const wait = Math.min(opts.retryBaseMs * 2 ** row.attempts, opts.maxRetryMs);
			db.update(simReceiptOutbox)
				.set({ attempts: row.attempts + 1, lastError: error, nextAttemptAt: new Date(now.getTime() + wait) })
				.where(eq(simReceiptOutbox.id, row.id))
				.run();
			return false;
		})
	);
	const delivered = results.filter(Boolean).length;
	return { delivered, failed: results.length - delivered };
}
