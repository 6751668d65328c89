import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { enrolments, ledgerAccounts, tariffBands } from '../db/schema.js';
import { addClosure, firstOpenDay, setSchoolCalendar } from '../calendar/admin.js';
import { balanceOf, checkLedger } from '../ledger/accounts.js';
import { applyMarks, type Mark } from './marks.js';
import { closeDay, closeDueDays, daysToClose } from './day-close.js';
import { kitchenReport } from './kitchen-report.js';
import { NOV_2026, fixtureOf, rome, rows, seededDb, type TestClock } from './test-fixture.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
let clock: TestClock;
let n = 0;
const mark = (consumerId: number, date: string, kind: Mark['kind'], value = true): Mark => ({ mutationId: `m-${++n}`, consumerId, date, kind, value });
const mealsOf = (date: string) => rows(db, 'SELECT * FROM meals WHERE date = ? ORDER BY id', date);
const prepaidBalance = (consumerId: number) => {
	const account = db.select().from(ledgerAccounts).where(and(eq(ledgerAccounts.consumerId, consumerId), eq(ledgerAccounts.kind, 'prepaid'))).get();
	return account ? balanceOf(db, account.id) : 0;
};
const snapshot = () => ({
	meals: rows(db, 'SELECT * FROM meals ORDER BY id'),
	postings: rows(db, 'SELECT * FROM ledger_postings ORDER BY id'),
	transactions: rows(db, 'SELECT * FROM ledger_transactions ORDER BY id'),
	closes: rows(db, 'SELECT * FROM day_closes ORDER BY tenant_id, date'),
	accounts: rows(db, 'SELECT * FROM ledger_accounts ORDER BY id')
});

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	clock = fixedClock(NOV_2026);
});

describe('closeDay', () => {
	it('makes one meal and one debit per present enrolment at its tariff; absent pupils eat nothing; in bianco is still debited', () => {
		clock.set(rome('2026-11-24', '08:00:00', false));
		const marks = applyMarks(db, clock, f.scope, f.mazze, f.guardian([f.sofia.id, f.anna.id]), [mark(f.anna.id, '2026-11-24', 'assenza'), mark(f.sofia.id, '2026-11-24', 'pastoInBianco')]);
		expect(marks.map((m) => m.status)).toEqual(['applied', 'applied']);
		clock.set(rome('2026-11-24', '09:30:00', false));
		const result = closeDay(db, clock, f.mazze, '2026-11-24');
		expect(result).toMatchObject({ status: 'closed', date: '2026-11-24', meals: 2, totalCents: 840 });

		expect(rows(db, 'SELECT consumer_id, kind, diet_label, price_cents FROM meals WHERE date = ? ORDER BY consumer_id', '2026-11-24')).toEqual([
			{ consumer_id: f.luca.id, kind: 'normale', diet_label: null, price_cents: 420 },
			{ consumer_id: f.sofia.id, kind: 'bianco', diet_label: 'senza glutine', price_cents: 420 }
		]);
		expect(prepaidBalance(f.luca.id)).toBe(-420);
		expect(prepaidBalance(f.sofia.id)).toBe(-420);
		expect(prepaidBalance(f.anna.id)).toBe(0);
		expect(prepaidBalance(f.tommaso.id)).toBe(0); // another Comune, not closed
		// one transaction, a debit per meal plus the revenue side, summing to zero
		const postings = rows(db, 'SELECT amount_cents, meal_id, description FROM ledger_postings ORDER BY id');
		expect(postings.map((p) => p.amount_cents)).toEqual([-420, -420, 840]);
		expect(postings.filter((p) => p.meal_id !== null)).toHaveLength(2);
		expect(String(postings.find((p) => p.amount_cents === -420 && String(p.description).includes('in bianco'))?.description)).toBe('Pasto 24/11 — Mensa (in bianco)');
		expect(checkLedger(db)).toEqual([]);
		expect(rows(db, 'SELECT tenant_id, date, meals, total_cents FROM day_closes')).toEqual([{ tenant_id: f.mazze.id, date: '2026-11-24', meals: 2, total_cents: 840 }]);

		const report = kitchenReport(db, f.mazze.id, '2026-11-24');
		expect(report.status).toBe('final');
		expect(report.totals).toEqual({ normale: 1, bianco: 1, pasti: 2, diets: { 'senza glutine': 1 } });
		expect(report.rows.find((r) => r.schoolClass === '1ª A')).toBeUndefined();
	});

	it('every enrolment present: Luca 420 (Fascia B), Sofia 420, Anna 250 (Fascia A); Chiusi closes on its own: Tommaso 520', () => {
		clock.set(rome('2026-11-25', '09:31:00', false));
		expect(closeDay(db, clock, f.mazze, '2026-11-25')).toMatchObject({ meals: 3, totalCents: 1090 });
		expect(closeDay(db, clock, f.chiusi, '2026-11-25')).toMatchObject({ meals: 1, totalCents: 520 });
		expect([f.luca, f.sofia, f.anna, f.tommaso].map((c) => prepaidBalance(c.id))).toEqual([-420, -420, -250, -520]);
		// independent count: balance = − sum of that consumer's meals
		for (const c of [f.luca, f.sofia, f.anna, f.tommaso]) {
			const sum = rows(db, 'SELECT coalesce(sum(price_cents), 0) AS s FROM meals WHERE consumer_id = ? AND cancelled_at IS NULL', c.id)[0].s;
			expect(prepaidBalance(c.id)).toBe(-(sum as number));
		}
		expect(checkLedger(db)).toEqual([]);
	});

	it('an exempt pupil (0 €) gets a meal and no posting', () => {
		const esente = db.select().from(tariffBands).where(and(eq(tariffBands.tenantId, f.mazze.id), eq(tariffBands.mealPriceCents, 0))).get()!;
		db.update(enrolments).set({ tariffBandId: esente.id }).where(eq(enrolments.consumerId, f.luca.id)).run();
		clock.set(rome('2026-11-24', '09:30:00', false));
		expect(closeDay(db, clock, f.mazze, '2026-11-24')).toMatchObject({ meals: 3, totalCents: 670 });
		const lucaMeal = rows(db, 'SELECT id, price_cents, transaction_id FROM meals WHERE consumer_id = ?', f.luca.id);
		expect(lucaMeal).toHaveLength(1);
		expect(lucaMeal[0].price_cents).toBe(0);
		expect(rows(db, 'SELECT * FROM ledger_postings WHERE meal_id = ?', lucaMeal[0].id)).toEqual([]);
		expect(prepaidBalance(f.luca.id)).toBe(0);
		expect(checkLedger(db)).toEqual([]);
	});

	it('a day with nobody present (everyone exempt or absent) posts nothing unbalanced', () => {
		clock.set(rome('2026-11-24', '08:00:00', false));
		applyMarks(db, clock, f.scope, f.mazze, f.guardian([f.luca.id, f.sofia.id, f.anna.id]), [f.luca, f.sofia, f.anna].map((c) => mark(c.id, '2026-11-24', 'assenza')));
		clock.set(rome('2026-11-24', '09:30:00', false));
		expect(closeDay(db, clock, f.mazze, '2026-11-24')).toMatchObject({ status: 'closed', meals: 0, totalCents: 0 });
		expect(rows(db, 'SELECT count(*) AS n FROM ledger_postings')[0].n).toBe(0);
		expect(checkLedger(db)).toEqual([]);
		expect(kitchenReport(db, f.mazze.id, '2026-11-24').totals.pasti).toBe(0);
	});

	it('running it twice answers already_closed and leaves the same rows', () => {
		clock.set(rome('2026-11-24', '09:30:00', false));
		closeDay(db, clock, f.mazze, '2026-11-24');
		// the catch-up closes the days since the Comune joined, not 24/11 again
		expect(closeDueDays(db, clock, f.mazze).map((r) => r.date)).not.toContain('2026-11-24');
		const before = snapshot();
		clock.advance(3_600_000);
		expect(closeDay(db, clock, f.mazze, '2026-11-24')).toEqual({ status: 'already_closed', date: '2026-11-24' });
		expect(closeDueDays(db, clock, f.mazze)).toEqual([]);
		expect(snapshot()).toEqual(before);
		expect(rows(db, 'SELECT count(*) AS n FROM meals WHERE date = ?', '2026-11-24')[0].n).toBe(3);
	});

	it('a non-service day closes with no meals (Saturday, holiday, Christmas)', () => {
		clock.set(rome('2027-01-10', '12:00:00', false));
		for (const date of ['2026-11-28', '2026-12-08', '2026-12-28']) expect(closeDay(db, clock, f.mazze, date)).toMatchObject({ status: 'closed', meals: 0 });
		expect(rows(db, 'SELECT count(*) AS n FROM meals')[0].n).toBe(0);
	});
});

describe('daysToClose and catching up', () => {
	it('never lists a day before its cutoff, and catches up every missed day after downtime', () => {
		// the Comune joined on Mon 2026-11-02 at 07:00 Rome
		clock.set(rome('2026-11-02', '09:29:59.999', false));
		expect(daysToClose(db, f.mazze, clock.now())).toEqual([]);
		expect(closeDueDays(db, clock, f.mazze)).toEqual([]);
		// The close waits a few seconds past the cutoff for marks still on their way in.
		clock.set(rome('2026-11-02', '09:30:04.999', false));
		expect(daysToClose(db, f.mazze, clock.now())).toEqual([]);
		clock.set(rome('2026-11-02', '09:30:05', false));
		expect(daysToClose(db, f.mazze, clock.now())).toEqual(['2026-11-02']);
		expect(closeDueDays(db, clock, f.mazze)).toMatchObject([{ status: 'closed', date: '2026-11-02', meals: 3, totalCents: 1090 }]);

		// downtime: five days later, 08:00 on Saturday
		clock.advance(5 * 86_400_000 - 90 * 60_000 - 5_000);
		expect(clock.now().toISOString()).toBe(rome('2026-11-07', '08:00:00', false).toISOString());
		expect(daysToClose(db, f.mazze, clock.now())).toEqual(['2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06']);
		const results = closeDueDays(db, clock, f.mazze);
		expect(results.map((r) => r.status === 'closed' && [r.date, r.meals])).toEqual([
			['2026-11-03', 3],
			['2026-11-04', 3],
			['2026-11-05', 3],
			['2026-11-06', 3]
		]);
		expect(daysToClose(db, f.mazze, clock.now())).toEqual([]);
		expect(rows(db, 'SELECT count(*) AS n FROM meals')[0].n).toBe(15);
		expect(prepaidBalance(f.luca.id)).toBe(-5 * 420);
		expect(checkLedger(db)).toEqual([]);

		// Monday 08:00: the weekend is due, Monday is not yet
		clock.set(rome('2026-11-09', '08:00:00', false));
		expect(daysToClose(db, f.mazze, clock.now())).toEqual(['2026-11-07', '2026-11-08']);
	});

	it('uses each day’s own cutoff across the DST change', () => {
		clock.set(rome('2026-10-26', '09:29:00', false));
		const chiusiLike = { ...f.mazze, createdAt: new Date('2026-10-23T06:00:00Z') };
		expect(daysToClose(db, chiusiLike, clock.now())).toEqual(['2026-10-23', '2026-10-24', '2026-10-25']);
		clock.set(rome('2026-10-26', '09:30:05', false));
		expect(daysToClose(db, chiusiLike, clock.now()).at(-1)).toBe('2026-10-26');
	});

	it('a day closed out of order (CLI --date) does not make the catch-up forget the earlier open days', () => {
		// everything closed up to Monday 23/11, then the scheduler is down
		clock.set(rome('2026-11-23', '10:00:00', false));
		closeDueDays(db, clock, f.mazze);
		expect(daysToClose(db, f.mazze, clock.now())).toEqual([]);
		// Thursday after the cutoff: the ufficio runs `npm run day-close -- --tenant mazze --date 2026-11-26`
		clock.set(rome('2026-11-26', '10:00:00', false));
		expect(closeDay(db, clock, f.mazze, '2026-11-26')).toMatchObject({ status: 'closed', meals: 3 });
		// Tuesday and Wednesday are still open, past their cutoff: they are due
		expect(daysToClose(db, f.mazze, clock.now())).toEqual(['2026-11-24', '2026-11-25']);
		expect(closeDueDays(db, clock, f.mazze).map((r) => r.status === 'closed' && [r.date, r.meals])).toEqual([
			['2026-11-24', 3],
			['2026-11-25', 3]
		]);
		expect(daysToClose(db, f.mazze, clock.now())).toEqual([]);
		// Luca ate Mon 02/11 … Thu 26/11: 19 school days, each debited once
		expect(prepaidBalance(f.luca.id)).toBe(-19 * 420);
		expect(checkLedger(db)).toEqual([]);
	});

	it('a future day closed by hand is not closed again, and the days before it still come due', () => {
		clock.set(rome('2026-11-02', '10:00:00', false));
		closeDueDays(db, clock, f.mazze);
		closeDay(db, clock, f.mazze, '2026-11-04');
		clock.set(rome('2026-11-04', '10:00:00', false));
		expect(daysToClose(db, f.mazze, clock.now())).toEqual(['2026-11-03']);
	});

	it('never starts before the Comune joined', () => {
		clock.set(rome('2026-11-03', '12:00:00', false));
		expect(daysToClose(db, f.mazze, clock.now())[0]).toBe('2026-11-02');
	});
});

describe('calendar edits after a close', () => {
	function closeTuesday() {
		clock.set(rome('2026-11-24', '08:00:00', false));
		applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.sofia.id, '2026-11-24', 'pastoInBianco')]);
		clock.set(rome('2026-11-24', '09:30:00', false));
		closeDay(db, clock, f.mazze, '2026-11-24');
		return { meals: mealsOf('2026-11-24'), report: kitchenReport(db, f.mazze.id, '2026-11-24') };
	}

	it('a new school calendar does not change a closed day; it applies from the first open day', () => {
		const closed = closeTuesday();
		clock.set(rome('2026-11-24', '10:00:00', false));
		const primaria = f.school(f.mazze.id, 'primaria');
		const saved = setSchoolCalendar(db, clock, f.scope, f.mazze, f.operator.id, { schoolId: primaria.id, schoolYearId: f.year(f.mazze.id).id, weekdays: [1, 3, 4, 5], firstDay: '2026-09-14', lastDay: '2027-06-10' });
		expect(saved).toMatchObject({ status: 'saved', effectiveFrom: '2026-11-25' });
		expect(mealsOf('2026-11-24')).toEqual(closed.meals);
		expect(kitchenReport(db, f.mazze.id, '2026-11-24')).toEqual(closed.report);
		// the next Tuesday, not closed: primaria no longer eats
		const next = kitchenReport(db, f.mazze.id, '2026-12-01');
		expect(next.status).toBe('forecast');
		expect(next.totals.pasti).toBe(1); // Sofia (infanzia) only
		// a past Tuesday not closed yet would still keep the old calendar (effective from 25/11)
		expect(kitchenReport(db, f.mazze.id, '2026-11-17').totals.pasti).toBe(3);
	});

	it('a closure over a closed day starts at the first open day and does not change the closed day', () => {
		const closed = closeTuesday();
		clock.set(rome('2026-11-24', '10:00:00', false));
		expect(firstOpenDay(db, clock, f.scope, f.mazze)).toBe('2026-11-25');
		const added = addClosure(db, clock, f.scope, f.mazze, f.operator.id, { schoolId: null, schoolClassId: null, fromDate: '2026-11-20', toDate: '2026-11-26', reason: 'Sciopero' });
		expect(added).toMatchObject({ status: 'saved', effectiveFrom: '2026-11-25' });
		expect(rows(db, 'SELECT from_date, to_date FROM closures WHERE reason = ?', 'Sciopero')).toEqual([{ from_date: '2026-11-25', to_date: '2026-11-26' }]);
		expect(mealsOf('2026-11-24')).toEqual(closed.meals);
		expect(kitchenReport(db, f.mazze.id, '2026-11-24')).toEqual(closed.report);
		expect(kitchenReport(db, f.mazze.id, '2026-11-25').totals.pasti).toBe(0);
		// wholly in the past: refused, nothing stored
		const past = addClosure(db, clock, f.scope, f.mazze, f.operator.id, { schoolId: null, schoolClassId: null, fromDate: '2026-11-23', toDate: '2026-11-24', reason: 'Tardi' });
		expect(past.status).toBe('rejected');
		expect(rows(db, 'SELECT count(*) AS n FROM closures WHERE reason = ?', 'Tardi')[0].n).toBe(0);
	});

	it('after the cutoff but before the close, today is no longer open to edits', () => {
		clock.set(rome('2026-11-24', '09:45:00', false));
		expect(firstOpenDay(db, clock, f.scope, f.mazze)).toBe('2026-11-25');
		clock.set(rome('2026-11-24', '09:29:00', false));
		expect(firstOpenDay(db, clock, f.scope, f.mazze)).toBe('2026-11-24');
		const added = addClosure(db, clock, f.scope, f.mazze, f.operator.id, { schoolId: null, schoolClassId: null, fromDate: '2026-11-20', toDate: '2026-11-24', reason: 'Neve' });
		expect(added).toMatchObject({ status: 'saved', effectiveFrom: '2026-11-24' });
		clock.set(rome('2026-11-24', '09:30:00', false));
		expect(closeDay(db, clock, f.mazze, '2026-11-24')).toMatchObject({ meals: 0 });
	});
});
