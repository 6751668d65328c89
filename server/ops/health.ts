import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';

/** A check's outcome: "ok", or a short reason with no personal data (it is served to anyone). */
export type CheckResult = 'ok' | string;

export interface Readiness {
	ready: boolean;
	checks: { database: CheckResult; migrations: CheckResult };
}

const ROLLED_BACK = Symbol('rolled back');

/**
 * Writable, not merely open: a read-only file or mount, a full disk or another process holding the
 * write lock all let reads through. The probe writes one row in a transaction that always rolls
 * back, waiting a moment (not the app's five-second busy timeout) for the lock, since better-sqlite3
 * blocks the event loop while it waits.
 */
export function checkWritable(sqlite: Database.Database, waitMs = 250): CheckResult {
	const busyTimeout = sqlite.pragma('busy_timeout', { simple: true }) as number;
	sqlite.pragma(`busy_timeout = ${waitMs}`);
	try {
		sqlite
			.transaction(() => {
				sqlite.prepare(`INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('readyz probe', 0)`).run();
				throw ROLLED_BACK;
			})
			.immediate();
		return 'ok';
	} catch (error) {
		if (error === ROLLED_BACK) return 'ok';
		return `not writable: ${(error as { code?: string }).code ?? (error as Error).message}`;
	} finally {
		sqlite.pragma(`busy_timeout = ${busyTimeout}`);
	}
}

interface Migration {
	tag: string;
	when: number;
	hash: string;
}

/** The migrations this build ships, hashed as drizzle's migrator hashes them when it applies them. */
export function readMigrations(folder: string): Migration[] {
	const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
	return journal.entries.map(({ tag, when }) => ({
		tag,
		when,
		hash: createHash('sha256').update(readFileSync(join(folder, `${tag}.sql`), 'utf8')).digest('hex')
	}));
}

/** Current means: every shipped migration applied, unchanged, and nothing applied that this build does not know. */
export function checkMigrations(sqlite: Database.Database, shipped: Migration[]): CheckResult {
	const applied = sqlite.prepare('SELECT hash, created_at AS "when" FROM __drizzle_migrations').all() as { hash: string; when: number }[];
	const appliedAt = new Map(applied.map((a) => [Number(a.when), a.hash]));
	const missing = shipped.filter((m) => !appliedAt.has(m.when)).map((m) => m.tag);
	const changed = shipped.filter((m) => appliedAt.has(m.when) && appliedAt.get(m.when) !== m.hash).map((m) => m.tag);
	const unknown = applied.length - (shipped.length - missing.length);
	const problems = [
		missing.length ? `not applied: ${missing.join(', ')}` : '',
		changed.length ? `changed since applied: ${changed.join(', ')}` : '',
		unknown > 0 ? `${unknown} applied migration(s) unknown to this build` : ''
	].filter(Boolean);
	return problems.length ? problems.join('; ') : 'ok';
}

export function checkReadiness(sqlite: Database.Database, migrationsFolder: string): Readiness {
	let migrations: CheckResult;
	try {
		migrations = checkMigrations(sqlite, readMigrations(migrationsFolder));
	} catch (error) {
		migrations = `cannot be checked: ${(error as { code?: string }).code ?? (error as Error).message}`;
	}
	const checks = { database: checkWritable(sqlite), migrations };
	return { ready: checks.database === 'ok' && checks.migrations === 'ok', checks };
}
