import { CreateTenantInput, InviteOperatorInput, SecureStaffInput, SetLogoInput, TenantIdInput, TenantListInput, UpdateTenantInput } from '../../../src/lib/shared/setup-schemas.js';
import { createTenant, inviteOperator, listTenants, secureStaffAccount, setTenantLogo, tenantForAdmin, updateTenant } from '../../tenants/admin.js';
import { mailInvitation } from '../../users/invitations.js';
import { procedureFor, router, type AuthedContext } from '../init.js';
import { settledSetup, setupRefusal } from './setup-outcome.js';

/** The platform's own administration: Comuni, their settings and their operators. */
const adminProcedure = procedureFor('admin');

const actorOf = (ctx: AuthedContext) => ({ userId: ctx.auth.user.id, ip: ctx.edge.ip });

export const adminRouter = router({
	tenants: adminProcedure.input(TenantListInput).query(({ ctx, input }) => listTenants(ctx.rt.db, input)),
	tenant: adminProcedure
		.input(TenantIdInput)
		.query(({ ctx, input }) => tenantForAdmin(ctx.rt.db, ctx.rt.secrets, input.tenantId) ?? setupRefusal({ code: 'NOT_FOUND', message: 'Comune non trovato.' })),
	secureStaff: adminProcedure.input(SecureStaffInput).mutation(({ ctx, input }) => ({ userId: settledSetup(secureStaffAccount(ctx.rt.db, ctx.rt.clock, actorOf(ctx), input)) })),
	createTenant: adminProcedure.input(CreateTenantInput).mutation(({ ctx, input }) => {
		const t = settledSetup(createTenant(ctx.rt.db, ctx.rt.clock, ctx.rt.secrets, actorOf(ctx), input));
		return { id: t.id, slug: t.slug };
	}),
	updateTenant: adminProcedure.input(UpdateTenantInput).mutation(({ ctx, input }) => {
		const t = settledSetup(updateTenant(ctx.rt.db, ctx.rt.clock, ctx.rt.secrets, actorOf(ctx), input));
		return { id: t.id, slug: t.slug };
	}),
	setLogo: adminProcedure.input(SetLogoInput).mutation(({ ctx, input }) => {
		settledSetup(setTenantLogo(ctx.rt.db, ctx.rt.clock, actorOf(ctx), input.tenantId, input.logo));
		return { status: 'saved' as const };
	}),
	inviteOperator: adminProcedure.input(InviteOperatorInput).mutation(async ({ ctx, input }) => {
		const { tenant, user, token } = settledSetup(inviteOperator(ctx.rt.db, ctx.rt.clock, actorOf(ctx), input));
		return { email: user.email!, mailed: await mailInvitation(ctx.rt.mailer, ctx.rt.config.origin, tenant, user.email!, 'operator', null, token) };
	})
});
