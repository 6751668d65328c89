/*
 * A seeded fault simulation of a school month (issue 8): families marking and replaying offline
 * outboxes, late closures, day closes, pagoPA receipts duplicated, reordered and late, operator
 * corrections, refunds and counter top-ups (forms sent twice), crashes (the database file closed and reopened between steps) and a clock that
 * jumps across cutoffs and the October DST change. DESIGN.md §4 is checked after every step.
 */
import { fixedClock } from '../clock.js';
import { tenantScope } from '../db/tenant-scope.js';
import { addDays, daysBetween } from '../calendar/dates.js';
import { addClosure } from '../calendar/admin.js';
import { applyMarks, type Mark } from '../meals/marks.js';
import { closeDueDays } from '../meals/day-close.js';
import { correctDay } from '../meals/corrections.js';
import { cutoffInstant, todayOf } from '../meals/cutoff.js';
import { createCart, markPending } from '../payments/carts.js';
import { creditLisPayment, type LisNotification } from '../payments/lis/notification.js';
import { lisCodeFor } from '../payments/lis/code.js';
import { applyReceipt, expireOverduePayments, type Receipt } from '../payments/receipts.js';
import { refundBalance, type Refund } from '../payments/office/adjustments.js';
import { recordCounterTopup, type CounterTopup } from '../payments/office/counter-topup.js';
import { checkInvariants } from './invariants.js';
import { prng } from './prng.js';
import { createWorld, type SimGuardian, type World } from './world.js';
import { noNotices } from '../payments/credit.js';

/** Monday 12 October 2026, 06:00 in Rome: 30 days reach past the last Sunday of October. */
export const SIM_START = '2026-10-12T04:00:00.000Z';
const MINUTE = 60_000;
const DAY = 86_400_000;

export interface SimSummary {
	seed: number;
	days: number;
	steps: number;
	marks: number;
	replays: number;
	closures: number;
	closes: number;
	carts: number;
	receipts: number;
	/** flagged on arrival: paid after the due date (or otherwise questioned), money still credited or held for the operator */
	lateReceipts: number;
	lis: number;
	duplicatesRefused: number;
	corrections: number;
	/** refunds posted by the office (a refund over the balance is refused and not counted) */
	refunds: number;
	counterTopups: number;
	crashes: number;
	checks: number;
	ms: number;
}

export class SimViolation extends Error {}

type Step = (w: World) => string;

export async function simulate(seed: number, days: number, plant?: (w: World, step: number) => void): Promise<SimSummary> {
	const started = performance.now();
	const rnd = prng(seed);
	const clock = fixedClock(SIM_START);
	const world = await createWorld(clock, rnd);
	const end = Date.parse(SIM_START) + days * DAY;
	const s: SimSummary = { seed, days, steps: 0, marks: 0, replays: 0, closures: 0, closes: 0, carts: 0, receipts: 0, lateReceipts: 0, lis: 0, duplicatesRefused: 0, corrections: 0, refunds: 0, counterTopups: 0, crashes: 0, checks: 0, ms: 0 };
	const outbox: { guardian: SimGuardian; marks: Mark[] }[] = [];
	const inFlight: { receipt: Receipt; delivered: boolean; notBefore: number }[] = [];
	const lisSent: { tenantId: number; n: LisNotification }[] = [];
	const refundsSent: { tenantId: number; input: Refund }[] = [];
	const topupsSent: { tenantId: number; input: CounterTopup }[] = [];
	const officeActor = (tenantId: number) => ({ userId: world.operators.get(tenantId)!, name: 'Ufficio simulato', ip: '' });
	/** A family's child, from `sent` again one time in three (the operator's form sent twice) or a new one. */
	const againOrNew = <T>(sent: { tenantId: number; input: T }[], make: (g: SimGuardian, child: SimGuardian['children'][number]) => T) => {
		if (sent.length > 0 && rnd.chance(0.3)) return { ...rnd.pick(sent), again: true };
		const g = rnd.pick(world.guardians);
		return { tenantId: g.tenantId, input: make(g, rnd.pick(g.children)), again: false };
	};
	const tenantOf = (g: SimGuardian) => world.tenants.find((t) => t.id === g.tenantId)!;
	const today = (tenantId: number) => todayOf(world.tenants.find((t) => t.id === tenantId)!, clock.now());

	const steps: [number, Step][] = [
		[6, (w) => {
			const g = rnd.pick(world.guardians);
			const child = rnd.pick(g.children);
			const date = addDays(today(g.tenantId), rnd.int(0, 5));
			const marks = [{ mutationId: `sim-${seed}-${s.steps}`, consumerId: child.consumerId, date, kind: rnd.pick(['assenza', 'pastoInBianco'] as const), value: rnd.chance(0.8) }];
			const [r] = applyMarks(w.db, clock, tenantScope(g.tenantId), tenantOf(g), { userId: g.id, channel: 'app', mayMark: (id) => g.children.some((c) => c.consumerId === id), bypassCutoff: false }, marks);
			// The response is "lost" one time in three: the outbox sends the same mutation again later.
			if (rnd.chance(0.33)) outbox.push({ guardian: g, marks });
			s.marks++;
			return `mark ${marks[0].kind}=${marks[0].value} consumer ${child.consumerId} ${date}: ${r.status}`;
		}],
		[2, (w) => {
			if (outbox.length === 0) return 'replay: empty outbox';
			const { guardian: g, marks } = outbox.splice(rnd.int(0, outbox.length - 1), 1)[0];
			const [r] = applyMarks(w.db, clock, tenantScope(g.tenantId), tenantOf(g), { userId: g.id, channel: 'app', mayMark: () => true, bypassCutoff: false }, marks);
			if (r.status !== 'duplicate') throw new SimViolation(`mark idempotency violated: replayed ${marks[0].mutationId} answered ${r.status}`);
			s.replays++;
			s.duplicatesRefused++;
			return `replay ${marks[0].mutationId}`;
		}],
		[1, (w) => {
			const t = rnd.pick(world.tenants);
			const from = addDays(today(t.id), rnd.int(0, 3));
			const r = addClosure(w.db, clock, tenantScope(t.id), t, world.operators.get(t.id)!, { schoolId: null, schoolClassId: null, fromDate: from, toDate: addDays(from, rnd.int(0, 2)), reason: 'Chiusura simulata' });
			s.closures++;
			return `late closure ${t.slug} from ${from}: ${r.status}`;
		}],
		[3, (w) => {
			const closed = world.tenants.flatMap((t) => closeDueDays(w.db, clock, t).filter((r) => r.status === 'closed').map((r) => `${t.slug} ${r.date}`));
			s.closes += closed.length;
			return `day close: ${closed.join(', ') || 'nothing due'}`;
		}],
		[2, (w) => {
			const g = rnd.pick(world.guardians.filter((x) => x.codiceFiscale));
			const t = tenantOf(g);
			const child = rnd.pick(g.children);
			const cart = createCart(w.db, clock, tenantScope(t.id), t, g, 'pagopa_avviso', [{ ...child, amountCents: rnd.int(10, 60) * 100 }]);
			if (cart.status !== 'created') return `cart refused: ${cart.code}`;
			markPending(w.db, clock, cart.payment.id, null);
			const n = cart.payment.noticeNumber!;
			// Some families pay a day or two after the due date (flagged on a Comune whose due date
			// comes within the run); some receipts take days to arrive (credited, whatever expired meanwhile).
			const now = clock.now().getTime();
			const paidAt = now + (rnd.chance(0.4) ? (daysBetween(todayOf(t, clock.now()), cart.payment.dueDate!) - 1 + rnd.int(1, 2)) * DAY : 0);
			const notBefore = paidAt + (rnd.chance(0.2) ? rnd.int(3, 6) * DAY : 0);
			inFlight.push({ receipt: { receiptId: `sim-${seed}-${t.slug}-${n}`, noticeNumber: n, fiscalCode: t.codiceFiscaleEnte, creditorReferenceId: n.slice(1), paymentAmountCents: cart.payment.amountCents, outcome: 'OK', paymentDateTime: new Date(paidAt).toISOString() }, delivered: false, notBefore });
			s.carts++;
			return `cart ${n} ${cart.payment.amountCents} cents`;
		}],
		[3, (w) => {
			// Any receipt due, not the oldest: pagoPA delivers out of order, days late and more than once.
			const due = inFlight.filter((x) => x.notBefore <= clock.now().getTime());
			if (due.length === 0) return 'receipt: none due';
			const f = rnd.pick(due);
			const i = inFlight.indexOf(f);
			const r = applyReceipt(w.db, clock, f.receipt, JSON.stringify(f.receipt), noNotices);
			if (f.delivered && r.status !== 'duplicate') throw new SimViolation(`receipt idempotency violated: redelivered ${f.receipt.receiptId} answered ${r.status}`);
			if (r.status === 'duplicate') s.duplicatesRefused++;
			else s.receipts++;
			if (r.status === 'flagged') s.lateReceipts++;
			f.delivered = true;
			if (!rnd.chance(0.3)) inFlight.splice(i, 1);
			return `receipt ${f.receipt.receiptId}: ${r.status}`;
		}],
		[2, (w) => {
			// A Punto LIS payment notified now, or one already notified delivered again.
			const again = lisSent.length > 0 && rnd.chance(0.3) ? rnd.pick(lisSent) : null;
			const g = rnd.pick(world.guardians);
			const child = rnd.pick(g.children);
			const t = tenantOf(again ? world.guardians.find((x) => x.tenantId === again.tenantId)! : g);
			const n = again?.n ?? { transactionId: `LIS-${seed}-${s.steps}`, code: lisCodeFor(w.db, clock, tenantScope(t.id), child.consumerId, child.serviceGroupId), amountCents: rnd.int(5, 40) * 100, paidAt: clock.now().toISOString(), pointName: 'Tabaccheria simulata' };
			const r = creditLisPayment(w.db, clock, tenantScope(t.id), t.timezone, n, noNotices);
			if (r.status !== 'credited' || r.replay !== Boolean(again)) throw new SimViolation(`Punto LIS idempotency violated: ${n.transactionId} answered ${JSON.stringify(r)}`);
			if (again) s.duplicatesRefused++;
			else lisSent.push({ tenantId: t.id, n });
			s.lis++;
			return `Punto LIS ${n.transactionId}${again ? ' redelivered' : ''}`;
		}],
		[1, (w) => `expire overdue avvisi: ${expireOverduePayments(w.db, clock)}`],
		[1, (w) => {
			const t = rnd.pick(world.tenants);
			const g = rnd.pick(world.guardians.filter((x) => x.tenantId === t.id));
			if (!g) return `correction ${t.slug}: no pupils`;
			const child = rnd.pick(g.children);
			const date = addDays(today(t.id), rnd.int(-3, 1));
			const r = correctDay(w.db, clock, tenantScope(t.id), t, { userId: world.operators.get(t.id)!, schoolIds: null }, { consumerId: child.consumerId, date, assenza: rnd.chance(0.5), pastoInBianco: rnd.chance(0.3), reason: 'Correzione simulata' });
			s.corrections++;
			return `correction consumer ${child.consumerId} ${date}: ${r.status}${r.status === 'corrected' ? ` ${r.ledger}` : ''}`;
		}],
		[1, (w) => {
			const { tenantId, input, again } = againOrNew(refundsSent, (_, child) => ({ requestId: `sim-refund-${seed}-${s.steps}`, ...child, amountCents: rnd.int(1, 20) * 100, reason: 'Rimborso simulato' }));
			const t = world.tenants.find((x) => x.id === tenantId)!;
			const r = refundBalance(w.db, clock, tenantScope(t.id), t.timezone, officeActor(t.id), input);
			if (again && r.status !== 'duplicate') throw new SimViolation(`refund idempotency violated: ${input.requestId} sent again answered ${r.status}`);
			if (again) s.duplicatesRefused++;
			else if (r.status === 'posted') {
				refundsSent.push({ tenantId, input });
				s.refunds++;
			}
			return `refund ${input.amountCents} cents consumer ${input.consumerId}${again ? ' sent again' : ''}: ${r.status}`;
		}],
		[1, (w) => {
			const { tenantId, input, again } = againOrNew(topupsSent, (_, child) => ({ ...child, amountCents: rnd.int(5, 50) * 100, method: rnd.pick(['contanti', 'pos'] as const), receiptNumber: `R-${seed}-${s.steps}` }));
			const t = world.tenants.find((x) => x.id === tenantId)!;
			const r = recordCounterTopup(w.db, clock, tenantScope(t.id), t.timezone, officeActor(t.id), input, noNotices);
			const refused = r.status === 'rejected' && r.code === 'DUPLICATE_RECEIPT';
			if (again !== refused || (!again && r.status !== 'credited')) throw new SimViolation(`counter top-up receipt ${input.receiptNumber}${again ? ' sent again' : ''} answered ${JSON.stringify(r)}`);
			if (again) s.duplicatesRefused++;
			else {
				topupsSent.push({ tenantId, input });
				s.counterTopups++;
			}
			return `counter top-up ${input.amountCents} cents receipt ${input.receiptNumber}${again ? ' sent again' : ''}: ${r.status}`;
		}],
		[1, (w) => {
			w.reopen();
			s.crashes++;
			return 'crash: database closed and reopened';
		}],
		[8, () => {
			// Mostly minutes, some hours, now and then a whole day (a weekend, a server down overnight).
			const ms = rnd.chance(0.05) ? DAY : rnd.chance(0.2) ? rnd.int(1, 6) * 60 * MINUTE : rnd.int(1, 59) * MINUTE;
			clock.advance(ms);
			return `clock +${Math.round(ms / MINUTE)} min → ${clock.now().toISOString()}`;
		}],
		[1, () => {
			// Straddle the next cutoff by a few seconds: the edge where marks and closes race.
			const t = rnd.pick(world.tenants);
			let at = cutoffInstant(t, today(t.id)).getTime();
			if (at <= clock.now().getTime()) at = cutoffInstant(t, addDays(today(t.id), 1)).getTime();
			clock.set(new Date(at + rnd.int(-3, 3) * 1000));
			return `clock to ${t.slug} cutoff ${clock.now().toISOString()}`;
		}]
	];
	const total = steps.reduce((n, [w]) => n + w, 0);
	try {
		while (clock.now().getTime() < end) {
			let roll = rnd.int(1, total);
			const step = steps.find(([weight]) => (roll -= weight) <= 0)![1];
			const k = s.steps++;
			let what = '';
			try {
				what = step(world);
				plant?.(world, k);
				const broken = checkInvariants(world.db);
				s.checks++;
				if (broken.length > 0) throw new SimViolation(`${broken[0].invariant} violated: ${broken.map((b) => b.details).join('; ')}`);
			} catch (e) {
				throw new SimViolation(`seed=${seed} step=${k} ${what || '(step threw)'} — ${e instanceof Error ? e.message : String(e)}`, { cause: e });
			}
		}
	} finally {
		world.dispose();
	}
	s.ms = Math.round(performance.now() - started);
	return s;
}
