import { and, eq } from 'drizzle-orm';
import { fixedClock, type Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { consumers, serviceGroups, tenants, users } from '../db/schema.js';
import { tenantScope } from '../db/tenant-scope.js';
import { addDays } from '../../src/lib/shared/dates.js';
import { zonedDate, zonedInstant } from '../calendar/zoned-time.js';
import { applyMarks } from '../meals/marks.js';
import { closeDay } from '../meals/day-close.js';
import { createCart, markPending } from '../payments/carts.js';
import { applyReceipt } from '../payments/receipts.js';
import { lisCodeFor } from '../payments/lis/code.js';
import { creditLisPayment } from '../payments/lis/notification.js';
import { recordCounterTopup } from '../payments/office/counter-topup.js';
import { noNotices } from '../payments/credit.js';

export const HISTORY_WEEKS = 6;

/**
 * Weeks of life before "now", so that a newcomer's first look at the estratto conto, the
 * forecast and the operator's payments shows real content: closed days with meals debited, a
 * few absences, top-ups by each channel, one flagged receipt and one negative balance (Anna,
 * whose family never topped up). Everything goes through the same domain functions as real use.
 */
export function seedDemoHistory(db: Db, now: Date): { days: number } {
	const mazze = db.select().from(tenants).where(eq(tenants.slug, 'mazze')).get()!;
	const all = db.select().from(tenants).all();
	const scope = tenantScope(mazze.id);
	const consumer = (givenName: string) => db.select().from(consumers).where(and(eq(consumers.tenantId, mazze.id), eq(consumers.givenName, givenName))).get()!;
	const [luca, sofia] = [consumer('Luca'), consumer('Sofia')];
	const maria = db.select().from(users).where(and(eq(users.tenantId, mazze.id), eq(users.email, 'maria.rossi@example.com'))).get()!;
	const refezione = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, mazze.id)).get()!.id;
	const today = zonedDate(now, mazze.timezone);
	const start = addDays(today, -7 * HISTORY_WEEKS);
	const at = (day: string, time: string) => zonedInstant(day, time, mazze.timezone);
	const clock: Clock & { set(at: Date): void } = fixedClock(now);

	const topUp = (day: string, channel: 'pagopa_online' | 'pagopa_avviso', lines: { consumerId: number; amountCents: number }[], paidCents?: number) => {
		clock.set(at(day, '18:30'));
		const cart = createCart(db, clock, scope, mazze, maria, channel, lines.map((l) => ({ ...l, serviceGroupId: refezione })));
		if (cart.status !== 'created') throw new Error(`demo: ${cart.message}`);
		markPending(db, clock, cart.payment.id, null);
		clock.set(at(channel === 'pagopa_online' ? day : addDays(day, 2), '19:00'));
		const r = { receiptId: `demo-${cart.payment.noticeNumber}`, noticeNumber: cart.payment.noticeNumber!, fiscalCode: mazze.codiceFiscaleEnte, creditorReferenceId: cart.payment.noticeNumber!.slice(1), paymentAmountCents: paidCents ?? cart.payment.amountCents, outcome: 'OK' as const, paymentDateTime: clock.now().toISOString() };
		applyReceipt(db, clock, r, JSON.stringify(r), noNotices);
	};
	const atLis = (day: string, consumerId: number, amountCents: number) => {
		clock.set(at(day, '17:10'));
		const code = lisCodeFor(db, clock, scope, consumerId, refezione);
		creditLisPayment(db, clock, scope, mazze.timezone, { transactionId: `LIS-DEMO-${day}`, code, amountCents, paidAt: clock.now().toISOString(), pointName: 'Tabaccheria Centrale, Mazzè' }, noNotices);
	};
	const atCounter = (day: string) => {
		const chiusi = all.find((t) => t.slug === 'chiusi-della-verna')!;
		const chiusiScope = tenantScope(chiusi.id);
		const tommaso = db.select().from(consumers).where(and(eq(consumers.tenantId, chiusi.id), eq(consumers.givenName, 'Tommaso'))).get()!;
		const operator = db.select().from(users).where(and(eq(users.tenantId, chiusi.id), eq(users.email, 'ufficio@chiusi.example.it'))).get()!;
		const group = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, chiusi.id)).get()!.id;
		clock.set(at(day, '11:00'));
		const actor = { userId: operator.id, name: `${operator.givenName} ${operator.familyName}`, ip: '127.0.0.1' };
		recordCounterTopup(db, clock, chiusiScope, chiusi.timezone, actor, { consumerId: tommaso.id, serviceGroupId: group, amountCents: 18000, method: 'contanti', receiptNumber: 'DEMO-0001' }, noNotices);
	};
	const absent = (day: string, consumerId: number) => {
		clock.set(at(day, '07:45'));
		applyMarks(db, clock, scope, mazze, { userId: maria.id, channel: 'app', mayMark: () => true, bypassCutoff: false }, [{ mutationId: `demo-${day}-${consumerId}`, consumerId, date: day, kind: 'assenza', value: true }]);
	};

	// The demo Comune joined when its history begins: the scheduler then carries on from today.
	db.update(tenants).set({ createdAt: at(start, '00:00') }).run();
	topUp(start, 'pagopa_online', [{ consumerId: luca.id, amountCents: 9000 }, { consumerId: sofia.id, amountCents: 8000 }]);
	let days = 0;
	for (let day = start; day < today; day = addDays(day, 1), days++) {
		const week = Math.floor(days / 7);
		if (days % 7 === 2 && week % 2 === 1) absent(day, luca.id);
		if (days === 10) absent(day, sofia.id);
		if (days === 3) atCounter(day);
		if (days === 18) atLis(day, sofia.id, 5000);
		if (days === 15) topUp(day, 'pagopa_avviso', [{ consumerId: luca.id, amountCents: 3000 }]);
		// An avviso paid for less than it says: recorded, flagged for the operator, not credited.
		if (days === 22) topUp(day, 'pagopa_avviso', [{ consumerId: sofia.id, amountCents: 4000 }], 400);
		for (const tenant of all) {
			clock.set(at(day, '09:31'));
			closeDay(db, clock, tenant, day);
		}
	}
	return { days };
}
