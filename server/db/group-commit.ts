import type { Db } from './client.js';

/**
 * Writes that arrive together are committed together: every unit queued during one turn of
 * the event loop runs inside a single SQLite transaction (each in its own savepoint, so one
 * failing unit rolls back alone), and each caller hears back only after the commit. On a
 * strike morning this turns hundreds of small commits a second into a few large ones.
 */
export type GroupCommit = <T>(work: () => T) => Promise<T>;

export function createGroupCommit(db: Db): GroupCommit {
	let queue: { work: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];

	const flush = () => {
		const batch = queue;
		queue = [];
		const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
		try {
			db.transaction((tx) => {
				for (const unit of batch) {
					try {
						outcomes.push({ ok: true, value: tx.transaction(() => unit.work()) });
					} catch (error) {
						outcomes.push({ ok: false, error });
					}
				}
			});
		} catch (error) {
			// The commit itself failed: nothing of the batch was written.
			for (const unit of batch) unit.reject(error);
			return;
		}
		batch.forEach((unit, i) => {
			const outcome = outcomes[i];
			if (outcome.ok) unit.resolve(outcome.value);
			else unit.reject(outcome.error);
		});
	};

	return <T>(work: () => T) =>
		new Promise<T>((resolve, reject) => {
			if (queue.length === 0) setImmediate(flush);
			queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
		});
}
