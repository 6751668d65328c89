import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { consumersPage, loadConsumer } from '../consumers-page';

export const load: PageServerLoad = async (event) => {
	const page = consumersPage(event);
	const [detail, options] = await Promise.all([loadConsumer(event), serverCaller(event).officeConsumers.options()]);
	return { ...page, ...detail, classes: options.classes, firstOpenDay: options.firstOpenDay, lastClosedDay: options.lastClosedDay, created: event.url.searchParams.has('creato'), operator: event.locals.auth!.roles.some((r) => r.role === 'operator') };
};
