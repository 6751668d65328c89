import { AuditSearchInput, DashboardInput } from '../../../src/lib/shared/debtor-schemas.js';
import { auditVocabulary, searchAudit } from '../../audit/search.js';
import { dashboardOf } from '../../dashboard/month.js';
import { procedureFor, router } from '../init.js';

/** The Comune's figures and its registro: operators only, each of their own Comune. */
const operatorProcedure = procedureFor('operator');

export const officeOverviewRouter = router({
	dashboard: operatorProcedure.input(DashboardInput).query(({ ctx, input }) => dashboardOf(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.tenant!.timezone, input.month)),
	audit: operatorProcedure.input(AuditSearchInput).query(({ ctx, input }) => ({
		...searchAudit(ctx.rt.db, ctx.scope, ctx.auth.tenant!.timezone, input),
		...auditVocabulary(ctx.rt.db, ctx.scope)
	}))
});
