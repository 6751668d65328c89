import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkLedger } from '../../ledger/accounts.js';
import { rows } from '../../meals/test-fixture.js';
import { refundBalance, transferBalance, type Refund, type Transfer } from './adjustments.js';
import { recordCounterTopup } from './counter-topup.js';
import { officeFixture, type OfficeFixture } from './test-helpers.js';
import { noNotices } from '../credit.js';

let o: OfficeFixture;
beforeEach(async () => {
	o = await officeFixture();
	recordCounterTopup(o.db, o.clock, o.scope, 'Europe/Rome', o.actor, { consumerId: o.luca.id, serviceGroupId: o.refezione, amountCents: 3000, method: 'pos', receiptNumber: 'R1' }, noNotices);
});
const refund = (input: Partial<Refund> = {}) =>
	refundBalance(o.db, o.clock, o.scope, 'Europe/Rome', o.actor, { requestId: randomUUID(), consumerId: o.luca.id, serviceGroupId: o.refezione, amountCents: 1000, reason: 'Trasferimento ad altro Comune', ...input });
const transfer = (input: Partial<Transfer> = {}) =>
	transferBalance(o.db, o.clock, o.scope, 'Europe/Rome', o.actor, {
		requestId: randomUUID(),
		fromConsumerId: o.luca.id,
		toConsumerId: o.sofia.id,
		serviceGroupId: o.refezione,
		amountCents: 1200,
		reason: 'Richiesta della madre',
		...input
	});
const statement = (consumerId: number) =>
	rows(o.db, "SELECT p.description, p.amount_cents AS cents FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE a.kind = 'prepaid' AND a.consumer_id = ? ORDER BY p.id", consumerId);

describe('rimborso', () => {
	it('debits the prepaid account into the refunds account, with the reason in the estratto conto', () => {
		const r = refund();
		expect(r).toMatchObject({ status: 'posted', description: 'Rimborso: Trasferimento ad altro Comune' });
		expect(o.balance(o.luca.id)).toBe(2000);
		expect(statement(o.luca.id).at(-1)).toEqual({ description: 'Rimborso: Trasferimento ad altro Comune', cents: -1000 });
		expect(rows(o.db, "SELECT balance_cents AS b FROM ledger_accounts WHERE kind = 'refunds'")).toEqual([{ b: 1000 }]);
		expect(rows(o.db, "SELECT external_id, kind, created_by FROM ledger_transactions WHERE kind = 'refund'")).toEqual([
			{ external_id: expect.stringMatching(new RegExp(`^adjustment:${o.mazze.id}:[0-9a-f-]{36}$`)), kind: 'refund', created_by: o.operator.id }
		]);
		expect(rows(o.db, "SELECT count(*) AS n FROM audit_log WHERE action = 'payments.refund'")[0].n).toBe(1);
		expect(checkLedger(o.db)).toEqual([]);
	});

	it('is idempotent on the form’s request id: sent twice, it moves money once', () => {
		const requestId = randomUUID();
		const first = refund({ requestId, amountCents: 3000 });
		const second = refund({ requestId, amountCents: 3000 });
		expect(first).toMatchObject({ status: 'posted' });
		expect(second).toMatchObject({ status: 'duplicate', transactionId: (first as { transactionId: number }).transactionId });
		expect(o.balance(o.luca.id)).toBe(0);
	});

	it('cannot exceed the positive balance, and says so; with no credit at all it says there is none', () => {
		expect(refund({ amountCents: 3001 })).toMatchObject({ status: 'rejected', code: 'OVER_BALANCE', field: 'amount', message: 'Importo superiore al saldo disponibile (30,00 €): si può rimborsare al massimo il saldo positivo.' });
		expect(refund({ consumerId: o.anna.id })).toMatchObject({ status: 'rejected', code: 'OVER_BALANCE', message: 'Il saldo è 0,00 €: non c’è credito da rimborsare.' });
		expect(o.count('ledger_transactions')).toBe(1);
	});

	it('refuses another Comune’s account', () => {
		expect(refund({ consumerId: o.tommaso.id })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(refundBalance(o.db, o.clock, o.chiusiScope, 'Europe/Rome', o.actor, { requestId: randomUUID(), consumerId: o.luca.id, serviceGroupId: o.refezione, amountCents: 100, reason: 'x' })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
	});
});

describe('giroconto', () => {
	it('moves credit between siblings (same applicant), each side with its own description', () => {
		expect(transfer()).toMatchObject({ status: 'posted', description: 'Giroconto a Sofia: Richiesta della madre' });
		expect([o.balance(o.luca.id), o.balance(o.sofia.id)]).toEqual([1800, 1200]);
		expect(statement(o.sofia.id)).toEqual([{ description: 'Giroconto da Luca: Richiesta della madre', cents: 1200 }]);
		expect(statement(o.luca.id).at(-1)).toEqual({ description: 'Giroconto a Sofia: Richiesta della madre', cents: -1200 });
		expect(rows(o.db, "SELECT count(*) AS n FROM audit_log WHERE action = 'payments.transfer'")[0].n).toBe(1);
		expect(checkLedger(o.db)).toEqual([]);
	});

	it('refuses children of different applicants, and another Comune’s child', () => {
		expect(transfer({ toConsumerId: o.anna.id })).toMatchObject({
			status: 'rejected',
			code: 'NOT_SIBLINGS',
			field: 'toConsumerId',
			message: 'Luca Rossi e Anna Ferrari non sono fratelli per il Comune (nessun richiedente in comune nelle iscrizioni): il giroconto non è consentito.'
		});
		expect(transfer({ toConsumerId: o.tommaso.id })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(transfer({ toConsumerId: o.luca.id })).toMatchObject({ status: 'rejected', code: 'NOT_SIBLINGS' });
		expect(o.count('ledger_transactions')).toBe(1);
	});

	it('cannot move more than the credit, and a resend moves nothing more', () => {
		expect(transfer({ amountCents: 3500 })).toMatchObject({ status: 'rejected', code: 'OVER_BALANCE', message: expect.stringContaining('girare al massimo') });
		const requestId = randomUUID();
		transfer({ requestId, amountCents: 3000 });
		expect(transfer({ requestId, amountCents: 3000 })).toMatchObject({ status: 'duplicate' });
		expect([o.balance(o.luca.id), o.balance(o.sofia.id)]).toEqual([0, 3000]);
	});
});
