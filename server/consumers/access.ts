import { eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { consumers, enrolments, guardianLinks, schoolClasses, schools, serviceGroups, services } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { preparedFor } from '../db/prepared.js';

export interface Guardian {
	id: string;
	codiceFiscale: string | null;
	fiscalCodeVerifiedAt: Date | null;
}

/**
 * "Il genitore autorizzato è colui che ha effettuato la domanda di iscrizione": a guardian sees a
 * consumer when linked by a codice di attivazione, or when SPID/CIE proved the fiscal code of
 * the applicant of one of the consumer's enrolments. A typed fiscal code proves nothing.
 */
function authorizedConsumers(db: Db, scope: TenantScope, guardian: Guardian): SQL {
	const linked = db
		.select({ id: guardianLinks.consumerId })
		.from(guardianLinks)
		.where(scope.where(guardianLinks, eq(guardianLinks.userId, guardian.id)));
	if (!guardian.fiscalCodeVerifiedAt || !guardian.codiceFiscale) return inArray(consumers.id, linked);
	const applied = db
		.select({ id: enrolments.consumerId })
		.from(enrolments)
		.where(scope.where(enrolments, eq(enrolments.applicantFiscalCode, guardian.codiceFiscale)));
	return or(inArray(consumers.id, linked), inArray(consumers.id, applied))!;
}

/**
 * The same rule seen from the child: the users who may see it, as rows (user_id, linked_by, since).
 * Linked by a code or by the ufficio, or the applicant of one of its enrolments whose fiscal code
 * SPID/CIE proved ('spid', since null); a user may come twice, once each way. `consumer` and
 * `tenant` are the outer query's columns or named parameters: the types admit nothing else.
 */
export function guardianRowsSql(consumer: '@consumer' | '"consumers"."id"', tenant: '@tenant' | '"consumers"."tenant_id"'): string {
	return `
		SELECT g.user_id AS user_id, g.linked_by AS linked_by, g.created_at AS since
		FROM guardian_links g JOIN users u ON u.id = g.user_id AND u.tenant_id = ${tenant}
		WHERE g.consumer_id = ${consumer} AND g.tenant_id = ${tenant}
		UNION ALL
		SELECT u.id, 'spid', NULL
		FROM enrolments e JOIN users u ON u.tenant_id = ${tenant} AND u.codice_fiscale = e.applicant_fiscal_code
		WHERE e.consumer_id = ${consumer} AND e.tenant_id = ${tenant} AND u.fiscal_code_verified_at IS NOT NULL`;
}

/** Some guardian can see the child of the outer query's `consumers` row: what the office calls "collegato". */
export function hasGuardian(): SQL {
	return sql`EXISTS (${sql.raw(guardianRowsSql('"consumers"."id"', '"consumers"."tenant_id"'))})`;
}

// The same rule as authorizedConsumers, for one child, prepared once: every mark asks it.
const visibleConsumer = preparedFor((db) =>
	db.$client.prepare(`
		SELECT 1 FROM consumers c
		WHERE c.id = @consumer AND +c.tenant_id = @tenant AND (
			EXISTS (SELECT 1 FROM guardian_links g WHERE g.tenant_id = @tenant AND g.user_id = @user AND g.consumer_id = c.id)
			OR (@cf IS NOT NULL AND EXISTS (
				SELECT 1 FROM enrolments e WHERE e.tenant_id = @tenant AND e.consumer_id = c.id AND e.applicant_fiscal_code = @cf)))`)
);

export function canSeeConsumer(db: Db, scope: TenantScope, guardian: Guardian, consumerId: number): boolean {
	const cf = guardian.fiscalCodeVerifiedAt && guardian.codiceFiscale ? guardian.codiceFiscale : null;
	return visibleConsumer(db).get({ consumer: consumerId, tenant: scope.tenantId, user: guardian.id, cf }) !== undefined;
}

export interface ConsumerSummary {
	id: number;
	givenName: string;
	familyName: string;
	school: string | null;
	schoolClass: string | null;
	services: { name: string; group: string; status: string }[];
}

export function listGuardianConsumers(db: Db, scope: TenantScope, guardian: Guardian): ConsumerSummary[] {
		const rows = db
		.select({
			id: consumers.id,
			givenName: consumers.givenName,
			familyName: consumers.familyName,
			school: schools.name,
			schoolClass: schoolClasses.name
		})
		.from(consumers)
		.leftJoin(schoolClasses, eq(schoolClasses.id, consumers.schoolClassId))
		.leftJoin(schools, eq(schools.id, schoolClasses.schoolId))
		.where(scope.where(consumers, authorizedConsumers(db, scope, guardian)))
		.orderBy(consumers.givenName)
		.all();
	if (rows.length === 0) return [];
	const enrolled = db
		.select({ consumerId: enrolments.consumerId, name: services.name, group: serviceGroups.name, status: enrolments.status })
		.from(enrolments)
		.innerJoin(services, eq(services.id, enrolments.serviceId))
		.innerJoin(serviceGroups, eq(serviceGroups.id, services.serviceGroupId))
		.where(
			scope.where(
				enrolments,
				inArray(
					enrolments.consumerId,
					rows.map((r) => r.id)
				),
				or(eq(enrolments.status, 'attiva'), eq(enrolments.status, 'sospesa'))
			)
		)
		.all();
	// A service once per child: this year's enrolment and next year's (or a suspended one beside
	// it) are one service to a parent, active if either is. The pages key a service by group and name.
	const servicesOf = (consumerId: number) => {
		const byService = new Map<string, { name: string; group: string; status: string }>();
		for (const { name, group, status } of enrolled.filter((e) => e.consumerId === consumerId)) {
			const key = `${group} / ${name}`;
			if (byService.get(key)?.status !== 'attiva') byService.set(key, { name, group, status });
		}
		return [...byService.values()];
	};
	return rows.map((r) => ({ ...r, services: servicesOf(r.id) }));
}
