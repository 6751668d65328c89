import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { inspectDatabase, sealBackup, type DatabaseReport } from './backup.js';

/*
 * The daily backup's slow half on a worker thread: sealing the copy (fsync) and checking it
 * (SQLite's integrity check and the ledger's invariants read the whole file: about 20 s for a
 * 430 MB database, measured). On the server's own thread that is 20 s with no request answered;
 * here requests go on. The worker runs this very module: in the built server the chunk it was
 * bundled into, under tsx or Vitest the TypeScript source, loaded through tsx.
 */

const TASK = 'mensa-aperta:seal-and-inspect-backup';

interface Task {
	task: typeof TASK;
	partial: string;
	dest: string;
	migrationsFolder: string;
}

type Outcome = { ok: true; report: DatabaseReport } | { ok: false; error: string };

if (!isMainThread && (workerData as Task | null)?.task === TASK) {
	const { partial, dest, migrationsFolder } = workerData as Task;
	let outcome: Outcome;
	try {
		sealBackup(partial, dest);
		outcome = { ok: true, report: inspectDatabase(dest, migrationsFolder) };
	} catch (error) {
		outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
	}
	parentPort!.postMessage(outcome);
}

/** Seals `partial` as `dest` and checks it, off the calling thread; rejects when sealing fails. */
export function sealAndInspectOffThread(partial: string, dest: string, migrationsFolder: string): Promise<DatabaseReport> {
	const self = import.meta.url;
	const task: Task = { task: TASK, partial, dest, migrationsFolder };
	// TypeScript source (tsx, Vitest): the worker registers tsx's loader first, then loads this module.
	const entry = self.endsWith('.ts') ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })` : new URL(self);
	return new Promise((resolve, reject) => {
		const worker = new Worker(entry, { workerData: task, eval: typeof entry === 'string' });
		worker.once('message', (outcome: Outcome) => (outcome.ok ? resolve(outcome.report) : reject(new Error(outcome.error))));
		worker.once('error', reject);
		worker.once('exit', (code) => reject(new Error(`backup check worker exited with ${code} before answering`)));
	});
}
