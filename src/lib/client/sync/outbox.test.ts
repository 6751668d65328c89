import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimForUser, openMensaDb, wipeLocalData, type MensaDb } from '$lib/client/db';
import { createOutbox, SignedOut, waitingAfter, type MarkResult, type SendBatch } from './outbox';
import type { OutboxItem } from '$lib/client/db';
import type { MarkInput } from '$lib/shared/schemas';

let db: MensaDb;
let n = 0;
beforeEach(async () => {
	db = openMensaDb(`test-${++n}`);
	await db.open();
});
afterEach(async () => {
	await db.delete();
});

const tomorrow = { consumerId: 7, date: '2026-11-24', kind: 'assenza' as const, value: true };
const today = { consumerId: 7, date: '2026-11-23', kind: 'pastoInBianco' as const, value: true };

/** A server that applies everything, remembering each batch it received. */
function recordingServer(answer: (m: MarkInput) => MarkResult = (m) => ({ mutationId: m.mutationId, status: 'applied', receipt: { id: `R${m.date}`, receivedAt: '2026-11-23T08:00:00.000Z' } })) {
	const batches: MarkInput[][] = [];
	let down = false;
	const send: SendBatch = async (marks) => {
		if (down) throw new TypeError('Failed to fetch');
		batches.push(marks);
		return marks.map(answer);
	};
	return { batches, send, setDown: (v: boolean) => (down = v) };
}

describe('outbox', () => {
	it('stores each mark at once, pending, with its own mutationId', async () => {
		const box = createOutbox(db, recordingServer().send);
		const items = await box.enqueue([tomorrow, today]);
		expect(new Set(items.map((i) => i.mutationId)).size).toBe(2);
		const stored = await db.outbox.toArray();
		expect(stored.map((i) => [i.date, i.kind, i.value, i.state, i.attempts])).toEqual(
			expect.arrayContaining([
				['2026-11-24', 'assenza', true, 'pending', 0],
				['2026-11-23', 'pastoInBianco', true, 'pending', 0]
			])
		);
		expect((await box.unsent(7)).length).toBe(2);
		expect((await box.unsent(8)).length).toBe(0);
	});

	it('sends taps in the order they were made, even within the same millisecond', async () => {
		const server = recordingServer();
		const box = createOutbox(db, server.send, () => new Date('2026-11-23T07:00:00Z'));
		const values = [true, false, true, false, true, false, true];
		for (const value of values) await box.enqueue([{ ...tomorrow, value }]);
		await box.flush();
		expect(server.batches.flat().map((m) => m.value)).toEqual(values);
	});

	it('keeps marks pending through a network failure and resends them with the same mutationIds', async () => {
		const server = recordingServer();
		const box = createOutbox(db, server.send);
		const [item] = await box.enqueue([tomorrow]);
		server.setDown(true);
		expect(await box.flush()).toEqual({ sent: 0, failed: true, signedOut: false });
		expect((await db.outbox.get(item.mutationId))?.state).toBe('pending');

		server.setDown(false);
		expect(await box.flush()).toEqual({ sent: 1, failed: false, signedOut: false });
		expect(server.batches).toEqual([[{ mutationId: item.mutationId, ...tomorrow }]]);
		const done = await db.outbox.get(item.mutationId);
		expect([done?.state, done?.receiptId, done?.attempts]).toEqual(['applied', 'R2026-11-24', 2]);
		expect(await box.unsent()).toEqual([]);
	});

	it('a session gone says so, and keeps the marks for the next sign-in', async () => {
		let signedIn = false;
		const server = recordingServer();
		const box = createOutbox(db, async (marks) => {
			if (!signedIn) throw new SignedOut();
			return server.send(marks);
		});
		const [item] = await box.enqueue([tomorrow]);
		expect(await box.flush()).toEqual({ sent: 0, failed: true, signedOut: true });
		expect((await db.outbox.get(item.mutationId))?.state).toBe('pending');
		signedIn = true;
		expect(await box.flush()).toEqual({ sent: 1, failed: false, signedOut: false });
		expect(server.batches).toEqual([[{ mutationId: item.mutationId, ...tomorrow }]]);
	});

	it('treats an already applied mark as confirmed and a refusal as rejected with the server’s reason', async () => {
		const server = recordingServer((m) =>
			m.date === today.date
				? { mutationId: m.mutationId, status: 'rejected', code: 'CUTOFF_PASSED', message: "Oltre l'orario limite (09:30): contatta l'ufficio scuola" }
				: { mutationId: m.mutationId, status: 'duplicate', first: { status: 'applied', receipt: { id: 'R1', receivedAt: '2026-11-23T07:00:00.000Z' } } }
		);
		const box = createOutbox(db, server.send);
		const told: string[] = [];
		box.subscribe((items) => told.push(...items.map((i) => `${i.date}:${i.state}`)));
		await box.enqueue([tomorrow, today]);
		await box.flush();
		expect(told).toEqual(['2026-11-24:pending', '2026-11-23:pending', '2026-11-24:applied', '2026-11-23:rejected']);
		const answered = await box.answered(7);
		expect(answered.find((i) => i.date === today.date)).toMatchObject({ state: 'rejected', code: 'CUTOFF_PASSED', reason: "Oltre l'orario limite (09:30): contatta l'ufficio scuola" });
		expect(answered.find((i) => i.date === tomorrow.date)).toMatchObject({ state: 'applied', receiptId: 'R1' });
		await box.forget(answered.map((i) => i.mutationId));
		expect(await db.outbox.count()).toBe(0);
	});

	it('runs one flush at a time: a mark queued during a flush goes in the next round, each sent once', async () => {
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		const server = recordingServer();
		let calls = 0;
		const box = createOutbox(db, async (marks) => {
			if (calls++ === 0) await gate;
			return server.send(marks);
		});
		await box.enqueue([tomorrow]);
		const first = box.flush();
		await new Promise((r) => setTimeout(r, 10));
		await box.enqueue([today]);
		const second = box.flush();
		expect(second).toBe(first);
		release();
		await first;
		expect(server.batches.map((b) => b.map((m) => m.date))).toEqual([['2026-11-24'], ['2026-11-23']]);
	});
});

describe('the marks a child’s page shows waiting', () => {
	const item = (mutationId: string, seq: number, state: OutboxItem['state'], consumerId = 7): OutboxItem => ({
		...tomorrow,
		consumerId,
		mutationId,
		seq,
		state,
		reason: null,
		code: null,
		receivedAt: state === 'applied' ? '2026-11-23T08:00:00.000Z' : null,
		receiptId: state === 'applied' ? 'R1' : null,
		createdAt: '2026-11-23T07:59:00.000Z',
		attempts: 0
	});

	it('are this child’s pending ones in tap order; an answer leaves them and is handed back once', () => {
		const answered = new Set<string>();
		const first = waitingAfter([], [item('b', 2, 'pending'), item('a', 1, 'sending'), item('x', 3, 'pending', 8)], answered, 7);
		expect(first.waiting.map((i) => i.mutationId)).toEqual(['a', 'b']);
		const next = waitingAfter(first.waiting, [item('a', 1, 'applied')], answered, 7);
		expect(next.waiting.map((i) => i.mutationId)).toEqual(['b']);
		expect(next.answers.map((i) => [i.mutationId, i.state])).toEqual([['a', 'applied']]);
	});

	it('do not take back an answered mark that a read begun before its answer still sees pending', () => {
		const answered = new Set<string>();
		const afterAnswer = waitingAfter([item('a', 1, 'pending')], [item('a', 1, 'rejected')], answered, 7);
		expect(afterAnswer.waiting).toEqual([]);
		// The page's first read of the outbox, started before the answer, lands now.
		expect(waitingAfter(afterAnswer.waiting, [item('a', 1, 'pending'), item('c', 4, 'pending')], answered, 7).waiting.map((i) => i.mutationId)).toEqual(['c']);
	});
});

describe('local data scoped by user', () => {
	it('wipes another user’s data before the new user sees anything, and keeps one’s own', async () => {
		await claimForUser('maria', db);
		await createOutbox(db, recordingServer().send).enqueue([tomorrow]);
		await db.days.put({ consumerId: 7, date: '2026-11-24', service: true, day: {}, storedAt: '2026-11-23T08:00:00Z' });
		await claimForUser('maria', db);
		expect([await db.outbox.count(), await db.days.count()]).toEqual([1, 1]);

		await claimForUser('giulia', db);
		expect([await db.outbox.count(), await db.days.count()]).toEqual([0, 0]);
		expect((await db.meta.get('user'))?.value).toBe('giulia');
	});

	it('wipes everything at logout', async () => {
		await claimForUser('maria', db);
		await db.consumers.put({ id: 7, givenName: 'Luca', familyName: 'Rossi' });
		await wipeLocalData(db);
		expect([await db.consumers.count(), await db.meta.count()]).toEqual([0, 0]);
	});
});
