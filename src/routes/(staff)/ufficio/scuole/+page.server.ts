import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { todayOf } from '$server/meals/cutoff';
import { operatorPage } from '../pagamenti/office-page';

/** Classes are shown for one school year (?anno=<id>): the one in course, else the next, else the last. */
export const load: PageServerLoad = async (event) => {
	const { page, tenant } = operatorPage(event);
	const overview = await serverCaller(event).officeSchools.overview();
	const today = todayOf(tenant, event.locals.rt.clock.now());
	const years = overview.schoolYears;
	const asked = years.find((y) => String(y.id) === event.url.searchParams.get('anno'));
	const year = asked ?? years.find((y) => y.firstDay <= today && today <= y.lastDay) ?? years.find((y) => y.firstDay > today) ?? years.at(-1) ?? null;
	return { ...page, ...overview, year };
};
