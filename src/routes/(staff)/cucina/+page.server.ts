import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import type { PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth';
import { staffNav } from '$lib/server/staff-nav';
import { serverCaller } from '$lib/server/trpc';
import { isValidIsoDate } from '$server/calendar/dates';
import { todayOf } from '$server/meals/cutoff';
import { zonedParts } from '$server/calendar/zoned-time';

/** The kitchen's page, also open to the ufficio and the schools: the day's counts and nothing else. */
export const load: PageServerLoad = async (event) => {
	const auth = requireRole(event, 'kitchen', 'operator', 'school_staff');
	const tenant = auth.tenant;
	if (!tenant) error(403, 'Non hai i permessi per vedere questa pagina.');
	const today = todayOf(tenant, event.locals.rt.clock.now());
	const asked = event.url.searchParams.get('data');
	const date = asked && isValidIsoDate(asked) ? asked : today;
	try {
		const report = await serverCaller(event).office.kitchenReport({ date });
		return {
			userName: `${auth.user.givenName} ${auth.user.familyName}`,
			tenantName: tenant.name,
			links: staffNav(auth.roles),
			today,
			date,
			invalidDate: asked !== null && asked !== date,
			cutoffTime: tenant.cutoffTime,
			closedAtTime: report.closedAt ? zonedParts(new Date(report.closedAt), tenant.timezone).time : null,
			report
		};
	} catch (e) {
		if (e instanceof TRPCError && e.code === 'BAD_REQUEST') error(400, e.message);
		throw e;
	}
};
