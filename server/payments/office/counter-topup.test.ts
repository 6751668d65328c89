import { beforeEach, describe, expect, it } from 'vitest';
import { checkLedger } from '../../ledger/accounts.js';
import { rows } from '../../meals/test-fixture.js';
import { recordCounterTopup, type CounterTopup } from './counter-topup.js';
import { officeFixture, type OfficeFixture } from './test-helpers.js';
import { noNotices } from '../credit.js';
import { creditNoticesFor } from '../alerts.js';

let o: OfficeFixture;
beforeEach(async () => {
	o = await officeFixture();
});
const topup = (input: Partial<CounterTopup> = {}, scope = o.scope, notices = noNotices) =>
	recordCounterTopup(o.db, o.clock, scope, 'Europe/Rome', o.actor, { consumerId: o.luca.id, serviceGroupId: o.refezione, amountCents: 2000, method: 'contanti', receiptNumber: 'R-2026/0042', ...input }, notices);

describe('ricarica allo sportello', () => {
	it('queues the family’s "ricarica accreditata" with the credit; a receipt number used again queues none', () => {
		const notices = creditNoticesFor({ db: o.db, clock: o.clock, origin: 'https://mensa.example.it' });
		const queued = () => rows(o.db, "SELECT recipient FROM mail_outbox WHERE kind = 'ricarica'").map((r) => r.recipient);
		expect(topup({}, o.scope, notices)).toMatchObject({ status: 'credited' });
		expect(queued()).toEqual(['maria.rossi@example.com']);
		expect(topup({ amountCents: 500 }, o.scope, notices)).toMatchObject({ status: 'rejected', code: 'DUPLICATE_RECEIPT' });
		expect(queued()).toEqual(['maria.rossi@example.com']);
	});

	it('credits the account through a paid sportello payment, with the receipt number and an audit entry', () => {
		const r = topup();
		expect(r).toMatchObject({ status: 'credited', balanceCents: 2000, consumerName: 'Luca Rossi', groupName: 'Refezione' });
		expect(o.balance(o.luca.id)).toBe(2000);
		const [p] = rows(o.db, 'SELECT channel, status, external_ref, amount_cents, transaction_id IS NOT NULL AS credited FROM payments');
		expect(p).toEqual({ channel: 'sportello', status: 'paid', external_ref: 'R-2026/0042', amount_cents: 2000, credited: 1 });
		expect(rows(o.db, "SELECT description FROM ledger_postings WHERE amount_cents > 0")).toEqual([{ description: 'Ricarica allo sportello (ricevuta R-2026/0042)' }]);
		expect(rows(o.db, "SELECT balance_cents AS b FROM ledger_accounts WHERE kind = 'cash'")).toEqual([{ b: -2000 }]);
		const audit = rows(o.db, "SELECT actor_user_id, details, ip FROM audit_log WHERE action = 'payments.counter_topup'");
		expect(audit).toHaveLength(1);
		expect(JSON.parse(String(audit[0].details))).toMatchObject({ amountCents: 2000, method: 'contanti', receiptNumber: 'R-2026/0042' });
		expect(checkLedger(o.db)).toEqual([]);
	});

	it('refuses a receipt number already used, whatever the amount or child, and changes nothing', () => {
		topup();
		const before = ['payments', 'payment_items', 'ledger_transactions', 'ledger_postings', 'audit_log'].map(o.count);
		const again = topup({ consumerId: o.sofia.id, amountCents: 5000, method: 'pos', receiptNumber: ' R-2026/0042 ' });
		expect(again).toMatchObject({ status: 'rejected', code: 'DUPLICATE_RECEIPT', field: 'receiptNumber', message: expect.stringMatching(/^Ricevuta già registrata/) });
		expect(['payments', 'payment_items', 'ledger_transactions', 'ledger_postings', 'audit_log'].map(o.count)).toEqual(before);
		expect([o.balance(o.luca.id), o.balance(o.sofia.id)]).toEqual([2000, 0]);
	});

	it('refuses another Comune’s pupil or group', () => {
		expect(topup({ consumerId: o.tommaso.id })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(topup({ serviceGroupId: o.chiusiRefezione })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(topup({}, o.chiusiScope)).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(o.count('payments')).toBe(0);
	});

	it('the same receipt number may exist in another Comune', () => {
		topup();
		const chiusi = topup({ consumerId: o.tommaso.id, serviceGroupId: o.chiusiRefezione }, o.chiusiScope);
		expect(chiusi).toMatchObject({ status: 'credited', balanceCents: 2000 });
	});
});
