import type { RequestEvent } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth';
import { staffNav } from '$lib/server/staff-nav';

/** The ufficio's money pages: operators only, with the common header data. */
export function operatorPage(event: RequestEvent) {
	const auth = requireRole(event, 'operator');
	const tenant = auth.tenant!;
	return {
		tenant,
		page: { userName: `${auth.user.givenName} ${auth.user.familyName}`, tenantName: tenant.name, links: staffNav(auth.roles) }
	};
}
