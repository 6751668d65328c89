import { asc, eq, gte, isNull, lte } from 'drizzle-orm';
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

export function loadCalendar(db: Db, scope: TenantScope, from: IsoDate, to: IsoDate): Calendar {
	const years = db.select().from(schoolYears).where(scope.where(schoolYears)).all();
	const versions = db
		.select()
		.from(schoolCalendars)
		.where(scope.where(schoolCalendars, lte(schoolCalendars.effectiveFrom, to)))
		.orderBy(asc(schoolCalendars.effectiveFrom), asc(schoolCalendars.id))
		.all();
	const spans = db
		.select()
		.from(closures)
		.where(scope.where(closures, lte(closures.fromDate, to), gte(closures.toDate, from)))
		.all();
	const classes = db
		.select({ id: schoolClasses.id, schoolId: schoolClasses.schoolId, schoolYearId: schoolClasses.schoolYearId })
		.from(schoolClasses)
		.innerJoin(schools, eq(schools.id, schoolClasses.schoolId))
		.where(scope.where(schoolClasses, isNull(schools.archivedAt)))
		.all();

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

	const schoolOfClass = new Map(classes.map((c) => [c.id, c.schoolId]));
	return {
		verdict,
		verdictForClass(schoolClassId, date) {
			const schoolId = schoolOfClass.get(schoolClassId);
			return schoolId === undefined ? { service: false, reason: 'Classe non attiva' } : verdict(schoolId, schoolClassId, date);
		},
		servedClasses: (date) => classes.filter((c) => verdict(c.schoolId, c.id, date).service).map((c) => c.id)
	};
}
