import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { describeReport, inspectDatabase, syncToDisk, type DatabaseReport } from './backup.js';

/** The restore did not happen, and nothing was changed; the message says why, for the operator. */
export class RestoreRefused extends Error {}

export interface Restored {
	report: DatabaseReport;
	/** where the database that was in place was kept, if there was one */
	replacedAs: string | null;
}

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

/**
 * Takes the current database for ourselves, or refuses if a process (a server, a CLI) has it open.
 * In WAL mode every open connection holds a shared lock on the file, so leaving WAL — which also
 * folds its -wal into the file, making the kept copy complete — and then holding an exclusive lock
 * fails at once while anyone else is in, and keeps a server that starts meanwhile from using it.
 * A file SQLite cannot even read (the reason for many a restore) has nobody serving from it: it is
 * replaced all the same.
 */
function lockCurrent(target: string): Database.Database | null {
	const sqlite = new Database(target, { fileMustExist: true, timeout: 0 });
	try {
		sqlite.pragma('journal_mode = DELETE');
		sqlite.pragma('locking_mode = EXCLUSIVE');
		sqlite.exec('BEGIN EXCLUSIVE');
		return sqlite;
	} catch (error) {
		sqlite.close();
		if (BUSY.has((error as { code?: string }).code ?? '')) {
			throw new RestoreRefused(`Il database ${target} è in uso (un server o un altro comando lo tiene aperto): fermare il servizio e riprovare. Nulla è stato modificato.`);
		}
		return null;
	}
}

/**
 * Puts a checked backup in place of the database at `target`, atomically: the backup is copied
 * into the target's directory, checked there (the bytes that will be used, not the original),
 * synced, and renamed over; the database it replaces is kept beside it as `.replaced-<time>`.
 */
export function restoreDatabase(opts: { source: string; target: string; migrationsFolder: string; clock: Clock }): Restored {
	const { source, target } = opts;
	if (!existsSync(source)) throw new RestoreRefused(`Il file ${source} non esiste.`);
	mkdirSync(dirname(target), { recursive: true });
	const current = existsSync(target) ? lockCurrent(target) : null;
	const incoming = `${target}.restoring`;
	try {
		copyFileSync(source, incoming);
		const report = inspectDatabase(incoming, opts.migrationsFolder);
		if (report.problems.length) {
			throw new RestoreRefused(`Backup rifiutato, nulla è stato modificato: ${describeReport({ ...report, path: source })}`);
		}
		syncToDisk(incoming);
		let replacedAs: string | null = null;
		if (existsSync(target)) {
			replacedAs = `${target}.replaced-${opts.clock.now().toISOString().replace(/[:.]/g, '-')}`;
			renameSync(target, replacedAs);
			// An unreadable database's -wal may hold its last writes: it stays paired with it.
			if (existsSync(`${target}-wal`)) renameSync(`${target}-wal`, `${replacedAs}-wal`);
		}
		rmSync(`${target}-shm`, { force: true });
		rmSync(`${target}-journal`, { force: true });
		renameSync(incoming, target);
		syncToDisk(target);
		return { report: { ...report, path: target }, replacedAs };
	} finally {
		rmSync(incoming, { force: true });
		current?.close();
	}
}
