import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import type { MarkInput } from '$lib/shared/schemas';

/*
 * The page's sync module with the network in the test's hands: when the session ends, when the
 * parent logs out while a send is on its way, and what is sent for whom.
 */

type Answer = (marks: MarkInput[]) => Promise<{ results: unknown[] }>;
let answer: Answer;
const sent: MarkInput[][] = [];

vi.mock('$lib/client/trpc', () => ({
	trpc: {
		meals: { mark: { mutate: ({ marks }: { marks: MarkInput[] }) => (sent.push(marks), answer(marks)) } },
		guardian: { offlineCopy: { query: () => Promise.reject(new TypeError('Failed to fetch')) } }
	}
}));

const applied: Answer = async (marks) => ({ results: marks.map((m) => ({ mutationId: m.mutationId, status: 'applied', receipt: { id: `R-${m.date}`, receivedAt: '2026-11-23T08:00:00.000Z' } })) });
const signedOut: Answer = async () => {
	throw new TRPCClientError('Sessione scaduta: accedi di nuovo.', { result: { error: { code: -32001, message: 'Sessione scaduta', data: { code: 'UNAUTHORIZED' } } } } as never);
};
const noNetwork: Answer = async () => {
	throw new TypeError('Failed to fetch');
};
const mark = { consumerId: 7, date: '2026-11-24', kind: 'assenza' as const, value: true };

// Each test gets fresh modules: the sync module keeps the page's state in module variables.
async function load() {
	vi.resetModules();
	const sync = await import('./index');
	const db = await import('$lib/client/db');
	return { sync, db, local: db.localDb() };
}

beforeEach(() => {
	vi.stubGlobal('window', new EventTarget());
	vi.stubGlobal('document', Object.assign(new EventTarget(), { visibilityState: 'visible' }));
	sent.length = 0;
	answer = applied;
});
afterEach(async () => {
	const { local } = await load();
	await local.delete();
	vi.unstubAllGlobals();
});

describe('the session ending', () => {
	it('is told at once and on change; no network says nothing either way; an answer clears it', async () => {
		const { sync } = await load();
		await sync.startSync('42');
		const told: boolean[] = [];
		sync.onSessionState((ended) => told.push(ended));
		expect(told).toEqual([false]);

		answer = signedOut;
		await sync.queueMarks([mark]);
		await vi.waitFor(() => expect(told).toEqual([false, true]));
		answer = noNetwork;
		await sync.flushMarks();
		expect(told).toEqual([false, true]);
		// A page drawn again meanwhile (the layout remounted) learns it at once.
		const later: boolean[] = [];
		sync.onSessionState((ended) => later.push(ended));
		expect(later).toEqual([true]);

		answer = applied;
		await sync.flushMarks();
		expect(told).toEqual([false, true, false]);
	});
});

describe('logout', () => {
	it('with a send on its way: waits for it, then nothing of the parent is left, and nothing is told', async () => {
		const { sync, local } = await load();
		await sync.startSync('42');
		await vi.waitFor(async () => expect(await local.meta.get('user')).toBeTruthy());
		let release: () => void = () => {};
		answer = () => new Promise((_, reject) => (release = () => reject(new TRPCClientError('Sessione scaduta', { result: { error: { data: { code: 'UNAUTHORIZED' } } } } as never))));
		const told: boolean[] = [];
		sync.onSessionState((ended) => told.push(ended));
		await sync.queueMarks([mark]);
		await vi.waitFor(() => expect(sent).toHaveLength(1));
		let done = false;
		const out = sync.forgetLocalUser().then(() => (done = true));
		await new Promise((resolve) => setTimeout(resolve, 50));
		// The send is still on its way: nothing is wiped under it.
		expect(done).toBe(false);
		release();
		await out;
		expect(await local.outbox.count()).toBe(0);
		expect(await local.meta.count()).toBe(0);
		// The refusal came after the logout began: no "sessione scaduta" for a parent who left.
		expect(told).toEqual([false]);
	});

	it('a mark left on the phone by one parent is not sent with another’s session before the phone is claimed', async () => {
		const { sync, db, local } = await load();
		await db.claimForUser('41', local);
		await local.outbox.add({ ...mark, mutationId: 'left-by-41', state: 'pending', reason: null, code: null, receivedAt: null, receiptId: null, createdAt: '', seq: 1, attempts: 0 });
		// Before any claim (focus, online): nothing goes.
		expect(await sync.flushMarks()).toEqual({ sent: 0, failed: false, signedOut: false });
		await sync.startSync('42');
		await vi.waitFor(async () => expect((await local.meta.get('user'))?.value).toBe('42'));
		expect(sent).toEqual([]);
		expect(await local.outbox.count()).toBe(0);
	});
});
