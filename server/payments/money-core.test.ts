import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { payments, serviceGroups, tenants } from '../db/schema.js';
import { balanceOf, checkLedger, prepaidAccount, systemAccount } from '../ledger/accounts.js';
import { LedgerError, postTransaction } from '../ledger/post.js';
import { NOV_2026, fixtureOf, rows, seededDb, type TestClock } from '../meals/test-fixture.js';
import { allocateNoticeNumber, createCart, markRefusedByPagopa, type Payer } from './carts.js';
import { isValidNoticeNumber } from './notice-number.js';
import { applyReceipt, expireOverduePayments, type Receipt } from './receipts.js';
import { noNotices } from './credit.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
let clock: TestClock;
let refezione: number;
let payer: Payer;

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	clock = fixedClock(NOV_2026);
	refezione = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, f.mazze.id)).get()!.id;
	payer = { ...f.maria, codiceFiscale: f.maria.codiceFiscale ?? 'RSSMRA80A41F205X' };
});

const balance = (consumerId: number) => balanceOf(db, prepaidAccount(db, f.mazze.id, consumerId, refezione, clock.now()));
const cart = (channel: 'pagopa_online' | 'pagopa_avviso' = 'pagopa_avviso') => {
	const r = createCart(db, clock, f.scope, f.mazze, payer, channel, [
		{ consumerId: f.luca.id, serviceGroupId: refezione, amountCents: 3000 },
		{ consumerId: f.sofia.id, serviceGroupId: refezione, amountCents: 2050 }
	]);
	if (r.status !== 'created') throw new Error(r.message);
	return r.payment;
};
let n = 0;
const receiptFor = (p: { noticeNumber: string | null; amountCents: number }, over: Partial<Receipt> = {}): Receipt => ({
	receiptId: `R-${++n}`,
	noticeNumber: p.noticeNumber!,
	fiscalCode: f.mazze.codiceFiscaleEnte,
	creditorReferenceId: p.noticeNumber!.slice(1),
	paymentAmountCents: p.amountCents,
	outcome: 'OK',
	paymentDateTime: '2026-11-02T10:00:00',
	...over
});
const apply = (r: Receipt) => applyReceipt(db, clock, r, JSON.stringify(r), noNotices);
const paymentRow = (id: number) => db.select().from(payments).where(eq(payments.id, id)).get()!;

describe('postTransaction', () => {
	it('posts balanced transactions once per external id and keeps the cached balance equal to the sum', () => {
		const a = prepaidAccount(db, f.mazze.id, f.luca.id, refezione, clock.now());
		const cash = systemAccount(db, f.mazze.id, 'cash', clock.now());
		const t = { tenantId: f.mazze.id, kind: 'test', externalId: 'x:1', description: 'prova', createdBy: null, at: clock.now(), postings: [{ accountId: a, amountCents: 1234, valueDate: '2026-11-02', description: 'prova' }, { accountId: cash, amountCents: -1234, valueDate: '2026-11-02', description: 'prova' }] };
		const first = postTransaction(db, t);
		expect(first.status).toBe('posted');
		expect(postTransaction(db, t)).toEqual({ status: 'duplicate', transactionId: first.transactionId });
		expect(balanceOf(db, a)).toBe(1234);
		expect(checkLedger(db)).toEqual([]);
	});

	it('refuses unbalanced, single-posting and fractional transactions, writing nothing', () => {
		const a = prepaidAccount(db, f.mazze.id, f.luca.id, refezione, clock.now());
		const cash = systemAccount(db, f.mazze.id, 'cash', clock.now());
		const base = { tenantId: f.mazze.id, kind: 'test', description: 'prova', createdBy: null, at: clock.now() };
		const p = (accountId: number, amountCents: number) => ({ accountId, amountCents, valueDate: '2026-11-02', description: 'x' });
		expect(() => postTransaction(db, { ...base, externalId: 'u', postings: [p(a, 100), p(cash, -99)] })).toThrow(LedgerError);
		expect(() => postTransaction(db, { ...base, externalId: 's', postings: [p(a, 0)] })).toThrow(LedgerError);
		expect(() => postTransaction(db, { ...base, externalId: 'f', postings: [p(a, 0.5), p(cash, -0.5)] })).toThrow(LedgerError);
		expect(rows(db, 'SELECT count(*) AS n FROM ledger_transactions')[0].n).toBe(0);
	});

	it('keeps ledger rows append-only: the database refuses UPDATE and DELETE', () => {
		cart();
		const p = cart();
		apply(receiptFor(p));
		expect(() => db.$client.prepare('UPDATE ledger_postings SET amount_cents = 1').run()).toThrow(/append-only/);
		expect(() => db.$client.prepare('DELETE FROM ledger_postings').run()).toThrow(/append-only/);
		expect(() => db.$client.prepare("UPDATE ledger_transactions SET description = 'x'").run()).toThrow(/append-only/);
		expect(() => db.$client.prepare('DELETE FROM ledger_transactions').run()).toThrow(/append-only/);
	});

	it('check-ledger reports a cached balance that drifted from its postings', () => {
		const a = prepaidAccount(db, f.mazze.id, f.luca.id, refezione, clock.now());
		db.$client.prepare('UPDATE ledger_accounts SET balance_cents = 5 WHERE id = ?').run(a);
		expect(checkLedger(db).map((p) => p.kind)).toEqual(['balance_mismatch']);
		expect(checkLedger(db, f.chiusi.id)).toEqual([]);
	});
});

describe('notice numbers of a Comune', () => {
	it('are all valid and never repeat across 100,000 draws per Comune', () => {
		for (const tenant of [f.mazze, f.chiusi]) {
			const seen = new Set<string>();
			db.transaction(() => {
				for (let i = 0; i < 100_000; i++) seen.add(allocateNoticeNumber(db, tenant.id, '01').noticeNumber);
			});
			expect(seen.size).toBe(100_000);
			expect([...seen].filter((notice) => !isValidNoticeNumber(notice) || !notice.startsWith('301'))).toEqual([]);
		}
	});
});

describe('createCart', () => {
	it('makes one payment with one notice number for several children', () => {
		const p = cart();
		expect(p).toMatchObject({ status: 'created', amountCents: 5050, dueDate: '2026-12-02', payerFiscalCode: payer.codiceFiscale });
		expect(isValidNoticeNumber(p.noticeNumber!)).toBe(true);
		expect(p.description).toMatch(/^Ricarica Refezione — Luca Rossi, Sofia Rossi$/);
		expect(rows(db, 'SELECT consumer_id, amount_cents FROM payment_items WHERE payment_id = ? ORDER BY id', p.id)).toEqual([
			{ consumer_id: f.luca.id, amount_cents: 3000 },
			{ consumer_id: f.sofia.id, amount_cents: 2050 }
		]);
	});

	it('numbers each Comune’s notices on its own: two Comuni may use the same notice number', () => {
		const first = cart();
		const chiusiGroup = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, f.chiusi.id)).get()!.id;
		const mario = { id: 'mario', codiceFiscale: 'BNCMRA79D10C663Z', fiscalCodeVerifiedAt: new Date(NOV_2026), givenName: 'Mario', familyName: 'Bianchi' };
		const other = createCart(db, clock, f.chiusiScope, f.chiusi, mario, 'pagopa_avviso', [{ consumerId: f.tommaso.id, serviceGroupId: chiusiGroup, amountCents: 1000 }]);
		expect(other).toMatchObject({ status: 'created', payment: { noticeNumber: first.noticeNumber, tenantId: f.chiusi.id } });
		// A receipt names the ente by its fiscal code: it credits the right Comune's payment.
		expect(apply(receiptFor(first))).toEqual({ status: 'credited', paymentId: first.id });
		expect(paymentRow(other.status === 'created' ? other.payment.id : 0).status).toBe('created');
	});

	it('refuses another family’s child and a paused Comune, creating nothing', () => {
		const other = createCart(db, clock, f.scope, f.mazze, payer, 'pagopa_online', [{ consumerId: f.anna.id, serviceGroupId: refezione, amountCents: 1000 }]);
		expect(other).toMatchObject({ status: 'rejected', code: 'NOT_YOUR_CONSUMER' });
		db.update(tenants).set({ paymentSettings: JSON.stringify({ pause: { from: '2026-11-01', resumeOn: '2026-11-10', message: 'Pagamenti sospesi fino al 10/11.' } }) }).where(eq(tenants.id, f.mazze.id)).run();
		const paused = createCart(db, clock, f.scope, f.tenant('mazze'), payer, 'pagopa_online', [{ consumerId: f.luca.id, serviceGroupId: refezione, amountCents: 1000 }]);
		expect(paused).toEqual({ status: 'rejected', code: 'PAYMENTS_PAUSED', message: 'Pagamenti sospesi fino al 10/11.' });
		expect(rows(db, 'SELECT count(*) AS n FROM payments')[0].n).toBe(0);
	});
});

describe('applyReceipt', () => {
	it('credits both children once, however many times the receipt is delivered', () => {
		const p = cart();
		const r = receiptFor(p);
		expect(apply(r)).toEqual({ status: 'credited', paymentId: p.id });
		for (let i = 0; i < 4; i++) expect(apply(r)).toEqual({ status: 'duplicate' });
		expect([balance(f.luca.id), balance(f.sofia.id)]).toEqual([3000, 2050]);
		expect(paymentRow(p.id).status).toBe('paid');
		expect(rows(db, 'SELECT redeliveries FROM receipts')).toEqual([{ redeliveries: 4 }]);
		expect(rows(db, 'SELECT description FROM ledger_postings WHERE amount_cents > 0 ORDER BY id')[0].description).toMatch(/^Ricarica pagoPA avviso 3\d{3} \d{4} \d{4} \d{4} \d{2}$/);
		expect(checkLedger(db)).toEqual([]);
	});

	it('flags a wrong amount, an unknown notice, a KO and a second receipt for a paid notice, crediting none of them', () => {
		const p = cart();
		expect(apply(receiptFor(p, { paymentAmountCents: 5000 }))).toMatchObject({ status: 'flagged', credited: false, flag: expect.stringMatching(/Importo pagato 50,00 € diverso da quello dovuto 50,50 €/) });
		expect(paymentRow(p.id).status).toBe('flagged');
		const q = cart();
		expect(apply(receiptFor({ noticeNumber: '301000000000004285', amountCents: 100 }))).toMatchObject({ status: 'flagged', paymentId: null, credited: false });
		expect(apply(receiptFor(q, { outcome: 'KO' }))).toEqual({ status: 'ko', paymentId: q.id });
		expect(apply(receiptFor(q))).toEqual({ status: 'credited', paymentId: q.id });
		expect(apply(receiptFor(q))).toMatchObject({ status: 'flagged', credited: false, flag: expect.stringMatching(/Pagamento doppio/) });
		expect([balance(f.luca.id), balance(f.sofia.id)]).toEqual([3000, 2050]);
		expect(rows(db, 'SELECT status, count(*) AS n FROM receipts GROUP BY status ORDER BY status')).toEqual([
			{ status: 'credited', n: 1 },
			{ status: 'flagged', n: 3 },
			{ status: 'ko', n: 1 }
		]);
		expect(checkLedger(db)).toEqual([]);
	});

	it('flags, never drops, a receipt id seen again with other content', () => {
		const p = cart();
		const r = receiptFor(p);
		apply(r);
		expect(apply({ ...r, paymentAmountCents: 1 })).toMatchObject({ status: 'flagged', credited: false, flag: expect.stringMatching(/ripetuta con dati diversi/) });
		expect(rows(db, 'SELECT status, redeliveries FROM receipts')).toEqual([{ status: 'flagged', redeliveries: 1 }]);
		expect([balance(f.luca.id), balance(f.sofia.id)]).toEqual([3000, 2050]);
	});

	it('expires unpaid avvisi after their due date; a late payment is still credited, and flagged', () => {
		const p = cart();
		clock.set('2026-12-02T12:00:00Z');
		expect(expireOverduePayments(db, clock)).toBe(0);
		clock.set('2026-12-03T12:00:00Z');
		expect(expireOverduePayments(db, clock)).toBe(1);
		expect(paymentRow(p.id).status).toBe('expired');
		expect(apply(receiptFor(p, { paymentDateTime: '2026-12-03T08:15:00' }))).toMatchObject({ status: 'flagged', credited: true, flag: expect.stringMatching(/dopo la scadenza del 02\/12\/2026/) });
		expect(paymentRow(p.id).status).toBe('flagged');
		expect(balance(f.luca.id)).toBe(3000);
	});

	it('a receipt for an avviso pagoPA had refused: the money is credited, and the ufficio asked to check', () => {
		const p = cart();
		markRefusedByPagopa(db, clock, p.id);
		expect(paymentRow(p.id).status).toBe('cancelled');
		expect(apply(receiptFor(p))).toMatchObject({ status: 'flagged', credited: true, flag: 'Pagato un avviso che pagoPA risultava aver rifiutato (alla famiglia era stato detto «nessun addebito»). Accreditato, da verificare.' });
		expect(paymentRow(p.id).status).toBe('flagged');
		expect([balance(f.luca.id), balance(f.sofia.id)]).toEqual([3000, 2050]);
		// Refused, and paid after the due date too: the ufficio is told both.
		const both = cart();
		markRefusedByPagopa(db, clock, both.id);
		expect(apply(receiptFor(both, { paymentDateTime: '2026-12-05T10:00:00' }))).toMatchObject({
			flag: 'Pagato un avviso che pagoPA risultava aver rifiutato (alla famiglia era stato detto «nessun addebito»). Pagato dopo la scadenza del 02/12/2026. Accreditato, da verificare.'
		});
	});

	it('paid on the due date, its receipt delivered after the expiry job: credited as paid, nothing to check', () => {
		const p = cart();
		clock.set('2026-12-03T02:00:00Z');
		expect(expireOverduePayments(db, clock)).toBe(1);
		expect(apply(receiptFor(p, { paymentDateTime: '2026-12-02T21:00:00' }))).toEqual({ status: 'credited', paymentId: p.id });
		expect(paymentRow(p.id)).toMatchObject({ status: 'paid', flag: null });
		expect(balance(f.luca.id)).toBe(3000);
	});

	it('paid after the due date, before the expiry job ran: flagged all the same; a UTC time counts in Rome', () => {
		const late = cart();
		const onTime = cart();
		clock.set('2026-12-03T00:10:00Z');
		// 23:30 UTC on the 2nd is 00:30 on the 3rd in Rome: a day late.
		expect(apply(receiptFor(late, { paymentDateTime: '2026-12-02T23:30:00Z' }))).toMatchObject({ status: 'flagged', credited: true, flag: expect.stringMatching(/dopo la scadenza/) });
		expect(apply(receiptFor(onTime, { paymentDateTime: '2026-12-02T22:30:00.000Z' }))).toEqual({ status: 'credited', paymentId: onTime.id });
		// A time that does not parse is judged by its date, never thrown on (pagoPA would redeliver it forever).
		const odd = cart();
		expect(apply(receiptFor(odd, { paymentDateTime: '2026-12-02T25:00:00Z' }))).toEqual({ status: 'credited', paymentId: odd.id });
	});
});
