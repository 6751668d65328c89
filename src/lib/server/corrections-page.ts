import type { RequestEvent } from '@sveltejs/kit';
import type { Role } from '$server/db/schema';
import { todayOf } from '$server/meals/cutoff';
import { requireRole } from './auth';
import { staffNav } from './staff-nav';

/** The corrections page's data, for the ufficio (whole Comune) and for school staff (their schools). */
export function correctionsPage(event: RequestEvent, role: Extract<Role, 'operator' | 'school_staff'>) {
	const auth = requireRole(event, role);
	const tenant = auth.tenant!;
	return {
		userName: `${auth.user.givenName} ${auth.user.familyName}`,
		tenantName: tenant.name,
		links: staffNav(auth.roles),
		today: todayOf(tenant, event.locals.rt.clock.now()),
		cutoffTime: tenant.cutoffTime,
		canEditDiet: auth.roles.some((r) => r.role === 'operator')
	};
}
