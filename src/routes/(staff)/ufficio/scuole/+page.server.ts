import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { todayOf } from '$server/meals/cutoff';
import { currentSchoolYear } from '$server/schools/school-years';
import { operatorPage } from '../pagamenti/office-page';

/** Classes are shown for one school year (?anno=<id>, archived ones too), by default the current one. */
export const load: PageServerLoad = async (event) => {
	const { page, tenant } = operatorPage(event);
	const overview = await serverCaller(event).officeSchools.overview();
	const today = todayOf(tenant, event.locals.rt.clock.now());
	const years = overview.schoolYears;
	const asked = years.find((y) => String(y.id) === event.url.searchParams.get('anno'));
	const year = asked ?? currentSchoolYear(years, today);
	return { ...page, ...overview, year };
};
