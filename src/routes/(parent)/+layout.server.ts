import type { LayoutServerLoad } from './$types';
import { requireRole } from '$lib/server/auth';
import { serverCaller } from '$lib/server/trpc';

export const load: LayoutServerLoad = async (event) => {
	const { user, tenant } = requireRole(event, 'guardian');
	return {
		userName: `${user.givenName} ${user.familyName}`,
		tenantName: tenant?.name ?? null,
		consumers: await serverCaller(event).guardian.consumers()
	};
};
