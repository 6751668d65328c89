import { and, eq } from 'drizzle-orm';
import { fixedClock, type Clock } from '../../server/clock.js';
import { openDb, type Db } from '../../server/db/client.js';
import { consumers, ledgerAccounts, serviceGroups, tenants, users } from '../../server/db/schema.js';
import { tenantScope } from '../../server/db/tenant-scope.js';
import { createCart, type CartLine } from '../../server/payments/carts.js';
import { enteOf } from '../../server/payments/pagopa/gateway-for.js';
import { ensureReceiptSecret } from '../../server/payments/pagopa/simulator/receipt-secret.js';
import { serverSecrets } from './secrets.js';

/**
 * The test server's SQLite file opened from the test process (WAL: both write safely), with the
 * demo's names: Mazzè, Maria Rossi and her children. Payments are made with the real createCart.
 */
export function pagopaFixture(dbPath: string) {
	const db: Db = openDb(dbPath);
	const mazze = db.select().from(tenants).where(eq(tenants.slug, 'mazze')).get()!;
	const maria = db.select().from(users).where(eq(users.email, 'maria.rossi@example.com')).get()!;
	const child = (givenName: string) => db.select().from(consumers).where(eq(consumers.givenName, givenName)).get()!;
	const refezione = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, mazze.id)).get()!;
	const luca = child('Luca');
	const sofia = child('Sofia');
	return {
		db,
		mazze,
		ente: enteOf(mazze),
		maria,
		luca,
		sofia,
		groupId: refezione.id,
		line: (consumerId: number, amountCents: number): CartLine => ({ consumerId, serviceGroupId: refezione.id, amountCents }),
		/** a cart of Maria's, through the same createCart the Ricarica page uses */
		cart(lines: CartLine[], channel: 'pagopa_online' | 'pagopa_avviso' = 'pagopa_online', clock: Clock = fixedClock('2026-11-23T11:00:00Z')) {
			const outcome = createCart(db, clock, tenantScope(mazze.id), mazze, maria, channel, lines);
			if (outcome.status !== 'created') throw new Error(`createCart: ${outcome.message}`);
			return outcome;
		},
		/** the server's sealer: its key file exists once the server has started */
		secrets: () => serverSecrets(dbPath),
		receiptSecret: () => ensureReceiptSecret(db, serverSecrets(dbPath), mazze.id),
		balance(consumerId: number): number {
			const row = db
				.select({ cents: ledgerAccounts.balanceCents })
				.from(ledgerAccounts)
				.where(and(eq(ledgerAccounts.tenantId, mazze.id), eq(ledgerAccounts.kind, 'prepaid'), eq(ledgerAccounts.consumerId, consumerId), eq(ledgerAccounts.serviceGroupId, refezione.id)))
				.get();
			return row?.cents ?? 0;
		},
		rows: <T = Record<string, unknown>>(sql: string, ...params: unknown[]) => db.$client.prepare(sql).all(...params) as T[],
		close: () => db.$client.close()
	};
}

/** A receipt as pagoPA posts it, for the payment's notice; override any field. */
export function receiptFor(p: { noticeNumber: string | null; amountCents: number }, fiscalCode: string, over: Record<string, unknown> = {}) {
	return {
		receiptId: `r-${Math.random().toString(36).slice(2)}`,
		noticeNumber: p.noticeNumber,
		fiscalCode,
		creditorReferenceId: p.noticeNumber!.slice(1),
		paymentAmount: p.amountCents,
		outcome: 'OK',
		paymentDateTime: '2026-11-25T09:00:00',
		idPSP: 'BCITITMM',
		...over
	};
}

export function postReceipt(url: string, secret: string | null, body: unknown): Promise<Response> {
	return fetch(`${url}/api/pagopa/receipts`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...(secret === null ? {} : { authorization: `Bearer ${secret}` }) },
		body: typeof body === 'string' ? body : JSON.stringify(body)
	});
}
