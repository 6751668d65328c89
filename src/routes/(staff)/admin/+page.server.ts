import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { TenantListInput } from '$lib/shared/setup-schemas';
import { adminPage } from './admin-page';

const DEFAULT_QUERY: TenantListInput = { page: 1, sort: 'name', dir: 'asc', q: '' };

/** Search, order and page live in the address (?q=&ordina=&verso=&pagina=), like the ufficio's lists. */
export const load: PageServerLoad = async (event) => {
	const page = adminPage(event);
	const p = event.url.searchParams;
	const parsed = TenantListInput.safeParse({ page: Number(p.get('pagina') ?? 1) || 1, sort: p.get('ordina') ?? 'name', dir: p.get('verso') ?? 'asc', q: p.get('q') ?? '' });
	const query = parsed.success ? parsed.data : DEFAULT_QUERY;
	return { ...page, query, list: await serverCaller(event).admin.tenants(query), problem: parsed.success ? null : 'Filtri non validi: sono mostrati tutti i Comuni.' };
};
