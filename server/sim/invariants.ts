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

type ClosedMeal = { id: number; date: string; consumer: number; price: number; tx: number; applicant: string; group: number; band: number; own: number; pct: number; birth: string | null };

/**
 * Each meal a day close priced, priced again here in TypeScript from the tariff tables, apart
 * from the SQL the close runs (server/tariffs/price.ts), as DESIGN.md states the rule: the band's
 * price valid on the day (the newest tariff_prices row from that day back, else the band's own),
 * less the school year's sibling reduction for the 2nd and later child of one applicant eating in
 * the group that day, eldest first (unknown birth date last, then consumer id), rounded half-up.
 * The close's whole set counts, meals cancelled later included: a correction never re-prices them.
 */
function closeMealPrices(db: Db): Violation[] {
	const meals = db.$client
		.prepare(
			`SELECT m.id, m.date, m.consumer_id AS consumer, m.price_cents AS price, m.transaction_id AS tx, e.applicant_fiscal_code AS applicant,
				s.service_group_id AS "group", e.tariff_band_id AS band, tb.meal_price_cents AS own, sy.sibling_discount_pct AS pct, c.birth_date AS birth
			 FROM meals m JOIN ledger_transactions t ON t.id = m.transaction_id AND t.external_id LIKE 'day-close:%'
			 JOIN enrolments e ON e.id = m.enrolment_id JOIN services s ON s.id = m.service_id JOIN consumers c ON c.id = m.consumer_id
			 JOIN tariff_bands tb ON tb.id = e.tariff_band_id JOIN school_years sy ON sy.id = e.school_year_id`
		)
		.all() as ClosedMeal[];
	const changes = db.$client.prepare('SELECT tariff_band_id AS band, valid_from AS validFrom, meal_price_cents AS price FROM tariff_prices').all() as { band: number; validFrom: string; price: number }[];
	const fullPrice = (m: ClosedMeal) =>
		changes.filter((c) => c.band === m.band && c.validFrom <= m.date).sort((a, b) => b.validFrom.localeCompare(a.validFrom))[0]?.price ?? m.own;
	const eldestFirst = (a: ClosedMeal, b: ClosedMeal) =>
		a.birth === b.birth ? a.consumer - b.consumer : a.birth === null ? 1 : b.birth === null ? -1 : a.birth.localeCompare(b.birth);
	const families = new Map<string, ClosedMeal[]>();
	for (const m of meals) {
		const key = `${m.tx}|${m.applicant}|${m.group}`;
		families.set(key, [...(families.get(key) ?? []), m]);
	}
	const wrong: Violation[] = [];
	for (const family of families.values()) {
		const order = [...new Set(family.sort(eldestFirst).map((m) => m.consumer))];
		for (const m of family) {
			const full = fullPrice(m);
			const expected = order.indexOf(m.consumer) === 0 ? full : Math.floor((full * (100 - m.pct) + 50) / 100);
			if (m.price !== expected) wrong.push({ invariant: 'each closed meal priced by the tariff', details: `meal ${m.id} (consumer ${m.consumer}, ${m.date}): ${m.price} cents, the tariff says ${expected}` });
		}
	}
	return wrong;
}

export function checkInvariants(db: Db): Violation[] {
	const ledger = checkLedger(db).map((p) => ({ invariant: `ledger ${p.kind}`, details: p.detail }));
	const rest = checks.flatMap((c) => (db.$client.prepare(c.sql).all() as Row[]).map((r) => ({ invariant: c.invariant, details: c.details(r) })));
	return [...ledger, ...lateMarks(db), ...rest, ...closeMealPrices(db)];
}
