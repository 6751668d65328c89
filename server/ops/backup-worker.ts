import { setPriority } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { backupAndCheck, type DatabaseReport } from './backup.js';

/*
 * The server's daily backup on a worker thread. Copying (one step, one read transaction) and
 * checking (SQLite's integrity check and the ledger's invariants read the whole file) a 430 MB
 * database take about 1.3 s + 19.5 s (measured): on the server's own thread, 21 s with no request
 * answered. The worker has its own connection, as `npm run backup` has its own process. It runs
 * this very module: in the built server the chunk it was bundled into; under tsx or Vitest the
 * TypeScript source, through tsx's loader.
 */

const TASK = 'mensa-aperta:daily-backup';

interface Task {
	task: typeof TASK;
	databasePath: string;
	dest: string;
	migrationsFolder: string;
}

type Outcome = { ok: true; report: DatabaseReport } | { ok: false; error: string };

if (!isMainThread && (workerData as Task | null)?.task === TASK) {
	const { databasePath, dest, migrationsFolder } = workerData as Task;
	// The lowest CPU priority, for this thread alone: on Linux a nice value belongs to the thread
	// (elsewhere it would be the whole server's, hence Linux only). A backup can wait; a parent's
	// mark at 09:29 cannot.
	if (process.platform === 'linux') setPriority(19);
	backupAndCheck(databasePath, dest, migrationsFolder).then(
		(report) => parentPort!.postMessage({ ok: true, report } satisfies Outcome),
		(error: unknown) => parentPort!.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies Outcome)
	);
}

/** backupAndCheck on a worker thread: the calling thread goes on serving meanwhile. */
export function backupOffThread(databasePath: string, dest: string, migrationsFolder: string): Promise<DatabaseReport> {
	const self = import.meta.url;
	const task: Task = { task: TASK, databasePath, dest, migrationsFolder };
	// TypeScript source (tsx, Vitest): the worker registers tsx's loader first, then loads this module.
	const entry = self.endsWith('.ts') ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })` : new URL(self);
	return new Promise((resolve, reject) => {
		const worker = new Worker(entry, { workerData: task, eval: typeof entry === 'string' });
		worker.once('message', (outcome: Outcome) => (outcome.ok ? resolve(outcome.report) : reject(new Error(outcome.error))));
		worker.once('error', reject);
		worker.once('exit', (code) => reject(new Error(`backup worker exited with ${code} before answering`)));
	});
}
