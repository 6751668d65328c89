import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Runtime } from '../runtime.js';
import { logLine } from '../log.js';
import { describeReport } from '../ops/backup.js';
import { backupOffThread } from '../ops/backup-worker.js';
import { dueBackup, expiredBackups, nextBackupAt } from './backup-schedule.js';

export interface BackupSettings {
	dir: string;
	hour: number;
	keep: number;
}

/**
 * Takes the day's backup of the running server's database once its hour has come, then drops the
 * oldest beyond the retention. Copied and checked on a worker thread with a connection of its own:
 * requests are answered all along, even on a database of hundreds of MB.
 */
export function startBackupScheduler(rt: Runtime, settings: BackupSettings, everyMs = 60_000, log: (line: string, error?: unknown) => void = logLine): () => void {
	let running = false;
	const tick = async () => {
		if (running) return;
		running = true;
		try {
			mkdirSync(settings.dir, { recursive: true });
			const name = dueBackup(rt.clock.now(), settings.hour, readdirSync(settings.dir));
			if (!name) return;
			const report = await backupOffThread(rt.config.databasePath, join(settings.dir, name), resolve('drizzle'));
			log(`[backup] ${report.problems.length ? 'scritto ma NON valido' : 'scritto e verificato'}: ${describeReport(report)}`);
			for (const old of expiredBackups(readdirSync(settings.dir), settings.keep)) {
				rmSync(join(settings.dir, old));
				log(`[backup] eliminato ${old} (se ne tengono ${settings.keep})`);
			}
			log(`[backup] prossimo: ${nextBackupAt(rt.clock.now(), settings.hour).toISOString()}`);
		} catch (error) {
			log('[backup] non riuscito, riprovo al prossimo giro', error);
		} finally {
			running = false;
		}
	};
	void tick();
	const timer = setInterval(() => void tick(), everyMs);
	timer.unref();
	return () => clearInterval(timer);
}
