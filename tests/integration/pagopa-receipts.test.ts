import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { pagopaFixture, postReceipt, receiptFor } from '../helpers/pagopa.js';
import { fixedClock } from '../../server/clock.js';
import { closeDay } from '../../server/meals/day-close.js';
import { checkLedger } from '../../server/ledger/accounts.js';
import { expireOverduePayments } from '../../server/payments/receipts.js';

let server: TestServer;
let f: ReturnType<typeof pagopaFixture>;
let secret: string;
beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	f = pagopaFixture(server.dbPath);
	secret = f.receiptSecret();
});
afterAll(async () => {
	f?.close();
	await server?.stop();
});

const receiptRows = () => f.rows<{ n: number }>('SELECT count(*) AS n FROM receipts')[0].n;
const credits = (paymentId: number) => f.rows<{ n: number }>("SELECT count(*) AS n FROM ledger_transactions WHERE external_id = ?", `payment:${paymentId}`)[0].n;
const paymentRow = (id: number) => f.rows<{ status: string; flag: string | null; tx: number | null }>('SELECT status, flag, transaction_id AS tx FROM payments WHERE id = ?', id)[0];

describe('receipts through POST /api/pagopa/receipts', () => {
	it('credits once when the same receipt arrives 5 times at once, while the day close debits the same account', async () => {
		const { payment } = f.cart([f.line(f.luca.id, 2500)]);
		const before = f.balance(f.luca.id);
		const receipt = receiptFor(payment, f.ente.codiceFiscale);
		const deliveries = Array.from({ length: 5 }, () => postReceipt(server.url, secret, receipt));
		// The close of Wednesday, from another connection, while the deliveries are in flight:
		// SQLite serialises the two writers, whichever comes first.
		await new Promise((r) => setTimeout(r, 5));
		const closed = closeDay(f.db, fixedClock('2026-11-25T08:45:00Z'), f.mazze, '2026-11-25');
		const answers = await Promise.all(deliveries);

		expect(closed.status).toBe('closed');
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
		expect(await Promise.all(answers.map((a) => a.json()))).toEqual(Array(5).fill({ outcome: 'OK' }));
		const meal = f.rows<{ price: number }>('SELECT price_cents AS price FROM meals WHERE consumer_id = ? AND date = ? AND cancelled_at IS NULL', f.luca.id, '2026-11-25');
		expect(meal).toHaveLength(1);
		expect(f.balance(f.luca.id)).toBe(before + 2500 - meal[0].price);
		expect(credits(payment.id)).toBe(1);
		expect(f.rows('SELECT status, redeliveries FROM receipts WHERE receipt_id = ?', receipt.receiptId)).toEqual([{ status: 'credited', redeliveries: 4 }]);
		expect(f.rows('SELECT count(*) AS n FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id WHERE t.external_id = ?', `payment:${payment.id}`)).toEqual([{ n: 2 }]);
		expect(paymentRow(payment.id)).toMatchObject({ status: 'paid', flag: null });
		expect(checkLedger(f.db)).toEqual([]);
	});

	it('records a wrong amount, flags it for the operator and credits nothing', async () => {
		const { payment } = f.cart([f.line(f.luca.id, 2500)]);
		const before = f.balance(f.luca.id);
		const answer = await postReceipt(server.url, secret, receiptFor(payment, f.ente.codiceFiscale, { paymentAmount: 250 }));
		expect(answer.status).toBe(200);
		expect(f.balance(f.luca.id)).toBe(before);
		expect(credits(payment.id)).toBe(0);
		expect(paymentRow(payment.id)).toMatchObject({ status: 'flagged', flag: expect.stringMatching(/Importo pagato 2,50 € diverso da quello dovuto 25,00 €/), tx: null });
		expect(checkLedger(f.db)).toEqual([]);
	});

	it('records an unknown notice and a KO outcome, flagged, crediting nothing', async () => {
		const { payment } = f.cart([f.line(f.luca.id, 1500)]);
		const before = f.balance(f.luca.id);
		const unknown = receiptFor({ noticeNumber: '301999999999999900', amountCents: 1500 }, f.ente.codiceFiscale);
		expect((await postReceipt(server.url, secret, unknown)).status).toBe(200);
		expect(f.rows('SELECT status, payment_id AS p, flag FROM receipts WHERE receipt_id = ?', unknown.receiptId)).toEqual([
			{ status: 'flagged', p: null, flag: 'Numero avviso sconosciuto: nessuna ricarica corrispondente.' }
		]);
		const ko = receiptFor(payment, f.ente.codiceFiscale, { outcome: 'KO' });
		expect((await postReceipt(server.url, secret, ko)).status).toBe(200);
		expect(f.rows('SELECT status, payment_id AS p FROM receipts WHERE receipt_id = ?', ko.receiptId)).toEqual([{ status: 'ko', p: payment.id }]);
		expect(f.balance(f.luca.id)).toBe(before);
		expect(credits(payment.id)).toBe(0);
	});

	it('credits a payment the family made after its due date, and flags it', async () => {
		const { payment } = f.cart([f.line(f.sofia.id, 4000)]);
		expect(payment.dueDate).toBe('2026-12-23');
		expect(expireOverduePayments(f.db, fixedClock('2026-12-24T09:00:00Z'))).toBeGreaterThanOrEqual(1);
		expect(paymentRow(payment.id).status).toBe('expired');
		const before = f.balance(f.sofia.id);
		expect((await postReceipt(server.url, secret, receiptFor(payment, f.ente.codiceFiscale, { paymentDateTime: '2026-12-24T08:40:00' }))).status).toBe(200);
		expect(f.balance(f.sofia.id)).toBe(before + 4000);
		expect(credits(payment.id)).toBe(1);
		expect(paymentRow(payment.id)).toMatchObject({ status: 'flagged', flag: expect.stringMatching(/Pagato dopo la scadenza del 23\/12\/2026/) });
		expect(checkLedger(f.db)).toEqual([]);
	});

	it('refuses malformed and unauthenticated receipts with 4xx, storing nothing', async () => {
		const { payment } = f.cart([f.line(f.luca.id, 2500)]);
		const good = receiptFor(payment, f.ente.codiceFiscale);
		const stored = receiptRows();
		const cases: [string | null, unknown, number][] = [
			[secret, '{"receiptId":', 400],
			[secret, { ...good, paymentAmount: '25,00' }, 400],
			[secret, { ...good, noticeNumber: undefined }, 400],
			[null, good, 401],
			[`${secret}x`, good, 401],
			['', good, 401]
		];
		for (const [auth, body, status] of cases) {
			const answer = await postReceipt(server.url, auth, body);
			expect(answer.status, JSON.stringify(body).slice(0, 60)).toBe(status);
			expect(await answer.json()).toMatchObject({ outcome: 'KO', error: expect.any(String) });
		}
		expect(receiptRows()).toBe(stored);
		expect(paymentRow(payment.id).status).toBe('created');
	});
});
