import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.js';
import { consumers, enrolments, serviceGroups, services } from '../db/schema.js';
import { addDays } from '../calendar/dates.js';
import { fixtureOf, NOV_2026, rows, seededDb } from '../meals/test-fixture.js';
import { checkLedger, prepaidAccount, systemAccount } from './accounts.js';
import { postTransaction } from './post.js';
import { balancesOf, statementOf } from './statement.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
const at = new Date(NOV_2026);
let n = 0;

/** A service group of its own, so whatever history the demo seed holds stays out of the sums. */
function freshAccount(tenantId = f.mazze.id, consumerId = f.luca.id): number {
	const group = db.insert(serviceGroups).values({ tenantId, name: `Trasporto ${++n}`, createdAt: at }).returning().get();
	return prepaidAccount(db, tenantId, consumerId, group.id, at);
}

/** One posting on the account, the other side in the till. */
function post(accountId: number, valueDate: string, amountCents: number, description = `Movimento ${valueDate}`, tenantId = f.mazze.id): void {
	postTransaction(db, {
		tenantId,
		kind: 'test',
		externalId: `test:${++n}`,
		description,
		createdBy: null,
		at,
		postings: [
			{ accountId, amountCents, valueDate, description },
			{ accountId: systemAccount(db, tenantId, 'cash', at), amountCents: -amountCents, valueDate, description }
		]
	});
}

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
});

describe('statementOf', () => {
	it('lists the period’s postings by value date, then as posted, with the running balance', () => {
		const account = freshAccount();
		post(account, '2026-10-30', 2000, 'Ricarica pagoPA');
		post(account, '2026-11-03', -420, 'Pasto 03/11 — Mensa');
		post(account, '2026-11-05', -420, 'Pasto 05/11 — Mensa');
		// A correction written later for an earlier day lands where its day is, not at the end.
		post(account, '2026-11-03', 420, 'Storno pasto 03/11 — Mensa');
		post(account, '2026-11-05', 3000, 'Ricarica Punto LIS');
		const s = statementOf(db, f.scope, account, { from: '2026-11-01', to: '2026-11-30' });
		expect(s.openingCents).toBe(2000);
		expect(s.rows.map((r) => [r.valueDate, r.description, r.amountCents, r.balanceCents])).toEqual([
			['2026-11-03', 'Pasto 03/11 — Mensa', -420, 1580],
			['2026-11-03', 'Storno pasto 03/11 — Mensa', 420, 2000],
			['2026-11-05', 'Pasto 05/11 — Mensa', -420, 1580],
			['2026-11-05', 'Ricarica Punto LIS', 3000, 4580]
		]);
		expect(s.closingCents).toBe(4580);
	});

	it('includes both ends of the period and opens and closes at the balances of those days', () => {
		const account = freshAccount();
		for (const [date, cents] of [['2026-10-31', 1000], ['2026-11-01', -100], ['2026-11-15', -200], ['2026-11-30', -300], ['2026-12-01', 5000]] as const) post(account, date, cents);
		const s = statementOf(db, f.scope, account, { from: '2026-11-01', to: '2026-11-30' });
		expect(s.rows.map((r) => r.valueDate)).toEqual(['2026-11-01', '2026-11-15', '2026-11-30']);
		expect([s.openingCents, s.closingCents]).toEqual([1000, 400]);
		const oneDay = statementOf(db, f.scope, account, { from: '2026-11-15', to: '2026-11-15' });
		expect([oneDay.openingCents, oneDay.rows.length, oneDay.closingCents]).toEqual([900, 1, 700]);
		const empty = statementOf(db, f.scope, account, { from: '2026-11-02', to: '2026-11-14' });
		expect(empty).toMatchObject({ openingCents: 900, closingCents: 900, rows: [] });
		const later = statementOf(db, f.scope, account, { from: '2027-01-01', to: '2027-01-31' });
		expect(later).toMatchObject({ openingCents: 5400, closingCents: 5400, rows: [] });
	});

	it('gives the same opening balance as summing every earlier posting, for any postings and period, whichever side of the period it sums', () => {
		const day = fc.integer({ min: 0, max: 60 }).map((d) => addDays('2026-10-01', d));
		fc.assert(
			fc.property(fc.array(fc.tuple(day, fc.integer({ min: -9_999, max: 9_999 })), { maxLength: 30 }), day, day, (postings, a, b) => {
				const [from, to] = a <= b ? [a, b] : [b, a];
				const account = freshAccount();
				for (const [date, cents] of postings) post(account, date, cents);
				const s = statementOf(db, f.scope, account, { from, to });
				const sum = (where: string) => rows(db, `SELECT coalesce(sum(amount_cents), 0) AS s FROM ledger_postings WHERE account_id = @account AND ${where}`, { account, from, to })[0].s;
				expect(s.openingCents).toBe(sum('value_date < @from'));
				expect(s.closingCents).toBe(sum('value_date <= @to'));
				const expected = postings.map(([date, cents], i) => ({ date, cents, i })).filter((p) => p.date >= from && p.date <= to).sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : x.i - y.i));
				expect(s.rows.map((r) => [r.valueDate, r.amountCents])).toEqual(expected.map((p) => [p.date, p.cents]));
				let running = s.openingCents;
				for (const r of s.rows) expect(r.balanceCents).toBe((running += r.amountCents));
			}),
			{ numRuns: Number(process.env.FC_RUNS ?? 100), seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined }
		);
		expect(checkLedger(db)).toEqual([]);
	});

	it('reads nothing of another Comune, nor an account that does not exist', () => {
		const chiusiAccount = freshAccount(f.chiusi.id, f.tommaso.id);
		post(chiusiAccount, '2026-11-10', 1234, 'Ricarica', f.chiusi.id);
		expect(statementOf(db, f.scope, chiusiAccount, { from: '2026-11-01', to: '2026-11-30' })).toEqual({ from: '2026-11-01', to: '2026-11-30', openingCents: 0, closingCents: 0, rows: [] });
		expect(statementOf(db, f.chiusiScope, chiusiAccount, { from: '2026-11-01', to: '2026-11-30' }).rows).toHaveLength(1);
		expect(statementOf(db, f.scope, 0, { from: '2026-11-01', to: '2026-11-30' }).rows).toEqual([]);
	});

	it('reads the covering (account, value date, id) index in order: no table read, no sort', () => {
		const plan = rows(
			db,
			`EXPLAIN QUERY PLAN SELECT id, value_date, description, amount_cents FROM ledger_postings
			 WHERE account_id = 1 AND value_date BETWEEN '2026-11-01' AND '2026-11-30' AND tenant_id = 1 ORDER BY value_date, id`
		).map((r) => String(r.detail));
		expect(plan.join('\n')).toMatch(/SEARCH ledger_postings USING COVERING INDEX ledger_postings_statement \(account_id=\? AND value_date>\? AND value_date<\?\)/);
		expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
		// Choosing the side to sum costs no row read.
		const count = rows(db, `EXPLAIN QUERY PLAN SELECT count(*) FROM ledger_postings WHERE account_id = 1 AND value_date > '2026-11-30'`).map((r) => String(r.detail));
		expect(count.join('\n')).toMatch(/USING COVERING INDEX ledger_postings_statement/);
	});
});

describe('balancesOf', () => {
	/** A pupil of Anna's class with her enrolment, and no history whatever the seed holds. */
	function newPupil(): number {
		const { id: _, ...pupil } = f.anna;
		const consumer = db.insert(consumers).values({ ...pupil, codiceFiscale: `TSTPPL18T45E379${++n % 10}`, givenName: 'Nuovo' }).returning().get();
		const { id: __, ...enrolment } = f.enrolmentOf(f.anna.id);
		db.insert(enrolments).values({ ...enrolment, consumerId: consumer.id, activationCodeHash: String(n).padStart(64, '0') }).run();
		return consumer.id;
	}

	it('lists each service group of the child’s enrolments, with account 0 until money moves, then the cached balance', () => {
		const pupil = newPupil();
		const [refezione, ...others] = balancesOf(db, f.scope, pupil);
		expect(others).toEqual([]);
		expect(refezione).toMatchObject({ name: 'Refezione', accountId: 0, balanceCents: 0 });
		const account = prepaidAccount(db, f.mazze.id, pupil, refezione.serviceGroupId, at);
		post(account, '2026-11-02', 1500);
		post(account, '2026-11-03', -420);
		expect(balancesOf(db, f.scope, pupil)).toEqual([{ serviceGroupId: refezione.serviceGroupId, name: 'Refezione', accountId: account, balanceCents: 1080 }]);
	});

	it('keeps a group whose enrolment has ended while its account holds money, and drops an ended one without an account', () => {
		const pupil = newPupil();
		const group = db.insert(serviceGroups).values({ tenantId: f.mazze.id, name: 'Centro estivo', createdAt: at }).returning().get();
		const service = db.insert(services).values({ tenantId: f.mazze.id, serviceGroupId: group.id, name: 'Centro estivo', createdAt: at }).returning().get();
		const { id: _, ...ended } = f.enrolmentOf(pupil);
		db.insert(enrolments).values({ ...ended, serviceId: service.id, status: 'cessata', activationCodeHash: 'f'.repeat(64) }).run();
		expect(balancesOf(db, f.scope, pupil).map((b) => b.name)).toEqual(['Refezione']);
		post(prepaidAccount(db, f.mazze.id, pupil, group.id, at), '2026-11-02', 700);
		expect(balancesOf(db, f.scope, pupil).map((b) => [b.name, b.balanceCents])).toEqual([['Centro estivo', 700], ['Refezione', 0]]);
		expect(balancesOf(db, f.chiusiScope, pupil)).toEqual([]);
	});
});
