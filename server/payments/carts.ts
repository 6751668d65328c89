import { and, eq, inArray } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import { consumers, enrolments, paymentItems, payments, serviceGroups, services } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { canSeeConsumer, type Guardian } from '../consumers/access.js';
import { addDays } from '../../src/lib/shared/dates.js';
import { zonedDate } from '../calendar/zoned-time.js';
import type { Tenant } from '../tenants/tenants.js';
import { avvisoSubject } from './avviso-pdf.js';
import { noticeNumberFor } from './notice-number.js';
import { paymentsPause, readPaymentSettings } from './settings.js';
import type { Payment } from './credit.js';

export interface CartLine {
	consumerId: number;
	serviceGroupId: number;
	amountCents: number;
}

export interface Payer extends Guardian {
	givenName: string;
	familyName: string;
}

export type CartOutcome =
	| { status: 'created'; payment: Payment; lines: (CartLine & { consumerName: string; groupName: string })[] }
	| { status: 'rejected'; code: 'PAYMENTS_PAUSED' | 'NOT_YOUR_CONSUMER' | 'NOT_ENROLLED' | 'NO_FISCAL_CODE'; message: string };

const nextNoticeBase = preparedFor((db) =>
	db.$client.prepare(
		`INSERT INTO notice_counters (tenant_id, last_base) VALUES (?, 1)
		 ON CONFLICT (tenant_id) DO UPDATE SET last_base = last_base + 1 RETURNING last_base AS base`
	)
);

/** The next notice number of a Comune (table notice_counters): a counter per ente, so no two debt positions share one. */
export function allocateNoticeNumber(db: Db, tenantId: number, segregationCode: string) {
	const { base } = nextNoticeBase(db).get(tenantId) as { base: number };
	return noticeNumberFor(segregationCode, base);
}

/**
 * One cart = one debt position = one notice number, for any number of children and service
 * groups: the family pays once, one fee. The payment starts `created`; the channel's adapter
 * moves it to `pending` once pagoPA knows the debt position.
 */
export function createCart(
	db: Db,
	clock: Clock,
	scope: TenantScope,
	tenant: Tenant,
	payer: Payer,
	channel: 'pagopa_online' | 'pagopa_avviso',
	lines: CartLine[]
): CartOutcome {
	const settings = readPaymentSettings(tenant.paymentSettings);
	const now = clock.now();
	const today = zonedDate(now, tenant.timezone);
	const pause = paymentsPause(settings, today);
	if (pause.paused) return { status: 'rejected', code: 'PAYMENTS_PAUSED', message: pause.message };
	if (!payer.codiceFiscale) {
		return { status: 'rejected', code: 'NO_FISCAL_CODE', message: 'Per pagare con pagoPA serve il tuo codice fiscale: aggiungilo nel Profilo.' };
	}
	for (const line of lines) {
		if (!canSeeConsumer(db, scope, payer, line.consumerId)) {
			return { status: 'rejected', code: 'NOT_YOUR_CONSUMER', message: 'Uno dei consumatori del carrello non è tra i tuoi figli.' };
		}
	}
	const consumerIds = [...new Set(lines.map((l) => l.consumerId))];
	const enrolled = db
		.select({ consumerId: enrolments.consumerId, groupId: services.serviceGroupId, groupName: serviceGroups.name, givenName: consumers.givenName, familyName: consumers.familyName })
		.from(enrolments)
		.innerJoin(services, eq(services.id, enrolments.serviceId))
		.innerJoin(serviceGroups, eq(serviceGroups.id, services.serviceGroupId))
		.innerJoin(consumers, eq(consumers.id, enrolments.consumerId))
		// A withdrawn enrolment (cessata) takes no top-up: what is left is settled by the ufficio.
		.where(scope.where(enrolments, inArray(enrolments.consumerId, consumerIds), inArray(enrolments.status, ['attiva', 'sospesa'])))
		.all();
	const named: (CartLine & { consumerName: string; groupName: string })[] = [];
	for (const line of lines) {
		const row = enrolled.find((e) => e.consumerId === line.consumerId && e.groupId === line.serviceGroupId);
		if (!row) return { status: 'rejected', code: 'NOT_ENROLLED', message: 'Uno dei consumatori non è iscritto al servizio scelto.' };
		named.push({ ...line, consumerName: `${row.givenName} ${row.familyName}`, groupName: row.groupName });
	}
	const groups = [...new Set(named.map((l) => l.groupName))].join(', ');
	const children = [...new Set(named.map((l) => l.consumerName))].join(', ');
	const amountCents = lines.reduce((s, l) => s + l.amountCents, 0);

	return db.transaction((tx) => {
		const { noticeNumber } = allocateNoticeNumber(db, scope.tenantId, settings.segregationCode);
		const payment = tx
			.insert(payments)
			.values({
				tenantId: scope.tenantId,
				channel,
				status: 'created',
				noticeNumber,
				amountCents,
				description: avvisoSubject(`Ricarica ${groups} — ${children}`),
				dueDate: addDays(today, settings.avvisoDueDays),
				payerName: `${payer.givenName} ${payer.familyName}`.trim(),
				payerFiscalCode: payer.codiceFiscale!,
				userId: payer.id,
				createdAt: now,
				updatedAt: now
			})
			.returning()
			.get();
		tx.insert(paymentItems)
			.values(lines.map((l) => ({ tenantId: scope.tenantId, paymentId: payment.id, ...l })))
			.run();
		return { status: 'created', payment, lines: named } as const;
	});
}

export function markPending(db: Db, clock: Clock, paymentId: number, externalRef: string | null): void {
	db.update(payments)
		.set({ status: 'pending', externalRef, updatedAt: clock.now() })
		.where(and(eq(payments.id, paymentId), eq(payments.status, 'created')))
		.run();
}

/** pagoPA refused or never answered: nothing can be paid on this notice, and the family is told so. */
export function markRefusedByPagopa(db: Db, clock: Clock, paymentId: number): void {
	db.update(payments)
		.set({ status: 'cancelled', flag: 'pagoPA non ha accettato la posizione debitoria: nessun addebito.', updatedAt: clock.now() })
		.where(and(eq(payments.id, paymentId), eq(payments.status, 'created')))
		.run();
}
