import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { paymentItems, payments, type PaymentChannel } from '../db/schema.js';
import { prepaidAccount, systemAccount } from '../ledger/accounts.js';
import { postTransaction, type PostOutcome } from '../ledger/post.js';
import { zonedDate } from '../calendar/zoned-time.js';
import { formatNoticeNumber } from './notice-number.js';

type Tx = Pick<Db, 'select' | 'insert' | 'update'>;
export type Payment = typeof payments.$inferSelect;

const clearingOf = { pagopa_online: 'pagopa_clearing', pagopa_avviso: 'pagopa_clearing', lis: 'lis_clearing', sportello: 'cash' } as const;

/** What the family reads in the estratto conto for a top-up. */
export function creditDescription(p: Pick<Payment, 'channel' | 'noticeNumber' | 'externalRef'>): string {
	switch (p.channel) {
		case 'pagopa_online':
			return `Ricarica pagoPA online avviso ${formatNoticeNumber(p.noticeNumber ?? '')}`;
		case 'pagopa_avviso':
			return `Ricarica pagoPA avviso ${formatNoticeNumber(p.noticeNumber ?? '')}`;
		case 'lis':
			return `Ricarica Punto LIS (operazione ${p.externalRef})`;
		case 'sportello':
			return `Ricarica allo sportello (ricevuta ${p.externalRef})`;
	}
}

/**
 * Credits every consumer account of the payment and debits the channel's clearing account, in
 * the caller's transaction. Keyed by the payment, so a payment is credited once whatever arrives:
 * a second receipt for the same notice number finds the first credit and posts nothing.
 */
export function creditPayment(tx: Tx, payment: Payment, at: Date, timeZone = 'Europe/Rome'): PostOutcome {
	const items = tx.select().from(paymentItems).where(eq(paymentItems.paymentId, payment.id)).all();
	const valueDate = zonedDate(at, timeZone);
	const description = creditDescription(payment);
	const total = items.reduce((s, i) => s + i.amountCents, 0);
	const outcome = postTransaction(tx, {
		tenantId: payment.tenantId,
		kind: `topup_${payment.channel}` satisfies `topup_${PaymentChannel}`,
		externalId: `payment:${payment.id}`,
		description,
		createdBy: null,
		at,
		postings: [
			...items.map((i) => ({ accountId: prepaidAccount(tx, payment.tenantId, i.consumerId, i.serviceGroupId, at), amountCents: i.amountCents, valueDate, description })),
			{ accountId: systemAccount(tx, payment.tenantId, clearingOf[payment.channel], at), amountCents: -total, valueDate, description }
		]
	});
	if (outcome.status === 'posted') {
		tx.update(payments).set({ transactionId: outcome.transactionId, paidAt: at, updatedAt: at }).where(eq(payments.id, payment.id)).run();
	}
	return outcome;
}
