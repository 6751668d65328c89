import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { todayOf } from '$server/meals/cutoff';
import { operatorPage } from '../pagamenti/office-page';

export const load: PageServerLoad = async (event) => {
	const { page, tenant } = operatorPage(event);
	return { ...page, today: todayOf(tenant, event.locals.rt.clock.now()), pause: await serverCaller(event).officePayments.pause() };
};
