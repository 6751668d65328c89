import type { PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth';
import { staffNav } from '$lib/server/staff-nav';
import { serverCaller } from '$lib/server/trpc';

/** A staff member's own account: the password, and the recovery codes of the second factor. */
export const load: PageServerLoad = async (event) => {
	const auth = requireRole(event, 'operator', 'school_staff', 'kitchen', 'admin');
	return {
		userName: `${auth.user.givenName} ${auth.user.familyName}`,
		tenantName: auth.tenant?.name ?? null,
		links: staffNav(auth.roles),
		account: await serverCaller(event).auth.staffAccount()
	};
};
