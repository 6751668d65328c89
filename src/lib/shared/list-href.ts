/** A list's address with its filters as URL parameters; empty, false, null and 0 are left out, so the defaults keep it short. */
export function listHref(path: string, params: Record<string, string | number | boolean | null | undefined>): string {
	const search = new URLSearchParams();
	for (const [name, value] of Object.entries(params)) if (value !== '' && value !== false && value != null && value !== 0) search.set(name, value === true ? '1' : String(value));
	const s = search.toString();
	return s ? `${path}?${s}` : path;
}
