import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { consumers, ledgerAccounts, paymentItems, payments, serviceGroups } from '../../db/schema.js';
import { formatNoticeNumber } from '../notice-number.js';

/**
 * What the return page shows a guardian about their own payment: its state and, once credited,
 * each account's new balance. Another guardian's payment (or another Comune's) is not found.
 * The operator's flag text is not shown: it is written for the ufficio.
 */
export function guardianPaymentView(db: Db, tenantId: number, userId: string, paymentId: number) {
	const payment = db
		.select()
		.from(payments)
		.where(and(eq(payments.id, paymentId), eq(payments.tenantId, tenantId), eq(payments.userId, userId)))
		.get();
	if (!payment || !payment.noticeNumber) return null;
	const items = db
		.select({
			consumerName: consumers.givenName,
			groupName: serviceGroups.name,
			amountCents: paymentItems.amountCents,
			balanceCents: ledgerAccounts.balanceCents
		})
		.from(paymentItems)
		.innerJoin(consumers, eq(consumers.id, paymentItems.consumerId))
		.innerJoin(serviceGroups, eq(serviceGroups.id, paymentItems.serviceGroupId))
		.leftJoin(
			ledgerAccounts,
			and(
				eq(ledgerAccounts.tenantId, paymentItems.tenantId),
				eq(ledgerAccounts.kind, 'prepaid'),
				eq(ledgerAccounts.consumerId, paymentItems.consumerId),
				eq(ledgerAccounts.serviceGroupId, paymentItems.serviceGroupId)
			)
		)
		.where(eq(paymentItems.paymentId, payment.id))
		.all();
	return {
		id: payment.id,
		status: payment.status,
		credited: payment.transactionId !== null,
		amountCents: payment.amountCents,
		noticeText: formatNoticeNumber(payment.noticeNumber),
		description: payment.description,
		items: items.map((i) => ({ ...i, balanceCents: i.balanceCents ?? 0 }))
	};
}
