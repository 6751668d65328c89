import { DebtorListInput } from '$lib/shared/debtor-schemas';

export const DEFAULT_DEBTOR_QUERY: DebtorListInput = { page: 1, sort: 'debt', dir: 'desc', schoolId: null, minDebt: '' };

/** The list's filters live in the address (?scuola=&minimo=&ordina=&verso=&pagina=): a list can be bookmarked, and the CSV takes the same. */
export function debtorQueryOf(url: URL): { query: DebtorListInput; valid: boolean } {
	const p = url.searchParams;
	const candidate = {
		page: Number(p.get('pagina') ?? 1) || 1,
		sort: p.get('ordina') ?? 'debt',
		dir: p.get('verso') ?? 'desc',
		schoolId: p.get('scuola') ? Number(p.get('scuola')) : null,
		minDebt: p.get('minimo') ?? ''
	};
	const valid = DebtorListInput.safeParse(candidate).success;
	return { query: valid ? (candidate as DebtorListInput) : DEFAULT_DEBTOR_QUERY, valid };
}
