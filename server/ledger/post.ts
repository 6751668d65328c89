import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import type { IsoDate } from '../../src/lib/shared/dates.js';

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
// Prepared once per connection: every receipt, LIS payment and counter top-up comes through here.
const statements = preparedFor((db) => ({
	insertTransaction: db.$client.prepare(
		`INSERT INTO ledger_transactions (tenant_id, kind, external_id, description, created_by, created_at)
		 VALUES (@tenantId, @kind, @externalId, @description, @createdBy, @at) ON CONFLICT (external_id) DO NOTHING RETURNING id`
	),
	existing: db.$client.prepare('SELECT id FROM ledger_transactions WHERE external_id = ?').pluck(),
	insertPosting: db.$client.prepare(
		`INSERT INTO ledger_postings (tenant_id, transaction_id, account_id, amount_cents, value_date, description)
		 VALUES (@tenantId, @transactionId, @accountId, @amountCents, @valueDate, @description)`
	)
}));

/** Runs on the connection of `db`: inside the caller's db.transaction(), it is part of it. */
export function postTransaction(db: Db, t: NewTransaction): PostOutcome {
	if (t.postings.length < 2) throw new LedgerError(`Transazione ${t.externalId}: servono almeno due registrazioni.`);
	let sum = 0;
	for (const p of t.postings) {
		if (!Number.isSafeInteger(p.amountCents)) throw new LedgerError(`Transazione ${t.externalId}: importo non intero (${p.amountCents}).`);
		sum += p.amountCents;
	}
	if (sum !== 0) throw new LedgerError(`Transazione ${t.externalId}: le registrazioni sommano a ${sum}, non a zero.`);

	const q = statements(db);
	const inserted = q.insertTransaction.get({ tenantId: t.tenantId, kind: t.kind, externalId: t.externalId, description: t.description, createdBy: t.createdBy, at: t.at.getTime() }) as
		| { id: number }
		| undefined;
	if (!inserted) return { status: 'duplicate', transactionId: q.existing.get(t.externalId) as number };
	for (const p of t.postings) q.insertPosting.run({ tenantId: t.tenantId, transactionId: inserted.id, ...p });
	return { status: 'posted', transactionId: inserted.id };
}
