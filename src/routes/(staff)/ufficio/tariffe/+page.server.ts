import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { operatorPage } from '../pagamenti/office-page';

export const load: PageServerLoad = async (event) => {
	const { page } = operatorPage(event);
	return { ...page, tariffs: await serverCaller(event).officeTariffs.overview() };
};
