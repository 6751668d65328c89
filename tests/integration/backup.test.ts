import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClient } from '../helpers/client.js';
import { until } from '../helpers/wait.js';
import { checkLedger } from '../../server/ledger/accounts.js';
import { inspectDatabase } from '../../server/ops/backup.js';
import type { Db } from '../../server/db/client.js';

/*
 * Backups as an operator takes them: `npm run backup` while families keep marking, `npm run
 * restore` into a fresh directory, every acknowledged mark found there; the restores that must be
 * refused; and the server's own daily backup with its retention.
 */

let server: TestServer;
const work = mkdtempSync(join(tmpdir(), 'mensa-backup-'));
const dailyDir = join(work, 'giornalieri');

/** `npm run <script> -- …args` as an operator types it, against the database `env` points at. */
function npmRun(script: 'backup' | 'restore', args: string[], env: Record<string, string>) {
	return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
		const child = spawn('npm', ['run', '--silent', script, '--', ...args], { env: { ...process.env, DATABASE_PATH: '', ...env } });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.on('close', (code) => done({ code, stdout, stderr }));
	});
}

const contentsOf = (dbPath: string) => {
	const sqlite = new Database(dbPath, { readonly: true, fileMustExist: true });
	try {
		const ids = sqlite.prepare("SELECT mutation_id AS id FROM mark_events WHERE outcome = 'applied'").all() as { id: string }[];
		return { ids: new Set(ids.map((r) => r.id)), ledger: checkLedger({ $client: sqlite } as unknown as Db) };
	} finally {
		sqlite.close();
	}
};

beforeAll(async () => {
	// Ten older daily backups already there, and a file of the operator's that is not one.
	mkdirSync(dailyDir);
	for (let day = 10; day < 20; day++) writeFileSync(join(dailyDir, `mensa-2026-11-${day}.db`), 'vecchio');
	writeFileSync(join(dailyDir, 'leggimi.txt'), 'note');
	server = await startTestServer({ BACKUP_DIR: dailyDir, BACKUP_KEEP: '3' });
});
afterAll(async () => {
	await server?.stop();
	rmSync(work, { recursive: true, force: true });
});

it("takes the day's backup by itself, checked, and keeps only the newest three", async () => {
	const files = await until(
		async () => readdirSync(dailyDir).sort(),
		(f) => f.includes('mensa-2026-11-23.db') && f.length === 4
	);
	expect(files).toEqual(['leggimi.txt', 'mensa-2026-11-18.db', 'mensa-2026-11-19.db', 'mensa-2026-11-23.db']);
	expect(inspectDatabase(join(dailyDir, 'mensa-2026-11-23.db'), resolve('drizzle')).problems).toEqual([]);
	expect(server.output()).toContain('[backup] scritto e verificato');
});

it('backs up under a stream of marks; the restore holds every mark acknowledged before the backup began', async () => {
	const maria = testClient(server.url);
	await maria.trpc.auth.login.mutate({ tenantSlug: 'mazze', email: 'maria.rossi@example.com', password: 'MensaAperta-2026' });
	const slots: { consumerId: number; date: string }[] = [];
	for (const child of await maria.trpc.guardian.consumers.query()) {
		const { days } = await maria.trpc.meals.days.query({ consumerId: child.id, from: '2026-11-24', to: '2026-12-18' });
		for (const d of days) if (d.service) slots.push({ consumerId: child.id, date: d.date });
	}
	expect(slots.length).toBeGreaterThan(10);

	// A reader holding an older snapshot (a long report, say) keeps SQLite from checkpointing the
	// load's writes into the file: they are in the WAL only, where a plain copy of the file misses them.
	const reader = new Database(server.dbPath, { readonly: true });
	reader.exec('BEGIN');
	reader.prepare('SELECT count(*) FROM mark_events').get();

	const acknowledged: string[] = [];
	let stop = false;
	const writer = async (seed: number) => {
		for (let i = seed; !stop; i += 7) {
			const slot = slots[i % slots.length];
			const mutationId = crypto.randomUUID();
			const { results } = await maria.trpc.meals.mark.mutate({ marks: [{ mutationId, ...slot, kind: 'assenza', value: i % 2 === 0 }] });
			if (results[0].status === 'applied') acknowledged.push(mutationId);
		}
	};
	const writers = [0, 1, 2, 3].map(writer);
	await until(async () => acknowledged.length, (n) => n >= 40);

	const before = [...acknowledged];
	const file = join(work, 'backup.db');
	const backup = await npmRun('backup', ['--out', file], { DATA_DIR: server.dataDir });
	const during = acknowledged.length - before.length;
	stop = true;
	await Promise.all(writers);
	reader.exec('COMMIT');
	reader.close();

	expect(backup.stderr).not.toContain('NON valido');
	expect(backup.code).toBe(0);
	expect(backup.stdout).toMatch(new RegExp(`^Backup scritto e verificato: ${file} \\(\\d+ kB, \\d+ tabelle, \\d+ migrazioni fino a \\w+, ultimo segno ricevuto 2026-11-23T`));
	expect(backup.stdout).toContain('integrità ok, registro contabile coerente');
	// The server went on answering while the backup was taken.
	expect(during).toBeGreaterThan(0);

	const fresh = join(work, 'nuovo');
	const restore = await npmRun('restore', [file], { DATA_DIR: fresh });
	expect(restore.code).toBe(0);
	expect(restore.stdout).toContain(`Ripristinato: ${join(fresh, 'mensa.db')}`);
	expect(restore.stdout).toContain('Non c’era un database da sostituire.');
	expect(restore.stdout).toContain(`Manca la chiave dei segreti ${join(fresh, 'secrets.key')} (SECRETS_KEY_FILE): rimetti quella conservata a parte prima di avviare il servizio`);
	const restored = contentsOf(join(fresh, 'mensa.db'));
	expect(before.filter((id) => !restored.ids.has(id))).toEqual([]);
	expect(restored.ledger).toEqual([]);
	expect(readdirSync(fresh)).toEqual(['mensa.db']);

	// A server starts on it as it is, given the secrets key kept apart from the backups (README): the schema current, the file writable.
	copyFileSync(join(server.dataDir, 'secrets.key'), join(fresh, 'secrets.key'));
	const onRestored = await startTestServer({ DATABASE_PATH: join(fresh, 'mensa.db'), BACKUP: 'off' });
	try {
		expect(await (await fetch(`${onRestored.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
	} finally {
		await onRestored.stop();
	}
});

describe('restore', () => {
	let good: string;
	let target: string;
	let original: Buffer;
	beforeAll(async () => {
		good = join(work, 'buono.db');
		expect((await npmRun('backup', ['--out', good], { DATA_DIR: server.dataDir })).code).toBe(0);
		target = join(work, 'ripristino');
		expect((await npmRun('restore', [good], { DATA_DIR: target })).code).toBe(0);
		original = readFileSync(join(target, 'mensa.db'));
	});
	const unchanged = () => {
		expect(readdirSync(target)).toEqual(['mensa.db']);
		expect(readFileSync(join(target, 'mensa.db')).equals(original)).toBe(true);
	};

	it('refuses a damaged file, changing nothing', async () => {
		const damaged = join(work, 'danneggiato.db');
		copyFileSync(good, damaged);
		truncateSync(damaged, Math.floor(original.length / 2));
		const r = await npmRun('restore', [damaged], { DATA_DIR: target });
		expect(r.code).toBe(1);
		expect(r.stderr).toMatch(/Backup rifiutato, nulla è stato modificato: .*danneggiato\.db/);
		unchanged();
	});

	it('refuses a backup from a newer version of the program, changing nothing', async () => {
		const newer = join(work, 'piu-recente.db');
		copyFileSync(good, newer);
		const sqlite = new Database(newer);
		sqlite.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('dal futuro', 4102444800000)").run();
		sqlite.close();
		const r = await npmRun('restore', [newer], { DATA_DIR: target });
		expect(r.code).toBe(1);
		expect(r.stderr).toContain('1 migrazioni più recenti di questa versione del programma: aggiornare il programma prima di ripristinare');
		unchanged();
	});

	it('refuses to replace the database of a running server', async () => {
		const r = await npmRun('restore', [good], { DATA_DIR: server.dataDir });
		expect(r.code).toBe(1);
		expect(r.stderr).toContain(`Il database ${server.dbPath} è in uso (un server o un altro comando lo tiene aperto): fermare il servizio e riprovare. Nulla è stato modificato.`);
		expect(readdirSync(server.dataDir).filter((f) => f.includes('replaced') || f.includes('restoring'))).toEqual([]);
		expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
	});

	it('replaces a database no one is using, keeping the old one aside', async () => {
		const r = await npmRun('restore', [good], { DATA_DIR: target });
		expect(r.code).toBe(0);
		const kept = readdirSync(target).filter((f) => f.startsWith('mensa.db.replaced-'));
		expect(kept).toHaveLength(1);
		expect(r.stdout).toContain(`Il database sostituito è conservato in ${join(target, kept[0])}`);
		expect(readFileSync(join(target, kept[0])).equals(original)).toBe(true);
	});
});
