import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDb } from '../db/client.js';
import { checkReadiness } from './health.js';

const SHIPPED = resolve('drizzle');
const journal = JSON.parse(readFileSync(join(SHIPPED, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
const lastTag = journal.entries.at(-1)!.tag;

let dirs: string[] = [];
const open: Database.Database[] = [];
afterEach(() => {
	open.splice(0).forEach((db) => db.close());
	dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
	dirs = [];
});

function tempDir() {
	const dir = mkdtempSync(join(tmpdir(), 'mensa-health-'));
	dirs.push(dir);
	return dir;
}

/** A copy of the shipped migrations, changed by `edit` (a build older or newer than the database). */
function migrationsCopy(edit: (folder: string) => void) {
	const folder = join(tempDir(), 'drizzle');
	cpSync(SHIPPED, folder, { recursive: true });
	edit(folder);
	return folder;
}

const withoutLast = (folder: string) => {
	const path = join(folder, 'meta', '_journal.json');
	const j = JSON.parse(readFileSync(path, 'utf8'));
	j.entries.pop();
	writeFileSync(path, JSON.stringify(j));
};

/** A database migrated with `folder` (the shipped migrations by default), closed again. */
function databaseFile(folder = SHIPPED) {
	const path = join(tempDir(), 'mensa.db');
	openDb(path, folder).$client.close();
	return path;
}

function connect(path: string, options?: Database.Options) {
	const db = new Database(path, options);
	open.push(db);
	return db;
}

describe('readiness', () => {
	it('is ready on a writable database with every shipped migration applied', () => {
		expect(checkReadiness(connect(databaseFile()), SHIPPED)).toEqual({ ready: true, checks: { database: 'ok', migrations: 'ok' } });
	});

	it('names the migration the database is missing', () => {
		const db = connect(databaseFile(migrationsCopy(withoutLast)));
		expect(checkReadiness(db, SHIPPED)).toEqual({ ready: false, checks: { database: 'ok', migrations: `not applied: ${lastTag}` } });
	});

	it('is not ready when the database is read-only', () => {
		const result = checkReadiness(connect(databaseFile(), { readonly: true }), SHIPPED);
		expect(result).toEqual({ ready: false, checks: { database: 'not writable: SQLITE_READONLY', migrations: 'ok' } });
	});

	it('is not ready while another process holds the write lock, and the probe leaves nothing behind', () => {
		const path = databaseFile();
		const other = connect(path);
		other.exec('BEGIN IMMEDIATE');
		const db = connect(path);
		db.pragma('busy_timeout = 4321');
		expect(checkReadiness(db, SHIPPED).checks.database).toBe('not writable: SQLITE_BUSY');
		other.exec('ROLLBACK');
		expect(checkReadiness(db, SHIPPED).ready).toBe(true);
		expect(db.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(journal.entries.length);
		// The app's own busy timeout is back after the probe's short one.
		expect(db.pragma('busy_timeout', { simple: true })).toBe(4321);
	});

	it('notices a migration edited after it was applied, and one this build does not know', () => {
		const db = connect(databaseFile());
		const edited = migrationsCopy((folder) => appendFileSync(join(folder, `${lastTag}.sql`), '\n-- edited\n'));
		expect(checkReadiness(db, edited).checks.migrations).toBe(`changed since applied: ${lastTag}`);
		expect(checkReadiness(db, migrationsCopy(withoutLast)).checks.migrations).toBe('1 applied migration(s) unknown to this build');
	});

	it('says so when the shipped migrations cannot be read', () => {
		const result = checkReadiness(connect(databaseFile()), join(tempDir(), 'nowhere'));
		expect(result).toEqual({ ready: false, checks: { database: 'ok', migrations: 'cannot be checked: ENOENT' } });
	});
});
