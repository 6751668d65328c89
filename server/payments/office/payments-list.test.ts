import { beforeEach, describe, expect, it } from 'vitest';
import { createCart } from '../carts.js';
import { applyReceipt } from '../receipts.js';
import { formatNoticeNumber } from '../notice-number.js';
import { recordCounterTopup } from './counter-topup.js';
import { listPayments, listReceiptsToCheck, PAYMENTS_PAGE_SIZE, type PaymentQuery } from './payments-list.js';
import { reconciliationCsv, reconciliationReport } from './reconciliation.js';
import { officeFixture, type OfficeFixture } from './test-helpers.js';
import { noNotices } from '../credit.js';

let o: OfficeFixture;
let notices: { paid: string; wrong: string; pending: string };

const all: PaymentQuery = { page: 1, sort: 'date', dir: 'desc', status: null, channel: null, q: '' };
const receipt = (receiptId: string, noticeNumber: string, cents: number, outcome: 'OK' | 'KO' = 'OK') =>
	applyReceipt(
		o.db,
		o.clock,
		{ receiptId, noticeNumber, fiscalCode: o.mazze.codiceFiscaleEnte, creditorReferenceId: noticeNumber.slice(1), paymentAmountCents: cents, outcome, paymentDateTime: '2026-11-02T09:00:00' },
		'{}',
		noNotices
	);

beforeEach(async () => {
	o = await officeFixture();
	const maria = { ...o.maria, codiceFiscale: 'RSSMRA85C52L219F' };
	const cart = (lines: { consumerId: number; amountCents: number }[], channel: 'pagopa_online' | 'pagopa_avviso') => {
		o.clock.advance(60_000);
		const r = createCart(o.db, o.clock, o.scope, o.mazze, maria, channel, lines.map((l) => ({ ...l, serviceGroupId: o.refezione })));
		if (r.status !== 'created') throw new Error(r.message);
		return r.payment.noticeNumber!;
	};
	notices = {
		paid: cart([{ consumerId: o.luca.id, amountCents: 2500 }, { consumerId: o.sofia.id, amountCents: 1500 }], 'pagopa_online'),
		wrong: cart([{ consumerId: o.sofia.id, amountCents: 1000 }], 'pagopa_avviso'),
		pending: cart([{ consumerId: o.luca.id, amountCents: 700 }], 'pagopa_avviso')
	};
	o.clock.advance(60_000);
	receipt('rc-1', notices.paid, 4000);
	receipt('rc-2', notices.wrong, 999);
	receipt('rc-3', '301000000000099969', 1234);
	receipt('rc-4', notices.pending, 700, 'KO');
	o.clock.advance(60_000);
	recordCounterTopup(o.db, o.clock, o.scope, 'Europe/Rome', o.actor, { consumerId: o.anna.id, serviceGroupId: o.refezione, amountCents: 3000, method: 'contanti', receiptNumber: 'S-17' }, noNotices);
});

describe('payments list', () => {
	it('lists every payment of the Comune, newest first, with its children, state and flag', () => {
		const list = listPayments(o.db, o.scope, all);
		expect(list).toMatchObject({ total: 4, page: 1, pages: 1 });
		expect(list.rows.map((r) => [r.channel, r.status, r.amountCents])).toEqual([
			['sportello', 'paid', 3000],
			['pagopa_avviso', 'created', 700],
			['pagopa_avviso', 'flagged', 1000],
			['pagopa_online', 'paid', 4000]
		]);
		expect(list.rows[3].items).toEqual([
			{ consumerName: 'Luca Rossi', groupName: 'Refezione', amountCents: 2500 },
			{ consumerName: 'Sofia Rossi', groupName: 'Refezione', amountCents: 1500 }
		]);
		expect(list.rows[2].flag).toMatch(/^Importo pagato 9,99 € diverso/);
		expect(listPayments(o.db, o.chiusiScope, all).total).toBe(0);
	});

	it('filters by state and channel, sorts by amount and by state', () => {
		expect(listPayments(o.db, o.scope, { ...all, status: 'flagged' }).rows.map((r) => r.amountCents)).toEqual([1000]);
		expect(listPayments(o.db, o.scope, { ...all, channel: 'pagopa_avviso' }).total).toBe(2);
		expect(listPayments(o.db, o.scope, { ...all, sort: 'amount', dir: 'asc' }).rows.map((r) => r.amountCents)).toEqual([700, 1000, 3000, 4000]);
		expect(listPayments(o.db, o.scope, { ...all, sort: 'state', dir: 'asc' }).rows.map((r) => r.status)).toEqual(['flagged', 'created', 'paid', 'paid']);
	});

	it('finds a payment by notice number typed with spaces, by counter receipt, by child name or fiscal code', () => {
		const search = (q: string) => listPayments(o.db, o.scope, { ...all, q }).rows.map((r) => r.amountCents);
		expect(search(formatNoticeNumber(notices.wrong))).toEqual([1000]);
		expect(search(notices.paid)).toEqual([4000]);
		expect(search('S-17')).toEqual([3000]);
		expect(search('anna')).toEqual([3000]);
		expect(search('sofia ROSSI')).toEqual([1000, 4000]);
		expect(search('RSSLCU17E04E379I')).toEqual([700, 4000]);
		expect(search('nessuno')).toEqual([]);
		expect(listPayments(o.db, o.chiusiScope, { ...all, q: 'anna' }).total).toBe(0);
	});

	it('pages server-side, and a page past the end shows the last one', () => {
		for (let i = 0; i < PAYMENTS_PAGE_SIZE + 3; i++) {
			recordCounterTopup(o.db, o.clock, o.scope, 'Europe/Rome', o.actor, { consumerId: o.luca.id, serviceGroupId: o.refezione, amountCents: 100 + i, method: 'pos', receiptNumber: `P-${i}` }, noNotices);
		}
		const first = listPayments(o.db, o.scope, { ...all, sort: 'amount', dir: 'asc' });
		expect(first).toMatchObject({ total: PAYMENTS_PAGE_SIZE + 7, pages: 2 });
		expect(first.rows).toHaveLength(PAYMENTS_PAGE_SIZE);
		const last = listPayments(o.db, o.scope, { ...all, sort: 'amount', dir: 'asc', page: 9 });
		expect(last.page).toBe(2);
		expect(last.rows.map((r) => r.amountCents)).toEqual([125, 126, 127, 700, 1000, 3000, 4000]);
	});
});

describe('ricevute da verificare', () => {
	it('lists flagged and KO receipts, also for a notice number never issued', () => {
		const list = listReceiptsToCheck(o.db, o.scope, 1);
		expect(list.total).toBe(3);
		expect(list.rows.map((r) => [r.receiptId, r.status, r.channel])).toEqual([
			['rc-4', 'ko', 'pagopa_avviso'],
			['rc-3', 'flagged', null],
			['rc-2', 'flagged', 'pagopa_avviso']
		]);
		expect(list.rows[1].flag).toBe('Numero avviso sconosciuto: nessuna ricarica corrispondente.');
		expect(listReceiptsToCheck(o.db, o.chiusiScope, 1).total).toBe(0);
	});
});

describe('daily reconciliation', () => {
	it('compares receipts and notifications with the credits posted, per channel, and lists what is flagged', () => {
		const r = reconciliationReport(o.db, o.scope, 'Europe/Rome', '2026-11-02');
		expect(r.lines.map((l) => [l.label, l.received, l.credited, l.differenceCents])).toEqual([
			['pagoPA online', { count: 1, cents: 4000 }, { count: 1, cents: 4000 }, 0],
			['pagoPA avviso', { count: 1, cents: 999 }, { count: 0, cents: 0 }, 999],
			['Punto LIS', { count: 0, cents: 0 }, { count: 0, cents: 0 }, 0],
			['Sportello', { count: 1, cents: 3000 }, { count: 1, cents: 3000 }, 0],
			['pagoPA, avviso sconosciuto', { count: 1, cents: 1234 }, { count: 0, cents: 0 }, 1234]
		]);
		expect(r.flagged.map((f) => f.reference)).toEqual([
			`Ricevuta rc-4, avviso ${formatNoticeNumber(notices.pending)}`,
			'Ricevuta rc-3, avviso 3010 0000 0000 0999 69',
			`Ricevuta rc-2, avviso ${formatNoticeNumber(notices.wrong)}`
		]);
		const csv = reconciliationCsv(r);
		expect(csv.startsWith('\uFEFFData;Canale;Ricevute (n.);Ricevute (€);Accrediti (n.);Accrediti (€);Differenza (€)\r\n')).toBe(true);
		expect(csv).toContain('\r\n02/11/2026;pagoPA avviso;1;9,99;0;0,00;9,99\r\n');
		expect(csv).toContain('Da verificare;Riferimento;Importo (€);Motivo');
		// Another day, another Comune: nothing.
		expect(reconciliationReport(o.db, o.scope, 'Europe/Rome', '2026-11-03').lines.every((l) => l.received.count === 0 && l.credited.count === 0)).toBe(true);
		expect(reconciliationReport(o.db, o.chiusiScope, 'Europe/Rome', '2026-11-02').flagged).toEqual([]);
	});
});
