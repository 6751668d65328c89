import { eq, gte, lte, ne } from 'drizzle-orm';
import type { SchoolYearInput } from '../../src/lib/shared/setup-schemas.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { schoolYears } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { recordAudit } from '../audit/log.js';
import type { Actor } from '../users/invitations.js';
import { invalid, notFound, saved, type SetupResult } from './outcome.js';

/** A day belongs to one school year at most: tariffs, classes and calendars hang on that. */
function conflicts(db: Db, scope: TenantScope, input: SchoolYearInput, exceptId: number | null): Record<string, string> {
	const other = exceptId === null ? undefined : ne(schoolYears.id, exceptId);
	const errors: Record<string, string> = {};
	const sameLabel = db.select({ id: schoolYears.id }).from(schoolYears).where(scope.where(schoolYears, eq(schoolYears.label, input.label), other)).get();
	if (sameLabel) errors.label = `Anno scolastico: il ${input.label} esiste già`;
	const overlapping = db
		.select({ label: schoolYears.label })
		.from(schoolYears)
		.where(scope.where(schoolYears, lte(schoolYears.firstDay, input.lastDay), gte(schoolYears.lastDay, input.firstDay), other))
		.get();
	if (overlapping) errors.firstDay = `Le date si sovrappongono all’anno scolastico ${overlapping.label}`;
	return errors;
}

/** The year in course; between two years, the next one; otherwise the last one. Archived years are past. */
export function currentSchoolYear<Y extends { firstDay: string; lastDay: string; archivedAt: Date | null }>(years: readonly Y[], today: string): Y | null {
	const open = years.filter((y) => y.archivedAt === null).sort((a, b) => a.firstDay.localeCompare(b.firstDay));
	return open.find((y) => y.firstDay <= today && today <= y.lastDay) ?? open.find((y) => y.firstDay > today) ?? open.at(-1) ?? null;
}

export function listSchoolYears(db: Db, scope: TenantScope) {
	return db.select().from(schoolYears).where(scope.where(schoolYears)).orderBy(schoolYears.firstDay).all();
}

export function createSchoolYear(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: SchoolYearInput): SetupResult<number> {
	return db.transaction(() => {
		const errors = conflicts(db, scope, input, null);
		if (Object.keys(errors).length) return invalid(errors);
		const id = db.insert(schoolYears).values({ tenantId: scope.tenantId, ...input, createdAt: clock.now() }).returning({ id: schoolYears.id }).get().id;
		recordAudit(db, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'school_year.create', entity: 'school_year', entityId: id, details: { ...input }, ip: actor.ip });
		return saved(id);
	});
}

export function updateSchoolYear(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: SchoolYearInput & { schoolYearId: number }): SetupResult<number> {
	return db.transaction(() => {
		const before = db.select().from(schoolYears).where(scope.where(schoolYears, eq(schoolYears.id, input.schoolYearId))).get();
		if (!before) return notFound('Anno scolastico non trovato.');
		const { schoolYearId, ...fields } = input;
		const errors = conflicts(db, scope, fields, schoolYearId);
		if (Object.keys(errors).length) return invalid(errors);
		db.update(schoolYears).set(fields).where(scope.where(schoolYears, eq(schoolYears.id, schoolYearId))).run();
		recordAudit(db, clock, {
			tenantId: scope.tenantId,
			actorUserId: actor.userId,
			action: 'school_year.update',
			entity: 'school_year',
			entityId: schoolYearId,
			details: { before: { label: before.label, firstDay: before.firstDay, lastDay: before.lastDay }, after: fields },
			ip: actor.ip
		});
		return saved(schoolYearId);
	});
}
