import type { RequestEvent } from '@sveltejs/kit';
import type { Role } from '$server/db/schema';
import { requireRole } from './auth';

/** The back-office pages' common data, behind the role check. */
export function staffPage(event: RequestEvent, role: Role) {
	const { user, tenant, roles } = requireRole(event, role);
	return {
		userName: `${user.givenName} ${user.familyName}`,
		tenantName: tenant?.name ?? null,
		schoolIds: roles.filter((r) => r.role === role && r.schoolId !== null).map((r) => r.schoolId!)
	};
}
