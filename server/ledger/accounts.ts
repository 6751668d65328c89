import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import { ledgerAccounts, type AccountKind } from '../db/schema.js';

const statements = preparedFor((db) => ({
	system: db.$client.prepare('SELECT id FROM ledger_accounts WHERE tenant_id = ? AND kind = ? AND consumer_id IS NULL').pluck(),
	insertSystem: db.$client.prepare('INSERT INTO ledger_accounts (tenant_id, kind, created_at) VALUES (?, ?, ?) RETURNING id').pluck(),
	openPrepaid: db.$client.prepare(
		`INSERT INTO ledger_accounts (tenant_id, kind, consumer_id, service_group_id, created_at) VALUES (@tenant, 'prepaid', @consumer, @group, @at)
		 ON CONFLICT DO NOTHING`
	),
	prepaid: db.$client.prepare("SELECT id FROM ledger_accounts WHERE tenant_id = @tenant AND kind = 'prepaid' AND consumer_id = @consumer AND service_group_id = @group").pluck()
}));

/**
 * The Comune's own accounts, one of each kind: meal income, clearing of pagoPA and LIS, the till,
 * refunds, migration equity. Like every function here it runs on the connection of `db`, so
 * inside the caller's db.transaction() it is part of it.
 */
export function systemAccount(db: Db, tenantId: number, kind: Exclude<AccountKind, 'prepaid'>, at: Date): number {
	const q = statements(db);
	return (q.system.get(tenantId, kind) as number | undefined) ?? (q.insertSystem.get(tenantId, kind, at.getTime()) as number);
}

/** The other side of every meal debit. */
export const revenueAccount = (db: Db, tenantId: number, at: Date) => systemAccount(db, tenantId, 'meal_revenue', at);

/** A consumer's prepaid balance in a service group (may be negative: a child still eats). */
export function prepaidAccount(db: Db, tenantId: number, consumerId: number, serviceGroupId: number, at: Date): number {
	const q = statements(db);
	const key = { tenant: tenantId, consumer: consumerId, group: serviceGroupId };
	return (q.prepaid.get(key) as number | undefined) ?? (q.openPrepaid.run({ ...key, at: at.getTime() }), q.prepaid.get(key) as number);
}

/** The cached sum of the account's postings (kept by a trigger; checkLedger proves it). */
export function balanceOf(db: Pick<Db, 'select'>, accountId: number): number {
	return db.select({ cents: ledgerAccounts.balanceCents }).from(ledgerAccounts).where(eq(ledgerAccounts.id, accountId)).get()?.cents ?? 0;
}

export interface LedgerProblem {
	kind: 'unbalanced_transaction' | 'single_posting_transaction' | 'duplicate_meal_debit' | 'balance_mismatch';
	detail: string;
}

/** The invariants of DESIGN.md §4 that live in the ledger, for one Comune or all; an empty list means they hold. */
export function checkLedger(db: Db, tenantId: number | null = null): LedgerProblem[] {
	const client = db.$client;
	const all = <T>(sql: string) => client.prepare(sql).all({ tenant: tenantId }) as T[];
	const unbalanced = all<{ id: number; total: number; n: number }>(
		`SELECT transaction_id AS id, sum(amount_cents) AS total, count(*) AS n FROM ledger_postings
		 WHERE @tenant IS NULL OR tenant_id = @tenant GROUP BY transaction_id HAVING sum(amount_cents) <> 0 OR count(*) < 2`
	);
	const doubled = all<{ consumer: number; service: number; date: string; n: number }>(
		`SELECT m.consumer_id AS consumer, m.service_id AS service, m.date AS date, count(*) AS n
		 FROM meals m WHERE m.cancelled_at IS NULL AND (@tenant IS NULL OR m.tenant_id = @tenant)
		 GROUP BY m.consumer_id, m.service_id, m.date HAVING count(*) > 1`
	);
	const mismatched = all<{ id: number; cached: number; total: number }>(
		`SELECT a.id, a.balance_cents AS cached, coalesce(s.total, 0) AS total FROM ledger_accounts a
		 LEFT JOIN (SELECT account_id, sum(amount_cents) AS total FROM ledger_postings GROUP BY account_id) s ON s.account_id = a.id
		 WHERE (@tenant IS NULL OR a.tenant_id = @tenant) AND a.balance_cents <> coalesce(s.total, 0)`
	);
	return [
		...unbalanced.map((r) =>
			r.total !== 0
				? { kind: 'unbalanced_transaction' as const, detail: `transazione ${r.id}: somma ${r.total}` }
				: { kind: 'single_posting_transaction' as const, detail: `transazione ${r.id}: ${r.n} registrazione` }
		),
		...doubled.map((r) => ({ kind: 'duplicate_meal_debit' as const, detail: `consumatore ${r.consumer}, servizio ${r.service}, ${r.date}: ${r.n} pasti` })),
		...mismatched.map((r) => ({ kind: 'balance_mismatch' as const, detail: `conto ${r.id}: saldo memorizzato ${r.cached}, somma delle registrazioni ${r.total}` }))
	];
}
