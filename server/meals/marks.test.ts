import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { enrolments, tenants } from '../db/schema.js';
import { addClosure } from '../calendar/admin.js';
import { applyMarks, type Mark, type MarkResult } from './marks.js';
import { closeDay } from './day-close.js';
import { NOV_2026, fixtureOf, rome, rows, seededDb, type TestClock } from './test-fixture.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
let clock: TestClock;
let n = 0;
const mid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const mark = (consumerId: number, date: string, kind: Mark['kind'] = 'assenza', value = true): Mark => ({ mutationId: mid(), consumerId, date, kind, value });
const dayState = () => rows(db, 'SELECT * FROM day_marks ORDER BY consumer_id, date');
const CUTOFF_MSG = "Oltre l'orario limite (09:30): contatta l'ufficio scuola";

async function setup(at = NOV_2026) {
	db = await seededDb(at);
	f = fixtureOf(db);
	clock = fixedClock(at);
}

/** One mark just before the cutoff (applied) and one exactly at it (refused, nothing changes). */
function expectBoundary(date: string, summer: boolean, cutoff: string, message: string) {
	const tenant = f.tenant('mazze');
	const [h, m] = cutoff.split(':').map(Number);
	const before = `${String(m === 0 ? h - 1 : h).padStart(2, '0')}:${String(m === 0 ? 59 : m - 1).padStart(2, '0')}:59.999`;
	clock.set(rome(date, before, summer));
	const first = applyMarks(db, clock, f.scope, tenant, f.guardian(), [mark(f.luca.id, date, 'pastoInBianco')]);
	expect(first[0]).toMatchObject({ status: 'applied', receipt: { receivedAt: rome(date, before, summer).toISOString() } });
	expect(rows(db, 'SELECT assenza, pasto_in_bianco FROM day_marks WHERE consumer_id = ? AND date = ?', f.luca.id, date)).toEqual([{ assenza: 0, pasto_in_bianco: 1 }]);

	const snapshot = dayState();
	clock.set(rome(date, `${cutoff}:00.000`, summer));
	const late = applyMarks(db, clock, f.scope, tenant, f.guardian(), [mark(f.luca.id, date, 'assenza'), mark(f.luca.id, date, 'pastoInBianco', false)]);
	for (const r of late) expect(r).toMatchObject({ status: 'rejected', code: 'CUTOFF_PASSED', message });
	expect(dayState()).toEqual(snapshot);
	// Refused marks are still on record, as refused.
	expect(rows(db, `SELECT outcome, code FROM mark_events WHERE consumer_id = ? AND date = ? ORDER BY id`, f.luca.id, date)).toEqual([
		{ outcome: 'applied', code: null },
		{ outcome: 'rejected', code: 'CUTOFF_PASSED' },
		{ outcome: 'rejected', code: 'CUTOFF_PASSED' }
	]);
}

describe('the cutoff boundary (09:29:59.999 applied, 09:30:00.000 refused)', () => {
	it('on an ordinary winter day', async () => {
		await setup();
		expectBoundary('2026-11-24', false, '09:30', CUTOFF_MSG);
	});

	it('on the Monday after the spring-forward change (2026-03-30, school year 2025/26)', async () => {
		await setup('2026-03-02T06:00:00.000Z');
		expect(f.year(f.mazze.id)).toMatchObject({ label: '2025/26', firstDay: '2025-09-14', lastDay: '2026-06-10' });
		expectBoundary('2026-03-30', true, '09:30', CUTOFF_MSG);
	});

	it('on the Monday after the fall-back change (2026-10-26)', async () => {
		await setup();
		expectBoundary('2026-10-26', false, '09:30', CUTOFF_MSG);
	});

	it('on the Friday before each change', async () => {
		await setup('2026-03-02T06:00:00.000Z');
		expectBoundary('2026-03-27', false, '09:30', CUTOFF_MSG);
		await setup();
		expectBoundary('2026-10-23', true, '09:30', CUTOFF_MSG);
	});

	it('for a Comune with cutoff 10:00, in winter and in summer time', async () => {
		await setup();
		db.update(tenants).set({ cutoffTime: '10:00' }).where(eq(tenants.id, f.mazze.id)).run();
		const msg = "Oltre l'orario limite (10:00): contatta l'ufficio scuola";
		expectBoundary('2026-11-24', false, '10:00', msg);
		expectBoundary('2026-10-23', true, '10:00', msg);
		// and 09:45 is still fine there
		clock.set(rome('2026-11-25', '09:45:00', false));
		expect(applyMarks(db, clock, f.scope, f.tenant('mazze'), f.guardian(), [mark(f.luca.id, '2026-11-25')])[0].status).toBe('applied');
	});
});

describe('days without service', () => {
	beforeEach(() => setup());

	it.each([
		['a Saturday', '2026-11-28', 'Giorno senza servizio mensa'],
		['a Sunday', '2026-11-29', 'Giorno senza servizio mensa'],
		['a national holiday (Immacolata, a Tuesday)', '2026-12-08', 'Immacolata Concezione'],
		['the Christmas closure', '2026-12-28', 'Vacanze di Natale'],
		['the Easter closure', '2027-03-30', 'Vacanze di Pasqua'],
		['after the school year', '2027-06-14', 'Fuori dall’anno scolastico']
	])('refuses %s with NOT_A_SERVICE_DAY and changes nothing', (_, date) => {
		const snapshot = dayState();
		const [r] = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, date)]);
		expect(r).toMatchObject({ status: 'rejected', code: 'NOT_A_SERVICE_DAY', message: 'Servizio non disponibile in questo giorno.' });
		expect(dayState()).toEqual(snapshot);
	});

	it('an ordinary Friday is a service day for primaria', () => {
		const r = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, '2026-11-27')]);
		expect(r[0].status).toBe('applied'); // Friday: primaria serves
	});

	it('a closure of one class refuses only that class', () => {
		const added = addClosure(db, clock, f.scope, f.mazze, f.operator.id, { schoolId: null, schoolClassId: f.luca.schoolClassId, fromDate: '2026-11-26', toDate: '2026-11-26', reason: 'Uscita didattica' });
		expect(added).toMatchObject({ status: 'saved', effectiveFrom: '2026-11-26' });
		const everyone = f.guardian([f.luca.id, f.anna.id, f.sofia.id]);
		const results = applyMarks(db, clock, f.scope, f.mazze, everyone, [mark(f.luca.id, '2026-11-26'), mark(f.anna.id, '2026-11-26'), mark(f.sofia.id, '2026-11-26')]);
		expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual(['NOT_A_SERVICE_DAY', 'applied', 'applied']);
		expect(rows(db, 'SELECT consumer_id FROM day_marks WHERE date = ? ORDER BY consumer_id', '2026-11-26').map((r) => r.consumer_id)).toEqual([f.sofia.id, f.anna.id].sort((a, b) => a - b));
	});
});

describe('who and when', () => {
	beforeEach(() => setup());

	it('NOT_ENROLLED when the enrolment has ended (cessata)', () => {
		db.update(enrolments).set({ status: 'cessata' }).where(eq(enrolments.consumerId, f.luca.id)).run();
		const [r] = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, '2026-11-24')]);
		expect(r).toMatchObject({ status: 'rejected', code: 'NOT_ENROLLED' });
		expect(dayState()).toEqual([]);
	});

	it('NOT_ENROLLED after the enrolment’s to_date, applied up to it', () => {
		db.update(enrolments).set({ toDate: '2026-11-20' }).where(eq(enrolments.consumerId, f.luca.id)).run();
		const results = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, '2026-11-20'), mark(f.luca.id, '2026-11-23')]);
		expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual(['applied', 'NOT_ENROLLED']);
	});

	it('FORBIDDEN for a child not the guardian’s, and for another Comune’s child', () => {
		const results = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.anna.id, '2026-11-24'), mark(f.tommaso.id, '2026-11-24'), mark(999_999, '2026-11-24')]);
		for (const r of results) expect(r).toMatchObject({ status: 'rejected', code: 'FORBIDDEN', message: 'Non sei autorizzato a modificare i giorni di questo bambino.' });
		// even an actor allowed everything cannot reach across tenants
		const [cross] = applyMarks(db, clock, f.scope, f.mazze, f.guardian([f.tommaso.id]), [mark(f.tommaso.id, '2026-11-24')]);
		expect(cross).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
		expect(dayState()).toEqual([]);
	});

	it('keeps the order of a batch and treats each mark on its own', () => {
		const batch = [
			mark(f.luca.id, '2026-11-24'),
			mark(f.luca.id, '2026-11-28'),
			mark(f.anna.id, '2026-11-24'),
			mark(f.sofia.id, '2026-11-25', 'pastoInBianco'),
			mark(f.luca.id, '2026-11-24', 'assenza', false),
			mark(f.luca.id, '2026-11-24', 'pastoInBianco', true)
		];
		const results = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), batch);
		expect(results.map((r) => r.mutationId)).toEqual(batch.map((m) => m.mutationId));
		expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual(['applied', 'NOT_A_SERVICE_DAY', 'FORBIDDEN', 'applied', 'applied', 'applied']);
		// the later marks of the batch win, in order
		expect(rows(db, 'SELECT consumer_id, date, assenza, pasto_in_bianco FROM day_marks ORDER BY consumer_id, date')).toEqual([
			{ consumer_id: f.luca.id, date: '2026-11-24', assenza: 0, pasto_in_bianco: 1 },
			{ consumer_id: f.sofia.id, date: '2026-11-25', assenza: 0, pasto_in_bianco: 1 }
		]);
	});

	it('clearing the last exception leaves no row for an ordinary day', () => {
		applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, '2026-11-24')]);
		applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, '2026-11-24', 'assenza', false)]);
		expect(dayState()).toEqual([]);
	});
});

describe('replays', () => {
	beforeEach(() => setup());

	it('the same batch sent three times has one effect and the same answers', () => {
		const batch = [mark(f.luca.id, '2026-11-24'), mark(f.luca.id, '2026-11-28'), mark(f.sofia.id, '2026-11-25', 'pastoInBianco'), mark(f.anna.id, '2026-11-24')];
		const first = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), batch);
		const stateAfterFirst = dayState();
		const eventsAfterFirst = rows(db, 'SELECT * FROM mark_events ORDER BY id');
		clock.advance(60_000);
		const second = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), batch);
		clock.advance(60_000);
		const third = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), batch);
		// A mark for someone else's child is not recorded: its replay is refused afresh, the same way.
		const expected = first.map(({ mutationId, ...firstResult }): MarkResult =>
			firstResult.status === 'rejected' && firstResult.code === 'FORBIDDEN' ? { mutationId, ...firstResult } : { mutationId, status: 'duplicate', first: firstResult as never }
		);
		expect(second).toEqual(expected);
		expect(third).toEqual(expected);
		expect(dayState()).toEqual(stateAfterFirst);
		expect(rows(db, 'SELECT * FROM mark_events ORDER BY id')).toEqual(eventsAfterFirst);
		expect(eventsAfterFirst).toHaveLength(batch.length - 1);
	});

	it('a replay after the cutoff still answers as the first time (applied), and changes nothing', () => {
		const m = mark(f.luca.id, '2026-11-24');
		const [first] = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [m]);
		expect(first.status).toBe('applied');
		clock.set(rome('2026-11-24', '11:00:00', false));
		const [again] = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [{ ...m, value: false }]);
		expect(again).toEqual({ mutationId: m.mutationId, status: 'duplicate', first: { status: first.status, receipt: (first as { receipt: unknown }).receipt } });
		expect(dayState()).toHaveLength(1);
	});

	it('the same mutationId twice inside one batch counts once', () => {
		const m = mark(f.luca.id, '2026-11-24');
		const [a, b] = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [m, { ...m, value: false }]);
		expect(a.status).toBe('applied');
		expect(b).toMatchObject({ status: 'duplicate', first: { status: 'applied' } });
		expect(dayState()).toHaveLength(1);
	});
});

describe('after the day close', () => {
	it('a guardian gets CUTOFF_PASSED even before 09:30 once the day is closed; an operator gets DAY_CLOSED', async () => {
		await setup();
		clock.set(rome('2026-11-24', '08:00:00', false));
		expect(closeDay(db, clock, f.mazze, '2026-11-24').status).toBe('closed');
		clock.set(rome('2026-11-24', '08:10:00', false));
		const snapshot = dayState();
		const [r] = applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, '2026-11-24')]);
		expect(r).toMatchObject({ status: 'rejected', code: 'CUTOFF_PASSED', message: CUTOFF_MSG });
		const [op] = applyMarks(db, clock, f.scope, f.mazze, { userId: f.operator.id, channel: 'operatore', mayMark: () => true, bypassCutoff: true }, [mark(f.luca.id, '2026-11-24')]);
		expect(op).toMatchObject({ status: 'rejected', code: 'DAY_CLOSED' });
		expect(dayState()).toEqual(snapshot);
		// the next day is untouched by the close
		expect(applyMarks(db, clock, f.scope, f.mazze, f.guardian(), [mark(f.luca.id, '2026-11-25')])[0].status).toBe('applied');
	});

	it('an operator may still mark after the cutoff while the day is open', async () => {
		await setup();
		clock.set(rome('2026-11-24', '09:45:00', false));
		const [op] = applyMarks(db, clock, f.scope, f.mazze, { userId: f.operator.id, channel: 'operatore', mayMark: () => true, bypassCutoff: true }, [mark(f.luca.id, '2026-11-24')]);
		expect(op.status).toBe('applied');
	});
});
