import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { applyMarks, type Mark } from './marks.js';
import { closeDay } from './day-close.js';
import { kitchenReport, kitchenReportCsv } from './kitchen-report.js';
import { consumerDays, dayHistory } from './day-list.js';
import { NOV_2026, fixtureOf, rome, seededDb, type TestClock } from './test-fixture.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
let clock: TestClock;
let n = 0;
const mark = (consumerId: number, date: string, kind: Mark['kind'], value = true): Mark => ({ mutationId: `k-${++n}`, consumerId, date, kind, value });

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	clock = fixedClock(rome('2026-11-24', '08:00:00', false));
});

describe('kitchen report', () => {
	it('the forecast before the cutoff is what the close then fixes, per school and class, with diets', () => {
		applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.sofia.id, '2026-11-24', 'pastoInBianco')]);
		const forecast = kitchenReport(db, f.mazze.id, '2026-11-24');
		expect(forecast).toMatchObject({ status: 'forecast', closedAt: null });
		expect(forecast.rows).toEqual([
			{ school: "Scuola dell'infanzia di Mazzè", schoolClass: 'Sezione A', normale: 0, bianco: 1, diets: { 'senza glutine': 1 } },
			{ school: 'Scuola primaria "Gianni Rodari"', schoolClass: '1ª A', normale: 1, bianco: 0, diets: {} },
			{ school: 'Scuola primaria "Gianni Rodari"', schoolClass: '3ª B', normale: 1, bianco: 0, diets: {} }
		]);
		clock.set(rome('2026-11-24', '09:30:00', false));
		closeDay(db, clock, f.mazze, '2026-11-24');
		const final = kitchenReport(db, f.mazze.id, '2026-11-24');
		expect(final).toEqual({ ...forecast, status: 'final', closedAt: '2026-11-24T08:30:00.000Z' });
	});

	it('a Comune sees only its own kitchen', () => {
		expect(kitchenReport(db, f.chiusi.id, '2026-11-24').totals).toEqual({ normale: 1, bianco: 0, pasti: 1, diets: {} });
		expect(kitchenReport(db, f.mazze.id, '2026-11-24').totals.pasti).toBe(3);
	});

	it('CSV: BOM, semicolons, CRLF, quotes doubled', () => {
		clock.set(rome('2026-11-24', '09:30:00', false));
		closeDay(db, clock, f.mazze, '2026-11-24');
		const csv = kitchenReportCsv(kitchenReport(db, f.mazze.id, '2026-11-24'));
		expect(csv.startsWith('\uFEFFData;Stato;Scuola;Classe;Pasti normali;Pasti in bianco;Totale;Diete speciali\r\n')).toBe(true);
		expect(csv).toContain('2026-11-24;definitivo;"Scuola primaria ""Gianni Rodari""";3ª B;1;0;1;\r\n');
		expect(csv).toContain("2026-11-24;definitivo;Scuola dell'infanzia di Mazzè;Sezione A;1;0;1;senza glutine: 1\r\n");
		expect(csv.endsWith('\r\n')).toBe(true);
	});
});

describe('consumer days', () => {
	it('shows service, locks at the cutoff, and after the close the meal and the receipt', () => {
		const [applied] = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, '2026-11-24', 'pastoInBianco')]);
		clock.set(rome('2026-11-24', '09:30:00', false));
		closeDay(db, clock, f.mazze, '2026-11-24');
		const days = consumerDays(db, clock, f.scope, f.mazze, f.luca.id, '2026-11-23', '2026-11-29');
		expect(days.map((d) => [d.date, d.service, d.reason, d.locked])).toEqual([
			['2026-11-23', true, null, true],
			['2026-11-24', true, null, true],
			['2026-11-25', true, null, false],
			['2026-11-26', true, null, false],
			['2026-11-27', true, null, false],
			['2026-11-28', false, 'Giorno senza servizio mensa', false],
			['2026-11-29', false, 'Giorno senza servizio mensa', false]
		]);
		const tuesday = days[1];
		expect(tuesday).toMatchObject({ pastoInBianco: true, assenza: false, cutoffAt: '2026-11-24T08:30:00.000Z', closed: { meal: 'bianco' } });
		expect(tuesday.receipt).toEqual({ id: (applied as { receipt: { id: string } }).receipt.id, receivedAt: '2026-11-24T07:00:00.000Z', channel: 'app' });
		expect(days[0].closed).toBeNull(); // Monday: past the cutoff, not closed yet
	});

	it('the history of a day lists every mark received, refused ones too, oldest first', () => {
		applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, '2026-11-24', 'assenza')]);
		clock.set(rome('2026-11-24', '09:31:00', false));
		applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, '2026-11-24', 'assenza', false)]);
		expect(dayHistory(db, f.scope, f.luca.id, '2026-11-24').map((e) => [e.kind, e.value, e.outcome, e.code, e.receivedAt, e.byGuardian])).toEqual([
			['assenza', true, 'applied', null, '2026-11-24T07:00:00.000Z', true],
			['assenza', false, 'rejected', 'CUTOFF_PASSED', '2026-11-24T08:31:00.000Z', true]
		]);
		// another Comune's scope sees nothing of it
		expect(dayHistory(db, f.chiusiScope, f.luca.id, '2026-11-24')).toEqual([]);
	});
});

it('NOV_2026 seed sanity: the school year is 2026/27', () => {
	expect(f.year(f.mazze.id)).toMatchObject({ label: '2026/27', firstDay: '2026-09-14', lastDay: '2027-06-10' });
	expect(NOV_2026.startsWith('2026-11')).toBe(true);
});
