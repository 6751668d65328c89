import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { closeDay } from '../meals/day-close.js';
import { fixtureOf, rome, rows, seededDb, type TestClock } from '../meals/test-fixture.js';
import { addPriceChange, createTariffBand, deletePriceChange, deleteTariffBand, setSiblingDiscount, updateTariffBand } from './bands.js';
import { tariffsOverview } from './overview.js';
import { createService, createServiceGroup, renameService, renameServiceGroup } from './services.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
let clock: TestClock;
const FASCIA_A = 1;
const CHIUSI_BAND = 5;

const actor = () => ({ userId: f.operator.id, ip: '10.0.0.7' });
const audits = () => rows(db, 'SELECT action, details FROM audit_log ORDER BY id').map((r) => ({ action: String(r.action), details: JSON.parse(String(r.details)) }));
const count = (table: string) => rows(db, `SELECT count(*) AS n FROM ${table}`)[0].n;

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	clock = fixedClock(rome('2026-11-24', '08:00:00', false));
});

describe('tariff bands', () => {
	it('creates a band and audits it; a band no enrolment uses can be deleted with its changes', () => {
		const made = createTariffBand(db, clock, f.scope, actor(), { schoolYearId: f.year(f.mazze.id).id, name: 'Fascia D', price: 580 });
		expect(made.status).toBe('saved');
		const id = made.status === 'saved' ? made.value : 0;
		addPriceChange(db, clock, f.scope, actor(), { tariffBandId: id, validFrom: '2027-01-11', price: 600 });
		expect(deleteTariffBand(db, clock, f.scope, actor(), id)).toEqual({ status: 'saved', value: id });
		expect(rows(db, 'SELECT count(*) AS n FROM tariff_bands WHERE id = ?', id)[0].n).toBe(0);
		expect(audits().map((a) => a.action)).toEqual(['tariffs.band.create', 'tariffs.price.set', 'tariffs.band.delete']);
		expect(audits()[2].details).toEqual({ before: { name: 'Fascia D', mealPriceCents: 580, changes: [{ validFrom: '2027-01-11', mealPriceCents: 600 }] } });
	});

	it('refuses to delete a band enrolments use, saying why, and writes nothing', () => {
		const before = count('audit_log');
		const r = deleteTariffBand(db, clock, f.scope, actor(), FASCIA_A);
		expect(r).toMatchObject({ status: 'rejected', code: 'INVALID' });
		expect(r.status === 'rejected' && r.message).toBe('La fascia «Fascia A — ISEE fino a 8.000 €» è usata da un’iscrizione: non si può eliminare. Sposta prima le iscrizioni su un’altra fascia.');
		expect(count('audit_log')).toBe(before);
		expect(rows(db, 'SELECT count(*) AS n FROM tariff_bands WHERE id = ?', FASCIA_A)[0].n).toBe(1);
	});

	it('the price from the start can change only while no day of the year is closed; the name always', () => {
		expect(updateTariffBand(db, clock, f.scope, actor(), { tariffBandId: FASCIA_A, name: 'Fascia A', price: 260 }).status).toBe('saved');
		closeDay(db, fixedClock(rome('2026-11-24', '12:00:00', false)), f.mazze, '2026-11-24');
		const r = updateTariffBand(db, clock, f.scope, actor(), { tariffBandId: FASCIA_A, name: 'Fascia A', price: 270 });
		expect(r.status === 'rejected' && r.fieldErrors?.price).toMatch(/^Ci sono già giorni chiusi in questo anno scolastico: per cambiare il prezzo aggiungi un cambio di prezzo da una data dopo il 24\/11\/2026/);
		expect(updateTariffBand(db, clock, f.scope, actor(), { tariffBandId: FASCIA_A, name: 'Fascia A (ISEE basso)', price: 260 }).status).toBe('saved');
		expect(audits().find((a) => a.action === 'tariffs.band.update')?.details).toEqual({ before: { name: 'Fascia A — ISEE fino a 8.000 €', mealPriceCents: 250 }, after: { name: 'Fascia A', mealPriceCents: 260 } });
	});
});

describe('price changes', () => {
	it('audits the old and the new price; the same day again replaces it; a change not in force yet can be withdrawn', () => {
		addPriceChange(db, clock, f.scope, actor(), { tariffBandId: FASCIA_A, validFrom: '2027-01-11', price: 270 });
		const again = addPriceChange(db, clock, f.scope, actor(), { tariffBandId: FASCIA_A, validFrom: '2027-01-11', price: 275 });
		expect(count('tariff_prices')).toBe(1);
		expect(audits().map((a) => a.details)).toEqual([
			{ band: 'Fascia A — ISEE fino a 8.000 €', validFrom: '2027-01-11', before: { mealPriceCents: 250 }, after: { mealPriceCents: 270 } },
			{ band: 'Fascia A — ISEE fino a 8.000 €', validFrom: '2027-01-11', before: { mealPriceCents: 270 }, after: { mealPriceCents: 275 } }
		]);
		expect(deletePriceChange(db, clock, f.scope, actor(), again.status === 'saved' ? again.value : 0).status).toBe('saved');
		expect(count('tariff_prices')).toBe(0);
		expect(audits().at(-1)).toMatchObject({ action: 'tariffs.price.delete', details: { validFrom: '2027-01-11', before: { mealPriceCents: 275 }, after: null } });
	});

	it('must fall within the school year', () => {
		const r = addPriceChange(db, clock, f.scope, actor(), { tariffBandId: FASCIA_A, validFrom: '2027-06-11', price: 270 });
		expect(r.status === 'rejected' && r.fieldErrors?.validFrom).toBe('La data deve essere nell’anno scolastico 2026/27, dal 14/09/2026 al 10/06/2027.');
		expect(count('tariff_prices')).toBe(0);
	});

	it('a change that already priced a closed day cannot be withdrawn', () => {
		const made = addPriceChange(db, clock, f.scope, actor(), { tariffBandId: FASCIA_A, validFrom: '2026-11-24', price: 270 });
		closeDay(db, fixedClock(rome('2026-11-24', '12:00:00', false)), f.mazze, '2026-11-24');
		const r = deletePriceChange(db, clock, f.scope, actor(), made.status === 'saved' ? made.value : 0);
		expect(r.status === 'rejected' && r.message).toMatch(/^Il prezzo dal 24\/11\/2026 ha già fatto addebitare giorni chiusi/);
		expect(count('tariff_prices')).toBe(1);
	});

	it('another Comune’s band, change or year is not found, and nothing is written', () => {
		expect(addPriceChange(db, clock, f.chiusiScope, actor(), { tariffBandId: FASCIA_A, validFrom: '2027-01-11', price: 1 })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(updateTariffBand(db, clock, f.scope, actor(), { tariffBandId: CHIUSI_BAND, name: 'X', price: 1 })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(deleteTariffBand(db, clock, f.scope, actor(), CHIUSI_BAND)).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(setSiblingDiscount(db, clock, f.scope, actor(), { schoolYearId: f.year(f.chiusi.id).id, pct: 50 })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(createService(db, clock, f.chiusiScope, actor(), { serviceGroupId: 1, name: 'Merenda' })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(count('audit_log')).toBe(0);
		expect(count('tariff_prices')).toBe(0);
	});
});

describe('the rest of the page', () => {
	it('sibling reduction, groups and services are audited with their old and new values; the overview shows them', () => {
		setSiblingDiscount(db, clock, f.scope, actor(), { schoolYearId: f.year(f.mazze.id).id, pct: 20 });
		const group = createServiceGroup(db, clock, f.scope, actor(), { name: 'Trasporto' });
		const groupId = group.status === 'saved' ? group.value : 0;
		renameServiceGroup(db, clock, f.scope, actor(), { serviceGroupId: groupId, name: 'Trasporto scolastico' });
		const service = createService(db, clock, f.scope, actor(), { serviceGroupId: groupId, name: 'Scuolabus' });
		renameService(db, clock, f.scope, actor(), { serviceId: service.status === 'saved' ? service.value : 0, name: 'Scuolabus andata' });
		addPriceChange(db, clock, f.scope, actor(), { tariffBandId: FASCIA_A, validFrom: '2026-11-24', price: 270 });
		expect(audits().map((a) => [a.action, a.details])).toEqual([
			['tariffs.sibling_discount.set', { before: { siblingDiscountPct: 0 }, after: { siblingDiscountPct: 20 } }],
			['tariffs.group.create', { after: { name: 'Trasporto' } }],
			['tariffs.group.rename', { before: { name: 'Trasporto' }, after: { name: 'Trasporto scolastico' } }],
			['tariffs.service.create', { after: { serviceGroupId: groupId, name: 'Scuolabus' } }],
			['tariffs.service.rename', { before: { name: 'Scuolabus' }, after: { name: 'Scuolabus andata' } }],
			['tariffs.price.set', { band: 'Fascia A — ISEE fino a 8.000 €', validFrom: '2026-11-24', before: { mealPriceCents: 250 }, after: { mealPriceCents: 270 } }]
		]);
		const overview = tariffsOverview(db, f.scope, '2026-11-24');
		expect(overview.years).toHaveLength(1);
		expect(overview.years[0]).toMatchObject({ label: '2026/27', siblingDiscountPct: 20 });
		expect(overview.years[0].bands.map((b) => [b.name, b.todayCents, b.enrolments])).toEqual([
			['Esenzione', 0, 0],
			['Fascia A — ISEE fino a 8.000 €', 270, 1],
			['Fascia B — ISEE da 8.000 a 20.000 €', 420, 2],
			['Fascia C — ISEE oltre 20.000 € o non presentato', 520, 0]
		]);
		expect(overview.groups.map((g) => [g.name, g.services.map((s) => s.name)])).toEqual([
			['Refezione', ['Mensa']],
			['Trasporto scolastico', ['Scuolabus andata']]
		]);
	});
});
