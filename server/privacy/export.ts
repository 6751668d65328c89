/*
 * "Scarica i miei dati" (GDPR art. 15 and 20): everything held about a guardian and about the
 * children they may see, as plain rows. The same object becomes the JSON file and the PDF summary,
 * so the two never disagree. Hashes, TOTP keys and activation codes are secrets, not personal data
 * about the family: they stay out.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import {
	auditLog,
	consumers,
	dayMarks,
	enrolments,
	guardianLinks,
	ledgerAccounts,
	ledgerPostings,
	meals,
	payments,
	reminders,
	serviceGroups,
	services,
	sessions,
	users
} from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { listGuardianConsumers } from '../consumers/access.js';

export type DataExport = NonNullable<ReturnType<typeof exportGuardianData>>;

/**
 * An enrolment the other parent applied for names them: their fiscal code and e-mail are theirs to
 * ask for, not this guardian's (GDPR art. 15(4)). The name stays, as the child's record says it.
 */
function applicantAsSeenBy(requester: { codiceFiscale: string | null; email: string | null }) {
	const same = (a: string, b: string | null) => b !== null && b !== '' && a.toLowerCase() === b.toLowerCase();
	return <E extends { applicantFiscalCode: string; applicantEmail: string }>(e: E) => {
		// By fiscal code; for an account that never gave one, by the e-mail the application names.
		const yours = requester.codiceFiscale ? same(e.applicantFiscalCode, requester.codiceFiscale) : same(e.applicantEmail, requester.email);
		return { ...e, applicantFiscalCode: yours ? e.applicantFiscalCode : null, applicantEmail: yours ? e.applicantEmail : null, applicantIsYou: yours };
	};
}

function childData(db: Db, scope: TenantScope, consumerId: number, requester: { codiceFiscale: string | null; email: string | null }) {
	const child = db
		.select({
			id: consumers.id,
			givenName: consumers.givenName,
			familyName: consumers.familyName,
			codiceFiscale: consumers.codiceFiscale,
			birthDate: consumers.birthDate,
			dietLabel: consumers.dietLabel
		})
		.from(consumers)
		.where(scope.where(consumers, eq(consumers.id, consumerId)))
		.get()!;
	const accounts = db
		.select({ id: ledgerAccounts.id, serviceGroup: serviceGroups.name, balanceCents: ledgerAccounts.balanceCents })
		.from(ledgerAccounts)
		.leftJoin(serviceGroups, eq(serviceGroups.id, ledgerAccounts.serviceGroupId))
		.where(scope.where(ledgerAccounts, eq(ledgerAccounts.consumerId, consumerId), eq(ledgerAccounts.kind, 'prepaid')))
		.all();
	return {
		...child,
		enrolments: db
			.select({
				service: services.name,
				status: enrolments.status,
				fromDate: enrolments.fromDate,
				toDate: enrolments.toDate,
				applicantName: enrolments.applicantName,
				applicantFiscalCode: enrolments.applicantFiscalCode,
				applicantEmail: enrolments.applicantEmail
			})
			.from(enrolments)
			.innerJoin(services, eq(services.id, enrolments.serviceId))
			.where(scope.where(enrolments, eq(enrolments.consumerId, consumerId)))
			.orderBy(asc(enrolments.fromDate))
			.all()
			.map(applicantAsSeenBy(requester)),
		dayMarks: db
			.select({ date: dayMarks.date, assenza: dayMarks.assenza, pastoInBianco: dayMarks.pastoInBianco })
			.from(dayMarks)
			.where(scope.where(dayMarks, eq(dayMarks.consumerId, consumerId)))
			.orderBy(asc(dayMarks.date))
			.all(),
		meals: db
			.select({ date: meals.date, kind: meals.kind, dietLabel: meals.dietLabel, priceCents: meals.priceCents, cancelledAt: meals.cancelledAt })
			.from(meals)
			.where(scope.where(meals, eq(meals.consumerId, consumerId)))
			.orderBy(asc(meals.date))
			.all(),
		accounts: accounts.map((a) => ({
			serviceGroup: a.serviceGroup,
			balanceCents: a.balanceCents,
			postings: db
				.select({ valueDate: ledgerPostings.valueDate, amountCents: ledgerPostings.amountCents, description: ledgerPostings.description })
				.from(ledgerPostings)
				.where(and(eq(ledgerPostings.tenantId, scope.tenantId), eq(ledgerPostings.accountId, a.id)))
				.orderBy(asc(ledgerPostings.valueDate), asc(ledgerPostings.id))
				.all()
		}))
	};
}

/** null when the user is not a guardian of this Comune. */
export function exportGuardianData(db: Db, scope: TenantScope, clock: Clock, userId: string) {
	const user = db.select().from(users).where(and(eq(users.id, userId), eq(users.tenantId, scope.tenantId))).get();
	if (!user) return null;
	const children = listGuardianConsumers(db, scope, user).map((c) => {
		return { ...childData(db, scope, c.id, user), school: c.school, schoolClass: c.schoolClass };
	});
	return {
		generatedAt: clock.now().toISOString(),
		user: {
			id: user.id,
			email: user.email,
			emailVerifiedAt: user.emailVerifiedAt,
			givenName: user.givenName,
			familyName: user.familyName,
			codiceFiscale: user.codiceFiscale,
			fiscalCodeVerifiedAt: user.fiscalCodeVerifiedAt,
			phone: user.phone,
			contactEmail: user.contactEmail,
			notificationPrefs: JSON.parse(user.notificationPrefs) as unknown,
			privacyAcceptedAt: user.privacyAcceptedAt,
			createdAt: user.createdAt
		},
		sessions: db
			.select({ createdAt: sessions.createdAt, expiresAt: sessions.expiresAt })
			.from(sessions)
			.where(eq(sessions.userId, user.id))
			.orderBy(asc(sessions.createdAt))
			.all(),
		guardianLinks: db
			.select({ consumer: consumers.givenName, linkedBy: guardianLinks.linkedBy, createdAt: guardianLinks.createdAt })
			.from(guardianLinks)
			.innerJoin(consumers, eq(consumers.id, guardianLinks.consumerId))
			.where(scope.where(guardianLinks, eq(guardianLinks.userId, user.id)))
			.all(),
		children,
		payments: db
			.select({
				channel: payments.channel,
				status: payments.status,
				noticeNumber: payments.noticeNumber,
				amountCents: payments.amountCents,
				description: payments.description,
				payerName: payments.payerName,
				payerFiscalCode: payments.payerFiscalCode,
				createdAt: payments.createdAt,
				paidAt: payments.paidAt
			})
			.from(payments)
			.where(scope.where(payments, eq(payments.userId, user.id)))
			.orderBy(asc(payments.createdAt))
			.all(),
		reminders: db
			.select({ email: reminders.email, balanceCents: reminders.balanceCents, daysInDebt: reminders.daysInDebt, sentAt: reminders.sentAt })
			.from(reminders)
			.where(scope.where(reminders, eq(reminders.guardianUserId, user.id)))
			.orderBy(asc(reminders.sentAt))
			.all(),
		auditEntries: db
			.select({ action: auditLog.action, entity: auditLog.entity, entityId: auditLog.entityId, details: auditLog.details, at: auditLog.at })
			.from(auditLog)
			.where(and(eq(auditLog.actorUserId, user.id), eq(auditLog.tenantId, scope.tenantId)))
			.orderBy(desc(auditLog.at))
			.all()
	};
}
