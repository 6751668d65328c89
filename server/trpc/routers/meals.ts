import { DayHistoryInput, DaysInput, MarkBatchInput } from '../../../src/lib/shared/schemas.js';
import { canSeeConsumer } from '../../consumers/access.js';
import { applyMarks } from '../../meals/marks.js';
import { queueMarkReceipts } from '../../meals/mark-receipts.js';
import { consumerDays, dayHistory } from '../../meals/day-list.js';
import { guardianProcedure, router } from '../init.js';
import { requireChild } from '../child-guard.js';

export const mealsRouter = router({
	days: guardianProcedure.input(DaysInput).query(({ ctx, input }) => {
		const tenant = requireChild(ctx, input.consumerId);
		return {
			cutoffTime: tenant.cutoffTime,
			serverTime: ctx.rt.clock.now().toISOString(),
			days: consumerDays(ctx.rt.db, ctx.rt.clock, ctx.scope, tenant, input.consumerId, input.from, input.to)
		};
	}),
	mark: guardianProcedure.input(MarkBatchInput).mutation(async ({ ctx, input }) => {
		// The cutoff is judged at the moment the request arrived, not when its group commits.
		const receivedAt = ctx.rt.clock.now();
		const actor = { userId: ctx.auth.user.id, channel: 'app' as const, mayMark: (id: number) => canSeeConsumer(ctx.rt.db, ctx.scope, ctx.auth.user, id), bypassCutoff: false };
		const results = await ctx.rt.groupCommit(() => {
			const applied = applyMarks(ctx.rt.db, { now: () => receivedAt }, ctx.scope, ctx.auth.tenant!, actor, input.marks);
			queueMarkReceipts(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.tenant!, ctx.auth.user, input.marks, applied);
			return applied;
		});
		return { results };
	}),
	history: guardianProcedure.input(DayHistoryInput).query(({ ctx, input }) => {
		requireChild(ctx, input.consumerId);
		return dayHistory(ctx.rt.db, ctx.scope, input.consumerId, input.date);
	})
});
