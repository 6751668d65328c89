import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export function openDb(path: string, migrationsFolder = resolve('drizzle')): Db {
	if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
	const sqlite = new Database(path);
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('foreign_keys = ON');
	// Writers queue behind each other instead of failing at once with SQLITE_BUSY.
	sqlite.pragma('busy_timeout = 5000');
	// FULL, not WAL's usual NORMAL: every commit is fsynced before the caller hears back, so an
	// acknowledged mark or receipt survives a power cut, not only a crash of the process. The issue
	// asks it for the marks and money paths; one connection serves every path, so it is the
	// connection's setting. The cost is measured by bench/durability.ts.
	sqlite.pragma('synchronous = FULL');
	const db = drizzle(sqlite, { schema }) as Db;
	migrate(db, { migrationsFolder });
	return db;
}

/**
 * Runs `write` with SQLite overwriting the bytes it frees, so that a secret replaced by its sealed
 * form does not linger in the file's free pages (nor in the backups copied from it).
 */
export function withSecureDelete<T>(db: Db, write: () => T): T {
	const before = db.$client.pragma('secure_delete', { simple: true }) as number;
	db.$client.pragma('secure_delete = ON');
	try {
		return write();
	} finally {
		db.$client.pragma(`secure_delete = ${before === 2 ? 'FAST' : before}`);
	}
}
