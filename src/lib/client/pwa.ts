import { MARKS_SYNC_QUEUE, PAGES_CACHE } from '$lib/shared/pwa';

/**
 * Forgets the pages kept for offline reading and the mark requests the service worker keeps for
 * Background Sync, so that the next person on this phone never sees them nor has them sent under
 * their own session. Safe where Cache Storage is missing (plain http on a LAN address, old browsers).
 */
export async function clearPersonalCaches(): Promise<void> {
	await Promise.all([typeof caches === 'undefined' ? undefined : caches.delete(PAGES_CACHE), clearSyncQueue()]);
}

// Workbox's own database (workbox-background-sync): its rows are emptied, not the database
// deleted, because the service worker holds it open and a deletion would wait for it.
const WORKBOX_SYNC_DB = 'workbox-background-sync';

async function clearSyncQueue(): Promise<void> {
	if (typeof indexedDB === 'undefined' || !(await indexedDB.databases?.())?.some((d) => d.name === WORKBOX_SYNC_DB)) return;
	await new Promise<void>((resolve) => {
		const open = indexedDB.open(WORKBOX_SYNC_DB);
		open.onerror = () => resolve();
		open.onsuccess = () => {
			const db = open.result;
			if (!db.objectStoreNames.contains('requests')) {
				db.close();
				return resolve();
			}
			const store = db.transaction('requests', 'readwrite').objectStore('requests');
			const rows = store.index('queueName').openCursor(IDBKeyRange.only(MARKS_SYNC_QUEUE));
			rows.onsuccess = () => {
				const cursor = rows.result;
				if (cursor) {
					cursor.delete();
					cursor.continue();
				}
			};
			store.transaction.oncomplete = store.transaction.onerror = () => {
				db.close();
				resolve();
			};
		};
	});
}
