import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/trpc/app';
import type { MarkInput } from '$lib/shared/schemas';
import { trpc } from '$lib/client/trpc';

/*
 * The one place in the client that sends assenze and pasti in bianco. Components call
 * sendMarks() and never trpc.meals.mark: the offline outbox will replace the body of this
 * module (queue in IndexedDB, send when online) without touching them.
 */

export type MarkRequest = Omit<MarkInput, 'mutationId'>;
export type MarkResult = inferRouterOutputs<AppRouter>['meals']['mark']['results'][number];

/** What the server decided for one mark; a replay ("duplicate") carries the first answer. */
export type MarkOutcome = { mark: MarkInput; duplicate: boolean } & (
	| { status: 'applied'; receipt: { id: string; receivedAt: string } }
	| { status: 'rejected'; code: string; message: string }
);

/** The server's batch limit (MarkBatchInput). */
const BATCH_SIZE = 250;

/**
 * crypto.randomUUID exists only in secure contexts (https, localhost): a phone trying a
 * development server by its LAN address gets a v4 UUID from getRandomValues instead.
 */
function newMutationId(): string {
	if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function outcomeOf(mark: MarkInput, result: MarkResult | undefined): MarkOutcome {
	if (!result) return { mark, duplicate: false, status: 'rejected', code: 'NO_ANSWER', message: 'Il server non ha risposto per questo giorno: riprova.' };
	const duplicate = result.status === 'duplicate';
	const first = result.status === 'duplicate' ? result.first : result;
	return first.status === 'applied'
		? { mark, duplicate, status: 'applied', receipt: first.receipt }
		: { mark, duplicate, status: 'rejected', code: first.code, message: first.message };
}

/**
 * Sends marks, each with a fresh mutationId, and returns one outcome per mark in the order
 * given. The server's receive time decides the cutoff, never the phone's clock. A failed
 * request (no network, server down) throws: nothing is known about those marks yet.
 */
export async function sendMarks(marks: MarkRequest[]): Promise<MarkOutcome[]> {
	const withIds: MarkInput[] = marks.map((m) => ({ ...m, mutationId: newMutationId() }));
	const outcomes: MarkOutcome[] = [];
	for (let i = 0; i < withIds.length; i += BATCH_SIZE) {
		const batch = withIds.slice(i, i + BATCH_SIZE);
		const { results } = await trpc.meals.mark.mutate({ marks: batch });
		const byId = new Map(results.map((r) => [r.mutationId, r]));
		for (const mark of batch) outcomes.push(outcomeOf(mark, byId.get(mark.mutationId)));
	}
	return outcomes;
}
