import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { payments, receipts, tenants } from '../db/schema.js';
import { preparedFor } from '../db/prepared.js';
import { zonedDate } from '../calendar/zoned-time.js';
import { formatCents } from '../../src/lib/shared/money.js';
import { formatDateIt } from '../../src/lib/shared/dates.js';
import { creditPayment, type CreditNotices } from './credit.js';

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

// The receipt receiver's path (bench/receipts.ts): building and preparing drizzle SQL cost more
// than running it, so each statement is prepared once per connection. They run on the same
// connection as the transaction below, hence inside it.
const statements = preparedFor((db) => {
	const p = sql.placeholder;
	return {
		tenantByCf: db.select({ id: tenants.id, timezone: tenants.timezone }).from(tenants).where(eq(tenants.codiceFiscaleEnte, p('cf'))).prepare(),
		paymentByNotice: db.select().from(payments).where(and(eq(payments.tenantId, p('tenant')), eq(payments.noticeNumber, p('notice')))).prepare(),
		insertReceipt: db
			.insert(receipts)
			.values({
				tenantId: p('tenant'),
				receiptId: p('receiptId'),
				noticeNumber: p('notice'),
				fiscalCode: p('cf'),
				creditorReferenceId: p('creditorReferenceId'),
				amountCents: p('amount'),
				outcome: p('outcome'),
				paymentDateTime: p('paymentDateTime'),
				paymentId: p('payment'),
				status: 'flagged',
				payload: p('payload'),
				receivedAt: p('now')
			})
			.onConflictDoNothing({ target: receipts.receiptId })
			.returning({ id: receipts.id })
			.prepare(),
		storedReceipt: db
			.select({ id: receipts.id, tenantId: receipts.tenantId, noticeNumber: receipts.noticeNumber, amountCents: receipts.amountCents, outcome: receipts.outcome, paymentId: receipts.paymentId, flag: receipts.flag })
			.from(receipts)
			.where(eq(receipts.receiptId, p('receiptId')))
			.prepare(),
		countRedelivery: db.update(receipts).set({ redeliveries: sql`${receipts.redeliveries} + 1` }).where(eq(receipts.receiptId, p('receiptId'))).prepare(),
		// set() takes no placeholders, only SQL: the values go to the driver as given (time in ms).
		settle: db.update(receipts).set({ status: sql`${p('status')}`, flag: sql`${p('flag')}` }).where(eq(receipts.id, p('id'))).prepare(),
		setPayment: db
			.update(payments)
			.set({ status: sql`${p('status')}`, flag: sql`${p('flag')}`, updatedAt: sql`${p('nowMs')}` })
			.where(eq(payments.id, p('id')))
			.prepare()
	};
});

/**
 * The day the family paid, in the Comune's time zone. pagoPA writes the local time without an
 * offset; a time with one (or with Z) is converted.
 */
function paidOn(paymentDateTime: string, timeZone: string): string {
	const at = /(Z|[+-]\d{2}:?\d{2})$/i.test(paymentDateTime) ? new Date(paymentDateTime) : null;
	// A time that does not parse still names its day: the receipt must be applied, not fail on every redelivery.
	return at && !Number.isNaN(at.getTime()) ? zonedDate(at, timeZone) : paymentDateTime.slice(0, 10);
}

/**
 * Applies one receipt, exactly once: keyed by receiptId (a redelivery is only counted) and, through
 * the payment, by notice number (a second receipt for a paid notice is a double payment, flagged).
 * Everything is one SQLite transaction, so a receipt and a day close on the same account serialise.
 * A receipt is never refused: pagoPA would redeliver it forever; what is wrong is flagged.
 */
export function applyReceipt(db: Db, clock: Clock, receipt: Receipt, payload: string, notices: CreditNotices): ReceiptOutcome {
	const q = statements(db);
	return db.transaction((tx) => {
		const now = clock.now();
		const tenant = q.tenantByCf.get({ cf: receipt.fiscalCode });
		const payment = tenant ? q.paymentByNotice.get({ tenant: tenant.id, notice: receipt.noticeNumber }) : undefined;
		const stored = q.insertReceipt.get({
			tenant: tenant?.id ?? null,
			receiptId: receipt.receiptId,
			notice: receipt.noticeNumber,
			cf: receipt.fiscalCode,
			creditorReferenceId: receipt.creditorReferenceId,
			amount: receipt.paymentAmountCents,
			outcome: receipt.outcome,
			paymentDateTime: receipt.paymentDateTime,
			payment: payment?.id ?? null,
			payload,
			now
		});
		if (!stored) {
			q.countRedelivery.run({ receiptId: receipt.receiptId });
			const first = q.storedReceipt.get({ receiptId: receipt.receiptId })!;
			const same = first.tenantId === (tenant?.id ?? null) && first.noticeNumber === receipt.noticeNumber && first.amountCents === receipt.paymentAmountCents && first.outcome === receipt.outcome;
			if (same) return { status: 'duplicate' } as const;
			// The same id with other content: never applied (the id is taken), never dropped unseen.
			const flag = `Ricevuta ${receipt.receiptId} ripetuta con dati diversi (avviso ${receipt.noticeNumber}, ${formatCents(receipt.paymentAmountCents)}, esito ${receipt.outcome}): da verificare.`;
			q.settle.run({ status: 'flagged', flag: first.flag ? `${first.flag} ${flag}` : flag, id: first.id });
			return { status: 'flagged', paymentId: first.paymentId, credited: false, flag } as const;
		}
		const settle = (status: 'credited' | 'flagged' | 'ko', flag: string | null) => q.settle.run({ status, flag, id: stored.id });
		const flagPayment = (flag: string) => {
			if (payment) q.setPayment.run({ status: 'flagged', flag, nowMs: now.getTime(), id: payment.id });
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
		creditPayment(db, payment, now, tenant.timezone);
		notices(payment.id);
		// The money was taken, so it is credited; what the family or the ufficio was told may be wrong.
		// Late is when the family paid, not when the receipt reached us: pagoPA redelivers a receipt
		// until it is acknowledged, so one paid on the due date may arrive after the expiry job ran.
		const questions = [
			payment.status === 'cancelled' ? 'Pagato un avviso che pagoPA risultava aver rifiutato (alla famiglia era stato detto «nessun addebito»).' : null,
			payment.dueDate !== null && paidOn(receipt.paymentDateTime, tenant.timezone) > payment.dueDate ? `Pagato dopo la scadenza del ${formatDateIt(payment.dueDate)}.` : null
		].filter((q) => q !== null);
		if (questions.length) {
			const flag = `${questions.join(' ')} Accreditato, da verificare.`;
			settle('flagged', flag);
			flagPayment(flag);
			return { status: 'flagged', paymentId: payment.id, credited: true, flag } as const;
		}
		settle('credited', null);
		q.setPayment.run({ status: 'paid', flag: payment.flag, nowMs: now.getTime(), id: payment.id });
		return { status: 'credited', paymentId: payment.id } as const;
	});
}

/**
 * pagoPA does not enforce due dates: the ente must. Unpaid debt positions past their due date
 * become `expired`. A receipt may still come: it is credited, and flagged when the family paid
 * after the due date.
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
