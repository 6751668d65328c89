import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { AuditSearchInput } from '$lib/shared/debtor-schemas';
import { operatorPage } from '../pagamenti/office-page';

const EVERYTHING: AuditSearchInput = { page: 1, action: '', entity: '', actor: '', from: '', to: '', q: '' };

/** The filters live in the address (?azione=&oggetto=&chi=&dal=&al=&q=&pagina=); a wrong one is shown next to its field. */
export const load: PageServerLoad = async (event) => {
	const { page } = operatorPage(event);
	const p = event.url.searchParams;
	const asked = {
		page: Number(p.get('pagina') ?? 1) || 1,
		action: p.get('azione') ?? '',
		entity: p.get('oggetto') ?? '',
		actor: p.get('chi') ?? '',
		from: p.get('dal') ?? '',
		to: p.get('al') ?? '',
		q: p.get('q') ?? ''
	};
	const parsed = AuditSearchInput.safeParse(asked);
	const errors: Record<string, string> = {};
	if (!parsed.success) for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? '_')] ??= issue.message;
	const list = await serverCaller(event).officeOverview.audit(parsed.success ? parsed.data : EVERYTHING);
	return { ...page, query: parsed.success ? parsed.data : { ...EVERYTHING, ...asked, page: 1 }, list, errors };
};
