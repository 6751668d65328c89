import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../clock.js';
import { createGroupCommit } from '../../db/group-commit.js';
import { tenantScope } from '../../db/tenant-scope.js';
import { fixtureOf, rows, seededDb } from '../../meals/test-fixture.js';
import { createCart } from '../carts.js';
import { receiveReceipt } from './receiver.js';
import { ensureReceiptSecret } from './simulator/receipt-secret.js';
import { randomBytes } from 'node:crypto';
import { createSealer } from '../../auth/sealed.js';

const secrets = createSealer(randomBytes(32));

const clock = fixedClock('2026-11-23T11:00:00Z');

async function setup() {
	const db = await seededDb();
	const f = fixtureOf(db);
	const secret = ensureReceiptSecret(db, secrets, f.mazze.id);
	const group = rows(db, 'SELECT id FROM service_groups WHERE tenant_id = ?', f.mazze.id)[0].id as number;
	const cart = createCart(db, clock, tenantScope(f.mazze.id), f.mazze, f.maria, 'pagopa_online', [{ consumerId: f.luca.id, serviceGroupId: group, amountCents: 2500 }]);
	if (cart.status !== 'created') throw new Error(cart.message);
	const deps = { db, clock, secrets, groupCommit: createGroupCommit(db), config: { origin: 'https://mensa.example.it' } };
	const body = (over: Record<string, unknown> = {}) =>
		JSON.stringify({
			receiptId: 'rcp-1',
			noticeNumber: cart.payment.noticeNumber,
			fiscalCode: f.mazze.codiceFiscaleEnte,
			creditorReferenceId: cart.payment.noticeNumber!.slice(1),
			paymentAmount: 2500,
			outcome: 'OK',
			paymentDateTime: '2026-11-23T12:00:00',
			...over
		});
	const stored = () => rows(db, 'SELECT count(*) AS n FROM receipts')[0].n;
	return { db, f, secret, cart, deps, body, stored };
}

describe('receipt receiver', () => {
	it('credits a well-formed receipt once, acknowledges every delivery, tolerates extra fields and queues the family’s e-mail once, with the credit', async () => {
		const { deps, secret, body, cart, db } = await setup();
		const first = await receiveReceipt(deps, `Bearer ${secret}`, body({ idPSP: 'X', debtor: { fullName: 'Maria Rossi' } }));
		expect(first).toMatchObject({ status: 200, body: { outcome: 'OK' }, applied: { status: 'credited', paymentId: cart.payment.id } });
		// Written in the credit's own transaction: no later step to be lost to a crash.
		const queued = () => rows(db, "SELECT recipient FROM mail_outbox WHERE kind = 'ricarica'").map((r) => r.recipient);
		expect(queued()).toEqual(['maria.rossi@example.com']);
		const again = await receiveReceipt(deps, `Bearer ${secret}`, body());
		expect(again).toMatchObject({ status: 200, applied: { status: 'duplicate' } });
		expect(queued()).toEqual(['maria.rossi@example.com']);
		expect(rows(db, 'SELECT redeliveries FROM receipts')).toEqual([{ redeliveries: 1 }]);
	});

	it.each([
		['not JSON', '{"receiptId":', /JSON/],
		['a missing field', JSON.stringify({ receiptId: 'x' }), /noticeNumber/],
		['an amount in euros with decimals', null, /paymentAmount/],
		['an unknown outcome', 'outcome', /outcome/],
		['a short notice number', 'notice', /noticeNumber/]
	])('answers 400 to %s and stores nothing', async (_, raw, message) => {
		const { deps, secret, body, stored } = await setup();
		const payload = raw === null ? body({ paymentAmount: 25.0001 }) : raw === 'outcome' ? body({ outcome: 'MAYBE' }) : raw === 'notice' ? body({ noticeNumber: '3010' }) : raw;
		const answer = await receiveReceipt(deps, `Bearer ${secret}`, payload);
		expect(answer.status).toBe(400);
		expect(JSON.stringify(answer.body)).toMatch(message);
		expect(stored()).toBe(0);
	});

	it.each([
		['no Authorization', () => null],
		['a wrong secret', (s: string) => `Bearer ${s}x`],
		['the secret without Bearer', (s: string) => s],
		['an empty bearer', () => 'Bearer ']
	])('answers 401 to %s and stores nothing', async (_, auth) => {
		const { deps, secret, body, stored } = await setup();
		const answer = await receiveReceipt(deps, auth(secret), body());
		expect(answer).toMatchObject({ status: 401, body: { outcome: 'KO' } });
		expect(stored()).toBe(0);
	});

	it('answers 401 for an ente that is none of ours (no secret to check)', async () => {
		const { deps, secret, body, stored } = await setup();
		expect((await receiveReceipt(deps, `Bearer ${secret}`, body({ fiscalCode: '00856930102' }))).status).toBe(401);
		expect(stored()).toBe(0);
	});

	it('credits and tells a family whose settings were damaged by hand: the defaults stand in, the money is never held up', async () => {
		const { deps, secret, body, cart, db, f } = await setup();
		db.$client.prepare("UPDATE users SET notification_prefs = '{not json' WHERE id = ?").run(f.maria.id);
		expect(await receiveReceipt(deps, `Bearer ${secret}`, body())).toMatchObject({ status: 200, applied: { status: 'credited', paymentId: cart.payment.id } });
		expect(rows(db, "SELECT recipient FROM mail_outbox WHERE kind = 'ricarica'")).toEqual([{ recipient: 'maria.rossi@example.com' }]);
	});

	it('records and acknowledges a wrong amount without crediting, and queues no e-mail', async () => {
		const { deps, secret, body, cart, db } = await setup();
		const answer = await receiveReceipt(deps, `Bearer ${secret}`, body({ paymentAmount: 2400 }));
		expect(answer).toMatchObject({ status: 200, applied: { status: 'flagged', credited: false } });
		expect(rows(db, "SELECT count(*) AS n FROM mail_outbox WHERE kind = 'ricarica'")[0].n).toBe(0);
		expect(rows(db, 'SELECT status, transaction_id AS tx FROM payments WHERE id = ?', cart.payment.id)).toEqual([{ status: 'flagged', tx: null }]);
	});
});
