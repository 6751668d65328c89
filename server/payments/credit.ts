import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import type { payments, PaymentChannel } from '../db/schema.js';
import { prepaidAccount, systemAccount } from '../ledger/accounts.js';
import { postTransaction, type PostOutcome } from '../ledger/post.js';
import { zonedDate } from '../calendar/zoned-time.js';
import { formatNoticeNumber } from './notice-number.js';

export type Payment = typeof payments.$inferSelect;

/**
 * What a credit tells the family ("ricarica accreditata", alerts re-armed): called by the channel's
 * credit function inside its transaction, right after the money is on the account, so that the
 * e-mail is queued exactly when the credit is. `noNotices` where nobody is to be told (seed, tests).
 */
export type CreditNotices = (paymentId: number) => void;
export const noNotices: CreditNotices = () => {};

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
 * Credits every consumer account of the payment and debits the channel's clearing account, on
 * the connection of `db`: call it inside the caller's db.transaction(). Keyed by the payment, so a payment is credited once whatever arrives:
 * a second receipt for the same notice number finds the first credit and posts nothing.
 */
const statements = preparedFor((db) => ({
	items: db.$client.prepare('SELECT consumer_id AS consumerId, service_group_id AS serviceGroupId, amount_cents AS amountCents FROM payment_items WHERE payment_id = ?'),
	settle: db.$client.prepare('UPDATE payments SET transaction_id = @transactionId, paid_at = @at, updated_at = @at WHERE id = @id')
}));

export function creditPayment(db: Db, payment: Payment, at: Date, timeZone = 'Europe/Rome'): PostOutcome {
	const q = statements(db);
	const items = q.items.all(payment.id) as { consumerId: number; serviceGroupId: number; amountCents: number }[];
	const valueDate = zonedDate(at, timeZone);
	const description = creditDescription(payment);
	const total = items.reduce((s, i) => s + i.amountCents, 0);
	const outcome = postTransaction(db, {
		tenantId: payment.tenantId,
		kind: `topup_${payment.channel}` satisfies `topup_${PaymentChannel}`,
		externalId: `payment:${payment.id}`,
		description,
		createdBy: null,
		at,
		postings: [
			...items.map((i) => ({ accountId: prepaidAccount(db, payment.tenantId, i.consumerId, i.serviceGroupId, at), amountCents: i.amountCents, valueDate, description })),
			{ accountId: systemAccount(db, payment.tenantId, clearingOf[payment.channel], at), amountCents: -total, valueDate, description }
		]
	});
	if (outcome.status === 'posted') {
		q.settle.run({ transactionId: outcome.transactionId, at: at.getTime(), id: payment.id });
	}
	return outcome;
}
