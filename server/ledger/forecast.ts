import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { loadCalendar } from '../calendar/service-days.js';
import { addDays, eachDay, type IsoDate } from '../calendar/dates.js';
import { todayOf, type CutoffPolicy } from '../meals/cutoff.js';
import { isEnrolledOn } from '../meals/enrolment-days.js';
import { pricesOn, siblingOrderSql } from '../tariffs/price.js';
import type { Forecast } from '../../src/lib/shared/forecast.js';

export type { Forecast };

/*
 * The enrolments the day close will debit in this group, of the child and of the siblings who
 * share an applicant with them (their meals decide the sibling reduction): active, in a school
 * year not over yet, eldest first as the reduction ranks them.
 */
const familyEnrolments = preparedFor((db) =>
	db.$client.prepare(`
		SELECT e.consumer_id AS consumerId, c.school_class_id AS schoolClassId, e.applicant_fiscal_code AS applicant, e.tariff_band_id AS bandId,
		       e.from_date AS fromDate, e.to_date AS toDate, e.status AS status, sy.first_day AS yearFirst, sy.last_day AS yearLast
		FROM enrolments e
		JOIN consumers c ON c.id = e.consumer_id
		JOIN services s ON s.id = e.service_id
		JOIN school_years sy ON sy.id = e.school_year_id
		WHERE e.tenant_id = @tenant AND s.service_group_id = @group AND e.status = 'attiva' AND sy.last_day >= @start
		  AND e.applicant_fiscal_code IN (SELECT applicant_fiscal_code FROM enrolments WHERE consumer_id = @consumer AND tenant_id = @tenant)
		ORDER BY ${siblingOrderSql('c.birth_date', 'c.id')}`)
);
const absences = preparedFor((db) =>
	db.$client.prepare(
		`SELECT consumer_id AS consumerId, date FROM day_marks WHERE consumer_id IN (SELECT value FROM json_each(@consumers)) AND tenant_id = @tenant AND date BETWEEN @from AND @to AND assenza = 1`
	)
);
const isClosed = preparedFor((db) => db.$client.prepare(`SELECT 1 FROM day_closes WHERE tenant_id = @tenant AND date = @date`).pluck());

interface Enrolment {
	consumerId: number;
	schoolClassId: number | null;
	applicant: string;
	bandId: number;
	fromDate: IsoDate;
	toDate: IsoDate | null;
	status: string;
	yearFirst: IsoDate;
	yearLast: IsoDate;
}

/**
 * How many of the coming meals the balance pays for, walking the child's own calendar day by day
 * as the day close will: service days of their class, not marked assente, at the price of each
 * day (server/tariffs/price.ts: a price change from its date, the sibling reduction when an elder
 * sibling eats that day too). Today counts until its day is closed: before that its meal is not
 * in the balance yet.
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
	const family = familyEnrolments(db).all({ consumer: consumerId, tenant: tenantId, group: serviceGroupId, start }) as Enrolment[];
	const mine = family.filter((e) => e.consumerId === consumerId);
	if (mine.length === 0 || mine[0].schoolClassId === null) return { kind: 'none' };
	if (balanceCents < 0) return { kind: 'negative' };

	const end = mine.reduce((last, e) => (e.yearLast > last ? e.yearLast : last), start);
	const calendar = loadCalendar(db, scope, start, end);
	const order = [...new Set(family.map((e) => e.consumerId))];
	const absent = new Set(
		(absences(db).all({ consumers: JSON.stringify(order), tenant: tenantId, from: start, to: end }) as { consumerId: number; date: IsoDate }[]).map((a) => `${a.consumerId}:${a.date}`)
	);
	const eats = (e: Enrolment, date: IsoDate) =>
		e.schoolClassId !== null &&
		e.yearFirst <= date &&
		date <= e.yearLast &&
		!absent.has(`${e.consumerId}:${date}`) &&
		isEnrolledOn({ consumerId: e.consumerId, schoolClassId: e.schoolClassId, enrolments: [e] }, date) &&
		calendar.verdictForClass(e.schoolClassId, date).service;
	// The child's rank on a day: 1 + the elder siblings of the same applicant who eat that day.
	const rankOn = (e: Enrolment, date: IsoDate) =>
		1 + new Set(family.filter((s) => s.applicant === e.applicant && order.indexOf(s.consumerId) < order.indexOf(consumerId) && eats(s, date)).map((s) => s.consumerId)).size;

	const days = [...eachDay(start, end)].map((date) => ({ date, due: mine.filter((e) => eats(e, date)) })).filter((d) => d.due.length > 0);
	const prices = pricesOn(db, tenantId, [...new Set(mine.map((e) => e.bandId))], days.map((d) => d.date));
	const costs = days.map(({ date, due }) => ({
		date,
		meals: due.length,
		cents: due.reduce((sum, e) => {
			const p = prices.get(`${e.bandId}:${date}`)!;
			return sum + (rankOn(e, date) > 1 ? p.reducedCents : p.fullCents);
		}, 0)
	}));
	if (costs.length > 0 && costs.every((c) => c.cents === 0)) return { kind: 'exempt' };

	let left = balanceCents;
	let meals = 0;
	let until: IsoDate | null = null;
	for (const { date, meals: n, cents } of costs) {
		if (cents === 0) continue;
		if (cents > left) return until === null ? { kind: 'short' } : { kind: 'covers', meals, until };
		left -= cents;
		meals += n;
		until = date;
	}
	return until === null ? { kind: 'none' } : { kind: 'whole_year', meals };
}
