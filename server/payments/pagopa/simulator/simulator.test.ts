import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../clock.js';
import { fixtureOf, rows, seededDb } from '../../../meals/test-fixture.js';
import { noticeNumberFor } from '../../notice-number.js';
import { deliverDueReceipts, defaultDeliveryOptions } from './delivery.js';
import { createDebtPosition, createSimCart, paySimCart, payAtPsp, DUPLICATE_DELAY_MS } from './store.js';
import { randomBytes } from 'node:crypto';
import { createSealer } from '../../../auth/sealed.js';
import { requiredTenantSecret } from '../../../tenants/tenant-secrets.js';

const secrets = createSealer(randomBytes(32));

async function setup() {
	const db = await seededDb();
	const f = fixtureOf(db);
	const wall = fixedClock('2026-11-23T11:00:00Z');
	const deps = { db, clock: fixedClock('2026-11-25T08:00:00Z'), wall, secrets };
	const { noticeNumber, iuv } = noticeNumberFor('01', 4242);
	const cf = f.mazze.codiceFiscaleEnte;
	const transfer = [{ idTransfer: '1' as const, amount: 3000, remittanceInformation: 'Ricarica', category: '9/0101108TS/' }];
	createDebtPosition(deps, f.mazze.id, cf, {
		iupd: `${cf}-${iuv}`,
		type: 'F',
		fiscalCode: 'RSSMRA85C52L219F',
		fullName: 'Maria Rossi',
		companyName: 'Comune di Mazzè',
		paymentOption: [{ iuv, amount: 3000, description: 'Ricarica', dueDate: '2026-12-23T23:59:59', isPartialPayment: false, transfer }]
	}, true);
	return { db, f, deps, wall, cf, noticeNumber, outbox: () => rows(db, 'SELECT receipt_id AS r, copy, attempts, next_attempt_at AS due, delivered_at AS done, last_error AS err FROM sim_receipt_outbox ORDER BY copy') };
}

describe('pagoPA simulator', () => {
	it('pays a cart at the debt position amount and queues its receipt twice, the copy a little later', async () => {
		const { deps, cf, noticeNumber, outbox, wall } = await setup();
		const cartId = createSimCart(deps, {
			paymentNotices: [{ noticeNumber, fiscalCode: cf, amount: 3000, companyName: 'Comune di Mazzè', description: 'Ricarica' }],
			returnUrls: { returnOkUrl: 'http://app/ok', returnCancelUrl: 'http://app/no', returnErrorUrl: 'http://app/err' }
		});
		expect(paySimCart(deps, cartId)).toEqual({ redirect: 'http://app/ok' });
		// Paying twice (a double click) issues nothing more.
		expect(paySimCart(deps, cartId)).toEqual({ redirect: 'http://app/ok' });
		const queued = outbox();
		expect(queued.map((q) => q.copy)).toEqual([1, 2]);
		expect(queued[0].r).toBe(queued[1].r);
		expect((queued[1].due as number) - (queued[0].due as number)).toBe(DUPLICATE_DELAY_MS);
		expect(queued[0].due).toBe(wall.now().getTime());
		const payload = JSON.parse(rows(deps.db, 'SELECT payload FROM sim_receipt_outbox LIMIT 1')[0].payload as string);
		expect(payload).toMatchObject({ noticeNumber, fiscalCode: cf, creditorReferenceId: noticeNumber.slice(1), paymentAmount: 3000, outcome: 'OK', paymentDateTime: '2026-11-25T08:00:00.000Z' });
	});

	it('refuses at the PSP an unknown notice and an already paid one, and takes the amount typed', async () => {
		const { deps, cf, noticeNumber } = await setup();
		expect(payAtPsp(deps, { noticeNumber: noticeNumberFor('01', 9999).noticeNumber, fiscalCode: cf, amountCents: 3000 })).toMatchObject({ status: 'refused', message: /inesistente/ });
		expect(payAtPsp(deps, { noticeNumber, fiscalCode: '00856930102', amountCents: 3000 })).toMatchObject({ status: 'refused' });
		expect(payAtPsp(deps, { noticeNumber, fiscalCode: cf, amountCents: 2999 })).toMatchObject({ status: 'paid' });
		expect(payAtPsp(deps, { noticeNumber, fiscalCode: cf, amountCents: 2999 })).toMatchObject({ status: 'refused', message: /già pagato/ });
	});

	it('redelivers with a doubling backoff until the receiver answers 200, with the Comune’s bearer secret', async () => {
		const { deps, cf, noticeNumber, outbox, wall, db } = await setup();
		payAtPsp(deps, { noticeNumber, fiscalCode: cf, amountCents: 3000 });
		const seen: { auth: string | null; body: string }[] = [];
		let answer = 500;
		const fetchFn = (async (_url: string, init: RequestInit) => {
			seen.push({ auth: new Headers(init.headers).get('authorization'), body: String(init.body) });
			return new Response('x', { status: answer });
		}) as typeof fetch;
		const opts = { ...defaultDeliveryOptions('http://app/api/pagopa/receipts'), retryBaseMs: 1000, fetch: fetchFn };

		expect(await deliverDueReceipts(db, wall, secrets, opts)).toEqual({ delivered: 0, failed: 1 });
		expect(outbox()[0]).toMatchObject({ attempts: 1, err: 'HTTP 500: x', due: wall.now().getTime() + 1000 });
		wall.advance(DUPLICATE_DELAY_MS);
		expect(await deliverDueReceipts(db, wall, secrets, opts)).toEqual({ delivered: 0, failed: 2 });
		expect(outbox()[0]).toMatchObject({ attempts: 2, due: wall.now().getTime() + 2000 });
		answer = 200;
		wall.advance(2000);
		expect(await deliverDueReceipts(db, wall, secrets, opts)).toEqual({ delivered: 2, failed: 0 });
		expect(await deliverDueReceipts(db, wall, secrets, opts)).toEqual({ delivered: 0, failed: 0 });
		// The secret the simulator made is stored sealed; what it sends is the secret itself.
		const stored = JSON.parse(rows(db, 'SELECT payment_settings AS s FROM tenants WHERE codice_fiscale_ente = ?', cf)[0].s as string).receiptSecret;
		const secret = requiredTenantSecret(secrets, 'mazze', 'receiptSecret', stored);
		expect(stored).toMatch(/^sealed:/);
		expect(secret).toHaveLength(43);
		expect(new Set(seen.map((s) => s.auth))).toEqual(new Set([`Bearer ${secret}`]));
		expect(new Set(seen.map((s) => s.body)).size).toBe(1);
	});
});
