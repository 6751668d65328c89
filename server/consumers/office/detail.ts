import { asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { enrolments, schoolClasses, schools, schoolYears, serviceGroups, services, tariffBands } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import { firstOpenDay } from '../../calendar/admin.js';
import { lastClosedDay } from '../../meals/day-close.js';
import type { CutoffPolicy } from '../../meals/cutoff.js';
import { guardianRowsSql } from '../access.js';
import { preparedFor } from '../../db/prepared.js';
import { consumerInReach, type OfficeActor } from './reach.js';

/** What the forms offer: only the classes the actor may place pupils in. */
export function enrolmentOptions(db: Db, scope: TenantScope, actor: OfficeActor) {
	const classes = db
		.select({ id: schoolClasses.id, name: schoolClasses.name, schoolId: schools.id, school: schools.name, schoolYearId: schoolYears.id, year: schoolYears.label })
		.from(schoolClasses)
		.innerJoin(schools, eq(schools.id, schoolClasses.schoolId))
		.innerJoin(schoolYears, eq(schoolYears.id, schoolClasses.schoolYearId))
		// Nothing archived takes new pupils (archiving is refused while it still has some).
		.where(scope.where(schoolClasses, isNull(schools.archivedAt), isNull(schoolClasses.archivedAt), isNull(schoolYears.archivedAt), actor.schoolIds === null ? undefined : inArray(schoolClasses.schoolId, actor.schoolIds)))
		.orderBy(asc(schoolYears.firstDay), asc(schools.name), asc(schoolClasses.name))
		.all();
	const serviceList = db
		.select({ id: services.id, name: services.name, group: serviceGroups.name })
		.from(services)
		.innerJoin(serviceGroups, eq(serviceGroups.id, services.serviceGroupId))
		.where(scope.where(services))
		.orderBy(asc(serviceGroups.name), asc(services.name))
		.all();
	const bands = db
		.select({ id: tariffBands.id, name: tariffBands.name, schoolYearId: tariffBands.schoolYearId, mealPriceCents: tariffBands.mealPriceCents })
		.from(tariffBands)
		.where(scope.where(tariffBands))
		.orderBy(asc(tariffBands.id))
		.all();
	const schoolList = [...new Map(classes.map((c) => [c.schoolId, { id: c.schoolId, name: c.school }])).values()];
	return { classes, services: serviceList, bands, schools: schoolList };
}

/** The days a change may still touch (DESIGN.md: never a closed day). */
export function openDays(db: Db, clock: Clock, scope: TenantScope, tenant: CutoffPolicy) {
	return { firstOpenDay: firstOpenDay(db, clock, scope, tenant), lastClosedDay: lastClosedDay(db, scope.tenantId) };
}

const guardiansStatement = preparedFor((db) =>
	db.$client.prepare(`
		SELECT u.id, u.given_name AS givenName, u.family_name AS familyName, r.linked_by AS linkedBy, r.since
		FROM (${guardianRowsSql('@consumer', '@tenant')}) r JOIN users u ON u.id = r.user_id
		ORDER BY r.linked_by = 'spid', r.since, u.id`)
);

export function consumerDetail(db: Db, scope: TenantScope, actor: OfficeActor, consumerId: number) {
	const consumer = consumerInReach(db, scope, actor, consumerId);
	if (!consumer) return null;
	const placement = consumer.schoolClassId
		? db
				.select({ schoolClass: schoolClasses.name, school: schools.name, year: schoolYears.label })
				.from(schoolClasses)
				.innerJoin(schools, eq(schools.id, schoolClasses.schoolId))
				.innerJoin(schoolYears, eq(schoolYears.id, schoolClasses.schoolYearId))
				.where(scope.where(schoolClasses, eq(schoolClasses.id, consumer.schoolClassId)))
				.get()
		: undefined;
	const enrolled = db
		.select({
			id: enrolments.id,
			service: services.name,
			group: serviceGroups.name,
			year: schoolYears.label,
			band: tariffBands.name,
			applicantFiscalCode: enrolments.applicantFiscalCode,
			applicantName: enrolments.applicantName,
			applicantEmail: enrolments.applicantEmail,
			status: enrolments.status,
			fromDate: enrolments.fromDate,
			toDate: enrolments.toDate
		})
		.from(enrolments)
		.innerJoin(services, eq(services.id, enrolments.serviceId))
		.innerJoin(serviceGroups, eq(serviceGroups.id, services.serviceGroupId))
		.innerJoin(schoolYears, eq(schoolYears.id, enrolments.schoolYearId))
		.innerJoin(tariffBands, eq(tariffBands.id, enrolments.tariffBandId))
		.where(scope.where(enrolments, eq(enrolments.consumerId, consumerId)))
		.orderBy(asc(enrolments.fromDate), asc(enrolments.id))
		.all();
	// Everyone who may see the child, each once: a link made by code or by the ufficio says more than SPID/CIE.
	const rows = guardiansStatement(db).all({ consumer: consumerId, tenant: scope.tenantId }) as { id: string; givenName: string; familyName: string; linkedBy: 'activation_code' | 'operator' | 'spid'; since: number | null }[];
	const guardians = rows
		.filter((r, i) => rows.findIndex((o) => o.id === r.id) === i)
		.map((r) => ({ name: `${r.givenName} ${r.familyName}`, linkedBy: r.linkedBy, since: r.since === null ? null : new Date(r.since) }));
	return {
		consumer: { id: consumer.id, codiceFiscale: consumer.codiceFiscale, givenName: consumer.givenName, familyName: consumer.familyName, birthDate: consumer.birthDate, schoolClassId: consumer.schoolClassId, dietLabel: consumer.dietLabel },
		placement: placement ?? null,
		enrolments: enrolled,
		guardians
	};
}
