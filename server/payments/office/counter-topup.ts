import { eq } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { paymentItems, payments } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import { recordAudit } from '../../audit/log.js';
import { creditPayment, type CreditNotices } from '../credit.js';
import { accountOf, findConsumer } from './accounts.js';

export interface OfficeActor {
	userId: string;
	name: string;
	ip: string;
}

export interface CounterTopup {
	consumerId: number;
	serviceGroupId: number;
	amountCents: number;
	method: 'contanti' | 'pos';
	receiptNumber: string;
}

export type CounterTopupOutcome =
	| { status: 'credited'; paymentId: number; amountCents: number; balanceCents: number; consumerName: string; groupName: string }
	| { status: 'rejected'; code: 'NOT_FOUND' | 'DUPLICATE_RECEIPT'; message: string; field?: string };

const methodLabel = { contanti: 'contanti', pos: 'POS' } as const;

/**
 * Money taken at the ufficio's counter: a `sportello` payment keyed by the paper receipt's number
 * (unique per Comune), paid at once and credited through the same path as every other channel.
 */
export function recordCounterTopup(db: Db, clock: Clock, scope: TenantScope, timeZone: string, actor: OfficeActor, input: CounterTopup, notices: CreditNotices): CounterTopupOutcome {
	const consumer = findConsumer(db, scope, input.consumerId);
	const account = consumer && accountOf(db, scope, input.consumerId, input.serviceGroupId);
	if (!consumer || !account) {
		return { status: 'rejected', code: 'NOT_FOUND', message: 'Consumatore o gruppo di servizi non trovato in questo Comune.' };
	}
	const receiptNumber = input.receiptNumber.trim();
	return db.transaction((tx) => {
		const now = clock.now();
		const payment = tx
			.insert(payments)
			.values({
				tenantId: scope.tenantId,
				channel: 'sportello',
				status: 'paid',
				externalRef: receiptNumber,
				amountCents: input.amountCents,
				description: `Ricarica ${account.groupName} — ${consumer.name} (${methodLabel[input.method]})`,
				payerName: actor.name,
				userId: actor.userId,
				createdAt: now,
				updatedAt: now
			})
			.onConflictDoNothing()
			.returning()
			.get();
		if (!payment) {
			const existing = tx.select({ id: payments.id }).from(payments).where(scope.where(payments, eq(payments.channel, 'sportello'), eq(payments.externalRef, receiptNumber))).get();
			return {
				status: 'rejected',
				code: 'DUPLICATE_RECEIPT',
				message: `Ricevuta già registrata: il numero ${receiptNumber} è già stato usato${existing ? ` (pagamento n. ${existing.id})` : ''}. Nessun importo è stato accreditato.`,
				field: 'receiptNumber'
			} as const;
		}
		tx.insert(paymentItems).values({ tenantId: scope.tenantId, paymentId: payment.id, consumerId: consumer.id, serviceGroupId: account.serviceGroupId, amountCents: input.amountCents }).run();
		creditPayment(db, payment, now, timeZone);
		notices(payment.id);
		recordAudit(tx, clock, {
			tenantId: scope.tenantId,
			actorUserId: actor.userId,
			action: 'payments.counter_topup',
			entity: 'payment',
			entityId: payment.id,
			details: { consumerId: consumer.id, serviceGroupId: account.serviceGroupId, amountCents: input.amountCents, method: input.method, receiptNumber },
			ip: actor.ip
		});
		const balanceCents = accountOf(tx, scope, consumer.id, account.serviceGroupId)!.balanceCents;
		return { status: 'credited', paymentId: payment.id, amountCents: input.amountCents, balanceCents, consumerName: consumer.name, groupName: account.groupName } as const;
	});
}

