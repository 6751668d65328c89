import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { ledgerAccounts, ledgerPostings } from '../db/schema.js';

type Tx = Pick<Db, 'select' | 'insert'>;

/** The Comune's meal income: the other side of every meal debit. */
export function revenueAccount(tx: Tx, tenantId: number, at: Date): number {
	const found = tx
		.select({ id: ledgerAccounts.id })
		.from(ledgerAccounts)
		.where(and(eq(ledgerAccounts.tenantId, tenantId), eq(ledgerAccounts.kind, 'meal_revenue'), isNull(ledgerAccounts.consumerId)))
		.get();
	if (found) return found.id;
	return tx.insert(ledgerAccounts).values({ tenantId, kind: 'meal_revenue', createdAt: at }).returning({ id: ledgerAccounts.id }).get().id;
}

/** A consumer's prepaid balance in a service group (may be negative: a child still eats). */
export function prepaidAccount(tx: Tx, tenantId: number, consumerId: number, serviceGroupId: number, at: Date): number {
	tx.insert(ledgerAccounts).values({ tenantId, kind: 'prepaid', consumerId, serviceGroupId, createdAt: at }).onConflictDoNothing().run();
	return tx
		.select({ id: ledgerAccounts.id })
		.from(ledgerAccounts)
		.where(and(eq(ledgerAccounts.tenantId, tenantId), eq(ledgerAccounts.kind, 'prepaid'), eq(ledgerAccounts.consumerId, consumerId), eq(ledgerAccounts.serviceGroupId, serviceGroupId)))
		.get()!.id;
}

export function balanceOf(db: Db, accountId: number): number {
	return db
		.select({ cents: sql<number>`coalesce(sum(${ledgerPostings.amountCents}), 0)` })
		.from(ledgerPostings)
		.where(eq(ledgerPostings.accountId, accountId))
		.get()!.cents;
}

export interface LedgerProblem {
	kind: 'unbalanced_transaction' | 'duplicate_meal_debit';
	detail: string;
}

/** The invariants of DESIGN.md §4 that live in the ledger; an empty list means it holds. */
export function checkLedger(db: Db): LedgerProblem[] {
	const client = db.$client;
	const unbalanced = client
		.prepare('SELECT transaction_id AS id, sum(amount_cents) AS total FROM ledger_postings GROUP BY transaction_id HAVING sum(amount_cents) <> 0')
		.all() as { id: number; total: number }[];
	const doubled = client
		.prepare(
			`SELECT m.consumer_id AS consumer, m.service_id AS service, m.date AS date, count(*) AS n
			 FROM meals m WHERE m.cancelled_at IS NULL GROUP BY m.consumer_id, m.service_id, m.date HAVING count(*) > 1`
		)
		.all() as { consumer: number; service: number; date: string; n: number }[];
	return [
		...unbalanced.map((r) => ({ kind: 'unbalanced_transaction' as const, detail: `transazione ${r.id}: somma ${r.total}` })),
		...doubled.map((r) => ({ kind: 'duplicate_meal_debit' as const, detail: `consumatore ${r.consumer}, servizio ${r.service}, ${r.date}: ${r.n} pasti` }))
	];
}
