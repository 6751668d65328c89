import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { ConsumerListInput } from '$lib/shared/consumer-schemas';
import { consumersPage } from './consumers-page';

const DEFAULT_QUERY: ConsumerListInput = { page: 1, sort: 'name', dir: 'asc', q: '', schoolId: null, schoolClassId: null, unlinked: false };

/** Filters live in the address (?q=&scuola=&classe=&senza-genitore=1&ordina=&verso=&pagina=), so a list can be bookmarked. */
export const load: PageServerLoad = async (event) => {
	const page = consumersPage(event);
	const p = event.url.searchParams;
	const parsed = ConsumerListInput.safeParse({
		page: Number(p.get('pagina') ?? 1) || 1,
		sort: p.get('ordina') ?? 'name',
		dir: p.get('verso') ?? 'asc',
		q: p.get('q') ?? '',
		schoolId: Number(p.get('scuola')) || null,
		schoolClassId: Number(p.get('classe')) || null,
		unlinked: p.get('senza-genitore') === '1'
	});
	const query = parsed.success ? parsed.data : DEFAULT_QUERY;
	const caller = serverCaller(event);
	const [list, options] = await Promise.all([caller.officeConsumers.list(query), caller.officeConsumers.options()]);
	return { ...page, query, list, schools: options.schools, classes: options.classes, problem: parsed.success ? null : 'Filtri non validi: sono mostrati tutti gli alunni.' };
};
