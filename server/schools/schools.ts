import { eq } from 'drizzle-orm';
import type { SchoolInput } from '../../src/lib/shared/setup-schemas.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { schoolClasses, schoolYears, schools } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { recordAudit } from '../audit/log.js';
import { staffOf } from '../tenants/admin.js';
import type { Actor } from '../users/invitations.js';
import { listSchoolYears } from './school-years.js';
import { invalid, notFound, saved, type SetupResult } from './outcome.js';

/* Schools (plessi) and their classes per school year; archiving them is archive.ts. */

export type School = typeof schools.$inferSelect;

export function findSchool(db: Db, scope: TenantScope, schoolId: number): School | undefined {
	return db.select().from(schools).where(scope.where(schools, eq(schools.id, schoolId))).get();
}

/** Everything the Scuole page shows, archived schools included (marked). */
export function schoolsOverview(db: Db, scope: TenantScope) {
	return {
		schoolYears: listSchoolYears(db, scope),
		schools: db.select().from(schools).where(scope.where(schools)).orderBy(schools.name).all(),
		classes: db.select().from(schoolClasses).where(scope.where(schoolClasses)).orderBy(schoolClasses.name).all(),
		staff: staffOf(db, scope.tenantId).filter((s) => s.role === 'school_staff')
	};
}

function audit(db: Db, clock: Clock, scope: TenantScope, actor: Actor, action: string, entity: string, entityId: number, details: Record<string, unknown>) {
	recordAudit(db, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action, entity, entityId, details, ip: actor.ip });
}

export function createSchool(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: SchoolInput): SetupResult<number> {
	return db.transaction(() => {
		const id = db.insert(schools).values({ tenantId: scope.tenantId, ...input, createdAt: clock.now() }).returning({ id: schools.id }).get().id;
		audit(db, clock, scope, actor, 'school.create', 'school', id, { ...input });
		return saved(id);
	});
}

export function updateSchool(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: SchoolInput & { schoolId: number }): SetupResult<number> {
	return db.transaction(() => {
		const before = findSchool(db, scope, input.schoolId);
		if (!before) return notFound('Scuola non trovata.');
		const { schoolId, ...fields } = input;
		db.update(schools).set(fields).where(scope.where(schools, eq(schools.id, schoolId))).run();
		audit(db, clock, scope, actor, 'school.update', 'school', schoolId, { before: { name: before.name, level: before.level, managedBy: before.managedBy, address: before.address }, after: fields });
		return saved(schoolId);
	});
}

/** Two "1ª A" in the same school and year would be told apart by nobody, on a letter or in a report. */
function sameNamedClass(db: Db, scope: TenantScope, c: { schoolId: number; schoolYearId: number; name: string }, exceptId: number | null): string | null {
	const clash = db
		.select({ id: schoolClasses.id, name: schoolClasses.name })
		.from(schoolClasses)
		.where(scope.where(schoolClasses, eq(schoolClasses.schoolId, c.schoolId), eq(schoolClasses.schoolYearId, c.schoolYearId)))
		.all()
		.find((other) => other.id !== exceptId && other.name.toLocaleLowerCase('it') === c.name.toLocaleLowerCase('it'));
	return clash ? `Nome della classe: «${clash.name}» esiste già in questa scuola e anno` : null;
}

export function createSchoolClass(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: { schoolId: number; schoolYearId: number; name: string }): SetupResult<number> {
	return db.transaction(() => {
		const school = findSchool(db, scope, input.schoolId);
		const year = db.select({ id: schoolYears.id, label: schoolYears.label, archivedAt: schoolYears.archivedAt }).from(schoolYears).where(scope.where(schoolYears, eq(schoolYears.id, input.schoolYearId))).get();
		if (!school || !year) return notFound('Scuola o anno scolastico non trovati.');
		if (school.archivedAt) return invalid({ schoolId: 'Scuola archiviata: ripristinala prima di aggiungere classi' });
		if (year.archivedAt) return invalid({ schoolYearId: `Anno scolastico ${year.label} archiviato: ripristinalo prima di aggiungere classi` });
		const clash = sameNamedClass(db, scope, input, null);
		if (clash) return invalid({ name: clash });
		const id = db.insert(schoolClasses).values({ tenantId: scope.tenantId, ...input, createdAt: clock.now() }).returning({ id: schoolClasses.id }).get().id;
		audit(db, clock, scope, actor, 'school_class.create', 'school_class', id, { ...input });
		return saved(id);
	});
}

export function renameSchoolClass(db: Db, clock: Clock, scope: TenantScope, actor: Actor, schoolClassId: number, name: string): SetupResult<number> {
	return db.transaction(() => {
		const before = db.select().from(schoolClasses).where(scope.where(schoolClasses, eq(schoolClasses.id, schoolClassId))).get();
		if (!before) return notFound('Classe non trovata.');
		const clash = sameNamedClass(db, scope, { ...before, name }, schoolClassId);
		if (clash) return invalid({ name: clash });
		db.update(schoolClasses).set({ name }).where(scope.where(schoolClasses, eq(schoolClasses.id, schoolClassId))).run();
		audit(db, clock, scope, actor, 'school_class.rename', 'school_class', schoolClassId, { before: before.name, after: name });
		return saved(schoolClassId);
	});
}
