/*
 * How long this phone has been showing one render of a page. A page kept for offline use, or left
 * open, still carries the server's "today" and cutoffs of the moment it was drawn; the phone's
 * own clock, compared with itself, says how much later it is now, whatever the phone's clock is
 * set to and whatever the server's.
 */

const KEY = 'mensa-aperta:renders';
const KEPT = 50;

/** Milliseconds since this phone first showed the render made at `renderedAt` (0 the first time). */
export function renderAge(renderedAt: string, storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage, now = Date.now()): number {
	let seen: Record<string, number> = {};
	try {
		seen = JSON.parse(storage.getItem(KEY) ?? '{}') as Record<string, number>;
	} catch {
		// Unreadable: start afresh, as for a page never seen.
	}
	const first = seen[renderedAt];
	if (typeof first === 'number' && first <= now) return now - first;
	const kept = Object.entries({ ...seen, [renderedAt]: now })
		.sort((a, b) => b[1] - a[1])
		.slice(0, KEPT);
	try {
		storage.setItem(KEY, JSON.stringify(Object.fromEntries(kept)));
	} catch {
		// Storage full or refused (private mode): the page is judged as fresh, as before.
	}
	return 0;
}
