import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fixedClock } from '../../clock.js';
import { ledgerTransactions, payments, serviceGroups, tenants } from '../../db/schema.js';
import { balanceOf, checkLedger, prepaidAccount } from '../../ledger/accounts.js';
import { fixtureOf, seededDb } from '../../meals/test-fixture.js';
import { lisCodeFor } from './code.js';
import { receiveLisNotification } from './notification.js';
import { signLisNotification } from './signature.js';
import { simulatorLisSecret } from './simulator.js';
import { randomBytes } from 'node:crypto';
import { createSealer } from '../../auth/sealed.js';
import { noNotices } from '../credit.js';
import { creditNoticesFor } from '../alerts.js';

const secrets = createSealer(randomBytes(32));

const NOW = '2026-11-23T11:00:00.000Z';

async function setup() {
	const db = await seededDb();
	const f = fixtureOf(db);
	const clock = fixedClock(NOW);
	const group = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, f.mazze.id)).get()!;
	const code = lisCodeFor(db, clock, f.scope, f.luca.id, group.id);
	const secret = simulatorLisSecret(db, secrets, f.mazze.id)!;
	const balance = () => balanceOf(db, prepaidAccount(db, f.mazze.id, f.luca.id, group.id, clock.now()));
	const counts = () => ({ payments: db.select().from(payments).all().length, transactions: db.select().from(ledgerTransactions).all().length });
	const send = (fields: Record<string, unknown>, key = secret, notices = noNotices) => {
		const rawBody = JSON.stringify({ transactionId: 'LIS-0001', code, amountCents: 2000, paidAt: '2026-11-23T11:58:00+01:00', pointName: 'Tabacchi Centrale', ...fields });
		const h = signLisNotification(key, rawBody, clock.now());
		return receiveLisNotification(db, clock, secrets, { rawBody, signature: h['X-Lis-Signature'], timestamp: h['X-Lis-Timestamp'] }, notices);
	};
	return { db, f, clock, group, code, secret, balance, counts, send };
}

describe('receiveLisNotification', () => {
	it('queues the family’s "ricarica accreditata" with the credit, once: a redelivery or a refusal queues none', async () => {
		const { db, clock, secret, send } = await setup();
		const notices = creditNoticesFor({ db, clock, origin: 'https://mensa.example.it' });
		const queued = () => db.$client.prepare("SELECT recipient FROM mail_outbox WHERE kind = 'ricarica'").pluck().all();
		expect(send({}, secret, notices)).toMatchObject({ status: 'credited', replay: false });
		expect(queued()).toEqual(['maria.rossi@example.com']);
		expect(send({}, secret, notices)).toMatchObject({ status: 'credited', replay: true });
		expect(send({ transactionId: 'LIS-0002' }, 'not-the-secret-of-this-comune-at-all', notices)).toMatchObject({ status: 'unauthorized' });
		expect(queued()).toEqual(['maria.rossi@example.com']);
	});

	it('credits the account once; a redelivery answers the same and changes nothing', async () => {
		const { db, f, balance, counts, send } = await setup();
		const before = balance();
		const first = send({});
		expect(first).toEqual({
			status: 'credited',
			replay: false,
			credit: { transactionId: 'LIS-0001', paymentId: expect.any(Number), amountCents: 2000, consumer: 'Luca Rossi', serviceGroup: 'Refezione', creditedAt: NOW }
		});
		expect(balance()).toBe(before + 2000);
		const after = counts();
		for (let i = 0; i < 4; i++) expect(send({})).toEqual({ ...first, replay: true });
		expect(counts()).toEqual(after);
		expect(balance()).toBe(before + 2000);

		const p = db.select().from(payments).where(eq(payments.externalRef, 'LIS-0001')).get()!;
		expect(p).toMatchObject({ channel: 'lis', status: 'paid', amountCents: 2000, tenantId: f.mazze.id });
		expect(p.description).toBe('Ricarica Punto LIS pagata il 23/11/2026 alle 11:58:00 (Tabacchi Centrale)');
		const tx = db.select().from(ledgerTransactions).where(eq(ledgerTransactions.id, p.transactionId!)).get()!;
		expect(tx.description).toBe('Ricarica Punto LIS (operazione LIS-0001)');
		expect(checkLedger(db)).toEqual([]);
	});

	it('refuses the same transaction id with another amount or code (409), and stores nothing for it', async () => {
		const { db, f, clock, group, balance, counts, send } = await setup();
		send({});
		const state = { ...counts(), balance: balance() };
		expect(send({ amountCents: 2500 })).toEqual({ status: 'conflict' });
		expect(send({ code: lisCodeFor(db, clock, f.scope, f.sofia.id, group.id) })).toEqual({ status: 'conflict' });
		expect({ ...counts(), balance: balance() }).toEqual(state);
	});

	it('refuses a wrong key, an old timestamp, an unknown code and a malformed body, storing nothing', async () => {
		const { clock, code, secret, balance, counts, send } = await setup();
		const state = { ...counts(), balance: balance() };
		expect(send({}, 'f'.repeat(64))).toEqual({ status: 'unauthorized', reason: 'Firma non valida.' });
		expect(send({ code: code.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })).toEqual({ status: 'unknown_code' });
		expect(send({ code: code.replace('84001550015', '80184430587') })).toEqual({ status: 'unknown_code' });
		expect(send({ amountCents: 0 })).toMatchObject({ status: 'malformed' });
		expect(send({ amountCents: 20.5 })).toMatchObject({ status: 'malformed' });
		expect(send({ amountCents: 150_001 })).toMatchObject({ status: 'malformed' });
		expect(send({ paidAt: 'ieri' })).toMatchObject({ status: 'malformed' });
		expect(send({ transactionId: '' })).toMatchObject({ status: 'malformed' });
		const stale = JSON.stringify({ transactionId: 'LIS-OLD', code, amountCents: 2000, paidAt: NOW });
		const h = signLisNotification(secret, stale, new Date(clock.now().getTime() - 6 * 60_000));
		expect(receiveLisNotification((await setup()).db, clock, secrets, { rawBody: stale, signature: h['X-Lis-Signature'], timestamp: h['X-Lis-Timestamp'] }, noNotices)).toMatchObject({
			status: 'unauthorized'
		});
		expect({ ...counts(), balance: balance() }).toEqual(state);
	});

	it('credits a Comune whose payments are paused: the retailer already has the money', async () => {
		const { db, f, balance, send } = await setup();
		const stored = JSON.parse(db.select().from(tenants).where(eq(tenants.id, f.mazze.id)).get()!.paymentSettings);
		db.update(tenants)
			.set({ paymentSettings: JSON.stringify({ ...stored, pause: { from: '2026-11-01', resumeOn: '2027-01-10', message: 'Sospesi' } }) })
			.where(eq(tenants.id, f.mazze.id))
			.run();
		const before = balance();
		expect(send({ transactionId: 'LIS-PAUSA' })).toMatchObject({ status: 'credited' });
		expect(balance()).toBe(before + 2000);
	});

	it('has no key to check with in live mode until one is set, and the simulator makes none there', async () => {
		const { db, f } = await setup();
		db.update(tenants).set({ paymentSettings: JSON.stringify({ lis: { mode: 'live' } }) }).where(eq(tenants.id, f.chiusi.id)).run();
		expect(simulatorLisSecret(db, secrets, f.chiusi.id)).toBeNull();
		expect(JSON.parse(db.select().from(tenants).where(eq(tenants.id, f.chiusi.id)).get()!.paymentSettings)).toEqual({ lis: { mode: 'live' } });
		// Mazzè's key, made once, is kept.
		expect(simulatorLisSecret(db, secrets, f.mazze.id)).toMatch(/^[0-9a-f]{64}$/);
		expect(simulatorLisSecret(db, secrets, f.mazze.id)).toBe(simulatorLisSecret(db, secrets, f.mazze.id));
	});
});
