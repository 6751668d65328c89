import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/trpc/app';
import { COPY_KEY, copyMeta, type CopyMeta, type MensaDb } from '$lib/client/db';

/*
 * The offline copy: what the server says now replaces what the phone kept (the server always
 * wins); the outbox is not touched, so marks not yet acknowledged stay on top of the new days
 * until their answer comes. An unchanged copy costs one short answer and no writes but the time.
 */

export type CopyAnswer = inferRouterOutputs<AppRouter>['guardian']['offlineCopy'];
/** Asks the server for its copy, with the version the phone holds; throws when nothing is known. */
export type FetchCopy = (version: string | undefined) => Promise<CopyAnswer>;

export type RefreshResult = 'updated' | 'unchanged';

export async function refreshCopy(db: MensaDb, fetchCopy: FetchCopy, now: () => Date = () => new Date()): Promise<RefreshResult> {
	const held = await copyMeta(db);
	const answer = await fetchCopy(held?.version);
	const refreshedAt = now().toISOString();
	if (answer.unchanged) {
		if (held) await db.meta.put({ key: COPY_KEY, value: JSON.stringify({ ...held, refreshedAt } satisfies CopyMeta) });
		return 'unchanged';
	}
	const { consumers, unchanged: _, ...window } = answer;
	await db.transaction('rw', [db.days, db.consumers, db.accounts, db.meta], async () => {
		await Promise.all([db.days.clear(), db.consumers.clear(), db.accounts.clear()]);
		await db.consumers.bulkPut(consumers.map(({ days: _d, accounts: _a, ...consumer }) => consumer));
		await db.days.bulkPut(consumers.flatMap((c) => c.days.map((day) => ({ consumerId: c.id, date: day.date, service: day.service, day, storedAt: refreshedAt }))));
		await db.accounts.bulkPut(consumers.flatMap((c) => c.accounts.map((a) => ({ ...a, consumerId: c.id }))));
		await db.meta.put({ key: COPY_KEY, value: JSON.stringify({ ...window, refreshedAt } satisfies CopyMeta) });
	});
	return 'updated';
}
