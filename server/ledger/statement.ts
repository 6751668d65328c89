import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import type { TenantScope } from '../db/tenant-scope.js';
import type { IsoDate } from '../calendar/dates.js';

export interface StatementRow {
	id: number;
	valueDate: IsoDate;
	description: string;
	amountCents: number;
	/** the balance after this posting */
	balanceCents: number;
}

export interface Statement {
	from: IsoDate;
	to: IsoDate;
	/** the sum of every posting dated before `from` */
	openingCents: number;
	closingCents: number;
	rows: StatementRow[];
}

// Every range here walks ledger_postings_statement (account_id, value_date, id, then the columns
// shown): the rows come in statement order with no sort and no table read.
const periodRows = preparedFor((db) =>
	db.$client.prepare(`
		SELECT id, value_date AS valueDate, description, amount_cents AS amountCents FROM ledger_postings
		WHERE account_id = @account AND value_date BETWEEN @from AND @to AND tenant_id = @tenant
		ORDER BY value_date, id`)
);
// Counted on the index alone: a few adjacent pages.
const sideCounts = preparedFor((db) =>
	db.$client.prepare(`
		SELECT (SELECT count(*) FROM ledger_postings WHERE account_id = @account AND value_date < @from) AS before,
		       (SELECT count(*) FROM ledger_postings WHERE account_id = @account AND value_date > @to) AS after`)
);
const sumBefore = preparedFor((db) =>
	db.$client
		.prepare(`SELECT coalesce(sum(amount_cents), 0) FROM ledger_postings WHERE account_id = @account AND value_date < @from AND tenant_id = @tenant`)
		.pluck()
);
const sumAfter = preparedFor((db) =>
	db.$client
		.prepare(`SELECT coalesce(sum(amount_cents), 0) FROM ledger_postings WHERE account_id = @account AND value_date > @to AND tenant_id = @tenant`)
		.pluck()
);
const cachedBalance = preparedFor((db) => db.$client.prepare(`SELECT balance_cents FROM ledger_accounts WHERE id = @account AND tenant_id = @tenant`).pluck());

type Args = { account: number; tenant: number; from: IsoDate; to: IsoDate };

/*
 * The opening balance is Σ before the period, or, as balance = Σ before + Σ period + Σ after, the
 * cached balance (kept by the trigger, proved by checkLedger) minus Σ period minus Σ after. Summing
 * reads each posting's row, one page apiece, as an account's postings lie among everyone else's:
 * whichever side holds fewer postings is summed. A statement almost always ends today, so that is
 * the side after it, with nothing in it; a month of five years ago sums the few before it.
 * One read transaction: a posting written between the statements cannot make the sums disagree.
 */
function openingOf(db: Db, args: Args, balance: number, periodSum: number): number {
	const { before, after } = sideCounts(db).get(args) as { before: number; after: number };
	return before <= after ? (sumBefore(db).get(args) as number) : balance - periodSum - (sumAfter(db).get(args) as number);
}

const readStatement = preparedFor((db) =>
	db.$client.transaction((args: Args): Statement => {
		const balance = cachedBalance(db).get(args) as number | undefined;
		if (balance === undefined) return { from: args.from, to: args.to, openingCents: 0, closingCents: 0, rows: [] };
		const rows = periodRows(db).all(args) as StatementRow[];
		const openingCents = openingOf(db, args, balance, rows.reduce((sum, r) => sum + r.amountCents, 0));
		let running = openingCents;
		// In place: five years of rows are thousands of objects not worth copying.
		for (const r of rows) r.balanceCents = running += r.amountCents;
		return { from: args.from, to: args.to, openingCents, closingCents: running, rows };
	})
);

/** The account's postings from `from` to `to` (both included) with the running balance; an unknown account is empty. */
export function statementOf(db: Db, scope: TenantScope, accountId: number, period: { from: IsoDate; to: IsoDate }): Statement {
	return readStatement(db)({ account: accountId, tenant: scope.tenantId, from: period.from, to: period.to });
}

export interface GroupBalance {
	serviceGroupId: number;
	name: string;
	balanceCents: number;
	/** 0 until the first posting (or the first close) opens the account */
	accountId: number;
}

// The groups of the child's current enrolments, and any group where an account holds money.
const groupBalances = preparedFor((db) =>
	db.$client.prepare(`
		SELECT g.id AS serviceGroupId, g.name AS name, coalesce(a.balance_cents, 0) AS balanceCents, coalesce(a.id, 0) AS accountId
		FROM service_groups g
		LEFT JOIN ledger_accounts a ON a.tenant_id = g.tenant_id AND a.kind = 'prepaid' AND a.consumer_id = @consumer AND a.service_group_id = g.id
		WHERE g.tenant_id = @tenant AND (a.id IS NOT NULL OR EXISTS (
			SELECT 1 FROM enrolments e JOIN services s ON s.id = e.service_id
			WHERE e.consumer_id = @consumer AND e.tenant_id = @tenant AND s.service_group_id = g.id AND e.status IN ('attiva', 'sospesa')))
		ORDER BY g.name, g.id`)
);

/** The child's saldo in each service group (the caller has checked the child is theirs to see). */
export function balancesOf(db: Db, scope: TenantScope, consumerId: number): GroupBalance[] {
	return groupBalances(db).all({ consumer: consumerId, tenant: scope.tenantId }) as GroupBalance[];
}
