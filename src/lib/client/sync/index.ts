import { localDb } from '$lib/client/db';
import { trpc } from '$lib/client/trpc';
import { createOutbox, type Outbox, type MarkRequest } from './outbox';

export type { MarkRequest } from './outbox';

/*
 * The browser's outbox: marks go out through meals.mark on every chance the page gets (coming
 * back online, focus, a 30 s timer while something waits) and through Background Sync when the
 * service worker offers it.
 */

const RETRY_MS = 30_000;

let outbox: Outbox | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

export function browserOutbox(): Outbox {
	if (outbox) return outbox;
	outbox = createOutbox(localDb(), async (marks) => (await trpc.meals.mark.mutate({ marks })).results);
	const kick = () => void flushMarks();
	window.addEventListener('online', kick);
	window.addEventListener('focus', kick);
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState === 'visible') kick();
	});
	return outbox;
}

/** Sends what waits; keeps a timer running while something is still unsent. */
export async function flushMarks() {
	const box = browserOutbox();
	const report = await box.flush();
	const left = (await box.unsent()).length;
	if (left && !timer) timer = setInterval(() => void flushMarks(), RETRY_MS);
	if (!left && timer) {
		clearInterval(timer);
		timer = null;
	}
	return report;
}

// The worker side of 'marks' belongs to the service worker; without one, the triggers above suffice.
async function askBackgroundSync() {
	try {
		const registration = await navigator.serviceWorker?.getRegistration();
		const sync = (registration as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined)?.sync;
		await sync?.register('marks');
	} catch {
		// Not offered (or refused): the page's own triggers still send.
	}
}

/** Stores the marks at once and starts sending them; returns the stored items. */
export async function queueMarks(marks: MarkRequest[]) {
	const items = await browserOutbox().enqueue(marks);
	void askBackgroundSync();
	void flushMarks();
	return items;
}
