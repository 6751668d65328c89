import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import type { IsoDate } from '../calendar/dates.js';

/*
 * The price of an enrolment's meal on a day — the one definition, used by the day close, the
 * corrections and the forecast (SQL fragments, so each runs inside its own statement):
 *
 * 1. The band's price valid on the day: the newest tariff_prices row with valid_from ≤ day,
 *    otherwise the band's own meal_price_cents (its price from the start of the year). A change
 *    is only ever written from a day not yet closed (./admin.ts), so a closed day keeps its price.
 * 2. The sibling reduction: children of the same applicant (enrolments.applicant_fiscal_code) in
 *    the same Comune with a meal in the same service group on the same day, ordered by birth date
 *    (eldest first, unknown last) then consumer id. The first pays the price; the 2nd and later pay
 *    price × (100 − pct) / 100, rounded half-up to the cent, pct being the school year's
 *    sibling_discount_pct. Esenzione (0) stays 0; an exempt child still counts as a child.
 */

/** SQL: the band's price on `date`. `band` is the band id, `ownPrice` the band's meal_price_cents. */
export function bandPriceSql(band: string, ownPrice: string, date: string): string {
	return `coalesce((SELECT tp.meal_price_cents FROM tariff_prices tp WHERE tp.tariff_band_id = ${band} AND tp.valid_from <= ${date} ORDER BY tp.valid_from DESC LIMIT 1), ${ownPrice})`;
}

/**
 * SQL: `price` after the sibling reduction for the child ranked `rank` (1: the eldest eating).
 * Each argument appears once, so a subquery or window passed in is evaluated once; with pct 0
 * or rank 1 it is (price × 100 + 50) / 100 = price exactly, in integer arithmetic.
 */
export function siblingPriceSql(price: string, pct: string, rank: string): string {
	return `((${price}) * (100 - CASE WHEN (${rank}) > 1 THEN ${pct} ELSE 0 END) + 50) / 100`;
}

/** SQL ORDER BY terms: the siblings' order, eldest first, an unknown birth date last. */
export function siblingOrderSql(birthDate: string, consumerId: string): string {
	return `${birthDate} IS NULL, ${birthDate}, ${consumerId}`;
}

const reductionOn = preparedFor((db) =>
	db.$client.prepare(`SELECT 1 FROM school_years WHERE tenant_id = @tenant AND @date BETWEEN first_day AND last_day AND sibling_discount_pct > 0 LIMIT 1`).pluck()
);

/**
 * SQL: a row's rank among one day's rows of the same applicant and service group (the close's
 * present set, columns of the row alias `p`); a child with two services in the group counts once.
 * The window sorts the whole day, about a tenth of the close's time: a Comune without a reduction
 * that day gets the constant 1 instead (the same prices, nothing sorted).
 */
export function siblingRankSqlOn(db: Db, tenantId: number, date: IsoDate): string {
	if (!reductionOn(db).get({ tenant: tenantId, date })) return '1';
	return `dense_rank() OVER (PARTITION BY p.applicant_fiscal_code, p.service_group_id ORDER BY ${siblingOrderSql('p.birth_date', 'p.consumer_id')})`;
}

export interface BandDayPrice {
	bandId: number;
	date: IsoDate;
	/** the price of the first child */
	fullCents: number;
	/** the price of the 2nd and later children */
	reducedCents: number;
}

// One row per band × day, from the same fragments as the close.
const bandDayPrices = preparedFor((db) =>
	db.$client.prepare(`
		SELECT x.band AS bandId, x.date AS date, x.full AS fullCents, ${siblingPriceSql('x.full', 'x.pct', '2')} AS reducedCents
		FROM (SELECT tb.id AS band, d.value AS date, ${bandPriceSql('tb.id', 'tb.meal_price_cents', 'd.value')} AS full, sy.sibling_discount_pct AS pct
		      FROM json_each(@bands) b JOIN tariff_bands tb ON tb.id = b.value AND tb.tenant_id = @tenant
		      JOIN school_years sy ON sy.id = tb.school_year_id, json_each(@dates) d) x`)
);

/** Prices of the given bands on the given days, keyed `${bandId}:${date}`. */
export function pricesOn(db: Db, tenantId: number, bandIds: number[], dates: IsoDate[]): Map<string, BandDayPrice> {
	const rows = bandDayPrices(db).all({ tenant: tenantId, bands: JSON.stringify(bandIds), dates: JSON.stringify(dates) }) as BandDayPrice[];
	return new Map(rows.map((r) => [`${r.bandId}:${r.date}`, r]));
}

/**
 * SQL: one enrolment's meal price on @date (rows `e` enrolments, `c` its consumer, `s` its
 * service), with `rank` the child's place among its siblings and `where` choosing the enrolment.
 */
function enrolmentPriceSql(rank: string, where: string): string {
	return `SELECT ${siblingPriceSql(bandPriceSql('e.tariff_band_id', 'tb.meal_price_cents', '@date'), 'sy.sibling_discount_pct', rank)}
		FROM enrolments e
		JOIN consumers c ON c.id = e.consumer_id
		JOIN tariff_bands tb ON tb.id = e.tariff_band_id
		JOIN school_years sy ON sy.id = e.school_year_id
		JOIN services s ON s.id = e.service_id
		WHERE ${where}`;
}

// A child already eating that day ranks before the one added: see addedMealPriceCents.
const addedMealPrice = preparedFor((db) =>
	db.$client
		.prepare(
			enrolmentPriceSql(
				`1 + (SELECT count(DISTINCT o.consumer_id) FROM enrolments o
				      JOIN services os ON os.id = o.service_id
				      JOIN meals m ON m.consumer_id = o.consumer_id AND m.service_id = o.service_id AND m.date = @date AND m.cancelled_at IS NULL
				      WHERE o.tenant_id = e.tenant_id AND o.applicant_fiscal_code = e.applicant_fiscal_code AND o.consumer_id <> e.consumer_id
				        AND os.service_group_id = s.service_group_id)`,
				'e.id = @enrolment AND e.tenant_id = @tenant'
			)
		)
		.pluck()
);

/**
 * The price of a meal added to a closed day by a correction: the band's price of that day, and
 * the reduction when another child of the applicant already has a meal in the group that day.
 * The meals already closed are never re-priced, so the one added counts after its siblings.
 */
export function addedMealPriceCents(db: Db, tenantId: number, enrolmentId: number, date: IsoDate): number {
	return addedMealPrice(db).get({ tenant: tenantId, enrolment: enrolmentId, date }) as number;
}

// The child's rank among the applicant's children enrolled in the group, eldest first (nulls last as siblingOrderSql).
const usualMealPrice = preparedFor((db) =>
	db.$client
		.prepare(
			enrolmentPriceSql(
				`1 + (SELECT count(DISTINCT o.consumer_id) FROM enrolments o
				      JOIN services os ON os.id = o.service_id
				      JOIN consumers oc ON oc.id = o.consumer_id
				      WHERE o.tenant_id = e.tenant_id AND o.applicant_fiscal_code = e.applicant_fiscal_code AND o.status = 'attiva'
				        AND os.service_group_id = s.service_group_id
				        AND (oc.birth_date IS NULL, coalesce(oc.birth_date, ''), oc.id) < (c.birth_date IS NULL, coalesce(c.birth_date, ''), c.id))`,
				`e.tenant_id = @tenant AND e.consumer_id = @consumer AND s.service_group_id = @group AND e.status = 'attiva'
				ORDER BY e.from_date DESC LIMIT 1`
			)
		)
		.pluck()
);

/**
 * What one meal usually costs the child in the group on `date`: the band's price of that day,
 * reduced when an elder sibling of the same applicant is enrolled in the group too (whether
 * they eat that very day is the close's business). 0 without an active enrolment.
 */
export function usualMealPriceCents(db: Db, tenantId: number, consumerId: number, serviceGroupId: number, date: IsoDate): number {
	return (usualMealPrice(db).get({ tenant: tenantId, consumer: consumerId, group: serviceGroupId, date }) as number | undefined) ?? 0;
}
