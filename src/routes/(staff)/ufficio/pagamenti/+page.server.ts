import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { PaymentListInput } from '$lib/shared/office-payments-schemas';
import { operatorPage } from './office-page';

const DEFAULT_QUERY: PaymentListInput = { page: 1, sort: 'date', dir: 'desc', status: null, channel: null, q: '' };

/** Filters live in the address (?stato=&canale=&q=&ordina=&verso=&pagina=), so a list can be bookmarked or shared. */
export const load: PageServerLoad = async (event) => {
	const { page } = operatorPage(event);
	const p = event.url.searchParams;
	const parsed = PaymentListInput.safeParse({
		page: Number(p.get('pagina') ?? 1) || 1,
		sort: p.get('ordina') ?? 'date',
		dir: p.get('verso') ?? 'desc',
		status: p.get('stato') || null,
		channel: p.get('canale') || null,
		q: p.get('q') ?? ''
	});
	const query = parsed.success ? parsed.data : DEFAULT_QUERY;
	const list = await serverCaller(event).officePayments.payments(query);
	return { ...page, query, list, problem: parsed.success ? null : 'Filtri non validi: sono mostrati tutti i pagamenti.' };
};
