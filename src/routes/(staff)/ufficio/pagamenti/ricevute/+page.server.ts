import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { operatorPage } from '../office-page';

export const load: PageServerLoad = async (event) => {
	const { page } = operatorPage(event);
	const wanted = Number(event.url.searchParams.get('pagina') ?? 1);
	const list = await serverCaller(event).officePayments.receiptsToCheck({ page: Number.isSafeInteger(wanted) && wanted >= 1 && wanted <= 100_000 ? wanted : 1 });
	return { ...page, list };
};
