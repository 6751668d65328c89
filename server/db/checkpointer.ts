import Database from 'better-sqlite3';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { workerRunning } from '../worker-thread.js';

/*
 * WAL checkpoints, done ahead on a worker thread. SQLite checkpoints inside the commit that takes
 * the WAL past 1,000 pages, on the thread that committed: on the server that is the event loop,
 * and under the morning burst it copied pages into the database file several times a second while
 * every request waited. Here a connection of the worker's own copies the committed pages every
 * few milliseconds, so when SQLite's own checkpoint comes there is almost nothing left for it to
 * copy. SQLite's checkpoint stays on: it is the one that runs right after a commit, with the WAL
 * fully copied, so only it lets the next transaction start the WAL over (a checkpoint from another
 * connection rarely catches a busy writer's WAL whole, and the WAL then grows without end). Only
 * PASSIVE checkpoints here: they never take the write lock, so no commit waits for them or is
 * refused. The commits stay fsynced (synchronous=FULL): nothing acknowledged depends on this.
 */

const TASK = 'mensa-aperta:wal-checkpointer';

interface Task {
	task: typeof TASK;
	databasePath: string;
	intervalMs: number;
}

if (!isMainThread && (workerData as Task | null)?.task === TASK) {
	const { databasePath, intervalMs } = workerData as Task;
	const db = new Database(databasePath);
	db.pragma('busy_timeout = 5000');
	db.pragma('synchronous = FULL');
	const timer = setInterval(() => {
		try {
			db.pragma('wal_checkpoint(PASSIVE)');
		} catch (error) {
			// SQLite's own checkpoint was running: the next tick copies what is left.
			if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
		}
	}, intervalMs);
	parentPort!.on('message', () => {
		clearInterval(timer);
		db.close();
		parentPort!.close();
	});
}

export interface Checkpointer {
	/** Stops the worker; resolves once its connection is closed. */
	stop(): Promise<void>;
}

export function startCheckpointer(databasePath: string, log: (line: string) => void, opts: { intervalMs?: number } = {}): Checkpointer {
	const worker = workerRunning(import.meta.url, { task: TASK, databasePath, intervalMs: opts.intervalMs ?? 50 } satisfies Task);
	// It must not keep a process alive that has nothing else to do (a test, a CLI).
	worker.unref();
	let stopping = false;
	worker.once('error', (error) => log(`[checkpoint] il thread dei checkpoint si è fermato (${error.message}): li fa tutti SQLite`));
	const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
	void exited.then(() => {
		if (!stopping) log('[checkpoint] il thread dei checkpoint è uscito: li fa tutti SQLite');
	});
	return {
		async stop() {
			stopping = true;
			worker.postMessage('stop');
			await exited;
		}
	};
}
