import type { MarkInput } from '$lib/shared/schemas';
import type { MensaDb, OutboxItem } from '$lib/client/db';

/*
 * The outbox of assenze and pasti in bianco. A mark is stored at once with its mutationId and
 * sent when the network allows; a retry carries the SAME mutationId, so the server applies it
 * once however many times it arrives. The server's receive time decides the cutoff.
 */

export type MarkRequest = Omit<MarkInput, 'mutationId'>;

type FirstResult = { status: 'applied'; receipt: { id: string; receivedAt: string } } | { status: 'rejected'; code: string; message: string };
export type MarkResult = { mutationId: string } & (FirstResult | { status: 'duplicate'; first: FirstResult });

/** Sends one batch; throws when nothing is known (no network, server down), SignedOut when the session is gone. */
export type SendBatch = (marks: MarkInput[]) => Promise<MarkResult[]>;

/** The server no longer knows this session: the marks wait for the parent to sign in again. */
export class SignedOut extends Error {}

/** The server's batch limit (MarkBatchInput). */
const BATCH_SIZE = 250;

/**
 * crypto.randomUUID exists only in secure contexts (https, localhost): a phone trying a
 * development server by its LAN address gets a v4 UUID from getRandomValues instead.
 */
export function newMutationId(): string {
	if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const markOf = (i: OutboxItem): MarkInput => ({ mutationId: i.mutationId, consumerId: i.consumerId, date: i.date, kind: i.kind, value: i.value });

function settle(item: OutboxItem, result: MarkResult | undefined): OutboxItem {
	if (!result) return { ...item, state: 'pending' };
	const first = result.status === 'duplicate' ? result.first : result;
	return first.status === 'applied'
		? { ...item, state: 'applied', receivedAt: first.receipt.receivedAt, receiptId: first.receipt.id, reason: null, code: null }
		: { ...item, state: 'rejected', reason: first.message, code: first.code };
}

/**
 * One child's marks still waiting after the outbox changed, and the answers among `items`. An
 * answer is final: `answered` remembers it, so that a read of the outbox that started before it
 * came (and still sees the mark pending) does not bring it back as waiting.
 */
export function waitingAfter(waiting: OutboxItem[], items: OutboxItem[], answered: Set<string>, consumerId: number): { waiting: OutboxItem[]; answers: OutboxItem[] } {
	const byId = new Map(waiting.map((i) => [i.mutationId, i]));
	const answers: OutboxItem[] = [];
	for (const item of items) {
		if (item.consumerId !== consumerId) continue;
		if (item.state === 'pending' || item.state === 'sending') {
			if (!answered.has(item.mutationId)) byId.set(item.mutationId, item);
		} else {
			answered.add(item.mutationId);
			byId.delete(item.mutationId);
			answers.push(item);
		}
	}
	return { waiting: [...byId.values()].sort((a, b) => a.seq - b.seq), answers };
}

export type FlushReport = { sent: number; failed: boolean; signedOut: boolean };

export interface Outbox {
	enqueue(marks: MarkRequest[]): Promise<OutboxItem[]>;
	flush(): Promise<FlushReport>;
	/** pending or sending marks, oldest first */
	unsent(consumerId?: number): Promise<OutboxItem[]>;
	/** items answered by the server, to be shown once and then forgotten */
	answered(consumerId: number): Promise<OutboxItem[]>;
	forget(mutationIds: string[]): Promise<void>;
	/** called with every item whose state changed */
	subscribe(listener: (items: OutboxItem[]) => void): () => void;
}

export function createOutbox(db: MensaDb, send: SendBatch, now: () => Date = () => new Date()): Outbox {
	const listeners = new Set<(items: OutboxItem[]) => void>();
	const tell = (items: OutboxItem[]) => {
		if (items.length) for (const l of listeners) l(items);
	};
	let running: Promise<FlushReport> | null = null;
	let taps = 0;
	let again = false;

	const unsent = async (consumerId?: number) => {
		const items = await db.outbox.where('state').anyOf('pending', 'sending').sortBy('seq');
		return consumerId === undefined ? items : items.filter((i) => i.consumerId === consumerId);
	};

	async function flushOnce(): Promise<FlushReport> {
		// 'sending' too: a page closed mid-request left them so; the same id makes a resend harmless.
		const items = await unsent();
		let sent = 0;
		for (let i = 0; i < items.length; i += BATCH_SIZE) {
			const batch = items.slice(i, i + BATCH_SIZE).map((item) => ({ ...item, state: 'sending' as const, attempts: item.attempts + 1 }));
			await db.outbox.bulkPut(batch);
			let results: MarkResult[];
			try {
				results = await send(batch.map(markOf));
			} catch (error) {
				const back = batch.map((item) => ({ ...item, state: 'pending' as const }));
				await db.outbox.bulkPut(back);
				return { sent, failed: true, signedOut: error instanceof SignedOut };
			}
			const byId = new Map(results.map((r) => [r.mutationId, r]));
			const settled = batch.map((item) => settle(item, byId.get(item.mutationId)));
			await db.outbox.bulkPut(settled);
			sent += settled.filter((s) => s.state !== 'pending').length;
			tell(settled.filter((s) => s.state !== 'pending'));
		}
		return { sent, failed: false, signedOut: false };
	}

	return {
		async enqueue(marks) {
			const at = now();
			const createdAt = at.toISOString();
			const items: OutboxItem[] = marks.map((m) => ({
				...m,
				mutationId: newMutationId(),
				state: 'pending',
				reason: null,
				code: null,
				receivedAt: null,
				receiptId: null,
				createdAt,
				seq: at.getTime() * 1000 + (taps++ % 1000),
				attempts: 0
			}));
			await db.outbox.bulkAdd(items);
			tell(items);
			return items;
		},
		// One flush at a time: a call during a flush runs once more after it, then shares its report.
		flush() {
			if (running) {
				again = true;
				return running;
			}
			running = (async () => {
				try {
					let report: FlushReport;
					do {
						again = false;
						report = await flushOnce();
					} while (again && !report.failed);
					return report;
				} finally {
					running = null;
				}
			})();
			return running;
		},
		unsent,
		async answered(consumerId) {
			const items = await db.outbox.where('consumerId').equals(consumerId).toArray();
			return items.filter((i) => i.state === 'applied' || i.state === 'rejected');
		},
		async forget(mutationIds) {
			await db.outbox.bulkDelete(mutationIds);
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		}
	};
}
