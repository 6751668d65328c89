import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { payments, receipts, tenants } from '../db/schema.js';
import { zonedDate } from '../calendar/zoned-time.js';
import { formatCents } from '../../src/lib/shared/money.js';
import { formatDateIt } from '../../src/lib/shared/dates.js';
import { creditPayment } from './credit.js';

/** A pagoPA receipt as DESIGN.md §5 names its fields; amounts already in cents. */
export interface Receipt {
	receiptId: string;
	noticeNumber: string;
	/** the ente's fiscal code */
	fiscalCode: string;
	creditorReferenceId: string;
	paymentAmountCents: number;
	outcome: 'OK' | 'KO';
	paymentDateTime: string;
}

export type ReceiptOutcome =
	/** the first delivery: money credited */
	| { status: 'credited'; paymentId: number }
	/** recorded and shown to the operator, no money moved (or moved and questioned, for a late payment) */
	| { status: 'flagged'; paymentId: number | null; credited: boolean; flag: string }
	| { status: 'ko'; paymentId: number | null }
	/** a later delivery of a receiptId already recorded: nothing happens */
	| { status: 'duplicate' };

/**
 * Applies one receipt, exactly once: keyed by receiptId (a redelivery is only counted) and, through
 * the payment, by notice number (a second receipt for a paid notice is a double payment, flagged).
 * Everything is one SQLite transaction, so a receipt and a day close on the same account serialise.
 * A receipt is never refused: pagoPA would redeliver it forever; what is wrong is flagged.
 */
export function applyReceipt(db: Db, clock: Clock, receipt: Receipt, payload: string): ReceiptOutcome {
	return db.transaction((tx) => {
		const now = clock.now();
		const tenant = tx.select({ id: tenants.id, timezone: tenants.timezone }).from(tenants).where(eq(tenants.codiceFiscaleEnte, receipt.fiscalCode)).get();
		const payment = tenant
			? tx.select().from(payments).where(and(eq(payments.tenantId, tenant.id), eq(payments.noticeNumber, receipt.noticeNumber))).get()
			: undefined;
		const stored = tx
			.insert(receipts)
			.values({
				tenantId: tenant?.id ?? null,
				receiptId: receipt.receiptId,
				noticeNumber: receipt.noticeNumber,
				fiscalCode: receipt.fiscalCode,
				creditorReferenceId: receipt.creditorReferenceId,
				amountCents: receipt.paymentAmountCents,
				outcome: receipt.outcome,
				paymentDateTime: receipt.paymentDateTime,
				paymentId: payment?.id ?? null,
				status: 'flagged',
				payload,
				receivedAt: now
			})
			.onConflictDoNothing({ target: receipts.receiptId })
			.returning({ id: receipts.id })
			.get();
		if (!stored) {
			tx.update(receipts).set({ redeliveries: sql`${receipts.redeliveries} + 1` }).where(eq(receipts.receiptId, receipt.receiptId)).run();
			return { status: 'duplicate' } as const;
		}
		const settle = (status: 'credited' | 'flagged' | 'ko', flag: string | null) =>
			tx.update(receipts).set({ status, flag }).where(eq(receipts.id, stored.id)).run();
		const flagPayment = (flag: string) => {
			if (payment) tx.update(payments).set({ status: 'flagged', flag, updatedAt: now }).where(eq(payments.id, payment.id)).run();
		};

		if (receipt.outcome !== 'OK') {
			settle('ko', 'Esito negativo: nessun pagamento avvenuto.');
			return { status: 'ko', paymentId: payment?.id ?? null } as const;
		}
		if (!tenant || !payment) {
			const flag = tenant ? 'Numero avviso sconosciuto: nessuna ricarica corrispondente.' : 'Codice fiscale dell’ente sconosciuto.';
			settle('flagged', flag);
			return { status: 'flagged', paymentId: null, credited: false, flag } as const;
		}
		if (receipt.paymentAmountCents !== payment.amountCents) {
			const flag = `Importo pagato ${formatCents(receipt.paymentAmountCents)} diverso da quello dovuto ${formatCents(payment.amountCents)}: non accreditato.`;
			settle('flagged', flag);
			flagPayment(flag);
			return { status: 'flagged', paymentId: payment.id, credited: false, flag } as const;
		}
		if (payment.transactionId !== null) {
			const flag = `Pagamento doppio: l’avviso era già stato pagato (ricevuta ${receipt.receiptId}); da rimborsare o accreditare a mano.`;
			settle('flagged', flag);
			flagPayment(flag);
			return { status: 'flagged', paymentId: payment.id, credited: false, flag } as const;
		}
		creditPayment(tx, payment, now, tenant.timezone);
		if (payment.status === 'expired') {
			const flag = `Pagato dopo la scadenza del ${formatDateIt(payment.dueDate ?? '')}: accreditato, da verificare.`;
			settle('flagged', flag);
			flagPayment(flag);
			return { status: 'flagged', paymentId: payment.id, credited: true, flag } as const;
		}
		settle('credited', null);
		tx.update(payments).set({ status: 'paid', updatedAt: now }).where(eq(payments.id, payment.id)).run();
		return { status: 'credited', paymentId: payment.id } as const;
	});
}

/**
 * pagoPA does not enforce due dates: the ente must. Unpaid debt positions past their due date
 * become `expired` (a receipt may still come, and is then credited and flagged).
 */
export function expireOverduePayments(db: Db, clock: Clock): number {
	const now = clock.now();
	let expired = 0;
	for (const t of db.select({ id: tenants.id, timezone: tenants.timezone }).from(tenants).all()) {
		const today = zonedDate(now, t.timezone);
		expired += db
			.update(payments)
			.set({ status: 'expired', updatedAt: now })
			.where(and(eq(payments.tenantId, t.id), inArray(payments.status, ['created', 'pending']), lt(payments.dueDate, today)))
			.run().changes;
	}
	return expired;
}
