import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { tenants } from '../db/schema.js';
import { fixtureOf, seededDb } from '../meals/test-fixture.js';
import { balanceOf, prepaidAccount } from '../ledger/accounts.js';
import { loadAvviso } from './avviso.js';
import { isValidNoticeNumber } from './notice-number.js';
import type { PagopaGateway } from './pagopa/gateway.js';
import { listOwnPayments, ricaricaAccounts, startRicarica, type RicaricaDeps } from './ricarica.js';

const NOW = '2026-11-23T11:00:00Z';
const count = (db: Db, table: string) => db.$client.prepare(`select count(*) from ${table}`).pluck().get() as number;

/** A pagoPA that records what it was asked, or fails like one that does not answer. */
function fakeGateway(fail = false) {
	const calls: { kind: 'publish' | 'checkout'; paymentId: number; returnOk?: string; email?: string | null }[] = [];
	const gateway: PagopaGateway = {
		async publishDebtPosition(_ente, payment) {
			if (fail) throw new Error('ECONNREFUSED');
			calls.push({ kind: 'publish', paymentId: payment.id });
		},
		async startCheckout(_ente, payment, _lines, returnUrls, emailNotice) {
			if (fail) throw new Error('ECONNREFUSED');
			calls.push({ kind: 'checkout', paymentId: payment.id, returnOk: returnUrls.returnOkUrl, email: emailNotice });
			return { location: `https://checkout.example/c/${payment.id}` };
		}
	};
	return { gateway, calls };
}

let db: Db;
let f: ReturnType<typeof fixtureOf>;
const deps = (gateway: PagopaGateway): RicaricaDeps => ({ db, clock: fixedClock(NOW), scope: f.scope, tenant: f.tenant('mazze'), gateway, origin: 'https://mensa.example' });

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
});

describe('ricaricaAccounts', () => {
	it('lists each of Maria’s children in Refezione with the saldo, 0 before any posting', () => {
		const accounts = ricaricaAccounts(db, f.scope, f.maria);
		expect(accounts.map((a) => [a.givenName, a.groupName])).toEqual([
			['Luca', 'Refezione'],
			['Sofia', 'Refezione']
		]);
		for (const a of accounts) {
			const id = prepaidAccount(db, f.mazze.id, a.consumerId, a.serviceGroupId, new Date(NOW));
			expect(a.balanceCents).toBe(balanceOf(db, id));
		}
	});

	it('shows no child of another family', () => {
		const ids = ricaricaAccounts(db, f.scope, f.maria).map((a) => a.consumerId);
		expect(ids).not.toContain(f.anna.id);
		expect(ids).not.toContain(f.tommaso.id);
	});
});

describe('startRicarica', () => {
	const group = () => ricaricaAccounts(db, f.scope, f.maria)[0].serviceGroupId;
	const twoChildren = () => [
		{ consumerId: f.luca.id, serviceGroupId: group(), amountCents: 2_000 },
		{ consumerId: f.sofia.id, serviceGroupId: group(), amountCents: 5_050 }
	];

	it('genera avviso: one payment for two children, published, then pending', async () => {
		const { gateway, calls } = fakeGateway();
		const outcome = await startRicarica(deps(gateway), f.maria, 'pagopa_avviso', twoChildren());
		expect(outcome.status).toBe('avviso');
		if (outcome.status !== 'avviso') return;
		expect(outcome.amountCents).toBe(7_050);
		expect(isValidNoticeNumber(outcome.noticeNumber)).toBe(true);
		expect(outcome.noticeNumberFormatted).toMatch(/^\d{4} \d{4} \d{4} \d{4} \d{2}$/);
		expect(outcome.dueDate).toBe('2026-12-23');
		expect(calls).toEqual([{ kind: 'publish', paymentId: outcome.paymentId }]);
		const [payment] = listOwnPayments(db, f.scope, f.maria.id);
		expect(payment).toMatchObject({ id: outcome.paymentId, status: 'pending', channel: 'pagopa_avviso', amountCents: 7_050 });
		expect(count(db, 'payment_items')).toBe(2);
		expect(loadAvviso(db, f.scope, f.tenant('mazze'), f.maria.id, outcome.paymentId)).toMatchObject({
			ente: { name: 'Comune di Mazzè', codiceFiscale: '84001550015' },
			payer: { name: 'Maria Rossi', codiceFiscale: 'RSSMRA85C52L219F' },
			amountCents: 7_050,
			noticeNumber: outcome.noticeNumber
		});
	});

	it('paga online: Checkout with our return pages and Maria’s e-mail, then pending', async () => {
		const { gateway, calls } = fakeGateway();
		const outcome = await startRicarica(deps(gateway), f.maria, 'pagopa_online', twoChildren());
		expect(outcome).toMatchObject({ status: 'checkout', redirectUrl: expect.stringMatching(/^https:\/\/checkout\.example\/c\/\d+$/) });
		if (outcome.status !== 'checkout') return;
		expect(calls[0].returnOk).toMatch(new RegExp(`^https://mensa\\.example/ricarica/esito/ok\\?\\w+=${outcome.paymentId}$`));
		expect(calls[0].email).toBe('maria.rossi@example.com');
		expect(listOwnPayments(db, f.scope, f.maria.id)[0].status).toBe('pending');
		// an online payment has no avviso to print
		expect(loadAvviso(db, f.scope, f.tenant('mazze'), f.maria.id, outcome.paymentId)).toBeNull();
	});

	it('pagoPA not answering: the payment is cancelled, nothing to pay, nothing credited', async () => {
		const postings = count(db, 'ledger_postings');
		const outcome = await startRicarica(deps(fakeGateway(true).gateway), f.maria, 'pagopa_avviso', twoChildren());
		expect(outcome.status).toBe('gateway_failed');
		expect(listOwnPayments(db, f.scope, f.maria.id).map((p) => p.status)).toEqual(['cancelled']);
		expect(count(db, 'ledger_postings')).toBe(postings);
		if (outcome.status === 'gateway_failed') expect(loadAvviso(db, f.scope, f.tenant('mazze'), f.maria.id, outcome.paymentId)).toBeNull();
	});

	it('another family’s child in the cart: refused, nothing written, pagoPA never asked', async () => {
		const { gateway, calls } = fakeGateway();
		const before = [count(db, 'payments'), count(db, 'payment_items'), count(db, 'notice_counters')];
		const outcome = await startRicarica(deps(gateway), f.maria, 'pagopa_avviso', [...twoChildren(), { consumerId: f.anna.id, serviceGroupId: group(), amountCents: 1_000 }]);
		expect(outcome).toMatchObject({ status: 'rejected', code: 'NOT_YOUR_CONSUMER' });
		expect([count(db, 'payments'), count(db, 'payment_items'), count(db, 'notice_counters')]).toEqual(before);
		expect(calls).toEqual([]);
	});

	it('payments paused by the Comune: its message, nothing created', async () => {
		const pause = { from: '2026-11-20', resumeOn: '2027-01-10', message: 'Pagamenti sospesi per il passaggio al nuovo gestore: riprendono il 10/01.' };
		db.update(tenants).set({ paymentSettings: JSON.stringify({ pause }) }).where(eq(tenants.id, f.mazze.id)).run();
		const { gateway, calls } = fakeGateway();
		const outcome = await startRicarica(deps(gateway), f.maria, 'pagopa_online', twoChildren());
		expect(outcome).toEqual({ status: 'rejected', code: 'PAYMENTS_PAUSED', message: pause.message });
		expect(count(db, 'payments')).toBe(0);
		expect(calls).toEqual([]);
	});
});

describe('loadAvviso', () => {
	it('is null for another user, even in the same Comune, and for another Comune', async () => {
		const group = ricaricaAccounts(db, f.scope, f.maria)[0].serviceGroupId;
		const outcome = await startRicarica(deps(fakeGateway().gateway), f.maria, 'pagopa_avviso', [{ consumerId: f.luca.id, serviceGroupId: group, amountCents: 1_000 }]);
		if (outcome.status !== 'avviso') throw new Error(outcome.status);
		expect(loadAvviso(db, f.scope, f.tenant('mazze'), f.operator.id, outcome.paymentId)).toBeNull();
		expect(loadAvviso(db, f.chiusiScope, f.tenant('chiusi-della-verna'), f.maria.id, outcome.paymentId)).toBeNull();
		expect(listOwnPayments(db, f.scope, f.operator.id)).toEqual([]);
	});
});
