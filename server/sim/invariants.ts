/*
 * The invariants of DESIGN.md §4, checked on the database alone after every simulated step.
 * Each check returns the broken invariant's name and what breaks it; an empty list means all hold.
 */
import type { Db } from '../db/client.js';
import { checkLedger } from '../ledger/accounts.js';
import { cutoffInstant } from '../meals/cutoff.js';

export interface Violation {
	invariant: string;
	details: string;
}

type Row = Record<string, number | string | null>;

const checks: { invariant: string; sql: string; details: (r: Row) => string }[] = [
	{
		invariant: 'no mark accepted after its day was closed',
		sql: `SELECT e.mutation_id AS m, e.date AS date FROM mark_events e JOIN day_closes d ON d.tenant_id = e.tenant_id AND d.date = e.date
		      WHERE e.outcome = 'applied' AND e.channel = 'app' AND e.received_at > d.closed_at`,
		details: (r) => `mark ${r.m} for ${r.date}`
	},
	{
		invariant: 'a closed day debits what it counted',
		sql: `SELECT d.tenant_id AS t, d.date AS date, d.meals AS counted, d.total_cents AS total, count(m.id) AS n, coalesce(sum(m.price_cents), 0) AS cents
		      FROM day_closes d LEFT JOIN meals m ON m.tenant_id = d.tenant_id AND m.date = d.date AND m.cancelled_at IS NULL
		      WHERE NOT EXISTS (SELECT 1 FROM mark_events e WHERE e.tenant_id = d.tenant_id AND e.date = d.date AND e.channel = 'operatore')
		      GROUP BY d.tenant_id, d.date HAVING n <> d.meals OR cents <> d.total_cents`,
		details: (r) => `Comune ${r.t} ${r.date}: closed with ${r.counted} meals/${r.total} cents, ${r.n} meals/${r.cents} cents on record`
	},
	{
		// An exempt pupil's meal (price 0) moves no money: no posting.
		invariant: 'each meal debited once at its price',
		sql: `SELECT m.id AS id, m.price_cents AS price, coalesce(p.debited, 0) AS debited, coalesce(p.n, 0) AS n FROM meals m
		      LEFT JOIN (SELECT meal_id, transaction_id, sum(amount_cents) AS debited, count(*) AS n FROM ledger_postings
		                 WHERE meal_id IS NOT NULL AND amount_cents < 0 GROUP BY meal_id, transaction_id) p ON p.meal_id = m.id AND p.transaction_id = m.transaction_id
		      WHERE m.cancelled_at IS NULL AND (coalesce(p.n, 0) > 1 OR coalesce(p.debited, 0) <> -m.price_cents)`,
		details: (r) => `meal ${r.id}: price ${r.price}, ${r.n} debits totalling ${r.debited}`
	},
	{
		invariant: 'absent days not debited',
		sql: `SELECT m.id AS id, m.consumer_id AS c, m.date AS date FROM meals m JOIN day_marks dm ON dm.consumer_id = m.consumer_id AND dm.date = m.date
		      WHERE m.cancelled_at IS NULL AND dm.assenza = 1`,
		details: (r) => `meal ${r.id}: consumer ${r.c} marked absent on ${r.date}`
	},
	{
		invariant: 'no meal on a closure day',
		sql: `SELECT m.id AS id, m.date AS date, c.id AS closure FROM meals m JOIN closures c ON c.tenant_id = m.tenant_id AND m.date BETWEEN c.from_date AND c.to_date
		      AND (c.school_id IS NULL OR c.school_id = m.school_id) AND (c.school_class_id IS NULL OR c.school_class_id = m.school_class_id)
		      WHERE m.cancelled_at IS NULL`,
		details: (r) => `meal ${r.id} on ${r.date} inside closure ${r.closure}`
	},
	{
		invariant: 'no money moved twice for one payment',
		sql: `SELECT p.id AS id, p.amount_cents AS amount, sum(lp.amount_cents) AS credited FROM payments p
		      JOIN ledger_transactions t ON t.external_id = 'payment:' || p.id
		      JOIN ledger_postings lp ON lp.transaction_id = t.id AND lp.amount_cents > 0
		      GROUP BY p.id HAVING credited > p.amount_cents`,
		details: (r) => `payment ${r.id} of ${r.amount} cents credited ${r.credited}`
	}
];

/** Marks from families are accepted only before their day's cutoff (operators may correct later). */
function lateMarks(db: Db): Violation[] {
	const rows = db.$client
		.prepare(
			`SELECT e.mutation_id AS m, e.date AS date, e.received_at AS at, t.cutoff_time AS cutoffTime, t.timezone AS timezone
			 FROM mark_events e JOIN tenants t ON t.id = e.tenant_id WHERE e.outcome = 'applied' AND e.channel = 'app'`
		)
		.all() as { m: string; date: string; at: number; cutoffTime: string; timezone: string }[];
	return rows
		.filter((r) => r.at >= cutoffInstant(r, r.date).getTime())
		.map((r) => ({ invariant: 'no mark accepted after its cutoff', details: `mark ${r.m} for ${r.date} received ${new Date(r.at).toISOString()}` }));
}

export function checkInvariants(db: Db): Violation[] {
	const ledger = checkLedger(db).map((p) => ({ invariant: `ledger ${p.kind}`, details: p.detail }));
	const rest = checks.flatMap((c) => (db.$client.prepare(c.sql).all() as Row[]).map((r) => ({ invariant: c.invariant, details: c.details(r) })));
	return [...ledger, ...lateMarks(db), ...rest];
}
