import { asc, count } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { enrolments, schoolYears, serviceGroups, services, tariffBands, tariffPrices } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import type { IsoDate } from '../calendar/dates.js';
import { lastClosedDay } from '../meals/day-close.js';
import { pricesOn } from './price.js';

/** Everything the Tariffe page shows: a Comune has a handful of years, groups and bands. */
export function tariffsOverview(db: Db, scope: TenantScope, today: IsoDate) {
	const years = db.select().from(schoolYears).where(scope.where(schoolYears)).orderBy(asc(schoolYears.firstDay)).all();
	const bands = db.select().from(tariffBands).where(scope.where(tariffBands)).orderBy(asc(tariffBands.mealPriceCents), asc(tariffBands.id)).all();
	const changes = db.select().from(tariffPrices).where(scope.where(tariffPrices)).orderBy(asc(tariffPrices.validFrom)).all();
	const used = new Map(
		db
			.select({ band: enrolments.tariffBandId, n: count() })
			.from(enrolments)
			.where(scope.where(enrolments))
			.groupBy(enrolments.tariffBandId)
			.all()
			.map((r) => [r.band, r.n])
	);
	const todayPrices = pricesOn(db, scope.tenantId, bands.map((b) => b.id), [today]);
	const groups = db.select().from(serviceGroups).where(scope.where(serviceGroups)).orderBy(asc(serviceGroups.id)).all();
	const serviceRows = db.select().from(services).where(scope.where(services)).orderBy(asc(services.id)).all();
	return {
		today,
		lastClosed: lastClosedDay(db, scope.tenantId),
		years: years.map((y) => ({
			id: y.id,
			label: y.label,
			firstDay: y.firstDay,
			lastDay: y.lastDay,
			siblingDiscountPct: y.siblingDiscountPct,
			bands: bands
				.filter((b) => b.schoolYearId === y.id)
				.map((b) => ({
					id: b.id,
					name: b.name,
					ownPriceCents: b.mealPriceCents,
					todayCents: todayPrices.get(`${b.id}:${today}`)?.fullCents ?? b.mealPriceCents,
					enrolments: used.get(b.id) ?? 0,
					changes: changes.filter((c) => c.tariffBandId === b.id).map((c) => ({ id: c.id, validFrom: c.validFrom, priceCents: c.mealPriceCents }))
				}))
		})),
		groups: groups.map((g) => ({ id: g.id, name: g.name, services: serviceRows.filter((s) => s.serviceGroupId === g.id).map((s) => ({ id: s.id, name: s.name })) }))
	};
}

export type TariffsOverview = ReturnType<typeof tariffsOverview>;
