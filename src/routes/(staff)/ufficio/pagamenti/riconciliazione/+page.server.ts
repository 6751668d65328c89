import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { isIsoDate } from '$lib/shared/dates';
import { todayOf } from '$server/meals/cutoff';
import { operatorPage } from '../office-page';

export const load: PageServerLoad = async (event) => {
	const { page, tenant } = operatorPage(event);
	const today = todayOf(tenant, event.locals.rt.clock.now());
	const asked = event.url.searchParams.get('data');
	const date = asked && isIsoDate(asked) ? asked : today;
	const report = await serverCaller(event).officePayments.reconciliation({ date });
	return { ...page, today, report, problem: asked && asked !== date ? 'Data non valida: è mostrato il giorno di oggi.' : null };
};
