import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { consumers, schoolClasses, schools, type Role } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';

type Reader = Pick<Db, 'select'>;

/** Who changes pupils and enrolments: the whole Comune (schoolIds null), or the schools delegated to them. */
export interface OfficeActor {
	userId: string;
	ip: string;
	schoolIds: number[] | null;
}

/**
 * Operators reach the whole Comune. School staff reach only their own school, and only while the
 * Comune leaves that school's enrolments to it (schools.managedBy = 'scuola', the infanzia case):
 * a school taken back by the Comune is the ufficio's again.
 */
export function officeActorOf(db: Reader, scope: TenantScope, user: { id: string; ip: string; roles: readonly { role: Role; schoolId: number | null }[] }): OfficeActor {
	if (user.roles.some((r) => r.role === 'operator')) return { userId: user.id, ip: user.ip, schoolIds: null };
	const own = user.roles.filter((r) => r.role === 'school_staff' && r.schoolId !== null).map((r) => r.schoolId!);
	const delegated = own.length
		? db.select({ id: schools.id }).from(schools).where(scope.where(schools, inArray(schools.id, own), eq(schools.managedBy, 'scuola'))).all().map((s) => s.id)
		: [];
	return { userId: user.id, ip: user.ip, schoolIds: delegated };
}

/** A class the actor may place a pupil in, with its school and school year; null when out of reach. */
export function classInReach(db: Reader, scope: TenantScope, actor: OfficeActor, schoolClassId: number) {
	const cls = db
		.select({ id: schoolClasses.id, name: schoolClasses.name, schoolId: schoolClasses.schoolId, schoolYearId: schoolClasses.schoolYearId })
		.from(schoolClasses)
		.where(scope.where(schoolClasses, eq(schoolClasses.id, schoolClassId)))
		.get();
	if (!cls || (actor.schoolIds !== null && !actor.schoolIds.includes(cls.schoolId))) return null;
	return cls;
}

/** The pupil, when the actor may see it: in the Comune, and for school staff placed in one of their schools. */
export function consumerInReach(db: Reader, scope: TenantScope, actor: OfficeActor, consumerId: number) {
	const row = db
		.select({ consumer: consumers, schoolId: schoolClasses.schoolId })
		.from(consumers)
		.leftJoin(schoolClasses, eq(schoolClasses.id, consumers.schoolClassId))
		.where(scope.where(consumers, eq(consumers.id, consumerId)))
		.get();
	if (!row) return null;
	if (actor.schoolIds !== null && (row.schoolId === null || !actor.schoolIds.includes(row.schoolId))) return null;
	return row.consumer;
}

/** The condition "pupil in reach", for lists: school staff see only pupils placed in their schools. */
export function reachCondition(db: Reader, actor: OfficeActor) {
	if (actor.schoolIds === null) return undefined;
	const placed = db.select({ id: schoolClasses.id }).from(schoolClasses).where(inArray(schoolClasses.schoolId, actor.schoolIds));
	return inArray(consumers.schoolClassId, placed);
}

export const NOT_FOUND = { status: 'rejected', code: 'NOT_FOUND', message: 'Alunno non trovato in questo Comune.' } as const;
