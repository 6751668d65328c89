import { eq } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { ledgerTransactions } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import { recordAudit } from '../../audit/log.js';
import { zonedDate } from '../../calendar/zoned-time.js';
import { prepaidAccount, systemAccount } from '../../ledger/accounts.js';
import { postTransaction, type Posting } from '../../ledger/post.js';
import { formatCents } from '../../../src/lib/shared/money.js';
import { accountOf, findConsumer, siblingsOf, type AccountView } from './accounts.js';
import type { OfficeActor } from './counter-topup.js';

export interface Refund {
	requestId: string;
	consumerId: number;
	serviceGroupId: number;
	amountCents: number;
	reason: string;
}

export interface Transfer {
	requestId: string;
	fromConsumerId: number;
	toConsumerId: number;
	serviceGroupId: number;
	amountCents: number;
	reason: string;
}

export type AdjustmentOutcome =
	/** `duplicate`: the same form was sent again; the first posting stands and nothing more moves */
	| { status: 'posted' | 'duplicate'; transactionId: number; description: string }
	| { status: 'rejected'; code: 'NOT_FOUND' | 'NOT_SIBLINGS' | 'OVER_BALANCE'; message: string; field?: string };

const notFound = { status: 'rejected', code: 'NOT_FOUND', message: 'Consumatore o gruppo di servizi non trovato in questo Comune.' } as const;

/** One idempotency key per form shown: the tenant keeps one Comune's uuid from meeting another's. */
const externalIdOf = (scope: TenantScope, requestId: string) => `adjustment:${scope.tenantId}:${requestId.toLowerCase()}`;

/** Only credit can leave an account: a negative balance is a debt, not something to refund or move. */
function overBalance(account: AccountView, amountCents: number, what: string): AdjustmentOutcome | null {
	if (amountCents <= account.balanceCents) return null;
	const message =
		account.balanceCents <= 0
			? `Il saldo è ${formatCents(account.balanceCents)}: non c’è credito da ${what}.`
			: `Importo superiore al saldo disponibile (${formatCents(account.balanceCents)}): si può ${what} al massimo il saldo positivo.`;
	return { status: 'rejected', code: 'OVER_BALANCE', message, field: 'amount' };
}

type Tx = Pick<Db, 'select' | 'selectDistinct' | 'insert'>;

interface Adjustment {
	kind: 'refund' | 'transfer';
	requestId: string;
	description: string;
	/** checked inside the transaction, after the resend test */
	check: (tx: Tx) => AdjustmentOutcome | null;
	postings: (db: Db, at: Date) => Omit<Posting, 'valueDate'>[];
	audit: Record<string, unknown>;
}

function postAdjustment(db: Db, clock: Clock, scope: TenantScope, timeZone: string, actor: OfficeActor, a: Adjustment): AdjustmentOutcome {
	return db.transaction((tx) => {
		const externalId = externalIdOf(scope, a.requestId);
		const done = tx.select({ id: ledgerTransactions.id, description: ledgerTransactions.description }).from(ledgerTransactions).where(eq(ledgerTransactions.externalId, externalId)).get();
		// A resend is answered before the balance check: the first one already lowered the balance.
		if (done) return { status: 'duplicate', transactionId: done.id, description: done.description } as const;
		const refused = a.check(tx);
		if (refused) return refused;
		const at = clock.now();
		const valueDate = zonedDate(at, timeZone);
		const outcome = postTransaction(db, {
			tenantId: scope.tenantId,
			kind: a.kind,
			externalId,
			description: a.description,
			createdBy: actor.userId,
			at,
			postings: a.postings(db, at).map((p) => ({ ...p, valueDate }))
		});
		recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: `payments.${a.kind}`, entity: 'ledger_transaction', entityId: outcome.transactionId, details: { ...a.audit, requestId: a.requestId }, ip: actor.ip });
		return { status: 'posted', transactionId: outcome.transactionId, description: a.description } as const;
	});
}

/** Money paid back to a family: out of the prepaid account, into the Comune's refunds account. */
export function refundBalance(db: Db, clock: Clock, scope: TenantScope, timeZone: string, actor: OfficeActor, input: Refund): AdjustmentOutcome {
	const consumer = findConsumer(db, scope, input.consumerId);
	if (!consumer || !accountOf(db, scope, input.consumerId, input.serviceGroupId)) return notFound;
	const description = `Rimborso: ${input.reason.trim()}`;
	return postAdjustment(db, clock, scope, timeZone, actor, {
		kind: 'refund',
		requestId: input.requestId,
		description,
		check: (tx) => overBalance(accountOf(tx, scope, consumer.id, input.serviceGroupId)!, input.amountCents, 'rimborsare'),
		postings: (db, at) => [
			{ accountId: prepaidAccount(db, scope.tenantId, consumer.id, input.serviceGroupId, at), amountCents: -input.amountCents, description },
			{ accountId: systemAccount(db, scope.tenantId, 'refunds', at), amountCents: input.amountCents, description: `${description} (${consumer.name})` }
		],
		audit: { consumerId: consumer.id, serviceGroupId: input.serviceGroupId, amountCents: input.amountCents, reason: input.reason }
	});
}

/** Credit moved from one child's account to a sibling's in the same service group (giroconto). */
export function transferBalance(db: Db, clock: Clock, scope: TenantScope, timeZone: string, actor: OfficeActor, input: Transfer): AdjustmentOutcome {
	const from = findConsumer(db, scope, input.fromConsumerId);
	const to = findConsumer(db, scope, input.toConsumerId);
	if (!from || !to || !accountOf(db, scope, from.id, input.serviceGroupId) || !accountOf(db, scope, to.id, input.serviceGroupId)) return notFound;
	if (from.id === to.id || !siblingsOf(db, scope, from.id).some((s) => s.id === to.id)) {
		return {
			status: 'rejected',
			code: 'NOT_SIBLINGS',
			message: `${from.name} e ${to.name} non sono fratelli per il Comune (nessun richiedente in comune nelle iscrizioni): il giroconto non è consentito.`,
			field: 'toConsumerId'
		};
	}
	const reason = input.reason.trim();
	const description = `Giroconto a ${to.givenName}: ${reason}`;
	return postAdjustment(db, clock, scope, timeZone, actor, {
		kind: 'transfer',
		requestId: input.requestId,
		description,
		check: (tx) => overBalance(accountOf(tx, scope, from.id, input.serviceGroupId)!, input.amountCents, 'girare'),
		postings: (db, at) => [
			{ accountId: prepaidAccount(db, scope.tenantId, from.id, input.serviceGroupId, at), amountCents: -input.amountCents, description },
			{ accountId: prepaidAccount(db, scope.tenantId, to.id, input.serviceGroupId, at), amountCents: input.amountCents, description: `Giroconto da ${from.givenName}: ${reason}` }
		],
		audit: { fromConsumerId: from.id, toConsumerId: to.id, serviceGroupId: input.serviceGroupId, amountCents: input.amountCents, reason }
	});
}
