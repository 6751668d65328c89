import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import * as schema from '../db/schema.js';
import type { Db } from '../db/client.js';
import { checkLedger } from '../ledger/accounts.js';
import { readMigrations } from './health.js';
import { holdsSealedAuthenticatorKeys } from '../auth/second-factor.js';
import { holdsSealedTenantSecrets } from '../tenants/tenant-secrets.js';

/** What a check of a database file found: problems (empty when fit to restore) and what an operator wants to see. */
export interface DatabaseReport {
	path: string;
	bytes: number;
	problems: string[];
	tables: number;
	migrations: { applied: number; last: string | null };
	lastMarkAt: Date | null;
	lastLedgerAt: Date | null;
	/** staff authenticator keys or Comune credentials sealed under a secrets key, which the backup does not carry */
	sealedSecrets: boolean;
}

/** A file whose bytes and directory entry are on disk: a crash right after cannot leave it empty or missing. */
export function syncToDisk(path: string): void {
	for (const [target, flags] of [
		[path, 'r+'],
		[dirname(path), 'r']
	] as const) {
		const fd = openSync(target, flags);
		try {
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
	}
}

/**
 * A consistent copy of a live database through SQLite's online backup API, while others keep writing.
 * All pages are copied in one step, that is inside one read transaction: in WAL mode writers go on
 * meanwhile, and a write by another process cannot make the copy start over (as it would between
 * steps). The copy is written next to `dest` and renamed only once complete and synced, so a file
 * with the backup's name is never half-written, and it is left in rollback-journal mode: a single
 * self-contained file that can be read, copied or moved with no -wal beside it.
 */
export async function writeBackup(source: Database.Database, dest: string): Promise<void> {
	const partial = `${dest}.partial`;
	mkdirSync(dirname(dest), { recursive: true });
	rmSync(partial, { force: true });
	try {
		await source.backup(partial, { progress: () => 0x7fffffff });
		const copy = new Database(partial, { fileMustExist: true });
		try {
			copy.pragma('journal_mode = DELETE');
		} finally {
			copy.close();
		}
		syncToDisk(partial);
		renameSync(partial, dest);
		syncToDisk(dest);
	} catch (error) {
		rmSync(partial, { force: true });
		throw error;
	}
}

const when = (ms: unknown) => (typeof ms === 'number' ? new Date(ms) : null);

/**
 * Is this file a sound Mensa Aperta database that this build can run? SQLite's integrity check, the
 * migrations table, no migration newer than this build's, and the ledger's invariants (as
 * `npm run check-ledger`). Opened read-write so closing leaves no -wal/-shm behind; nothing is written.
 */
export function inspectDatabase(path: string, migrationsFolder: string): DatabaseReport {
	const report: DatabaseReport = { path, bytes: statSync(path).size, problems: [], tables: 0, migrations: { applied: 0, last: null }, lastMarkAt: null, lastLedgerAt: null, sealedSecrets: false };
	let sqlite: Database.Database | null = null;
	try {
		sqlite = new Database(path, { fileMustExist: true });
		const integrity = sqlite.pragma('integrity_check', { simple: false }) as { integrity_check: string }[];
		if (integrity.length !== 1 || integrity[0].integrity_check !== 'ok') {
			report.problems.push(`controllo di integrità di SQLite fallito: ${integrity.slice(0, 3).map((r) => r.integrity_check).join('; ')}`);
			return report;
		}
		const one = <T>(sql: string) => sqlite!.prepare(sql).get() as T;
		report.tables = one<{ n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").n;
		if (!one<{ n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = '__drizzle_migrations'").n) {
			report.problems.push('manca la tabella delle migrazioni: non è un database di Mensa Aperta');
			return report;
		}
		const shipped = readMigrations(migrationsFolder);
		const applied = sqlite.prepare('SELECT created_at AS "when" FROM __drizzle_migrations ORDER BY created_at').all() as { when: number }[];
		const tagOf = new Map(shipped.map((m) => [m.when, m.tag]));
		const unknown = applied.filter((a) => !tagOf.has(Number(a.when)));
		report.migrations = { applied: applied.length, last: applied.length ? (tagOf.get(Number(applied.at(-1)!.when)) ?? 'sconosciuta') : null };
		// The server would start on it, find nothing to migrate and run old code over a newer schema.
		if (unknown.length) report.problems.push(`${unknown.length} migrazioni più recenti di questa versione del programma: aggiornare il programma prima di ripristinare`);
		const db = drizzle(sqlite, { schema }) as Db;
		for (const p of checkLedger(db)) report.problems.push(`registro contabile: ${p.kind}: ${p.detail}`);
		// Backups from before the second factor have no such table.
		const withTotp = one<{ n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'totp_credentials'").n > 0;
		report.sealedSecrets = (withTotp && holdsSealedAuthenticatorKeys(db)) || holdsSealedTenantSecrets(db);
		report.lastMarkAt = when(one<{ at: unknown }>('SELECT max(received_at) AS at FROM mark_events').at);
		report.lastLedgerAt = when(one<{ at: unknown }>('SELECT max(created_at) AS at FROM ledger_transactions').at);
	} catch (error) {
		report.problems.push(`file non leggibile come database SQLite (${(error as { code?: string }).code ?? (error as Error).message})`);
	} finally {
		sqlite?.close();
	}
	return report;
}

/**
 * A backup of the database at `databasePath` written to `dest` through a connection of its own
 * (the server's writers wait at most busy_timeout for the moment it needs), then checked as a
 * restore would check it. `npm run backup` runs it in its process, the server on a worker thread.
 */
export async function backupAndCheck(databasePath: string, dest: string, migrationsFolder: string): Promise<DatabaseReport> {
	const live = new Database(databasePath, { fileMustExist: true, timeout: 5_000 });
	try {
		await writeBackup(live, dest);
	} finally {
		live.close();
	}
	return inspectDatabase(dest, migrationsFolder);
}

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`);
const stamp = (at: Date | null) => at?.toISOString() ?? 'nessuno';

/** One line for an operator or the log: where, how big, how recent, and whether it checked out. */
export function describeReport(r: DatabaseReport): string {
	const contents = r.tables
		? `, ${r.tables} tabelle, ${r.migrations.applied} migrazioni fino a ${r.migrations.last ?? 'nessuna'}, ultimo segno ricevuto ${stamp(r.lastMarkAt)}, ultima registrazione contabile ${stamp(r.lastLedgerAt)}`
		: '';
	const facts = `${r.path} (${size(r.bytes)}${contents})`;
	if (r.problems.length === 0) return `${facts}: integrità ok, registro contabile coerente`;
	return `${facts}: ${r.problems.length === 1 ? '1 problema' : `${r.problems.length} problemi`}:\n  ${r.problems.join('\n  ')}`;
}
