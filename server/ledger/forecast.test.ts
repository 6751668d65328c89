import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { dayCloses, dayMarks, enrolments, tariffBands } from '../db/schema.js';
import { fixtureOf, rome, seededDb, type TestClock } from '../meals/test-fixture.js';
import { forecastText, type Forecast } from '../../src/lib/shared/forecast.js';
import { forecastOf } from './forecast.js';

/*
 * Luca: primaria, Monday to Friday, Fascia B at 4,20 € a meal; school year 2026/27 ends on 10 June,
 * Christmas closure 23/12–06/01, and 8 December is a national holiday. Mazzè's cutoff is 09:30.
 */

const MEAL = 420;
let db: Db;
let f: ReturnType<typeof fixtureOf>;
let clock: TestClock;
let groupId: number;

const forecast = (balance: number, consumerId = f.luca.id): Forecast => forecastOf(db, clock, f.scope, f.tenant('mazze'), consumerId, groupId, balance);
const absent = (consumerId: number, date: string) => db.insert(dayMarks).values({ tenantId: f.mazze.id, consumerId, date, assenza: true, updatedAt: clock.now() }).run();
const closed = (date: string) => db.insert(dayCloses).values({ tenantId: f.mazze.id, date, closedAt: clock.now(), meals: 0, totalCents: 0 }).run();
const setBand = (consumerId: number, name: string) => {
	const band = db.select().from(tariffBands).where(eq(tariffBands.name, name)).get()!;
	db.update(enrolments).set({ tariffBandId: band.id }).where(eq(enrolments.consumerId, consumerId)).run();
};

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	clock = fixedClock(rome('2026-11-24', '08:00:00', false)); // Tuesday, before the cutoff
	groupId = db.$client.prepare('SELECT s.service_group_id FROM enrolments e JOIN services s ON s.id = e.service_id WHERE e.consumer_id = @id').pluck().get({ id: f.luca.id }) as number;
});

describe('forecastOf', () => {
	it('before the cutoff counts today: 11 meals from Tuesday 24/11, over the 8 December holiday, to 09/12', () => {
		// 24–27, 30/11, 1–4/12, 7/12, (8/12 Immacolata), 9/12
		expect(forecast(11 * MEAL)).toEqual({ kind: 'covers', meals: 11, until: '2026-12-09' });
		expect(forecast(11 * MEAL + MEAL - 1)).toEqual({ kind: 'covers', meals: 11, until: '2026-12-09' });
		expect(forecast(11 * MEAL - 1)).toEqual({ kind: 'covers', meals: 10, until: '2026-12-07' });
		expect(forecastText(forecast(11 * MEAL))).toBe('Copre 11 pasti, fino al 09/12');
		expect(forecastText(forecast(MEAL))).toBe('Copre 1 pasto, fino al 24/11');
	});

	it('once today is closed its meal is in the balance: counting starts tomorrow', () => {
		clock.set(rome('2026-11-24', '09:31:00', false));
		// After the cutoff and before the close the meal is due all the same.
		expect(forecast(MEAL)).toEqual({ kind: 'covers', meals: 1, until: '2026-11-24' });
		closed('2026-11-24');
		expect(forecast(MEAL)).toEqual({ kind: 'covers', meals: 1, until: '2026-11-25' });
		expect(forecast(11 * MEAL)).toEqual({ kind: 'covers', meals: 11, until: '2026-12-10' });
	});

	it('skips the days already marked assente, and weekends', () => {
		absent(f.luca.id, '2026-11-25');
		absent(f.luca.id, '2026-11-26');
		absent(f.sofia.id, '2026-11-27'); // a sister's absence changes nothing for Luca
		clock.set(rome('2026-11-27', '08:00:00', false)); // Friday
		expect(forecast(2 * MEAL)).toEqual({ kind: 'covers', meals: 2, until: '2026-11-30' });
		clock.set(rome('2026-11-24', '08:00:00', false));
		expect(forecast(3 * MEAL)).toEqual({ kind: 'covers', meals: 3, until: '2026-11-30' });
	});

	it('says the balance pays for every meal left when it outlasts the school year, across the Christmas closure', () => {
		const left = forecast(200 * MEAL);
		expect(left.kind).toBe('whole_year');
		expect(forecastText(left)).toBe('Copre tutti i pasti fino a fine anno');
		// Tuesday 22/12, then the school is closed until Thursday 07/01.
		clock.set(rome('2026-12-22', '08:00:00', false));
		expect(forecast(2 * MEAL)).toEqual({ kind: 'covers', meals: 2, until: '2027-01-07' });
	});

	it('has nothing to forecast after the last day of the school year', () => {
		clock.set(rome('2027-06-11', '08:00:00', true));
		expect(forecast(5000)).toEqual({ kind: 'none' });
		expect(forecastText({ kind: 'none' })).toBeNull();
	});

	it('a negative balance asks for a top-up; one under a meal says it does not cover the next', () => {
		expect(forecast(-1)).toEqual({ kind: 'negative' });
		expect(forecastText(forecast(-840))).toBe('Saldo negativo: ricarica per coprire i prossimi pasti');
		expect(forecast(0)).toEqual({ kind: 'short' });
		expect(forecastText(forecast(MEAL - 1))).toBe('Il saldo non copre il prossimo pasto: ricarica');
	});

	it('esenzione (tariff 0): no charge, whatever the balance', () => {
		setBand(f.sofia.id, 'Esenzione');
		expect(forecast(0, f.sofia.id)).toEqual({ kind: 'exempt' });
		expect(forecastText(forecast(2500, f.sofia.id))).toBe('Esenzione: nessun addebito');
	});

	it('follows the tariff band: Fascia A at 2,50 € covers more days with the same money', () => {
		setBand(f.luca.id, 'Fascia A — ISEE fino a 8.000 €');
		expect(forecast(4 * 250)).toEqual({ kind: 'covers', meals: 4, until: '2026-11-27' });
	});

	it('no active enrolment in the group: nothing to say', () => {
		db.update(enrolments).set({ status: 'sospesa' }).where(eq(enrolments.consumerId, f.luca.id)).run();
		expect(forecast(5000)).toEqual({ kind: 'none' });
	});
});
