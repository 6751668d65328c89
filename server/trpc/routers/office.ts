import { TRPCError } from '@trpc/server';
import { ClosureIdInput, ClosureInput, ConsumerSearchInput, CorrectionInput, KitchenReportInput, NoInput, SetCalendarInput, SetDietLabelInput } from '../../../src/lib/shared/schemas.js';
import { addClosure, listCalendar, removeClosure, setSchoolCalendar, type EditResult } from '../../calendar/admin.js';
import { correctDay } from '../../meals/corrections.js';
import { kitchenReport } from '../../meals/kitchen-report.js';
import { searchConsumers } from '../../consumers/search.js';
import { setDietLabel } from '../../consumers/diet.js';
import { dietReaderOf, recordDietRead } from '../../privacy/diet-reads.js';
import { procedureFor, router } from '../init.js';
import { Refusal } from '../outcomes.js';
import { officeActor } from '../office-actor.js';

const operatorProcedure = procedureFor('operator');

function saved<T>(result: EditResult<T>) {
	if (result.status === 'rejected') throw new TRPCError({ code: 'BAD_REQUEST', message: result.message, cause: new Refusal(result.message, 'REJECTED') });
	return result;
}

export const officeRouter = router({
	kitchenReport: procedureFor('kitchen', 'operator', 'school_staff')
		.input(KitchenReportInput)
		.query(({ ctx, input }) => {
			const wholeComune = ctx.auth.roles.some((r) => r.role === 'operator' || r.role === 'kitchen');
			const report = kitchenReport(ctx.rt.db, ctx.scope.tenantId, input.date, wholeComune ? null : officeActor(ctx).schoolIds);
			const diets = Object.values(report.totals.diets).reduce((a, n) => a + n, 0);
			recordDietRead(ctx.rt.db, ctx.rt.clock, dietReaderOf(ctx), { entity: 'kitchen_report', date: input.date, diets });
			return report;
		}),
	correctDay: procedureFor('operator', 'school_staff')
		.input(CorrectionInput)
		.mutation(({ ctx, input }) => {
			const result = correctDay(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.tenant!, officeActor(ctx), input, ctx.edge.ip);
			if (result.status === 'rejected') {
				throw new TRPCError({ code: result.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'BAD_REQUEST', message: result.message, cause: new Refusal(result.message, result.code) });
			}
			return result;
		}),
	searchConsumers: procedureFor('operator', 'school_staff')
		.input(ConsumerSearchInput)
		.query(({ ctx, input }) => {
			const hits = searchConsumers(ctx.rt.db, ctx.scope, input.q, officeActor(ctx).schoolIds);
			recordDietRead(ctx.rt.db, ctx.rt.clock, dietReaderOf(ctx), { entity: 'consumer', consumers: hits });
			return hits;
		}),
	setDietLabel: operatorProcedure.input(SetDietLabelInput).mutation(({ ctx, input }) => {
		const result = setDietLabel(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.user.id, input.consumerId, input.dietLabel, ctx.edge.ip);
		if (result.status === 'rejected') throw new TRPCError({ code: 'NOT_FOUND', message: result.message, cause: new Refusal(result.message, result.code) });
		return result;
	}),
	calendar: operatorProcedure.input(NoInput).query(({ ctx }) => listCalendar(ctx.rt.db, ctx.scope)),
	setCalendar: operatorProcedure
		.input(SetCalendarInput)
		.mutation(({ ctx, input }) => saved(setSchoolCalendar(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.tenant!, ctx.auth.user.id, input))),
	addClosure: operatorProcedure
		.input(ClosureInput)
		.mutation(({ ctx, input }) => saved(addClosure(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.tenant!, ctx.auth.user.id, input))),
	removeClosure: operatorProcedure
		.input(ClosureIdInput)
		.mutation(({ ctx, input }) => saved(removeClosure(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.tenant!, ctx.auth.user.id, input.closureId)))
});
