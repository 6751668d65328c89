import type { DayView } from '$lib/components/DayMarkRow.svelte';
import { localDb } from '$lib/client/db';
import type { OutboxItem } from '$lib/client/db';

/** The server's days with the unsent marks on top, oldest first: the last tap wins until the server answers. */
export function overlay(days: DayView[], unsent: OutboxItem[]): DayView[] {
	if (unsent.length === 0) return days;
	const byDate = new Map<string, OutboxItem[]>();
	for (const item of unsent) byDate.set(item.date, [...(byDate.get(item.date) ?? []), item]);
	return days.map((d) => {
		const items = byDate.get(d.date);
		if (!items || !d.service || d.locked) return d;
		return items.reduce((day, i) => ({ ...day, [i.kind]: i.value }), d);
	});
}

/** Keeps what the server said about these days (and whose they are) for reading offline. */
export async function keepDays(consumer: { id: number; givenName: string; familyName: string }, days: DayView[]) {
	const db = localDb();
	const storedAt = new Date().toISOString();
	await db.transaction('rw', [db.days, db.consumers], async () => {
		// The offline copy's fuller description of the child, when there is one, stays.
		if (!(await db.consumers.get(consumer.id))) await db.consumers.put({ id: consumer.id, givenName: consumer.givenName, familyName: consumer.familyName });
		await db.days.bulkPut(days.map((day) => ({ consumerId: consumer.id, date: day.date, service: day.service, day, storedAt })));
	});
}

/** The stored days of a consumer in a range, or null when some of them were never stored. */
export async function storedDays(consumerId: number, from: string, to: string, count: number): Promise<DayView[] | null> {
	const rows = await localDb().days.where('[consumerId+date]').between([consumerId, from], [consumerId, to], true, true).toArray();
	return rows.length === count ? rows.map((r) => r.day as DayView) : null;
}
