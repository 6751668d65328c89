import type { RequestEvent } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth';
import { staffNav } from '$lib/server/staff-nav';

/** The platform admin's pages: admins only, no Comune in the header. */
export function adminPage(event: RequestEvent) {
	const auth = requireRole(event, 'admin');
	return { userName: `${auth.user.givenName} ${auth.user.familyName}`, tenantName: null, links: staffNav(auth.roles) };
}
