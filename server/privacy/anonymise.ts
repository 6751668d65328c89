/*
 * "Diritto all'oblio" once the retention period is over: the family's names, fiscal codes,
 * contacts, birth dates and diets become placeholders ("Anonimo 123"), their logins go. The
 * ledger is append-only (triggers) and is an accounting record: its rows are not touched, so every
 * balance and sum stays exactly what it was. What stays behind, and why, is in README "Privacy".
 */
import { and, eq, inArray, ne, or, sql } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import {
	balanceAlerts,
	consumers,
	emailTokens,
	enrolments,
	guardianLinks,
	ledgerAccounts,
	mailOutbox,
	markEvents,
	meals,
	memberships,
	oidcIdentities,
	passwordCredentials,
	paymentItems,
	payments,
	pendingIdentityLinks,
	recoveryCodes,
	reminders,
	sessions,
	totpCredentials,
	users
} from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { recordAudit } from '../audit/log.js';
import { zonedDate } from '../calendar/zoned-time.js';
import { formatDateIt } from '../../src/lib/shared/dates.js';
import { anonymisableFrom, familyOf, type Family } from './family.js';

export const ANONYMOUS = 'Anonimo';

export type AnonymiseOutcome =
	| { status: 'anonymised'; consumers: number; guardians: number }
	| { status: 'rejected'; code: 'NOT_FOUND' | 'ALREADY_ANONYMOUS' | 'ACTIVE' | 'RETENTION' | 'BALANCE' | 'PAYMENT_OPEN' | 'STAFF'; message: string };

type Reader = Pick<Db, 'select' | 'selectDistinct'>;
type Refusal = Extract<AnonymiseOutcome, { status: 'rejected' }>;

/** Why the family may not be anonymised yet, or null when it may. */
function refusalOf(db: Reader, scope: TenantScope, today: string, family: Family): Refusal | null {
	const ids = family.consumerIds;
	const done = db.select({ id: consumers.id }).from(consumers).where(scope.where(consumers, inArray(consumers.id, ids), ne(consumers.givenName, ANONYMOUS))).all();
	if (done.length === 0) return { status: 'rejected', code: 'ALREADY_ANONYMOUS', message: 'I dati di questa famiglia sono già stati anonimizzati.' };
	const spans = db.select({ status: enrolments.status, toDate: enrolments.toDate }).from(enrolments).where(scope.where(enrolments, inArray(enrolments.consumerId, ids))).all();
	if (spans.some((e) => e.status !== 'cessata' || !e.toDate)) {
		return { status: 'rejected', code: 'ACTIVE', message: 'La famiglia ha ancora un’iscrizione attiva o sospesa: si anonimizza solo dopo la cessazione di tutte le iscrizioni.' };
	}
	const lastEnd = spans.map((e) => e.toDate!).sort().at(-1);
	if (lastEnd && today < anonymisableFrom(lastEnd)) {
		return { status: 'rejected', code: 'RETENTION', message: `I dati vanno conservati fino alla fine dell’anno scolastico successivo all’ultima iscrizione: si potranno anonimizzare dal ${formatDateIt(anonymisableFrom(lastEnd))}.` };
	}
	const owing = db.select({ id: ledgerAccounts.id }).from(ledgerAccounts).where(scope.where(ledgerAccounts, inArray(ledgerAccounts.consumerId, ids), ne(ledgerAccounts.balanceCents, 0))).all();
	if (owing.length > 0) return { status: 'rejected', code: 'BALANCE', message: 'Un saldo della famiglia non è a zero: prima va rimborsato o saldato.' };
	const open = db
		.select({ id: payments.id })
		.from(payments)
		.leftJoin(paymentItems, eq(paymentItems.paymentId, payments.id))
		.where(scope.where(payments, inArray(payments.status, ['created', 'pending']), or(inArray(payments.userId, family.guardianIds), inArray(paymentItems.consumerId, ids))))
		.all();
	if (open.length > 0) return { status: 'rejected', code: 'PAYMENT_OPEN', message: 'C’è un pagamento della famiglia ancora aperto: attendi che sia pagato o annullato.' };
	const staff = db.select({ id: memberships.id }).from(memberships).where(and(inArray(memberships.userId, family.guardianIds), ne(memberships.role, 'guardian'))).all();
	if (staff.length > 0) return { status: 'rejected', code: 'STAFF', message: 'Un genitore della famiglia ha anche un ruolo di personale: togli prima quel ruolo.' };
	return null;
}

/** E-mails to the family still kept by the outbox carry its names and balances: gone with them. */
function forgetQueuedMail(tx: Pick<Db, 'select' | 'delete'>, scope: TenantScope, guardians: string[], ids: number[]): void {
	const addresses = [
		...tx.select({ a: users.email, b: users.contactEmail }).from(users).where(inArray(users.id, guardians)).all().flatMap((u) => [u.a, u.b]),
		...tx.select({ a: enrolments.applicantEmail }).from(enrolments).where(scope.where(enrolments, inArray(enrolments.consumerId, ids))).all().map((e) => e.a)
	].filter((a): a is string => !!a);
	if (addresses.length === 0) return;
	tx.delete(mailOutbox)
		.where(and(eq(mailOutbox.tenantId, scope.tenantId), inArray(sql`lower(${mailOutbox.recipient})`, addresses.map((a) => a.toLowerCase()))))
		.run();
}

export function anonymiseFamily(db: Db, clock: Clock, scope: TenantScope, timeZone: string, actor: { userId: string; ip: string }, consumerId: number): AnonymiseOutcome {
	return db.transaction((tx) => {
		const family = familyOf(tx, scope, consumerId);
		if (!family) return { status: 'rejected', code: 'NOT_FOUND', message: 'Alunno non trovato in questo Comune.' } as const;
		const refusal = refusalOf(tx, scope, zonedDate(clock.now(), timeZone), family);
		if (refusal) return refusal;
		const { consumerIds: ids, guardianIds: guardians } = family;
		forgetQueuedMail(tx, scope, guardians, ids);
		for (const id of ids) {
			tx.update(consumers).set({ givenName: ANONYMOUS, familyName: String(id), codiceFiscale: `ANONIMO-${id}`, birthDate: null, dietLabel: null }).where(scope.where(consumers, eq(consumers.id, id))).run();
		}
		// One placeholder per family keeps its children siblings to each other and to nobody else.
		const applicant = `ANONIMO-F${ids[0]}`;
		tx.update(enrolments).set({ applicantFiscalCode: applicant, applicantName: '', applicantEmail: '' }).where(scope.where(enrolments, inArray(enrolments.consumerId, ids))).run();
		tx.update(meals).set({ dietLabel: null }).where(scope.where(meals, inArray(meals.consumerId, ids))).run();
		tx.update(markEvents).set({ note: null }).where(scope.where(markEvents, inArray(markEvents.consumerId, ids))).run();
		tx.update(reminders).set({ email: '' }).where(scope.where(reminders, or(inArray(reminders.consumerId, ids), inArray(reminders.guardianUserId, guardians)))).run();
		const paid = tx.select({ id: paymentItems.paymentId }).from(paymentItems).where(scope.where(paymentItems, inArray(paymentItems.consumerId, ids)));
		// The description named the children ("Ricarica Refezione — Luca, Sofia"); the amount and the notice number stay.
		tx.update(payments).set({ payerName: ANONYMOUS, payerFiscalCode: '', description: 'Ricarica (dati anonimizzati)' }).where(scope.where(payments, or(inArray(payments.userId, guardians), inArray(payments.id, paid)))).run();
		guardians.forEach((id, n) => {
			tx.update(users)
				.set({ givenName: ANONYMOUS, familyName: `genitore ${ids[0]}-${n + 1}`, email: null, emailVerifiedAt: null, codiceFiscale: null, fiscalCodeVerifiedAt: null, phone: '', contactEmail: '', notificationPrefs: '{}' })
				.where(and(eq(users.id, id), eq(users.tenantId, scope.tenantId)))
				.run();
		});
		for (const table of [sessions, passwordCredentials, totpCredentials, recoveryCodes, oidcIdentities, emailTokens, pendingIdentityLinks, memberships, balanceAlerts]) {
			tx.delete(table).where(inArray(table.userId, guardians)).run();
		}
		tx.delete(guardianLinks).where(scope.where(guardianLinks, or(inArray(guardianLinks.userId, guardians), inArray(guardianLinks.consumerId, ids)))).run();
		recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'privacy.anonymise', entity: 'consumer', entityId: consumerId, details: { consumerIds: ids, guardianCount: guardians.length }, ip: actor.ip });
		return { status: 'anonymised', consumers: ids.length, guardians: guardians.length } as const;
	});
}
