import type { PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth';
import { staffNav } from '$lib/server/staff-nav';
import { serverCaller } from '$lib/server/trpc';
import { firstOpenDay } from '$server/calendar/admin';
import { todayOf } from '$server/meals/cutoff';
import { currentSchoolYear } from '$server/schools/school-years';
import { tenantScope } from '$server/db/tenant-scope';

export const load: PageServerLoad = async (event) => {
	const auth = requireRole(event, 'operator');
	const tenant = auth.tenant!;
	const { rt } = event.locals;
	const all = await serverCaller(event).office.calendar();
	const today = todayOf(tenant, rt.clock.now());
	const year = currentSchoolYear(all.schoolYears, today);
	const calendars = year
		? all.schools.map((school) => {
				// The newest version is the one that holds from its effectiveFrom on: the one to edit.
				const current = all.calendars
					.filter((c) => c.schoolId === school.id && c.schoolYearId === year.id)
					.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || a.id - b.id)
					.at(-1);
				return {
					school,
					weekdays: current ? current.weekdays.split(',').map(Number) : [1, 2, 3, 4, 5],
					firstDay: current?.firstDay ?? year.firstDay,
					lastDay: current?.lastDay ?? year.lastDay,
					effectiveFrom: current?.effectiveFrom ?? null
				};
			})
		: [];
	const closures = year ? all.closures.filter((c) => c.toDate >= year.firstDay && c.fromDate <= year.lastDay).sort((a, b) => a.fromDate.localeCompare(b.fromDate) || a.id - b.id) : [];
	return {
		userName: `${auth.user.givenName} ${auth.user.familyName}`,
		tenantName: tenant.name,
		links: staffNav(auth.roles),
		today,
		firstOpenDay: firstOpenDay(rt.db, rt.clock, tenantScope(tenant.id), tenant),
		year,
		calendars,
		closures,
		schools: all.schools,
		classes: all.classes
	};
};
