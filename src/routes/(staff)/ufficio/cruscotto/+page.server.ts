import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { isIsoMonth, monthOf, zonedDateOf } from '$lib/shared/dates';
import { operatorPage } from '../pagamenti/office-page';

/** ?mese=AAAA-MM; without it (or with a wrong one) the Comune's current month. */
export const load: PageServerLoad = async (event) => {
	const { page, tenant } = operatorPage(event);
	const asked = event.url.searchParams.get('mese') ?? '';
	const current = monthOf(zonedDateOf(event.locals.rt.clock.now(), tenant.timezone));
	const month = isIsoMonth(asked) ? asked : current;
	const dashboard = await serverCaller(event).officeOverview.dashboard({ month });
	return { ...page, dashboard, current, problem: asked && !isIsoMonth(asked) ? 'Mese non valido: è mostrato il mese corrente.' : null };
};
