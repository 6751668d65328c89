import { and, desc, eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { dayCloses, ledgerTransactions } from '../db/schema.js';
import { tenantScope } from '../db/tenant-scope.js';
import { loadCalendar } from '../calendar/service-days.js';
import { addDays, type IsoDate } from '../calendar/dates.js';
import { revenueAccount } from '../ledger/accounts.js';
import { bandPriceSql, siblingPriceSql, siblingRankSqlOn } from '../tariffs/price.js';
import { cutoffInstant, todayOf, type CutoffPolicy } from './cutoff.js';

export interface ClosableTenant extends CutoffPolicy {
	id: number;
	createdAt: Date;
}

export type CloseResult = { status: 'closed'; date: IsoDate; meals: number; totalCents: number; transactionId: number } | { status: 'already_closed'; date: IsoDate };

/**
 * The enrolments that eat on a day: active, covering the day, in a class with service, and not
 * marked absent. One statement, shared by the close (which inserts the meals) and the live
 * forecast (which counts them), so the two can never disagree. The band's price of the day and
 * what the sibling reduction needs come with each row; the reduction itself needs the whole set.
 * Named parameters: @tenant, @date, @served (JSON array of the class ids with service that day).
 */
export const PRESENT_ENROLMENTS_SQL = `
	SELECT e.tenant_id AS tenant_id, e.id AS enrolment_id, e.consumer_id AS consumer_id, e.service_id AS service_id,
	       sc.school_id AS school_id, c.school_class_id AS school_class_id,
	       CASE WHEN dm.pasto_in_bianco = 1 THEN 'bianco' ELSE 'normale' END AS kind,
	       c.diet_label AS diet_label, s.service_group_id AS service_group_id,
	       ${bandPriceSql('e.tariff_band_id', 'tb.meal_price_cents', '@date')} AS band_price_cents,
	       sy.sibling_discount_pct AS sibling_pct, e.applicant_fiscal_code AS applicant_fiscal_code, c.birth_date AS birth_date
	FROM enrolments e
	JOIN consumers c ON c.id = e.consumer_id
	JOIN school_classes sc ON sc.id = c.school_class_id
	JOIN tariff_bands tb ON tb.id = e.tariff_band_id
	JOIN services s ON s.id = e.service_id
	JOIN school_years sy ON sy.id = e.school_year_id AND @date BETWEEN sy.first_day AND sy.last_day
	LEFT JOIN day_marks dm ON dm.consumer_id = e.consumer_id AND dm.date = @date
	WHERE e.tenant_id = @tenant AND e.status = 'attiva' AND e.from_date <= @date AND (e.to_date IS NULL OR e.to_date >= @date)
	  AND c.school_class_id IN (SELECT value FROM json_each(@served))
	  AND coalesce(dm.assenza, 0) = 0`;

const italianDay = (date: IsoDate) => `${date.slice(8, 10)}/${date.slice(5, 7)}`;

/**
 * Makes a day final for one Comune: one meal per present enrolment at its tariff, debited
 * from the consumer's prepaid account in one ledger transaction, and the day marked closed.
 * All of it is one SQLite transaction: a crash leaves the day wholly open or wholly closed,
 * and a second run finds it closed. Idempotent by (tenant, date).
 */
export function closeDay(db: Db, clock: Clock, tenant: ClosableTenant, date: IsoDate): CloseResult {
	const scope = tenantScope(tenant.id);
	const served = JSON.stringify(loadCalendar(db, scope, date, date).servedClasses(date));
	const client = db.$client;
	return db.transaction((tx) => {
		if (tx.select().from(dayCloses).where(and(eq(dayCloses.tenantId, tenant.id), eq(dayCloses.date, date))).get()) {
			return { status: 'already_closed', date } as const;
		}
		const now = clock.now();
		const at = now.getTime();
		// The ledger transaction comes first, so the meals are written once, already pointing at it.
		const transactionId = tx
			.insert(ledgerTransactions)
			.values({ tenantId: tenant.id, kind: 'meal_debit', externalId: `day-close:${tenant.id}:${date}`, description: `Pasti del ${italianDay(date)}`, createdAt: now })
			.returning({ id: ledgerTransactions.id })
			.get().id;
		const inserted = client
			.prepare(
				`INSERT INTO meals (tenant_id, date, consumer_id, enrolment_id, service_id, school_id, school_class_id, kind, diet_label, price_cents, transaction_id)
				 SELECT p.tenant_id, @date, p.consumer_id, p.enrolment_id, p.service_id, p.school_id, p.school_class_id, p.kind, p.diet_label,
				        ${siblingPriceSql('p.band_price_cents', 'p.sibling_pct', siblingRankSqlOn(db, tenant.id, date))}, @tx
				 FROM (${PRESENT_ENROLMENTS_SQL}) p WHERE 1 ON CONFLICT DO NOTHING`
			)
			.run({ tenant: tenant.id, date, served, tx: transactionId }).changes;
		// A meal of the day already there (none, unless written outside the close) is debited with the others.
		client.prepare('UPDATE meals SET transaction_id = ? WHERE tenant_id = ? AND date = ? AND transaction_id IS NULL').run(transactionId, tenant.id, date);
		// The day's meals make the present set: their prepaid accounts, without evaluating the set again.
		client
			.prepare(
				`INSERT OR IGNORE INTO ledger_accounts (tenant_id, kind, consumer_id, service_group_id, created_at)
				 SELECT m.tenant_id, 'prepaid', m.consumer_id, s.service_group_id, @at
				 FROM meals m JOIN services s ON s.id = m.service_id
				 WHERE m.tenant_id = @tenant AND m.date = @date AND m.transaction_id = @tx AND m.cancelled_at IS NULL`
			)
			.run({ tenant: tenant.id, date, tx: transactionId, at });
		const debits = client
			.prepare(
				`INSERT INTO ledger_postings (tenant_id, transaction_id, account_id, amount_cents, value_date, description, meal_id)
				 SELECT m.tenant_id, @tx, a.id, -m.price_cents, m.date, 'Pasto ' || @day || ' — ' || s.name || CASE m.kind WHEN 'bianco' THEN ' (in bianco)' ELSE '' END, m.id
				 FROM meals m
				 JOIN services s ON s.id = m.service_id
				 JOIN ledger_accounts a ON a.tenant_id = m.tenant_id AND a.kind = 'prepaid' AND a.consumer_id = m.consumer_id AND a.service_group_id = s.service_group_id
				 WHERE m.tenant_id = @tenant AND m.date = @date AND m.transaction_id = @tx AND m.cancelled_at IS NULL AND m.price_cents > 0`
			)
			.run({ tenant: tenant.id, date, tx: transactionId, day: italianDay(date) }).changes;
		const total = (client.prepare('SELECT coalesce(sum(price_cents), 0) AS t FROM meals WHERE tenant_id = ? AND date = ? AND transaction_id = ? AND cancelled_at IS NULL').get(tenant.id, date, transactionId) as { t: number }).t;
		if (debits > 0) {
			client
				.prepare(`INSERT INTO ledger_postings (tenant_id, transaction_id, account_id, amount_cents, value_date, description) VALUES (?, ?, ?, ?, ?, ?)`)
				.run(tenant.id, transactionId, revenueAccount(db, tenant.id, now), total, date, `Pasti del ${italianDay(date)}`);
		}
		tx.insert(dayCloses).values({ tenantId: tenant.id, date, closedAt: now, meals: inserted, totalCents: total }).run();
		return { status: 'closed', date, meals: inserted, totalCents: total, transactionId } as const;
	});
}

/**
 * A mark received at 09:29:59.9 may still be on its way into the database (a request being
 * read, a group commit waiting for its turn): the close waits this long after the cutoff.
 */
export const CLOSE_GRACE_MS = 5_000;

export function lastClosedDay(db: Db, tenantId: number): IsoDate | null {
	return db.select({ date: dayCloses.date }).from(dayCloses).where(eq(dayCloses.tenantId, tenantId)).orderBy(desc(dayCloses.date)).limit(1).get()?.date ?? null;
}

/** The days whose cutoff has passed and that are not closed yet, oldest first: after downtime, all of them. */
export function daysToClose(db: Db, tenant: ClosableTenant, now: Date, maxDays = 400): IsoDate[] {
	const today = todayOf(tenant, now);
	const last = lastClosedDay(db, tenant.id);
	// A Comune is never charged for days before it joined.
	const joined = todayOf(tenant, tenant.createdAt);
	let day = last && last >= joined ? addDays(last, 1) : joined;
	// A day closed out of order (the CLI's --date) leaves open days before it: they are due too.
	// One count on the primary key tells; only with a gap are the closed days read.
	let closed: Set<IsoDate> | null = null;
	if (last && last >= joined) {
		const { n, span } = db.$client
			.prepare('SELECT count(*) AS n, CAST(julianday(@last) - julianday(@joined) AS INTEGER) + 1 AS span FROM day_closes WHERE tenant_id = @tenant AND date BETWEEN @joined AND @last')
			.get({ tenant: tenant.id, joined, last }) as { n: number; span: number };
		if (n < span) {
			closed = new Set((db.$client.prepare('SELECT date FROM day_closes WHERE tenant_id = ? AND date >= ?').pluck().all(tenant.id, joined) as IsoDate[]));
			day = joined;
		}
	}
	const due: IsoDate[] = [];
	while (day <= today && due.length < maxDays) {
		if (!closed?.has(day) && (day < today || now.getTime() >= cutoffInstant(tenant, day).getTime() + CLOSE_GRACE_MS)) due.push(day);
		day = addDays(day, 1);
	}
	return due;
}

export function closeDueDays(db: Db, clock: Clock, tenant: ClosableTenant): CloseResult[] {
	return daysToClose(db, tenant, clock.now()).map((date) => closeDay(db, clock, tenant, date));
}
