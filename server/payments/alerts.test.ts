import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { serviceGroups, users } from '../db/schema.js';
import { prepaidAccount, systemAccount } from '../ledger/accounts.js';
import { postTransaction } from '../ledger/post.js';
import { NOV_2026, fixtureOf, rows, seededDb } from '../meals/test-fixture.js';
import { balanceLevel, creditedMessages, reviewBalanceAlerts } from './alerts.js';
import { createCart } from './carts.js';
import { applyReceipt } from './receipts.js';
import { noNotices } from './credit.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
const clock = fixedClock(NOV_2026);
let account: number;
let price: number;
let n = 0;

const move = (cents: number) => {
	const equity = systemAccount(db, f.mazze.id, 'migration_equity', clock.now());
	postTransaction(db, {
		tenantId: f.mazze.id, kind: 'test', externalId: `t-${++n}`, description: 'prova', createdBy: null, at: clock.now(),
		postings: [{ accountId: account, amountCents: cents, valueDate: '2026-11-02', description: 'prova' }, { accountId: equity, amountCents: -cents, valueDate: '2026-11-02', description: 'prova' }]
	});
};
/** The e-mails a review put in the outbox. */
const review = () => {
	const before = rows(db, 'SELECT coalesce(max(id), 0) AS id FROM mail_outbox')[0].id;
	const queued = reviewBalanceAlerts(db, clock, 'https://mensa.example', [account]);
	const mails = rows(db, `SELECT recipient AS "to", subject, body AS text, kind FROM mail_outbox WHERE id > ? ORDER BY id`, before);
	expect(mails).toHaveLength(queued);
	return mails as { to: string; subject: string; text: string; kind: string }[];
};

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	const group = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, f.mazze.id)).get()!.id;
	account = prepaidAccount(db, f.mazze.id, f.luca.id, group, clock.now());
	price = rows(db, `SELECT b.meal_price_cents AS p FROM enrolments e JOIN tariff_bands b ON b.id = e.tariff_band_id WHERE e.consumer_id = ?`, f.luca.id)[0].p as number;
});

describe('balance alerts', () => {
	it('levels: negative below zero, low under the threshold in meals, never low at a zero tariff', () => {
		expect(balanceLevel(-1, 500, 3)).toBe('negative');
		expect(balanceLevel(1499, 500, 3)).toBe('low');
		expect(balanceLevel(1500, 500, 3)).toBe('ok');
		expect(balanceLevel(0, 0, 3)).toBe('ok');
	});

	it('e-mails once per crossing, not at every meal, and re-arms after a top-up', () => {
		expect(price).toBeGreaterThan(0);
		move(10 * price);
		expect(review()).toEqual([]);
		move(-8 * price); // 2 meals left: below the default 3
		const low = review();
		expect(low).toHaveLength(1);
		expect(low[0]).toMatchObject({ kind: 'saldo_basso', to: f.maria.email, subject: expect.stringMatching(/Saldo Refezione di Luca sta per finire/) });
		expect(low[0].text).toContain('https://mensa.example/ricarica?consumer=');
		move(-price); // still low: no second e-mail
		expect(review()).toEqual([]);
		move(-2 * price); // below zero: one more, different, e-mail
		const negative = review();
		expect(negative).toHaveLength(1);
		expect(negative[0].subject).toMatch(/è negativo/);
		expect(review()).toEqual([]);
		move(20 * price); // topped up: nothing to say, but armed again
		expect(review()).toEqual([]);
		move(-19 * price);
		expect(review()).toHaveLength(1);
	});

	it('counts meals at the price of the day: a price change from a date, the reduction for a younger sibling', () => {
		// Luca's band costs twice as much from 1 November: five old meals are two and a half new ones, below 3.
		db.$client.prepare(`INSERT INTO tariff_prices (tenant_id, tariff_band_id, valid_from, meal_price_cents, created_by, created_at)
			SELECT tenant_id, tariff_band_id, '2026-11-01', ? * 2, 'ufficio', 0 FROM enrolments WHERE consumer_id = ?`).run(price, f.luca.id);
		move(5 * price);
		expect(review()).toHaveLength(1);

		// Sofia, younger than Luca, same applicant, same band (now doubled): at 50 % off, three old prices are 3 of her meals (1½ without the reduction): not low.
		db.$client.prepare('UPDATE school_years SET sibling_discount_pct = 50 WHERE tenant_id = ?').run(f.mazze.id);
		const group = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, f.mazze.id)).get()!.id;
		account = prepaidAccount(db, f.mazze.id, f.sofia.id, group, clock.now());
		const sofiaPrice = rows(db, `SELECT b.meal_price_cents AS p FROM enrolments e JOIN tariff_bands b ON b.id = e.tariff_band_id WHERE e.consumer_id = ?`, f.sofia.id)[0].p as number;
		move(3 * sofiaPrice);
		expect(review()).toEqual([]);
		move(-1); // just under 3 reduced meals: now low
		expect(review()).toHaveLength(1);
	});

	it('follows the guardian’s own threshold and switch', () => {
		db.update(users).set({ notificationPrefs: JSON.stringify({ lowBalanceMeals: 12, lowBalanceEmail: true }) }).where(eq(users.id, f.maria.id)).run();
		move(10 * price);
		expect(review()).toHaveLength(1);
		db.update(users).set({ notificationPrefs: JSON.stringify({ lowBalanceEmail: false }) }).where(eq(users.id, f.maria.id)).run();
		move(-11 * price);
		expect(review()).toEqual([]);
	});

	it('tells the guardian a top-up was credited, with the new balance', () => {
		const group = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, f.mazze.id)).get()!.id;
		const cart = createCart(db, clock, f.scope, f.mazze, { ...f.maria, codiceFiscale: f.maria.codiceFiscale ?? 'RSSMRA80A41F205X' }, 'pagopa_online', [{ consumerId: f.luca.id, serviceGroupId: group, amountCents: 2500 }]);
		if (cart.status !== 'created') throw new Error(cart.message);
		const p = cart.payment;
		applyReceipt(db, clock, { receiptId: 'r1', noticeNumber: p.noticeNumber!, fiscalCode: f.mazze.codiceFiscaleEnte, creditorReferenceId: p.noticeNumber!.slice(1), paymentAmountCents: 2500, outcome: 'OK', paymentDateTime: '2026-11-02T10:00:00' }, '{}', noNotices);
		const [mail] = creditedMessages(db, 'https://mensa.example', p.id);
		expect(mail).toMatchObject({ to: f.maria.email, subject: expect.stringMatching(/^Ricarica accreditata/) });
		expect(mail.text).toContain('Luca — Refezione: +25,00 €, nuovo saldo 25,00 €');
	});
});
