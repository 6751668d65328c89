import { and, eq, isNull } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { consumers, dayCloses, enrolments, ledgerPostings, ledgerTransactions, meals, schoolClasses, services } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { loadCalendar } from '../calendar/service-days.js';
import type { IsoDate } from '../calendar/dates.js';
import { prepaidAccount, revenueAccount } from '../ledger/accounts.js';
import { recordAudit } from '../audit/log.js';
import { addedMealPriceCents } from '../tariffs/price.js';
import { generateToken } from '../auth/tokens.js';
import { applyMarks, recordAppliedMark, type MarkResult } from './marks.js';
import type { CutoffPolicy } from './cutoff.js';
import { isEnrolledOn, loadPlacements } from './enrolment-days.js';

export interface Corrector {
	userId: string;
	/** null: the whole Comune (operator); otherwise the schools delegated to school staff */
	schoolIds: number[] | null;
}

export interface Correction {
	consumerId: number;
	date: IsoDate;
	assenza: boolean;
	pastoInBianco: boolean;
	reason: string;
}

export type CorrectionResult =
	| { status: 'corrected'; receiptId: string; ledger: 'none' | 'debited' | 'refunded' | 'rebooked' }
	| { status: 'rejected'; code: 'FORBIDDEN' | 'NOT_ENROLLED' | 'NOT_A_SERVICE_DAY'; message: string };

/**
 * Sets a day's final state on the ufficio's authority, with a reason. Before the close it is a
 * mark that ignores the cutoff. After it, the meal is cancelled or added by a correcting ledger
 * transaction: what was debited stays in the history.
 */
export function correctDay(db: Db, clock: Clock, scope: TenantScope, tenant: CutoffPolicy, actor: Corrector, input: Correction, ip = ''): CorrectionResult {
	const consumer = db
		.select({ id: consumers.id, schoolId: schoolClasses.schoolId, dietLabel: consumers.dietLabel })
		.from(consumers)
		.leftJoin(schoolClasses, eq(schoolClasses.id, consumers.schoolClassId))
		.where(scope.where(consumers, eq(consumers.id, input.consumerId)))
		.get();
	if (!consumer || (actor.schoolIds !== null && (consumer.schoolId === null || !actor.schoolIds.includes(consumer.schoolId)))) {
		return { status: 'rejected', code: 'FORBIDDEN', message: 'Questo alunno non è tra quelli che puoi gestire.' };
	}
	const closed = db.select().from(dayCloses).where(scope.where(dayCloses, eq(dayCloses.date, input.date))).get();
	const audit = (receiptId: string, ledger: string) =>
		recordAudit(db, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'meals.correct', entity: 'consumer', entityId: input.consumerId, details: { ...input, receiptId, ledger }, ip });

	if (!closed) {
		const marks = (['assenza', 'pastoInBianco'] as const).map((kind) => ({ mutationId: `corr-${generateToken()}`, consumerId: input.consumerId, date: input.date, kind, value: input[kind] }));
		const results = applyMarks(db, clock, scope, tenant, { userId: actor.userId, channel: 'operatore', mayMark: () => true, bypassCutoff: true, note: input.reason }, marks);
		const refused = results.find((r): r is Extract<MarkResult, { status: 'rejected' }> => r.status === 'rejected');
		if (refused) return { status: 'rejected', code: refused.code as 'NOT_ENROLLED' | 'NOT_A_SERVICE_DAY', message: refused.message };
		const receiptId = (results[0] as Extract<MarkResult, { status: 'applied' }>).receipt.id;
		audit(receiptId, 'none');
		return { status: 'corrected', receiptId, ledger: 'none' };
	}

	const placement = loadPlacements(db, scope, [input.consumerId]).get(input.consumerId)!;
	if (!isEnrolledOn(placement, input.date)) return { status: 'rejected', code: 'NOT_ENROLLED', message: 'L’alunno non era iscritto al servizio in quel giorno.' };
	const calendar = loadCalendar(db, scope, input.date, input.date);
	if (placement.schoolClassId === null || !calendar.verdictForClass(placement.schoolClassId, input.date).service) {
		return { status: 'rejected', code: 'NOT_A_SERVICE_DAY', message: 'In quel giorno non c’era servizio mensa.' };
	}

	return db.transaction((tx) => {
		const now = clock.now();
		const receiptId = `C${generateToken().slice(0, 12).toUpperCase()}`;
		const wanted = input.assenza ? null : input.pastoInBianco ? 'bianco' : 'normale';
		const active = tx
			.select({ enrolment: enrolments, groupId: services.serviceGroupId, serviceName: services.name })
			.from(enrolments)
			.innerJoin(services, eq(services.id, enrolments.serviceId))
			.where(scope.where(enrolments, eq(enrolments.consumerId, input.consumerId), eq(enrolments.status, 'attiva')))
			.all()
			.filter((r) => r.enrolment.fromDate <= input.date && (r.enrolment.toDate === null || input.date <= r.enrolment.toDate));
		let transactionId: number | null = null;
		let refunded = false;
		let debited = false;
		const post = (accountId: number, amountCents: number, description: string, mealId: number | null) => {
			transactionId ??= tx
				.insert(ledgerTransactions)
				.values({ tenantId: scope.tenantId, kind: 'meal_correction', externalId: `correction:${receiptId}`, description: `Correzione: ${input.reason}`, createdBy: actor.userId, createdAt: now })
				.returning({ id: ledgerTransactions.id })
				.get().id;
			tx.insert(ledgerPostings).values({ tenantId: scope.tenantId, transactionId, accountId, amountCents, valueDate: input.date, description, mealId }).run();
		};
		const day = `${input.date.slice(8, 10)}/${input.date.slice(5, 7)}`;
		for (const { enrolment, groupId, serviceName } of active) {
			const meal = tx
				.select()
				.from(meals)
				.where(and(eq(meals.consumerId, input.consumerId), eq(meals.serviceId, enrolment.serviceId), eq(meals.date, input.date), isNull(meals.cancelledAt)))
				.get();
			if (meal && meal.kind === wanted) continue;
			const prepaid = prepaidAccount(db, scope.tenantId, input.consumerId, groupId, now);
			const revenue = revenueAccount(db, scope.tenantId, now);
			if (meal) {
				if (meal.priceCents > 0) {
					post(prepaid, meal.priceCents, `Storno pasto ${day} — ${serviceName}`, meal.id);
					post(revenue, -meal.priceCents, `Storno pasto ${day}`, meal.id);
				}
				tx.update(meals).set({ cancelledAt: now, cancelTransactionId: transactionId }).where(eq(meals.id, meal.id)).run();
				refunded = true;
			}
			if (wanted) {
				// A change of kind keeps the meal's price; a meal added is priced as of its day.
				const price = meal?.priceCents ?? addedMealPriceCents(db, scope.tenantId, enrolment.id, input.date);
				const added = tx
					.insert(meals)
					.values({ tenantId: scope.tenantId, date: input.date, consumerId: input.consumerId, enrolmentId: enrolment.id, serviceId: enrolment.serviceId, schoolId: consumer.schoolId!, schoolClassId: placement.schoolClassId!, kind: wanted, dietLabel: consumer.dietLabel, priceCents: price })
					.returning()
					.get();
				if (price > 0) {
					post(prepaid, -price, `Pasto ${day} — ${serviceName}${wanted === 'bianco' ? ' (in bianco)' : ''} (correzione)`, added.id);
					post(revenue, price, `Pasto ${day} (correzione)`, added.id);
				}
				tx.update(meals).set({ transactionId }).where(eq(meals.id, added.id)).run();
				debited = true;
			}
		}
		// The day's marks and history follow the correction, so the parent sees the final state.
		for (const kind of ['assenza', 'pastoInBianco'] as const) {
			// Same connection as the transaction: the prepared statements run inside it.
			recordAppliedMark(db, scope.tenantId, { mutationId: `corr-${receiptId}-${kind}`, consumerId: input.consumerId, date: input.date, kind, value: input[kind] }, actor.userId, 'operatore', now, receiptId, input.reason);
		}
		audit(receiptId, debited && refunded ? 'rebooked' : debited ? 'debited' : refunded ? 'refunded' : 'none');
		return { status: 'corrected', receiptId, ledger: debited && refunded ? 'rebooked' : debited ? 'debited' : refunded ? 'refunded' : 'none' } as const;
	});
}
