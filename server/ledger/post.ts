import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { ledgerPostings, ledgerTransactions } from '../db/schema.js';
import type { IsoDate } from '../../src/lib/shared/dates.js';

type Tx = Pick<Db, 'select' | 'insert'>;

export interface Posting {
	accountId: number;
	/** signed: a credit to a prepaid account is positive, a meal debit negative */
	amountCents: number;
	valueDate: IsoDate;
	description: string;
}

export interface NewTransaction {
	tenantId: number;
	kind: string;
	/** the idempotency key: the same external id never posts twice (receipt, notice, LIS id, file line…) */
	externalId: string;
	description: string;
	createdBy: string | null;
	at: Date;
	postings: Posting[];
}

export type PostOutcome = { status: 'posted'; transactionId: number } | { status: 'duplicate'; transactionId: number };

/** A programming error, never a user's: the caller built postings that do not balance. */
export class LedgerError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'LedgerError';
	}
}

/**
 * The one way money moves outside the day close (whose bulk SQL keeps the same rules):
 * at least two postings, integer cents, summing to zero, all in the caller's SQLite transaction.
 * A second call with the same externalId changes nothing and says which transaction it was.
 */
export function postTransaction(tx: Tx, t: NewTransaction): PostOutcome {
	if (t.postings.length < 2) throw new LedgerError(`Transazione ${t.externalId}: servono almeno due registrazioni.`);
	let sum = 0;
	for (const p of t.postings) {
		if (!Number.isSafeInteger(p.amountCents)) throw new LedgerError(`Transazione ${t.externalId}: importo non intero (${p.amountCents}).`);
		sum += p.amountCents;
	}
	if (sum !== 0) throw new LedgerError(`Transazione ${t.externalId}: le registrazioni sommano a ${sum}, non a zero.`);

	const inserted = tx
		.insert(ledgerTransactions)
		.values({ tenantId: t.tenantId, kind: t.kind, externalId: t.externalId, description: t.description, createdBy: t.createdBy, createdAt: t.at })
		.onConflictDoNothing({ target: ledgerTransactions.externalId })
		.returning({ id: ledgerTransactions.id })
		.get();
	if (!inserted) {
		const existing = tx.select({ id: ledgerTransactions.id }).from(ledgerTransactions).where(eq(ledgerTransactions.externalId, t.externalId)).get()!;
		return { status: 'duplicate', transactionId: existing.id };
	}
	tx.insert(ledgerPostings)
		.values(t.postings.map((p) => ({ tenantId: t.tenantId, transactionId: inserted.id, accountId: p.accountId, amountCents: p.amountCents, valueDate: p.valueDate, description: p.description })))
		.run();
	return { status: 'posted', transactionId: inserted.id };
}
