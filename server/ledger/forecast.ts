import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { loadCalendar } from '../calendar/service-days.js';
import { addDays, eachDay, type IsoDate } from '../calendar/dates.js';
import { todayOf, type CutoffPolicy } from '../meals/cutoff.js';
import { isEnrolledOn, loadPlacements } from '../meals/enrolment-days.js';
import type { Forecast } from '../../src/lib/shared/forecast.js';

export type { Forecast };

// The enrolments the day close will debit in this group: active, in a school year not over yet.
const groupEnrolments = preparedFor((db) =>
	db.$client.prepare(`
		SELECT e.from_date AS fromDate, e.to_date AS toDate, e.status AS status, tb.meal_price_cents AS priceCents,
		       sy.first_day AS yearFirst, sy.last_day AS yearLast
		FROM enrolments e
		JOIN services s ON s.id = e.service_id
		JOIN tariff_bands tb ON tb.id = e.tariff_band_id
		JOIN school_years sy ON sy.id = e.school_year_id
		WHERE e.consumer_id = @consumer AND e.tenant_id = @tenant AND s.service_group_id = @group AND e.status = 'attiva' AND sy.last_day >= @start`)
);
const absences = preparedFor((db) =>
	db.$client.prepare(`SELECT date FROM day_marks WHERE consumer_id = @consumer AND tenant_id = @tenant AND date BETWEEN @from AND @to AND assenza = 1`).pluck()
);
const isClosed = preparedFor((db) => db.$client.prepare(`SELECT 1 FROM day_closes WHERE tenant_id = @tenant AND date = @date`).pluck());

interface Enrolment {
	fromDate: IsoDate;
	toDate: IsoDate | null;
	status: string;
	priceCents: number;
	yearFirst: IsoDate;
	yearLast: IsoDate;
}

/**
 * How many of the coming meals the balance pays for, walking the child's own calendar day by day
 * as the day close will: service days of their class, not marked assente, at each enrolment's
 * tariff. Today counts until its day is closed: before that its meal is not in the balance yet.
 */
export function forecastOf(
	db: Db,
	clock: Clock,
	scope: TenantScope,
	tenant: CutoffPolicy,
	consumerId: number,
	serviceGroupId: number,
	balanceCents: number
): Forecast {
	const tenantId = scope.tenantId;
	const today = todayOf(tenant, clock.now());
	const start = isClosed(db).get({ tenant: tenantId, date: today }) ? addDays(today, 1) : today;
	const enrolments = groupEnrolments(db).all({ consumer: consumerId, tenant: tenantId, group: serviceGroupId, start }) as Enrolment[];
	const classId = loadPlacements(db, scope, [consumerId]).get(consumerId)?.schoolClassId ?? null;
	if (enrolments.length === 0 || classId === null) return { kind: 'none' };
	if (balanceCents < 0) return { kind: 'negative' };
	if (enrolments.every((e) => e.priceCents === 0)) return { kind: 'exempt' };

	const end = enrolments.reduce((last, e) => (e.yearLast > last ? e.yearLast : last), start);
	const calendar = loadCalendar(db, scope, start, end);
	const absent = new Set(absences(db).all({ consumer: consumerId, tenant: tenantId, from: start, to: end }) as IsoDate[]);
	const eating = (e: Enrolment, date: IsoDate) =>
		e.priceCents > 0 && e.yearFirst <= date && date <= e.yearLast && isEnrolledOn({ consumerId, schoolClassId: classId, enrolments: [e] }, date);

	let left = balanceCents;
	let meals = 0;
	let until: IsoDate | null = null;
	for (const date of eachDay(start, end)) {
		if (absent.has(date) || !calendar.verdictForClass(classId, date).service) continue;
		const due = enrolments.filter((e) => eating(e, date));
		const cost = due.reduce((sum, e) => sum + e.priceCents, 0);
		if (cost === 0) continue;
		if (cost > left) return until === null ? { kind: 'short' } : { kind: 'covers', meals, until };
		left -= cost;
		meals += due.length;
		until = date;
	}
	return until === null ? { kind: 'none' } : { kind: 'whole_year', meals };
}
