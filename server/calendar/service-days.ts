import { and, asc, eq, gte, isNull, lte, sql } from 'drizzle-orm';
import { preparedFor } from '../db/prepared.js';
import type { Db } from '../db/client.js';
import { closures, schoolCalendars, schoolClasses, schoolYears, schools } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { isoWeekday, type IsoDate } from './dates.js';
import { nationalHoliday } from './holidays.js';

export type DayVerdict = { service: true } | { service: false; reason: string };

type CalendarVersion = typeof schoolCalendars.$inferSelect;
type Closure = typeof closures.$inferSelect;

export const DEFAULT_WEEKDAYS = [1, 2, 3, 4, 5];

/**
 * A Comune's calendars, closures and school years for a span of days, loaded once and then
 * asked about many pupils and days without touching the database again.
 */
export interface Calendar {
	verdict(schoolId: number, schoolClassId: number | null, date: IsoDate): DayVerdict;
	verdictForClass(schoolClassId: number, date: IsoDate): DayVerdict;
	/** The classes with service on a day: the day close serves only these. */
	servedClasses(date: IsoDate): number[];
}

const yearsOf = preparedFor((db) => db.select().from(schoolYears).where(eq(schoolYears.tenantId, sql.placeholder('tenant'))).prepare());
const versionsUntil = preparedFor((db) =>
	db
		.select()
		.from(schoolCalendars)
		.where(and(eq(schoolCalendars.tenantId, sql.placeholder('tenant')), lte(schoolCalendars.effectiveFrom, sql.placeholder('to'))))
		.orderBy(asc(schoolCalendars.effectiveFrom), asc(schoolCalendars.id))
		.prepare()
);
const closuresBetween = preparedFor((db) =>
	db
		.select()
		.from(closures)
		.where(and(eq(closures.tenantId, sql.placeholder('tenant')), lte(closures.fromDate, sql.placeholder('to')), gte(closures.toDate, sql.placeholder('from'))))
		.prepare()
);
const activeClasses = preparedFor((db) =>
	db
		.select({ id: schoolClasses.id, schoolId: schoolClasses.schoolId })
		.from(schoolClasses)
		.innerJoin(schools, eq(schools.id, schoolClasses.schoolId))
		.where(and(eq(schoolClasses.tenantId, sql.placeholder('tenant')), isNull(schools.archivedAt)))
		.prepare()
);

const activeClass = preparedFor((db) =>
	db
		.select({ schoolId: schoolClasses.schoolId })
		.from(schoolClasses)
		.innerJoin(schools, eq(schools.id, schoolClasses.schoolId))
		.where(and(eq(schoolClasses.id, sql.placeholder('id')), eq(schoolClasses.tenantId, sql.placeholder('tenant')), isNull(schools.archivedAt)))
		.prepare()
);

export function loadCalendar(db: Db, scope: TenantScope, from: IsoDate, to: IsoDate): Calendar {
	const tenant = scope.tenantId;
	const years = yearsOf(db).all({ tenant });
	const versions = versionsUntil(db).all({ tenant, to });
	const spans = closuresBetween(db).all({ tenant, from, to });
	// Read only when asked: a mark needs its own class, the close needs them all.
	let classes: { id: number; schoolId: number }[] | undefined;
	const allClasses = () => (classes ??= activeClasses(db).all({ tenant }));

	const yearOf = (date: IsoDate) => years.find((y) => y.firstDay <= date && date <= y.lastDay);
	const versionFor = (schoolId: number, schoolYearId: number, date: IsoDate): CalendarVersion | undefined => {
		let found: CalendarVersion | undefined;
		for (const v of versions) {
			if (v.schoolId === schoolId && v.schoolYearId === schoolYearId && v.effectiveFrom <= date) found = v;
		}
		return found;
	};
	const closedBy = (schoolId: number, schoolClassId: number | null, date: IsoDate): Closure | undefined =>
		spans.find(
			(c) =>
				c.fromDate <= date &&
				date <= c.toDate &&
				(c.schoolId === null || c.schoolId === schoolId) &&
				(c.schoolClassId === null || c.schoolClassId === schoolClassId)
		);

	function verdict(schoolId: number, schoolClassId: number | null, date: IsoDate): DayVerdict {
		const holiday = nationalHoliday(date);
		if (holiday) return { service: false, reason: holiday };
		const year = yearOf(date);
		if (!year) return { service: false, reason: 'Fuori dall’anno scolastico' };
		const version = versionFor(schoolId, year.id, date);
		const weekdays = version ? version.weekdays.split(',').map(Number) : DEFAULT_WEEKDAYS;
		const first = version?.firstDay ?? year.firstDay;
		const last = version?.lastDay ?? year.lastDay;
		if (date < first || date > last) return { service: false, reason: 'Servizio non ancora iniziato o già concluso' };
		if (!weekdays.includes(isoWeekday(date))) return { service: false, reason: 'Giorno senza servizio mensa' };
		const closure = closedBy(schoolId, schoolClassId, date);
		if (closure) return { service: false, reason: closure.reason };
		return { service: true };
	}

	const schoolOfClass = new Map<number, number | undefined>();
	return {
		verdict,
		verdictForClass(schoolClassId, date) {
			if (!schoolOfClass.has(schoolClassId)) {
				schoolOfClass.set(schoolClassId, classes?.find((c) => c.id === schoolClassId)?.schoolId ?? activeClass(db).get({ tenant, id: schoolClassId })?.schoolId);
			}
			const schoolId = schoolOfClass.get(schoolClassId);
			return schoolId === undefined ? { service: false, reason: 'Classe non attiva' } : verdict(schoolId, schoolClassId, date);
		},
		servedClasses: (date) => allClasses().filter((c) => verdict(c.schoolId, c.id, date).service).map((c) => c.id)
	};
}
