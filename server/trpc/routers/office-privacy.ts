import { TRPCError } from '@trpc/server';
import { OfficeConsumerInput } from '../../../src/lib/shared/consumer-schemas.js';
import { anonymiseFamily } from '../../privacy/anonymise.js';
import { procedureFor, router } from '../init.js';
import { Refusal } from '../outcomes.js';

export const officePrivacyRouter = router({
	/** Only the Comune's office: school staff reach enrolments, not a family's right to be forgotten. */
	anonymiseFamily: procedureFor('operator')
		.input(OfficeConsumerInput)
		.mutation(({ ctx, input }) => {
			const outcome = anonymiseFamily(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.tenant!.timezone, { userId: ctx.auth.user.id, ip: ctx.edge.ip }, input.consumerId);
			if (outcome.status === 'rejected') {
				throw new TRPCError({ code: outcome.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'BAD_REQUEST', message: outcome.message, cause: new Refusal(outcome.message, outcome.code) });
			}
			return outcome;
		})
});
