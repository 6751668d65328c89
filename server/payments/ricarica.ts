/*
 * The guardian's side of a top-up (DESIGN.md §3 flows 5 and 6): which accounts can be topped
 * up, a cart turned into one pagoPA payment, and the guardian's own payments.
 */
import { and, desc, eq, inArray, or } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { enrolments, ledgerAccounts, payments, serviceGroups, services } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { listGuardianConsumers, type Guardian } from '../consumers/access.js';
import { balanceOf } from '../ledger/accounts.js';
import type { Tenant } from '../tenants/tenants.js';
import { createCart, markPending, markRefusedByPagopa, type CartLine, type CartOutcome, type Payer } from './carts.js';
import { formatNoticeNumber } from './notice-number.js';
import type { PagopaGateway } from './pagopa/gateway.js';
import { checkoutReturnUrls, enteOf } from './pagopa/gateway-for.js';

export interface RicaricaAccount {
	consumerId: number;
	givenName: string;
	familyName: string;
	serviceGroupId: number;
	groupName: string;
	balanceCents: number;
}

/** Every consumer × service group the guardian may top up: the enrolled ones, with the saldo (0 before any posting). */
export function ricaricaAccounts(db: Db, scope: TenantScope, guardian: Guardian): RicaricaAccount[] {
	const children = listGuardianConsumers(db, scope, guardian);
	if (children.length === 0) return [];
	const rows = db
		.selectDistinct({ consumerId: enrolments.consumerId, serviceGroupId: serviceGroups.id, groupName: serviceGroups.name, accountId: ledgerAccounts.id })
		.from(enrolments)
		.innerJoin(services, eq(services.id, enrolments.serviceId))
		.innerJoin(serviceGroups, eq(serviceGroups.id, services.serviceGroupId))
		.leftJoin(
			ledgerAccounts,
			and(eq(ledgerAccounts.tenantId, scope.tenantId), eq(ledgerAccounts.kind, 'prepaid'), eq(ledgerAccounts.consumerId, enrolments.consumerId), eq(ledgerAccounts.serviceGroupId, serviceGroups.id))
		)
		.where(scope.where(enrolments, inArray(enrolments.consumerId, children.map((c) => c.id)), or(eq(enrolments.status, 'attiva'), eq(enrolments.status, 'sospesa'))))
		.orderBy(serviceGroups.name)
		.all();
	return children.flatMap((c) =>
		rows
			.filter((r) => r.consumerId === c.id)
			.map((r) => ({
				consumerId: c.id,
				givenName: c.givenName,
				familyName: c.familyName,
				serviceGroupId: r.serviceGroupId,
				groupName: r.groupName,
				balanceCents: r.accountId === null ? 0 : balanceOf(db, r.accountId)
			}))
	);
}

export type RicaricaOutcome =
	| Extract<CartOutcome, { status: 'rejected' }>
	/** pagoPA did not take the debt position: the payment is `cancelled`, nothing can be paid */
	| { status: 'gateway_failed'; paymentId: number; error: unknown }
	| { status: 'checkout'; paymentId: number; redirectUrl: string }
	| { status: 'avviso'; paymentId: number; noticeNumber: string; noticeNumberFormatted: string; amountCents: number; dueDate: string };

export interface RicaricaDeps {
	db: Db;
	clock: Clock;
	scope: TenantScope;
	tenant: Tenant;
	gateway: PagopaGateway;
	/** the public origin, for Checkout's return URLs */
	origin: string;
}

/** The guardian's address for pagoPA and the avviso: the contact e-mail when set, else the login one. */
export const mailOf = (user: { contactEmail: string; email: string | null }) => user.contactEmail || user.email || null;

/**
 * One cart → one payment (createCart), then pagoPA: Checkout for "paga online", the published
 * debt position for "genera avviso". Only when pagoPA has accepted it does the payment become
 * `pending`, so a failure leaves nothing a PSP could collect.
 */
export async function startRicarica(
	deps: RicaricaDeps,
	payer: Payer & { contactEmail: string; email: string | null },
	channel: 'pagopa_online' | 'pagopa_avviso',
	lines: CartLine[]
): Promise<RicaricaOutcome> {
	const { db, clock, scope, tenant, gateway } = deps;
	const cart = createCart(db, clock, scope, tenant, payer, channel, lines);
	if (cart.status === 'rejected') return cart;
	const { payment } = cart;
	const ente = enteOf(tenant);
	const gatewayLines = cart.lines.map((l) => ({ consumerName: l.consumerName, groupName: l.groupName, amountCents: l.amountCents }));
	try {
		if (channel === 'pagopa_online') {
			const returnUrls = checkoutReturnUrls(deps.origin, payment.id);
			const { location } = await gateway.startCheckout(ente, payment, gatewayLines, returnUrls, mailOf(payer));
			markPending(db, clock, payment.id, null);
			return { status: 'checkout', paymentId: payment.id, redirectUrl: location };
		}
		await gateway.publishDebtPosition(ente, payment, gatewayLines);
	} catch (error) {
		markRefusedByPagopa(db, clock, payment.id);
		return { status: 'gateway_failed', paymentId: payment.id, error };
	}
	markPending(db, clock, payment.id, null);
	const noticeNumber = payment.noticeNumber!;
	return {
		status: 'avviso',
		paymentId: payment.id,
		noticeNumber,
		noticeNumberFormatted: formatNoticeNumber(noticeNumber),
		amountCents: payment.amountCents,
		dueDate: payment.dueDate!
	};
}

/** The guardian's own pagoPA payments, newest first, for "I miei pagamenti". */
export function listOwnPayments(db: Db, scope: TenantScope, userId: string, limit = 50) {
	return db
		.select({
			id: payments.id,
			channel: payments.channel,
			status: payments.status,
			noticeNumber: payments.noticeNumber,
			amountCents: payments.amountCents,
			description: payments.description,
			dueDate: payments.dueDate,
			createdAt: payments.createdAt,
			paidAt: payments.paidAt
		})
		.from(payments)
		.where(scope.where(payments, eq(payments.userId, userId), inArray(payments.channel, ['pagopa_online', 'pagopa_avviso'])))
		.orderBy(desc(payments.createdAt), desc(payments.id))
		.limit(limit)
		.all()
		.map((p) => ({ ...p, noticeNumberFormatted: p.noticeNumber ? formatNoticeNumber(p.noticeNumber) : null }));
}
