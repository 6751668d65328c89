import { and, desc, eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { dayCloses, ledgerTransactions } from '../db/schema.js';
import { tenantScope } from '../db/tenant-scope.js';
import { loadCalendar } from '../calendar/service-days.js';
import { addDays, type IsoDate } from '../calendar/dates.js';
import { revenueAccount } from '../ledger/accounts.js';
import { cutoffInstant, todayOf, type CutoffPolicy } from './cutoff.js';

export interface ClosableTenant extends CutoffPolicy {
	id: number;
	createdAt: Date;
}

export type CloseResult = { status: 'closed'; date: IsoDate; meals: number; totalCents: number } | { status: 'already_closed'; date: IsoDate };

/**
 * The enrolments that eat on a day: active, covering the day, in a class with service, and not
 * marked absent. One statement, shared by the close (which inserts the meals) and the live
 * forecast (which counts them), so the two can never disagree.
 * Named parameters: @tenant, @date, @served (JSON array of the class ids with service that day).
 */
export const PRESENT_ENROLMENTS_SQL = `
	SELECT e.tenant_id AS tenant_id, e.id AS enrolment_id, e.consumer_id AS consumer_id, e.service_id AS service_id,
	       sc.school_id AS school_id, c.school_class_id AS school_class_id,
	       CASE WHEN dm.pasto_in_bianco = 1 THEN 'bianco' ELSE 'normale' END AS kind,
	       c.diet_label AS diet_label, tb.meal_price_cents AS price_cents, s.service_group_id AS service_group_id
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
		client
			.prepare(
				`INSERT OR IGNORE INTO ledger_accounts (tenant_id, kind, consumer_id, service_group_id, created_at)
				 SELECT DISTINCT p.tenant_id, 'prepaid', p.consumer_id, p.service_group_id, @at FROM (${PRESENT_ENROLMENTS_SQL}) p`
			)
			.run({ tenant: tenant.id, date, served, at });
		const inserted = client
			.prepare(
				`INSERT INTO meals (tenant_id, date, consumer_id, enrolment_id, service_id, school_id, school_class_id, kind, diet_label, price_cents)
				 SELECT p.tenant_id, @date, p.consumer_id, p.enrolment_id, p.service_id, p.school_id, p.school_class_id, p.kind, p.diet_label, p.price_cents
				 FROM (${PRESENT_ENROLMENTS_SQL}) p WHERE 1 ON CONFLICT DO NOTHING`
			)
			.run({ tenant: tenant.id, date, served }).changes;
		const transactionId = tx
			.insert(ledgerTransactions)
			.values({ tenantId: tenant.id, kind: 'meal_debit', externalId: `day-close:${tenant.id}:${date}`, description: `Pasti del ${italianDay(date)}`, createdAt: now })
			.returning({ id: ledgerTransactions.id })
			.get().id;
		const debits = client
			.prepare(
				`INSERT INTO ledger_postings (tenant_id, transaction_id, account_id, amount_cents, value_date, description, meal_id)
				 SELECT m.tenant_id, @tx, a.id, -m.price_cents, m.date, 'Pasto ' || @day || ' — ' || s.name || CASE m.kind WHEN 'bianco' THEN ' (in bianco)' ELSE '' END, m.id
				 FROM meals m
				 JOIN services s ON s.id = m.service_id
				 JOIN ledger_accounts a ON a.tenant_id = m.tenant_id AND a.kind = 'prepaid' AND a.consumer_id = m.consumer_id AND a.service_group_id = s.service_group_id
				 WHERE m.tenant_id = @tenant AND m.date = @date AND m.transaction_id IS NULL AND m.cancelled_at IS NULL AND m.price_cents > 0`
			)
			.run({ tenant: tenant.id, date, tx: transactionId, day: italianDay(date) }).changes;
		const total = (client.prepare('SELECT coalesce(sum(price_cents), 0) AS t FROM meals WHERE tenant_id = ? AND date = ? AND transaction_id IS NULL AND cancelled_at IS NULL').get(tenant.id, date) as { t: number }).t;
		if (debits > 0) {
			client
				.prepare(`INSERT INTO ledger_postings (tenant_id, transaction_id, account_id, amount_cents, value_date, description) VALUES (?, ?, ?, ?, ?, ?)`)
				.run(tenant.id, transactionId, revenueAccount(tx, tenant.id, now), total, date, `Pasti del ${italianDay(date)}`);
		}
		client.prepare('UPDATE meals SET transaction_id = ? WHERE tenant_id = ? AND date = ? AND transaction_id IS NULL').run(transactionId, tenant.id, date);
		tx.insert(dayCloses).values({ tenantId: tenant.id, date, closedAt: now, meals: inserted, totalCents: total }).run();
		return { status: 'closed', date, meals: inserted, totalCents: total } as const;
	});
}

export function lastClosedDay(db: Db, tenantId: number): IsoDate | null {
	return db.select({ date: dayCloses.date }).from(dayCloses).where(eq(dayCloses.tenantId, tenantId)).orderBy(desc(dayCloses.date)).limit(1).get()?.date ?? null;
}

/** The days whose cutoff has passed and that are not closed yet, oldest first: after downtime, all of them. */
export function daysToClose(db: Db, tenant: ClosableTenant, now: Date, maxDays = 400): IsoDate[] {
	const today = todayOf(tenant, now);
	const last = lastClosedDay(db, tenant.id);
	// A Comune is never charged for days before it joined.
	let day = last ? addDays(last, 1) : todayOf(tenant, tenant.createdAt);
	const due: IsoDate[] = [];
	while (day <= today && due.length < maxDays) {
		if (day < today || now.getTime() >= cutoffInstant(tenant, day).getTime()) due.push(day);
		day = addDays(day, 1);
	}
	return due;
}

export function closeDueDays(db: Db, clock: Clock, tenant: ClosableTenant): CloseResult[] {
	return daysToClose(db, tenant, clock.now()).map((date) => closeDay(db, clock, tenant, date));
}
