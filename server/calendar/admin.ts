import { and, eq, gte, isNull } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { closures, schoolCalendars, schoolClasses, schoolYears, schools } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { recordAudit } from '../audit/log.js';
import { addDays, type IsoDate } from './dates.js';
import { lastClosedDay } from '../meals/day-close.js';
import { isBeforeCutoff, todayOf, type CutoffPolicy } from '../meals/cutoff.js';

/**
 * The first day a calendar change may touch: not a closed day, nor today once its cutoff has
 * passed (its meals are being made final).
 */
export function firstOpenDay(db: Db, clock: Clock, scope: TenantScope, tenant: CutoffPolicy): IsoDate {
	const now = clock.now();
	const today = todayOf(tenant, now);
	let day = isBeforeCutoff(tenant, today, now) ? today : addDays(today, 1);
	const last = lastClosedDay(db, scope.tenantId);
	if (last && last >= day) day = addDays(last, 1);
	return day;
}

export interface CalendarEdit {
	schoolId: number;
	schoolYearId: number;
	weekdays: number[];
	firstDay: IsoDate;
	lastDay: IsoDate;
}

export type EditResult<T> = { status: 'saved'; value: T; effectiveFrom: IsoDate } | { status: 'rejected'; message: string };

export function setSchoolCalendar(db: Db, clock: Clock, scope: TenantScope, tenant: CutoffPolicy, actorUserId: string, edit: CalendarEdit): EditResult<number> {
	const school = db.select().from(schools).where(scope.where(schools, eq(schools.id, edit.schoolId))).get();
	const year = db.select().from(schoolYears).where(scope.where(schoolYears, eq(schoolYears.id, edit.schoolYearId))).get();
	if (!school || !year) return { status: 'rejected', message: 'Scuola o anno scolastico non trovati.' };
	if (edit.firstDay > edit.lastDay) return { status: 'rejected', message: 'Il primo giorno di servizio deve precedere l’ultimo.' };
	const effectiveFrom = firstOpenDay(db, clock, scope, tenant);
	const id = db
		.insert(schoolCalendars)
		.values({ tenantId: scope.tenantId, schoolId: edit.schoolId, schoolYearId: edit.schoolYearId, weekdays: [...new Set(edit.weekdays)].sort().join(','), firstDay: edit.firstDay, lastDay: edit.lastDay, effectiveFrom, createdBy: actorUserId, createdAt: clock.now() })
		.returning({ id: schoolCalendars.id })
		.get().id;
	recordAudit(db, clock, { tenantId: scope.tenantId, actorUserId, action: 'calendar.set', entity: 'school', entityId: edit.schoolId, details: { ...edit, effectiveFrom } });
	return { status: 'saved', value: id, effectiveFrom };
}

export interface ClosureInput {
	schoolId: number | null;
	schoolClassId: number | null;
	fromDate: IsoDate;
	toDate: IsoDate;
	reason: string;
}

/** A closure never reaches back into closed days: it starts at the first open day at the earliest. */
export function addClosure(db: Db, clock: Clock, scope: TenantScope, tenant: CutoffPolicy, actorUserId: string, input: ClosureInput): EditResult<number> {
	if (input.fromDate > input.toDate) return { status: 'rejected', message: 'La data di inizio deve precedere quella di fine.' };
	if (input.schoolClassId !== null) {
		const cls = db.select().from(schoolClasses).where(scope.where(schoolClasses, eq(schoolClasses.id, input.schoolClassId))).get();
		if (!cls) return { status: 'rejected', message: 'Classe non trovata.' };
		input = { ...input, schoolId: cls.schoolId };
	} else if (input.schoolId !== null && !db.select().from(schools).where(scope.where(schools, eq(schools.id, input.schoolId))).get()) {
		return { status: 'rejected', message: 'Scuola non trovata.' };
	}
	const open = firstOpenDay(db, clock, scope, tenant);
	if (input.toDate < open) return { status: 'rejected', message: 'Quei giorni sono già chiusi: i pasti sono definitivi. Usa le correzioni.' };
	const fromDate = input.fromDate < open ? open : input.fromDate;
	const id = db
		.insert(closures)
		.values({ tenantId: scope.tenantId, ...input, fromDate, createdBy: actorUserId, createdAt: clock.now() })
		.returning({ id: closures.id })
		.get().id;
	recordAudit(db, clock, { tenantId: scope.tenantId, actorUserId, action: 'calendar.closure_add', entity: 'closure', entityId: id, details: { ...input, fromDate } });
	return { status: 'saved', value: id, effectiveFrom: fromDate };
}

export function removeClosure(db: Db, clock: Clock, scope: TenantScope, tenant: CutoffPolicy, actorUserId: string, closureId: number): EditResult<null> {
	const open = firstOpenDay(db, clock, scope, tenant);
	const closure = db.select().from(closures).where(scope.where(closures, eq(closures.id, closureId))).get();
	if (!closure) return { status: 'rejected', message: 'Chiusura non trovata.' };
	if (closure.fromDate < open) return { status: 'rejected', message: 'La chiusura riguarda giorni già chiusi: non si può togliere.' };
	db.delete(closures).where(and(eq(closures.id, closureId), gte(closures.fromDate, open))).run();
	recordAudit(db, clock, { tenantId: scope.tenantId, actorUserId, action: 'calendar.closure_remove', entity: 'closure', entityId: closureId, details: closure });
	return { status: 'saved', value: null, effectiveFrom: open };
}

export function listCalendar(db: Db, scope: TenantScope) {
	return {
		schoolYears: db.select().from(schoolYears).where(scope.where(schoolYears)).all(),
		schools: db.select({ id: schools.id, name: schools.name, level: schools.level }).from(schools).where(scope.where(schools, isNull(schools.archivedAt))).all(),
		classes: db.select({ id: schoolClasses.id, schoolId: schoolClasses.schoolId, name: schoolClasses.name }).from(schoolClasses).where(scope.where(schoolClasses)).all(),
		calendars: db.select().from(schoolCalendars).where(scope.where(schoolCalendars)).all(),
		closures: db.select().from(closures).where(scope.where(closures)).all()
	};
}
