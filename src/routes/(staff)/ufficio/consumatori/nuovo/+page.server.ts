import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { consumersPage } from '../consumers-page';

export const load: PageServerLoad = async (event) => {
	const page = consumersPage(event);
	return { ...page, options: await serverCaller(event).officeConsumers.options() };
};
