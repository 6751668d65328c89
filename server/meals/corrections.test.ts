import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { ledgerAccounts } from '../db/schema.js';
import { balanceOf, checkLedger } from '../ledger/accounts.js';
import { closeDay } from './day-close.js';
import { correctDay, type Correction } from './corrections.js';
import { kitchenReport } from './kitchen-report.js';
import { NOV_2026, fixtureOf, rome, rows, seededDb, type TestClock } from './test-fixture.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
let clock: TestClock;
const DAY = '2026-11-24';
const balance = (consumerId: number) => {
	const a = db.select().from(ledgerAccounts).where(and(eq(ledgerAccounts.consumerId, consumerId), eq(ledgerAccounts.kind, 'prepaid'))).get();
	return a ? balanceOf(db, a.id) : 0;
};
const activeMeals = (consumerId: number, date = DAY) => rows(db, 'SELECT id, kind, price_cents FROM meals WHERE consumer_id = ? AND date = ? AND cancelled_at IS NULL', consumerId, date);
const operator = () => ({ userId: f.operator.id, schoolIds: null });
const fix = (consumerId: number, assenza: boolean, pastoInBianco = false, reason = 'Telefonata della famiglia'): Correction => ({ consumerId, date: DAY, assenza, pastoInBianco, reason });
const everything = () => ['meals', 'ledger_postings', 'ledger_transactions', 'day_marks', 'mark_events', 'audit_log'].map((t) => rows(db, `SELECT * FROM ${t} ORDER BY rowid`));

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	clock = fixedClock(rome(DAY, '09:30:00', false));
	closeDay(db, clock, f.mazze, DAY);
	clock.set(rome(DAY, '11:00:00', false));
});

describe('corrections after the close', () => {
	it('Assente cancels the meal with a refund; Presente again books a new meal and debits it', () => {
		expect(balance(f.luca.id)).toBe(-420);
		const absent = correctDay(db, clock, f.scope, f.mazze, operator(), fix(f.luca.id, true), '10.0.0.1');
		expect(absent).toMatchObject({ status: 'corrected', ledger: 'refunded' });
		expect(balance(f.luca.id)).toBe(0);
		expect(activeMeals(f.luca.id)).toEqual([]);
		const cancelled = rows(db, 'SELECT cancelled_at, cancel_transaction_id FROM meals WHERE consumer_id = ?', f.luca.id);
		expect(cancelled).toHaveLength(1);
		expect(cancelled[0].cancelled_at).toBe(clock.now().getTime());
		const refund = rows(db, 'SELECT t.kind, t.created_by, sum(p.amount_cents) AS total, count(*) AS n FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id WHERE t.id = ? GROUP BY t.id', cancelled[0].cancel_transaction_id);
		expect(refund).toEqual([{ kind: 'meal_correction', created_by: f.operator.id, total: 0, n: 2 }]);
		expect(rows(db, 'SELECT assenza, pasto_in_bianco FROM day_marks WHERE consumer_id = ? AND date = ?', f.luca.id, DAY)).toEqual([{ assenza: 1, pasto_in_bianco: 0 }]);

		clock.advance(60_000);
		const present = correctDay(db, clock, f.scope, f.mazze, operator(), fix(f.luca.id, false, false, 'Era a scuola'));
		expect(present).toMatchObject({ status: 'corrected', ledger: 'debited' });
		expect(balance(f.luca.id)).toBe(-420);
		expect(activeMeals(f.luca.id)).toEqual([{ id: expect.any(Number), kind: 'normale', price_cents: 420 }]);
		expect(rows(db, 'SELECT count(*) AS n FROM meals WHERE consumer_id = ?', f.luca.id)[0].n).toBe(2);
		expect(rows(db, 'SELECT * FROM day_marks WHERE consumer_id = ?', f.luca.id)).toEqual([]);
		expect(checkLedger(db)).toEqual([]);

		const audit = rows(db, "SELECT actor_user_id, entity_id, details, ip FROM audit_log WHERE action = 'meals.correct' ORDER BY id");
		expect(audit).toHaveLength(2);
		expect(audit[0]).toMatchObject({ actor_user_id: f.operator.id, entity_id: String(f.luca.id), ip: '10.0.0.1' });
		expect(JSON.parse(String(audit[0].details))).toMatchObject({ date: DAY, assenza: true, reason: 'Telefonata della famiglia', ledger: 'refunded', receiptId: (absent as { receiptId: string }).receiptId });
		expect(JSON.parse(String(audit[1].details))).toMatchObject({ assenza: false, reason: 'Era a scuola', ledger: 'debited' });
		// the family's history shows both, as the ufficio's
		expect(rows(db, "SELECT kind, value, channel, outcome, note FROM mark_events WHERE consumer_id = ? AND date = ? ORDER BY id", f.luca.id, DAY)).toEqual([
			{ kind: 'assenza', value: 1, channel: 'operatore', outcome: 'applied', note: 'Telefonata della famiglia' },
			{ kind: 'pastoInBianco', value: 0, channel: 'operatore', outcome: 'applied', note: 'Telefonata della famiglia' },
			{ kind: 'assenza', value: 0, channel: 'operatore', outcome: 'applied', note: 'Era a scuola' },
			{ kind: 'pastoInBianco', value: 0, channel: 'operatore', outcome: 'applied', note: 'Era a scuola' }
		]);
	});

	it('keeps at most one active meal through any sequence of corrections, and the balance follows', () => {
		const states: [boolean, boolean][] = [[false, true], [false, true], [true, false], [true, true], [false, false], [false, false], [false, true], [true, false], [false, false]];
		for (const [assenza, bianco] of states) {
			clock.advance(1000);
			expect(correctDay(db, clock, f.scope, f.mazze, operator(), fix(f.luca.id, assenza, bianco)).status).toBe('corrected');
			const active = activeMeals(f.luca.id);
			expect(active.length).toBe(assenza ? 0 : 1);
			if (!assenza) expect(active[0].kind).toBe(bianco ? 'bianco' : 'normale');
			expect(balance(f.luca.id)).toBe(assenza ? 0 : -420);
			expect(checkLedger(db)).toEqual([]);
		}
	});

	it('answers ledger none when the day already is as asked, and rebooked for normale → bianco', () => {
		const same = correctDay(db, clock, f.scope, f.mazze, operator(), fix(f.luca.id, false));
		expect(same).toMatchObject({ status: 'corrected', ledger: 'none' });
		expect(balance(f.luca.id)).toBe(-420);
		expect(correctDay(db, clock, f.scope, f.mazze, operator(), fix(f.luca.id, false, true))).toMatchObject({ ledger: 'rebooked' });
		expect(activeMeals(f.luca.id)).toMatchObject([{ kind: 'bianco', price_cents: 420 }]);
		expect(balance(f.luca.id)).toBe(-420);
		expect(checkLedger(db)).toEqual([]);
	});

	it('does not change the kitchen report fixed at the close', () => {
		const report = kitchenReport(db, f.mazze.id, DAY);
		correctDay(db, clock, f.scope, f.mazze, operator(), fix(f.luca.id, true));
		correctDay(db, clock, f.scope, f.mazze, operator(), fix(f.anna.id, false, true));
		expect(kitchenReport(db, f.mazze.id, DAY)).toEqual(report);
	});

	it('school staff may correct their school’s pupils only; another school is FORBIDDEN and nothing is written', () => {
		const staff = { userId: f.infanziaStaff.id, schoolIds: f.staffSchoolIds };
		expect(f.staffSchoolIds).toEqual([f.school(f.mazze.id, 'infanzia').id]);
		const before = everything();
		const r = correctDay(db, clock, f.scope, f.mazze, staff, fix(f.luca.id, true));
		expect(r).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
		expect(everything()).toEqual(before);
		expect(correctDay(db, clock, f.scope, f.mazze, staff, fix(f.sofia.id, true))).toMatchObject({ status: 'corrected', ledger: 'refunded' });
		expect(balance(f.sofia.id)).toBe(0);
	});

	it('another Comune’s pupil is FORBIDDEN even for an operator', () => {
		const before = everything();
		expect(correctDay(db, clock, f.scope, f.mazze, operator(), fix(f.tommaso.id, true))).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
		expect(everything()).toEqual(before);
	});

	it('a closed day without service cannot be corrected into a meal', () => {
		clock.set(rome('2026-11-30', '11:00:00', false));
		closeDay(db, clock, f.mazze, '2026-11-28');
		const before = everything();
		expect(correctDay(db, clock, f.scope, f.mazze, operator(), { ...fix(f.luca.id, false), date: '2026-11-28' })).toMatchObject({ status: 'rejected', code: 'NOT_A_SERVICE_DAY' });
		expect(everything()).toEqual(before);
	});
});

describe('corrections before the close', () => {
	it('are marks that ignore the cutoff, with no ledger effect; the close then honours them', () => {
		clock.set(rome('2026-11-25', '09:50:00', false));
		expect(correctDay(db, clock, f.scope, f.mazze, operator(), { ...fix(f.luca.id, true), date: '2026-11-25' })).toMatchObject({ status: 'corrected', ledger: 'none' });
		expect(rows(db, 'SELECT count(*) AS n FROM ledger_postings WHERE value_date = ?', '2026-11-25')[0].n).toBe(0);
		expect(closeDay(db, clock, f.mazze, '2026-11-25')).toMatchObject({ meals: 2, totalCents: 670 });
		expect(activeMeals(f.luca.id, '2026-11-25')).toEqual([]);
	});
});
