import { count, eq, gte, isNull, or } from 'drizzle-orm';
import type { SchoolInput } from '../../src/lib/shared/setup-schemas.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { consumers, enrolments, schoolClasses, schoolYears, schools } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import type { IsoDate } from '../calendar/dates.js';
import { recordAudit } from '../audit/log.js';
import { staffOf } from '../tenants/admin.js';
import type { Actor } from '../users/invitations.js';
import { listSchoolYears } from './school-years.js';
import { invalid, notFound, refused, saved, type SetupResult } from './outcome.js';

/*
 * Schools (plessi) and their classes per school year. A school is archived, never deleted: its
 * enrolments, meals and postings keep pointing at it. Classes have no archive column; a class
 * ends with its school year.
 */

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

/** Pupils placed in the school's classes whose enrolment still runs today. */
function pupilsStillEnrolled(db: Db, scope: TenantScope, schoolId: number, today: IsoDate): number {
	return db
		.select({ n: count() })
		.from(enrolments)
		.innerJoin(consumers, eq(consumers.id, enrolments.consumerId))
		.innerJoin(schoolClasses, eq(schoolClasses.id, consumers.schoolClassId))
		.where(scope.where(enrolments, eq(schoolClasses.schoolId, schoolId), eq(enrolments.status, 'attiva'), or(isNull(enrolments.toDate), gte(enrolments.toDate, today))))
		.get()!.n;
}

/**
 * An archived school has no service days (calendar/service-days.ts): archiving one whose pupils
 * are still enrolled would stop their meals without a word, so it is refused until they leave.
 */
export function setSchoolArchived(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: { schoolId: number; archived: boolean; today: IsoDate }): SetupResult<number> {
	const { schoolId, archived } = input;
	return db.transaction(() => {
		const school = findSchool(db, scope, schoolId);
		if (!school) return notFound('Scuola non trovata.');
		if ((school.archivedAt !== null) === archived) return saved(schoolId);
		const enrolled = archived ? pupilsStillEnrolled(db, scope, schoolId, input.today) : 0;
		if (enrolled) return refused(`${school.name} ha ancora ${enrolled === 1 ? 'un alunno iscritto' : `${enrolled} alunni iscritti`}: sposta gli alunni o chiudi le iscrizioni prima di archiviarla.`);
		db.update(schools).set({ archivedAt: archived ? clock.now() : null }).where(scope.where(schools, eq(schools.id, schoolId))).run();
		audit(db, clock, scope, actor, archived ? 'school.archive' : 'school.restore', 'school', schoolId, { name: school.name });
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
		const year = db.select({ id: schoolYears.id }).from(schoolYears).where(scope.where(schoolYears, eq(schoolYears.id, input.schoolYearId))).get();
		if (!school || !year) return notFound('Scuola o anno scolastico non trovati.');
		if (school.archivedAt) return invalid({ schoolId: 'Scuola archiviata: ripristinala prima di aggiungere classi' });
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
