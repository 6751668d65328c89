import { PAGES_CACHE } from '$lib/shared/pwa';

/**
 * Forgets the pages kept for offline reading, so that the next person on this phone never sees
 * them. Safe where Cache Storage is missing (plain http on a LAN address, old browsers).
 */
export async function clearPersonalCaches(): Promise<void> {
	if (typeof caches === 'undefined') return;
	await caches.delete(PAGES_CACHE);
}
