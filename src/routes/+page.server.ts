import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';

// Without JavaScript the picker still works as a GET form: /?q=maz
export const load: PageServerLoad = async (event) => {
	const q = (event.url.searchParams.get('q') ?? '').slice(0, 60);
	return { q, results: q ? await serverCaller(event).tenants.search({ q }) : [] };
};
