import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { consumers, dayMarks, enrolments } from '../db/schema.js';
import { checkLedger } from '../ledger/accounts.js';
import { forecastOf } from '../ledger/forecast.js';
import { closeDay } from '../meals/day-close.js';
import { correctDay } from '../meals/corrections.js';
import { fixtureOf, rome, rows, seededDb, type TestClock } from '../meals/test-fixture.js';
import { addPriceChange, createTariffBand, setSiblingDiscount } from './bands.js';

/*
 * The price of a meal, through the three paths that use it: the day close, the forecast and the
 * corrections. Mazzè: Luca (born 2017) and Sofia (2021), both Fascia B at 4,20 €, applicant Maria
 * Rossi; Anna Ferrari, Fascia A at 2,50 €, another family. Mon–Fri service, cutoff 09:30.
 */

let db: Db;
let f: ReturnType<typeof fixtureOf>;
let clock: TestClock;
const FASCIA_B = 2;
const ESENZIONE = 4;

const actor = () => ({ userId: f.operator.id, ip: '' });
const price = (consumerId: number, date: string) => rows(db, 'SELECT price_cents FROM meals WHERE consumer_id = ? AND date = ? AND cancelled_at IS NULL', consumerId, date).map((r) => r.price_cents);
const debits = (consumerId: number, date: string) =>
	rows(db, 'SELECT p.amount_cents FROM ledger_postings p JOIN meals m ON m.id = p.meal_id WHERE m.consumer_id = ? AND m.date = ? AND p.amount_cents < 0', consumerId, date).map((r) => r.amount_cents);
const close = (date: string) => {
	clock.set(rome(date, '12:00:00', false));
	return closeDay(db, clock, f.mazze, date);
};
const absent = (consumerId: number, date: string) => db.insert(dayMarks).values({ tenantId: f.mazze.id, consumerId, date, assenza: true, updatedAt: clock.now() }).run();
const changePrice = (tariffBandId: number, validFrom: string, cents: number) => addPriceChange(db, clock, f.scope, actor(), { tariffBandId, validFrom, price: cents });
const siblingPct = (pct: number) => setSiblingDiscount(db, clock, f.scope, actor(), { schoolYearId: f.year(f.mazze.id).id, pct });
/** A third child of Maria Rossi, in Luca's class. */
function addChild(givenName: string, birthDate: string, tariffBandId: number): number {
	const id = db.insert(consumers).values({ tenantId: f.mazze.id, codiceFiscale: `RSS${givenName.toUpperCase()}19X`, givenName, familyName: 'Rossi', birthDate, schoolClassId: f.luca.schoolClassId, createdAt: clock.now() }).returning().get().id;
	const e = f.enrolmentOf(f.luca.id);
	db.insert(enrolments).values({ ...e, id: undefined, consumerId: id, tariffBandId, activationCodeHash: `hash-${givenName}` }).run();
	return id;
}

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	clock = fixedClock(rome('2026-11-23', '08:00:00', false));
});

describe('a price change', () => {
	it('holds from its date on: the day close debits the old price before it and the new one from it', () => {
		expect(changePrice(FASCIA_B, '2026-11-25', 450)).toMatchObject({ status: 'saved' });
		close('2026-11-24');
		close('2026-11-25');
		close('2026-11-26');
		expect([price(f.luca.id, '2026-11-24'), price(f.luca.id, '2026-11-25'), price(f.luca.id, '2026-11-26')]).toEqual([[420], [450], [450]]);
		expect(debits(f.luca.id, '2026-11-25')).toEqual([-450]);
		expect(price(f.anna.id, '2026-11-25')).toEqual([250]); // another band
		expect(checkLedger(db)).toEqual([]);
	});

	it('never touches a closed day: a change from it is refused, and the day keeps the price it was closed at', () => {
		close('2026-11-24');
		const audits = rows(db, 'SELECT count(*) AS n FROM audit_log')[0].n;
		const refused = changePrice(FASCIA_B, '2026-11-24', 450);
		expect(refused).toMatchObject({ status: 'rejected', code: 'INVALID' });
		expect(refused.status === 'rejected' && refused.fieldErrors?.validFrom).toBe(
			'Il 24/11/2026 è già chiuso (ultima chiusura: 24/11/2026): un cambio di prezzo vale solo dal 25/11/2026 in poi, mai per i giorni già chiusi.'
		);
		expect(rows(db, 'SELECT count(*) AS n FROM tariff_prices')[0].n).toBe(0);
		expect(rows(db, 'SELECT count(*) AS n FROM audit_log')[0].n).toBe(audits);
		expect(changePrice(FASCIA_B, '2026-11-25', 450)).toMatchObject({ status: 'saved' });
		expect(price(f.luca.id, '2026-11-24')).toEqual([420]);
	});

	it('the forecast walks the future at the future price', () => {
		changePrice(FASCIA_B, '2026-11-30', 500);
		const forecast = (balance: number) => forecastOf(db, clock, f.scope, f.tenant('mazze'), f.luca.id, 1, balance);
		clock.set(rome('2026-11-24', '08:00:00', false));
		// 24–27/11 at 4,20, then Monday 30/11 and Tuesday 01/12 at 5,00
		expect(forecast(4 * 420 + 2 * 500)).toEqual({ kind: 'covers', meals: 6, until: '2026-12-01' });
		expect(forecast(4 * 420 + 2 * 500 - 1)).toEqual({ kind: 'covers', meals: 5, until: '2026-11-30' });
	});

	it('a correction after the close uses the price of the corrected day, not today’s', () => {
		changePrice(FASCIA_B, '2026-11-26', 450);
		absent(f.luca.id, '2026-11-24');
		close('2026-11-24');
		close('2026-11-25');
		close('2026-11-26');
		const fix = correctDay(db, clock, f.scope, f.mazze, { userId: f.operator.id, schoolIds: null }, { consumerId: f.luca.id, date: '2026-11-24', assenza: false, pastoInBianco: false, reason: 'Era presente' });
		expect(fix).toMatchObject({ status: 'corrected', ledger: 'debited' });
		expect(price(f.luca.id, '2026-11-24')).toEqual([420]);
		// A change of kind keeps the meal's price.
		correctDay(db, clock, f.scope, f.mazze, { userId: f.operator.id, schoolIds: null }, { consumerId: f.luca.id, date: '2026-11-26', assenza: false, pastoInBianco: true, reason: 'Dieta in bianco' });
		expect(price(f.luca.id, '2026-11-26')).toEqual([450]);
		expect(checkLedger(db)).toEqual([]);
	});
});

describe('the sibling reduction', () => {
	it('one child pays the band; from the 2nd child of the same applicant on, the price less the percentage, rounded half-up', () => {
		siblingPct(25);
		const fasciaR = createTariffBand(db, clock, f.scope, actor(), { schoolYearId: f.year(f.mazze.id).id, name: 'Fascia R', price: 270 });
		const marco = addChild('Marco', '2019-03-01', fasciaR.status === 'saved' ? fasciaR.value : 0);
		// 23/11: Luca alone (Marco and Sofia absent)
		absent(marco, '2026-11-23');
		absent(f.sofia.id, '2026-11-23');
		close('2026-11-23');
		expect([price(f.luca.id, '2026-11-23'), price(f.anna.id, '2026-11-23')]).toEqual([[420], [250]]);
		// 24/11: three children, eldest first: Luca 4,20; Marco 2,70 × 75% = 2,025 → 2,03; Sofia 4,20 × 75% = 3,15
		close('2026-11-24');
		expect([price(f.luca.id, '2026-11-24'), price(marco, '2026-11-24'), price(f.sofia.id, '2026-11-24')]).toEqual([[420], [203], [315]]);
		expect(price(f.anna.id, '2026-11-24')).toEqual([250]); // another family
		// 25/11: Luca absent, so Marco is the first and Sofia the second
		absent(f.luca.id, '2026-11-25');
		close('2026-11-25');
		expect([price(marco, '2026-11-25'), price(f.sofia.id, '2026-11-25')]).toEqual([[270], [315]]);
		expect(debits(f.sofia.id, '2026-11-25')).toEqual([-315]);
		expect(checkLedger(db)).toEqual([]);
	});

	it('esenzione stays 0 and still counts as a child; without a percentage nothing changes', () => {
		siblingPct(30);
		db.$client.prepare('UPDATE enrolments SET tariff_band_id = ? WHERE consumer_id = ?').run(ESENZIONE, f.luca.id);
		close('2026-11-24');
		expect([price(f.luca.id, '2026-11-24'), price(f.sofia.id, '2026-11-24')]).toEqual([[0], [294]]);
		expect(debits(f.luca.id, '2026-11-24')).toEqual([]);
		siblingPct(0);
		close('2026-11-25');
		expect([price(f.luca.id, '2026-11-25'), price(f.sofia.id, '2026-11-25')]).toEqual([[0], [420]]);
	});

	it('the forecast of a younger child counts the reduction on the days an elder sibling eats too', () => {
		siblingPct(25);
		clock.set(rome('2026-11-24', '08:00:00', false));
		const forecast = (balance: number) => forecastOf(db, clock, f.scope, f.tenant('mazze'), f.sofia.id, 1, balance);
		expect(forecast(2 * 315)).toEqual({ kind: 'covers', meals: 2, until: '2026-11-25' });
		absent(f.luca.id, '2026-11-25'); // alone that day: the full price
		expect(forecast(2 * 315)).toEqual({ kind: 'covers', meals: 1, until: '2026-11-24' });
		expect(forecast(315 + 420)).toEqual({ kind: 'covers', meals: 2, until: '2026-11-25' });
		// Luca, the eldest, always pays the full price (24/11, then 26/11 after his absence).
		expect(forecastOf(db, clock, f.scope, f.tenant('mazze'), f.luca.id, 1, 2 * 420)).toEqual({ kind: 'covers', meals: 2, until: '2026-11-26' });
	});

	it('a meal added by a correction after the close counts after the siblings who already ate that day', () => {
		siblingPct(25);
		absent(f.luca.id, '2026-11-24');
		close('2026-11-24');
		expect(price(f.sofia.id, '2026-11-24')).toEqual([420]);
		correctDay(db, clock, f.scope, f.mazze, { userId: f.operator.id, schoolIds: null }, { consumerId: f.luca.id, date: '2026-11-24', assenza: false, pastoInBianco: false, reason: 'Era presente' });
		expect(price(f.luca.id, '2026-11-24')).toEqual([315]);
		expect(price(f.sofia.id, '2026-11-24')).toEqual([420]); // a closed meal is never re-priced
		expect(checkLedger(db)).toEqual([]);
	});
});
