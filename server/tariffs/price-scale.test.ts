import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { loadCalendar } from '../calendar/service-days.js';
import { checkLedger } from '../ledger/accounts.js';
import { closeDay, PRESENT_ENROLMENTS_SQL } from '../meals/day-close.js';
import { fixtureOf, rome, rows, seededDb } from '../meals/test-fixture.js';
import { addPriceChange, setSiblingDiscount } from './bands.js';
import { siblingPriceSql, siblingRankSqlOn } from './price.js';

/*
 * A few thousand enrolments in families of one to four children, a reduction and a price change:
 * every meal's price equals the rule written out here, and the close reads every table through
 * an index (the only sort is the day's window), so its cost grows with the meals, not their square.
 */

const DATE = '2026-11-25';
const FAMILIES = 1_500;
const BANDS = { 1: 250, 2: 420, 3: 520, 4: 0 } as Record<number, number>;
const PCT = 20;

let db: Db;
let f: ReturnType<typeof fixtureOf>;
const expected = new Map<number, number>();

beforeAll(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	const clock = fixedClock(rome('2026-11-23', '08:00:00', false));
	const actor = { userId: f.operator.id, ip: '' };
	setSiblingDiscount(db, clock, f.scope, actor, { schoolYearId: f.year(f.mazze.id).id, pct: PCT });
	addPriceChange(db, clock, f.scope, actor, { tariffBandId: 3, validFrom: '2026-11-24', price: 555 });
	const prices: Record<number, number> = { ...BANDS, 3: 555 };
	const c = db.$client;
	const consumer = c.prepare(`INSERT INTO consumers (tenant_id, codice_fiscale, given_name, family_name, birth_date, school_class_id, created_at) VALUES (?, ?, 'Bimbo', 'Prova', ?, ?, 0)`);
	const enrolment = c.prepare(
		`INSERT INTO enrolments (tenant_id, consumer_id, service_id, school_year_id, tariff_band_id, applicant_fiscal_code, activation_code_hash, status, from_date, created_at) VALUES (?, ?, 1, ?, ?, ?, ?, 'attiva', '2026-09-14', 0)`
	);
	const mark = c.prepare(`INSERT INTO day_marks (tenant_id, consumer_id, date, assenza, pasto_in_bianco, updated_at) VALUES (?, ?, ?, 1, 0, 0)`);
	c.transaction(() => {
		for (let fam = 0; fam < FAMILIES; fam++) {
			const children = 1 + (fam % 4);
			const eating: { id: number; birth: string; band: number }[] = [];
			for (let k = 0; k < children; k++) {
				// Birth dates out of id order, so the rank must follow them and not the insertion.
				const birth = `201${(7 + fam + 3 * k) % 10}-0${1 + ((fam + k) % 9)}-15`;
				const id = Number(consumer.run(f.mazze.id, `CF${fam}X${k}`, birth, f.luca.schoolClassId).lastInsertRowid);
				const band = 1 + ((fam + k) % 4);
				enrolment.run(f.mazze.id, id, f.year(f.mazze.id).id, band, `APPLICANT${fam}`, `hash-${fam}-${k}`);
				if ((fam + k) % 7 === 0) mark.run(f.mazze.id, id, DATE);
				else eating.push({ id, birth, band });
			}
			eating.sort((a, b) => a.birth.localeCompare(b.birth) || a.id - b.id);
			eating.forEach((e, i) => expected.set(e.id, i === 0 ? prices[e.band] : Math.floor((prices[e.band] * (100 - PCT) + 50) / 100)));
		}
	})();
});

describe('the day close with thousands of families', () => {
	it('prices every meal by the rule and keeps the ledger balanced', () => {
		const result = closeDay(db, fixedClock(rome(DATE, '12:00:00', false)), f.mazze, DATE);
		const priced = new Map(rows(db, 'SELECT consumer_id, price_cents FROM meals WHERE date = ? AND consumer_id > ?', DATE, f.tommaso.id).map((r) => [r.consumer_id as number, r.price_cents as number]));
		expect(priced.size).toBe(expected.size);
		expect(priced).toEqual(expected);
		expect(result).toMatchObject({ status: 'closed' });
		expect(checkLedger(db)).toEqual([]);
	});

	it('reads every table through an index: nothing in the priced present set is a scan of a table', () => {
		const served = JSON.stringify(loadCalendar(db, f.scope, DATE, DATE).servedClasses(DATE));
		const sql = `SELECT ${siblingPriceSql('p.band_price_cents', 'p.sibling_pct', siblingRankSqlOn(db, f.mazze.id, DATE))} FROM (${PRESENT_ENROLMENTS_SQL}) p`;
		const plan = (db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ tenant: f.mazze.id, date: '2026-11-26', served }) as { detail: string }[]).map((r) => r.detail);
		expect(plan.some((d) => d.includes('tariff_prices_band_day'))).toBe(true);
		expect(plan.filter((d) => d.startsWith('SCAN') && !/^SCAN (json_each|\(subquery-\d+\))/.test(d))).toEqual([]);
	});
});
