import { eq, lt, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import { consumers, ledgerAccounts, schoolClasses, schools, serviceGroups } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { daysBetween, type IsoDate } from '../../src/lib/shared/dates.js';
import type { Paged } from '../payments/office/payments-list.js';

export const DEBTORS_PAGE_SIZE = 25;

export interface DebtorFilter {
	schoolId: number | null;
	/** only debts of at least this many cents (0: every negative balance) */
	minDebtCents: number;
}

export interface DebtorQuery extends DebtorFilter {
	page: number;
	sort: 'debt' | 'days' | 'name' | 'reminder';
	dir: 'asc' | 'desc';
}

export interface Debtor {
	accountId: number;
	consumerId: number;
	serviceGroupId: number;
	codiceFiscale: string;
	givenName: string;
	familyName: string;
	schoolName: string | null;
	className: string | null;
	groupName: string;
	balanceCents: number;
	/** the day the running balance last went below zero */
	since: IsoDate;
	daysInDebt: number;
	applicantFiscalCode: string;
	applicantName: string;
	remindersSent: number;
	lastReminderAt: Date | null;
}

/**
 * The day a negative balance began: walking the postings back from today's balance (newest
 * first, in statement order), the first one before which the balance was not negative is the one
 * that took it below zero. The walk stops there, so a debt of last week reads a week of postings,
 * not the year's. Before the first posting the balance is 0, so a negative balance always finds one.
 */
export function debtSince(balanceCents: number, newestFirst: Iterable<{ valueDate: IsoDate; amountCents: number }>): IsoDate | null {
	if (balanceCents >= 0) return null;
	let after = balanceCents;
	for (const p of newestFirst) {
		const before = after - p.amountCents;
		if (before >= 0) return p.valueDate;
		after = before;
	}
	return null;
}

// Backwards on ledger_postings_statement (account, value_date, id, tenant, amount): no sort, no table read.
const postingsBack = preparedFor((db) =>
	db.$client.prepare(
		`SELECT value_date AS valueDate, amount_cents AS amountCents FROM ledger_postings
		 WHERE account_id = ? AND tenant_id = ? ORDER BY value_date DESC, id DESC`
	)
);

function sinceOf(db: Db, scope: TenantScope, accountId: number, balanceCents: number): IsoDate | null {
	const rows = postingsBack(db).iterate(accountId, scope.tenantId) as IterableIterator<{ valueDate: IsoDate; amountCents: number }>;
	// Leaving the loop early (return inside debtSince) closes the iterator and resets the statement.
	return debtSince(balanceCents, rows);
}

// The applicant of the child's latest enrolment in the account's group: whom the Comune collects from.
const applicant = (field: 'applicant_fiscal_code' | 'applicant_name') =>
	sql<string>`coalesce((SELECT e.${sql.raw(field)} FROM enrolments e JOIN services s ON s.id = e.service_id
		WHERE e.tenant_id = ${ledgerAccounts.tenantId} AND e.consumer_id = ${ledgerAccounts.consumerId} AND s.service_group_id = ${ledgerAccounts.serviceGroupId}
		ORDER BY e.status = 'attiva' DESC, e.from_date DESC, e.id DESC LIMIT 1), '')`;
const reminderStat = (what: 'count(*)' | 'max(r.sent_at)') =>
	sql`(SELECT ${sql.raw(what)} FROM reminders r WHERE r.tenant_id = ${ledgerAccounts.tenantId} AND r.consumer_id = ${ledgerAccounts.consumerId} AND r.service_group_id = ${ledgerAccounts.serviceGroupId})`;

/** Every negative prepaid balance of the Comune that passes the filter, with its days in debt as of `today`. */
export function findDebtors(db: Db, scope: TenantScope, filter: DebtorFilter, today: IsoDate): Debtor[] {
	const rows = db
		.select({
			accountId: ledgerAccounts.id,
			consumerId: consumers.id,
			serviceGroupId: serviceGroups.id,
			codiceFiscale: consumers.codiceFiscale,
			givenName: consumers.givenName,
			familyName: consumers.familyName,
			schoolName: schools.name,
			className: schoolClasses.name,
			groupName: serviceGroups.name,
			balanceCents: ledgerAccounts.balanceCents,
			applicantFiscalCode: applicant('applicant_fiscal_code'),
			applicantName: applicant('applicant_name'),
			remindersSent: sql<number>`${reminderStat('count(*)')}`,
			lastReminderMs: sql<number | null>`${reminderStat('max(r.sent_at)')}`
		})
		.from(ledgerAccounts)
		.innerJoin(consumers, eq(consumers.id, ledgerAccounts.consumerId))
		.innerJoin(serviceGroups, eq(serviceGroups.id, ledgerAccounts.serviceGroupId))
		.leftJoin(schoolClasses, eq(schoolClasses.id, consumers.schoolClassId))
		.leftJoin(schools, eq(schools.id, schoolClasses.schoolId))
		.where(
			scope.where(
				ledgerAccounts,
				eq(ledgerAccounts.kind, 'prepaid'),
				lt(ledgerAccounts.balanceCents, 0),
				filter.minDebtCents > 0 ? lte(ledgerAccounts.balanceCents, -filter.minDebtCents) : undefined,
				filter.schoolId === null ? undefined : eq(schools.id, filter.schoolId)
			)
		)
		.all();
	return rows.map(({ lastReminderMs, ...r }) => {
		const since = sinceOf(db, scope, r.accountId, r.balanceCents) ?? today;
		return { ...r, since, daysInDebt: Math.max(0, daysBetween(since, today) - 1), lastReminderAt: lastReminderMs === null ? null : new Date(lastReminderMs) };
	});
}

const byName = (a: Debtor, b: Debtor) => a.familyName.localeCompare(b.familyName, 'it') || a.givenName.localeCompare(b.givenName, 'it') || a.groupName.localeCompare(b.groupName, 'it');
// Each in ascending order; "desc" on debt is the biggest debt (the most negative balance) first.
const comparators: Record<DebtorQuery['sort'], (a: Debtor, b: Debtor) => number> = {
	debt: (a, b) => b.balanceCents - a.balanceCents,
	days: (a, b) => a.daysInDebt - b.daysInDebt,
	name: byName,
	reminder: (a, b) => (a.lastReminderAt?.getTime() ?? 0) - (b.lastReminderAt?.getTime() ?? 0)
};

/** Sorted in memory: days in debt come from each account's postings, not from a column SQL can order by. */
export function sortDebtors(debtors: Debtor[], sort: DebtorQuery['sort'], dir: DebtorQuery['dir']): Debtor[] {
	const sign = dir === 'asc' ? 1 : -1;
	return [...debtors].sort((a, b) => sign * comparators[sort](a, b) || byName(a, b) || a.accountId - b.accountId);
}

/** Morosi: one page of the filtered, sorted debtors, and what they owe together. */
export function listDebtors(db: Db, scope: TenantScope, query: DebtorQuery, today: IsoDate): Paged<Debtor> & { totalDebtCents: number } {
	const all = sortDebtors(findDebtors(db, scope, query, today), query.sort, query.dir);
	const pages = Math.max(1, Math.ceil(all.length / DEBTORS_PAGE_SIZE));
	const page = Math.min(query.page, pages);
	return {
		rows: all.slice((page - 1) * DEBTORS_PAGE_SIZE, page * DEBTORS_PAGE_SIZE),
		total: all.length,
		page,
		pages,
		totalDebtCents: -all.reduce((sum, d) => sum + d.balanceCents, 0)
	};
}

/** The schools the filter offers. */
export function schoolsOf(db: Db, scope: TenantScope): { id: number; name: string }[] {
	return db.select({ id: schools.id, name: schools.name }).from(schools).where(scope.where(schools)).orderBy(schools.name).all();
}
