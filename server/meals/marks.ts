import { and, eq, gte, lte, sql } from 'drizzle-orm';
import { preparedFor } from '../db/prepared.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { dayCloses, dayMarks, markEvents } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { loadCalendar } from '../calendar/service-days.js';
import type { IsoDate } from '../calendar/dates.js';
import { randomUUID } from 'node:crypto';
import { cutoffPassedMessage, isBeforeCutoff, type CutoffPolicy } from './cutoff.js';
import { isEnrolledOn, loadPlacements } from './enrolment-days.js';

export type MarkKind = 'assenza' | 'pastoInBianco';

export interface Mark {
	mutationId: string;
	consumerId: number;
	date: IsoDate;
	kind: MarkKind;
	value: boolean;
}

export type RejectCode = 'CUTOFF_PASSED' | 'NOT_A_SERVICE_DAY' | 'NOT_ENROLLED' | 'FORBIDDEN' | 'DAY_CLOSED';

export interface Receipt {
	id: string;
	receivedAt: string;
}

export type FirstResult = { status: 'applied'; receipt: Receipt } | { status: 'rejected'; code: RejectCode; message: string };
export type MarkResult = { mutationId: string } & (FirstResult | { status: 'duplicate'; first: FirstResult });

export interface MarkActor {
	userId: string;
	channel: 'app' | 'operatore';
	/** the consumers this actor may mark */
	mayMark(consumerId: number): boolean;
	/** operators correct after the cutoff, until the day is closed */
	bypassCutoff: boolean;
	note?: string;
}

const messages: Record<Exclude<RejectCode, 'CUTOFF_PASSED'>, string> = {
	NOT_A_SERVICE_DAY: 'Servizio non disponibile in questo giorno.',
	NOT_ENROLLED: 'Il bambino non è iscritto al servizio mensa in questo giorno.',
	FORBIDDEN: 'Non sei autorizzato a modificare i giorni di questo bambino.',
	DAY_CLOSED: 'La giornata è già chiusa: i pasti sono stati addebitati. Serve una correzione dell’ufficio scuola.'
};

function firstResultOf(e: typeof markEvents.$inferSelect, tenant: CutoffPolicy): FirstResult {
	if (e.outcome === 'applied') return { status: 'applied', receipt: { id: e.receiptId, receivedAt: e.receivedAt.toISOString() } };
	const code = e.code as RejectCode;
	return { status: 'rejected', code, message: code === 'CUTOFF_PASSED' ? cutoffPassedMessage(tenant) : messages[code] };
}

/**
 * Applies a batch mark by mark, in the order given: one refusal does not stop its neighbours.
 * Every mark is recorded with the server's receive time, applied or not, so a replay of the
 * same mutationId gets the first answer back and a family can prove what it sent.
 */
export function applyMarks(db: Db, clock: Clock, scope: TenantScope, tenant: CutoffPolicy, actor: MarkActor, marks: Mark[]): MarkResult[] {
	if (marks.length === 0) return [];
	const receivedAt = clock.now();
	const dates = marks.map((m) => m.date).sort();
	const [from, to] = [dates[0], dates.at(-1)!];
	const calendar = loadCalendar(db, scope, from, to);
	const placements = loadPlacements(db, scope, [...new Set(marks.map((m) => m.consumerId))]);
	const closed = new Set(closedBetween(db).all({ tenant: scope.tenantId, from, to }).map((r) => r.date));
	const q = statements(db);

	return db.transaction(() => {
		const seen = new Map<string, typeof markEvents.$inferSelect>();
		return marks.map((mark): MarkResult => {
			const earlier = seen.get(mark.mutationId) ?? q.seen.get({ actor: actor.userId, mutationId: mark.mutationId });
			if (earlier) return { mutationId: mark.mutationId, status: 'duplicate', first: firstResultOf(earlier, tenant) };

			const placement = placements.get(mark.consumerId);
			let code: RejectCode | null = null;
			if (!placement || !actor.mayMark(mark.consumerId)) code = 'FORBIDDEN';
			else if (!isEnrolledOn(placement, mark.date)) code = 'NOT_ENROLLED';
			else if (placement.schoolClassId === null || !calendar.verdictForClass(placement.schoolClassId, mark.date).service) code = 'NOT_A_SERVICE_DAY';
			else if (closed.has(mark.date)) code = actor.bypassCutoff ? 'DAY_CLOSED' : 'CUTOFF_PASSED';
			else if (!actor.bypassCutoff && !isBeforeCutoff(tenant, mark.date, receivedAt)) code = 'CUTOFF_PASSED';

			// Not this actor's child: nothing is written into that child's history.
			if (code === 'FORBIDDEN') return { mutationId: mark.mutationId, status: 'rejected', code, message: messages.FORBIDDEN };
			const receiptId = `R${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
			const event = q.insertEvent.get({
				tenantId: scope.tenantId,
				consumerId: mark.consumerId,
				date: mark.date,
				kind: mark.kind,
				value: mark.value,
				mutationId: mark.mutationId,
				actorUserId: actor.userId,
				channel: actor.channel,
				receivedAt,
				outcome: code ? 'rejected' : 'applied',
				code,
				note: actor.note ?? null,
				receiptId
			})!;
			seen.set(mark.mutationId, event);
			if (!code) setDayMark(db, scope.tenantId, mark, receivedAt);
			return { mutationId: mark.mutationId, ...firstResultOf(event, tenant) };
		});
	});
}

const closedBetween = preparedFor((db) =>
	db
		.select({ date: dayCloses.date })
		.from(dayCloses)
		.where(and(eq(dayCloses.tenantId, sql.placeholder('tenant')), gte(dayCloses.date, sql.placeholder('from')), lte(dayCloses.date, sql.placeholder('to'))))
		.prepare()
);

const placeholders = <T extends string>(...names: T[]) => Object.fromEntries(names.map((n) => [n, sql.placeholder(n)])) as unknown as Record<T, ReturnType<typeof sql.placeholder>>;

const statements = preparedFor((db) => ({
	seen: db
		.select()
		.from(markEvents)
		.where(and(eq(markEvents.actorUserId, sql.placeholder('actor')), eq(markEvents.mutationId, sql.placeholder('mutationId'))))
		.prepare(),
	insertEvent: db
		.insert(markEvents)
		.values(placeholders('tenantId', 'consumerId', 'date', 'kind', 'value', 'mutationId', 'actorUserId', 'channel', 'receivedAt', 'outcome', 'code', 'note', 'receiptId'))
		.returning()
		.prepare(),
	dayMark: db
		.select()
		.from(dayMarks)
		.where(and(eq(dayMarks.consumerId, sql.placeholder('consumerId')), eq(dayMarks.date, sql.placeholder('date'))))
		.prepare(),
	clearDayMark: db
		.delete(dayMarks)
		.where(and(eq(dayMarks.consumerId, sql.placeholder('consumerId')), eq(dayMarks.date, sql.placeholder('date'))))
		.prepare(),
	upsertDayMark: db.$client.prepare(
		`INSERT INTO day_marks (tenant_id, consumer_id, date, assenza, pasto_in_bianco, updated_at) VALUES (@tenantId, @consumerId, @date, @assenza, @pastoInBianco, @at)
		 ON CONFLICT (consumer_id, date) DO UPDATE SET assenza = excluded.assenza, pasto_in_bianco = excluded.pasto_in_bianco, updated_at = excluded.updated_at`
	)
}));


/** A change applied on the ufficio's authority after the close: history and day state, no checks. */
export function recordAppliedMark(tx: Db, tenantId: number, mark: Mark, actorUserId: string, channel: 'app' | 'operatore', at: Date, receiptId: string, note: string | null): void {
	tx.insert(markEvents)
		.values({ tenantId, consumerId: mark.consumerId, date: mark.date, kind: mark.kind, value: mark.value, mutationId: mark.mutationId, actorUserId, channel, receivedAt: at, outcome: 'applied', code: null, note, receiptId })
		.run();
	setDayMark(tx, tenantId, mark, at);
}

function setDayMark(db: Db, tenantId: number, mark: Mark, at: Date): void {
	const q = statements(db);
	const key = { consumerId: mark.consumerId, date: mark.date };
	const current = q.dayMark.get(key) ?? { assenza: false, pastoInBianco: false };
	const next = { assenza: current.assenza, pastoInBianco: current.pastoInBianco, [mark.kind]: mark.value };
	// An ordinary booked day keeps no row.
	if (!next.assenza && !next.pastoInBianco) {
		q.clearDayMark.run(key);
		return;
	}
	q.upsertDayMark.run({ tenantId, ...key, assenza: next.assenza ? 1 : 0, pastoInBianco: next.pastoInBianco ? 1 : 0, at: at.getTime() });
}
