import { TRPCError } from '@trpc/server';
import { BalancesInput, StatementInput } from '../../../src/lib/shared/account-schemas.js';
import { listGuardianConsumers } from '../../consumers/access.js';
import { balancesOf, statementOf } from '../../ledger/statement.js';
import { forecastOf } from '../../ledger/forecast.js';
import { guardianProcedure, router } from '../init.js';
import { requireChild } from '../child-guard.js';

export const accountRouter = router({
	balances: guardianProcedure.input(BalancesInput).query(({ ctx, input }) => {
		const tenant = requireChild(ctx, input.consumerId);
		return balancesOf(ctx.rt.db, ctx.scope, input.consumerId).map((b) => ({
			...b,
			forecast: forecastOf(ctx.rt.db, ctx.rt.clock, ctx.scope, tenant, input.consumerId, b.serviceGroupId, b.balanceCents)
		}));
	}),
	statement: guardianProcedure.input(StatementInput).query(({ ctx, input }) => {
		requireChild(ctx, input.consumerId);
		const group = balancesOf(ctx.rt.db, ctx.scope, input.consumerId).find((b) => b.serviceGroupId === input.serviceGroupId);
		if (!group) throw new TRPCError({ code: 'NOT_FOUND', message: 'Nessun conto di questo servizio per il consumatore.' });
		const consumer = listGuardianConsumers(ctx.rt.db, ctx.scope, ctx.auth.user).find((c) => c.id === input.consumerId)!;
		return {
			consumer: { id: consumer.id, givenName: consumer.givenName, familyName: consumer.familyName },
			group: { id: group.serviceGroupId, name: group.name },
			...statementOf(ctx.rt.db, ctx.scope, group.accountId, input)
		};
	})
});
