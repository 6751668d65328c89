import { TRPCError } from '@trpc/server';
import { TenantBySlugInput, TenantSearchInput } from '../../../src/lib/shared/schemas.js';
import { findTenantBySlug, publicTenantInfo, searchTenants } from '../../tenants/tenants.js';
import { publicProcedure, router } from '../init.js';

export const tenantsRouter = router({
	search: publicProcedure.input(TenantSearchInput).query(({ ctx, input }) => searchTenants(ctx.rt.db, input.q)),
	bySlug: publicProcedure.input(TenantBySlugInput).query(({ ctx, input }) => {
		const tenant = findTenantBySlug(ctx.rt.db, input.slug);
		if (!tenant) throw new TRPCError({ code: 'NOT_FOUND', message: 'Comune non trovato.' });
		return publicTenantInfo(tenant);
	})
});
