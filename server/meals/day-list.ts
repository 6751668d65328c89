import { and, desc, eq, gte, isNull, lte } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { dayCloses, dayMarks, markEvents, meals } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { loadCalendar } from '../calendar/service-days.js';
import { eachDay, type IsoDate } from '../calendar/dates.js';
import { cutoffInstant, type CutoffPolicy } from './cutoff.js';
import { isEnrolledOn, loadPlacements } from './enrolment-days.js';

export interface DayView {
	date: IsoDate;
	service: boolean;
	/** why there is no service ("Natale", "Sciopero", …) */
	reason: string | null;
	assenza: boolean;
	pastoInBianco: boolean;
	/** past the cutoff or closed: only the ufficio scuola can change it */
	locked: boolean;
	cutoffAt: string;
	/** after the close: the meal that was debited, or none */
	closed: { meal: 'normale' | 'bianco' | null } | null;
	/** the last registered change of this day */
	receipt: { id: string; receivedAt: string; channel: 'app' | 'operatore' } | null;
}

/** A consumer's days between two dates with their state, as the parent's list and the offline cache show them. */
export function consumerDays(db: Db, clock: Clock, scope: TenantScope, tenant: CutoffPolicy, consumerId: number, from: IsoDate, to: IsoDate): DayView[] {
	const now = clock.now().getTime();
	const calendar = loadCalendar(db, scope, from, to);
	const placement = loadPlacements(db, scope, [consumerId]).get(consumerId);
	const marks = new Map(
		db
			.select()
			.from(dayMarks)
			.where(scope.where(dayMarks, eq(dayMarks.consumerId, consumerId), gte(dayMarks.date, from), lte(dayMarks.date, to)))
			.all()
			.map((m) => [m.date, m])
	);
	const closed = new Set(
		db
			.select({ date: dayCloses.date })
			.from(dayCloses)
			.where(scope.where(dayCloses, gte(dayCloses.date, from), lte(dayCloses.date, to)))
			.all()
			.map((r) => r.date)
	);
	const eaten = new Map(
		db
			.select({ date: meals.date, kind: meals.kind })
			.from(meals)
			.where(scope.where(meals, eq(meals.consumerId, consumerId), gte(meals.date, from), lte(meals.date, to), isNull(meals.cancelledAt)))
			.all()
			.map((m) => [m.date, m.kind])
	);
	const receipts = new Map<string, DayView['receipt']>();
	for (const e of db
		.select({ date: markEvents.date, id: markEvents.receiptId, at: markEvents.receivedAt, channel: markEvents.channel })
		.from(markEvents)
		.where(scope.where(markEvents, eq(markEvents.consumerId, consumerId), eq(markEvents.outcome, 'applied'), gte(markEvents.date, from), lte(markEvents.date, to)))
		.orderBy(desc(markEvents.id))
		.all()) {
		if (!receipts.has(e.date)) receipts.set(e.date, { id: e.id, receivedAt: e.at.toISOString(), channel: e.channel });
	}

	return [...eachDay(from, to)].map((date) => {
		const verdict =
			placement && placement.schoolClassId !== null && isEnrolledOn(placement, date)
				? calendar.verdictForClass(placement.schoolClassId, date)
				: { service: false as const, reason: 'Non iscritto al servizio' };
		const mark = marks.get(date);
		const cutoffAt = cutoffInstant(tenant, date);
		const isClosed = closed.has(date);
		return {
			date,
			service: verdict.service,
			reason: verdict.service ? null : verdict.reason,
			assenza: mark?.assenza ?? false,
			pastoInBianco: mark?.pastoInBianco ?? false,
			locked: isClosed || now >= cutoffAt.getTime(),
			cutoffAt: cutoffAt.toISOString(),
			closed: isClosed ? { meal: eaten.get(date) ?? null } : null,
			receipt: receipts.get(date) ?? null
		};
	});
}

export interface DayHistoryEntry {
	/** one correction records both kinds under one receipt: this tells the entries apart */
	id: number;
	kind: 'assenza' | 'pastoInBianco';
	value: boolean;
	receivedAt: string;
	channel: 'app' | 'operatore';
	outcome: 'applied' | 'rejected';
	code: string | null;
	note: string | null;
	receiptId: string;
	byGuardian: boolean;
}

/** Everything received for one day, oldest first: what a family shows in a dispute. */
export function dayHistory(db: Db, scope: TenantScope, consumerId: number, date: IsoDate): DayHistoryEntry[] {
	return db
		.select()
		.from(markEvents)
		.where(scope.where(markEvents, and(eq(markEvents.consumerId, consumerId), eq(markEvents.date, date))))
		.orderBy(markEvents.id)
		.all()
		.map((e) => ({
			id: e.id,
			kind: e.kind,
			value: e.value,
			receivedAt: e.receivedAt.toISOString(),
			channel: e.channel,
			outcome: e.outcome,
			code: e.code,
			note: e.note,
			receiptId: e.receiptId,
			byGuardian: e.channel === 'app'
		}));
}
