import { TRPCError } from '@trpc/server';
import {
	ConsumerListInput,
	CreateConsumerInput,
	EndEnrolmentInput,
	EnrolmentIdInput,
	LettersInput,
	MoveClassInput,
	OfficeConsumerInput,
	UpdateConsumerInput
} from '../../../src/lib/shared/consumer-schemas.js';
import { NoInput } from '../../../src/lib/shared/schemas.js';
import { createConsumer, endEnrolment, moveClass, regenerateCode, updateConsumer } from '../../consumers/office/changes.js';
import { consumerDetail, enrolmentOptions, openDays } from '../../consumers/office/detail.js';
import { listConsumers } from '../../consumers/office/list.js';
import { issueLetters } from '../../consumers/letters/issue.js';
import { dietReaderOf, recordDietRead } from '../../privacy/diet-reads.js';
import { procedureFor, router, type AuthedContext } from '../init.js';
import { officeActor } from '../office-actor.js';
import { Refusal } from '../outcomes.js';

/** Operators on the whole Comune; school staff on the schools whose enrolments are delegated to them. */
const officeProcedure = procedureFor('operator', 'school_staff');

const openOf = (ctx: AuthedContext) => openDays(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.tenant!);

/** Another Comune's id and one out of reach answer alike: NOT_FOUND, nothing about the row. */
function settled<T extends { status: string }>(r: T | { status: 'rejected'; code: string; message: string; field?: string }): Exclude<T, { status: 'rejected' }> {
	if (r.status !== 'rejected') return r as Exclude<T, { status: 'rejected' }>;
	const { code, message, field } = r as { code: string; message: string; field?: string };
	throw new TRPCError({ code: code === 'NOT_FOUND' ? 'NOT_FOUND' : 'BAD_REQUEST', message, cause: new Refusal(message, code, field ? { [field]: message } : undefined) });
}

export const officeConsumersRouter = router({
	list: officeProcedure.input(ConsumerListInput).query(({ ctx, input }) => listConsumers(ctx.rt.db, ctx.scope, officeActor(ctx), input)),
	options: officeProcedure.input(NoInput).query(({ ctx }) => ({ ...enrolmentOptions(ctx.rt.db, ctx.scope, officeActor(ctx)), ...openOf(ctx) })),
	detail: officeProcedure.input(OfficeConsumerInput).query(({ ctx, input }) => {
		const detail = consumerDetail(ctx.rt.db, ctx.scope, officeActor(ctx), input.consumerId);
		if (!detail) return settled({ status: 'rejected', code: 'NOT_FOUND', message: 'Alunno non trovato in questo Comune.' });
		recordDietRead(ctx.rt.db, ctx.rt.clock, dietReaderOf(ctx), { entity: 'consumer', consumers: [detail.consumer] });
		return detail;
	}),
	create: officeProcedure.input(CreateConsumerInput).mutation(({ ctx, input }) => settled(createConsumer(ctx.rt.db, ctx.rt.clock, ctx.scope, officeActor(ctx), openOf(ctx), input))),
	update: officeProcedure.input(UpdateConsumerInput).mutation(({ ctx, input }) => {
		const { consumerId, ...data } = input;
		return settled(updateConsumer(ctx.rt.db, ctx.rt.clock, ctx.scope, officeActor(ctx), consumerId, data));
	}),
	moveClass: officeProcedure
		.input(MoveClassInput)
		.mutation(({ ctx, input }) => settled(moveClass(ctx.rt.db, ctx.rt.clock, ctx.scope, officeActor(ctx), openOf(ctx), input.consumerId, input.schoolClassId))),
	endEnrolment: officeProcedure
		.input(EndEnrolmentInput)
		.mutation(({ ctx, input }) => settled(endEnrolment(ctx.rt.db, ctx.rt.clock, ctx.scope, officeActor(ctx), openOf(ctx), input.enrolmentId, input.toDate))),
	regenerateCode: officeProcedure.input(EnrolmentIdInput).mutation(({ ctx, input }) => settled(regenerateCode(ctx.rt.db, ctx.rt.clock, ctx.scope, officeActor(ctx), input.enrolmentId))),
	/** Fresh codes for the letters: the PDF route renders them, so the codes are never stored in clear. */
	issueLetters: officeProcedure
		.input(LettersInput)
		.mutation(({ ctx, input }) => settled(issueLetters(ctx.rt.db, ctx.rt.clock, ctx.scope, officeActor(ctx), openOf(ctx).firstOpenDay, input)))
});
