/*
 * DESIGN.md §3.4: "running it twice, or after a crash half-way, gives exactly one debit per
 * consumer × service × day". The day-close CLI is run as a real process on a large Comune and
 * killed with SIGKILL while it writes, at three different points; then run to completion and once
 * more. The result is checked against an independent SQL count, checkLedger() and the
 * check-ledger CLI.
 *
 * CRASH_CONSUMERS sets the size of the extra Comune population (default 300,000: a close of
 * ~250,000 meals writes for about a second even on an idle machine, longer than the latest kill).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { openDb, type Db } from '../../server/db/client.js';
import * as schema from '../../server/db/schema.js';
import { checkLedger } from '../../server/ledger/accounts.js';
import { seedDemo } from '../../server/seed/demo.js';

const EXTRA = Number(process.env.CRASH_CONSUMERS ?? 300_000);
const DATES = ['2026-11-24', '2026-11-25', '2026-11-26']; // Tue (no secondaria), Wed, Thu
/** three kill points, measured from the moment the close starts writing */
const WINDOWS: [number, number][] = [
	[100, 250],
	[250, 420],
	[420, 600]
];

const trace = (line: string) => process.env.CRASH_TRACE && console.log(`[crash ${new Date().toISOString()}] ${line}`);

let dir: string;
let dbPath: string;
let tenantId: number;

function withDb<T>(fn: (sqlite: Database.Database) => T): T {
	const sqlite = new Database(dbPath);
	try {
		return fn(sqlite);
	} finally {
		// the last connection to close checkpoints the WAL and removes it
		sqlite.close();
	}
}

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'mensa-crash-'));
	dbPath = join(dir, 'mensa.db');
	const db = openDb(dbPath);
	await seedDemo(db, fixedClock('2026-11-02T06:00:00.000Z'));
	const sqlite = db.$client;
	const one = <T>(sql: string, ...p: unknown[]) => sqlite.prepare(sql).get(...p) as T;
	tenantId = one<{ id: number }>(`SELECT id FROM tenants WHERE slug = 'mazze'`).id;
	const service = one<{ id: number }>('SELECT id FROM services WHERE tenant_id = ?', tenantId).id;
	const year = one<{ id: number }>('SELECT id FROM school_years WHERE tenant_id = ?', tenantId).id;
	const classes = (sqlite.prepare('SELECT id FROM school_classes WHERE tenant_id = ? ORDER BY id').all(tenantId) as { id: number }[]).map((r) => r.id);
	const bands = (sqlite.prepare('SELECT id FROM tariff_bands WHERE tenant_id = ? ORDER BY id').all(tenantId) as { id: number }[]).map((r) => r.id);
	const now = Date.parse('2026-11-02T06:00:00.000Z');
	const insertConsumer = sqlite.prepare(
		`INSERT INTO consumers (tenant_id, codice_fiscale, given_name, family_name, school_class_id, diet_label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	);
	const insertEnrolment = sqlite.prepare(
		`INSERT INTO enrolments (tenant_id, consumer_id, service_id, school_year_id, tariff_band_id, applicant_fiscal_code, applicant_name, activation_code_hash, status, from_date, to_date, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)`
	);
	const insertMark = sqlite.prepare(`INSERT INTO day_marks (tenant_id, consumer_id, date, assenza, pasto_in_bianco, updated_at) VALUES (?, ?, ?, ?, ?, ?)`);
	sqlite.transaction(() => {
		for (let i = 0; i < EXTRA; i++) {
			const consumerId = Number(insertConsumer.run(tenantId, `TEST${String(i).padStart(12, '0')}`, 'Alunno', `N${i}`, classes[i % classes.length], i % 50 === 0 ? 'senza lattosio' : null, now).lastInsertRowid);
			// most active; some ended, suspended, or ending before the days closed here
			const status = i % 97 === 0 ? 'cessata' : i % 89 === 0 ? 'sospesa' : 'attiva';
			const toDate = i % 83 === 0 ? '2026-11-20' : null;
			insertEnrolment.run(tenantId, consumerId, service, year, bands[i % bands.length], 'RSSMRA85C52L219F', `hash-${i}`, status, '2026-09-14', toDate, now);
			DATES.forEach((date, d) => {
				if ((i + d) % 20 === 0) insertMark.run(tenantId, consumerId, date, 1, 0, now);
				else if ((i + d) % 20 === 7) insertMark.run(tenantId, consumerId, date, 0, 1, now);
				else if ((i + d) % 20 === 9) insertMark.run(tenantId, consumerId, date, 1, 1, now);
			});
		}
	})();
	sqlite.close();
}, 300_000);

afterAll(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
	pid: number;
	code: number | null;
	signal: NodeJS.Signals | null;
	output: string;
	/** ms from spawn to the first write of the close (WAL non-empty), and to the kill */
	writeStartedAfter: number | null;
	killedAfterWriteStart: number | null;
}

/**
 * `npx tsx server/jobs/day-close-cli.ts …` in a process group of its own (npx → tsx → node), so a
 * SIGKILL reaches the process doing the work. With `killAfter`, the group is killed that many ms
 * after the close starts writing to the database.
 */
function runCli(command: string[], killAfter?: number): Promise<Outcome> {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = spawn(command[0], command.slice(1), { env: { ...process.env, DATABASE_PATH: dbPath }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (c: Buffer) => (output += c));
		child.stderr.on('data', (c: Buffer) => (output += c));
		let writeStartedAfter: number | null = null;
		let killedAfterWriteStart: number | null = null;
		const wal = `${dbPath}-wal`;
		const poll = setInterval(() => {
			// The WAL may vanish between two calls (the CLI checkpoints it away on close): no existsSync race.
			if (writeStartedAfter === null && (statSync(wal, { throwIfNoEntry: false })?.size ?? 0) > 0) {
				writeStartedAfter = Date.now() - started;
				trace(`write started after ${writeStartedAfter} ms`);
				if (killAfter !== undefined) {
					const writeStart = Date.now();
					setTimeout(() => {
						killedAfterWriteStart = Date.now() - writeStart;
						try {
							process.kill(-child.pid!, 'SIGKILL');
						} catch {
							// already gone: the exit code will tell
						}
					}, killAfter);
				}
			}
		}, 2);
		child.once('error', reject);
		trace(`spawned ${child.pid}: ${command.join(' ')}`);
		child.once('exit', (code, signal) => {
			trace(`exit ${code} ${signal}`);
			clearInterval(poll);
			resolve({ pid: child.pid!, code, signal, output, writeStartedAfter, killedAfterWriteStart });
		});
	});
}

async function groupGone(pid: number): Promise<boolean> {
	for (let i = 0; i < 100; i++) {
		try {
			process.kill(-pid, 0);
		} catch {
			return true;
		}
		await new Promise((r) => setTimeout(r, 20));
	}
	return false;
}

// --force: the day is in the future on the real clock the CLI reads.
const dayClose = (date: string) => ['npx', 'tsx', 'server/jobs/day-close-cli.ts', '--tenant', 'mazze', '--date', date, '--force'];

/** What the day must look like, counted straight from the enrolments, not with the close's query. */
function expected(sqlite: Database.Database, date: string) {
	const weekday = ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
	return sqlite
		.prepare(
			`SELECT count(*) AS meals, coalesce(sum(tb.meal_price_cents), 0) AS cents, count(CASE WHEN tb.meal_price_cents > 0 THEN 1 END) AS debits,
			        count(CASE WHEN dm.pasto_in_bianco = 1 THEN 1 END) AS bianco
			 FROM enrolments e
			 JOIN consumers c ON c.id = e.consumer_id
			 JOIN school_classes k ON k.id = c.school_class_id
			 JOIN schools s ON s.id = k.school_id
			 JOIN tariff_bands tb ON tb.id = e.tariff_band_id
			 LEFT JOIN day_marks dm ON dm.consumer_id = c.id AND dm.date = @date
			 WHERE e.tenant_id = @tenant AND e.status = 'attiva' AND (e.to_date IS NULL OR e.to_date >= @date)
			   AND (s.level <> 'secondaria' OR @weekday IN (1, 3, 4))
			   AND coalesce(dm.assenza, 0) = 0`
		)
		.get({ tenant: tenantId, date, weekday }) as { meals: number; cents: number; debits: number; bianco: number };
}

function actual(sqlite: Database.Database, date: string) {
	// externalId built here: better-sqlite3 binds numbers as REAL, and 'x' || 1.0 is 'x1.0'
	const one = (sql: string) => sqlite.prepare(sql).get({ tenant: tenantId, date, externalId: `day-close:${tenantId}:${date}` }) as Record<string, number>;
	return {
		closes: one(`SELECT count(*) AS n FROM day_closes WHERE tenant_id = @tenant AND date = @date`).n,
		meals: one(`SELECT count(*) AS n FROM meals WHERE tenant_id = @tenant AND date = @date AND cancelled_at IS NULL`).n,
		distinctEnrolments: one(`SELECT count(DISTINCT enrolment_id) AS n FROM meals WHERE tenant_id = @tenant AND date = @date`).n,
		cents: one(`SELECT coalesce(sum(price_cents), 0) AS n FROM meals WHERE tenant_id = @tenant AND date = @date`).n,
		bianco: one(`SELECT count(*) AS n FROM meals WHERE tenant_id = @tenant AND date = @date AND kind = 'bianco'`).n,
		debits: one(`SELECT count(*) AS n FROM ledger_postings p JOIN meals m ON m.id = p.meal_id WHERE m.tenant_id = @tenant AND m.date = @date`).n,
		debitCents: one(`SELECT coalesce(-sum(p.amount_cents), 0) AS n FROM ledger_postings p JOIN meals m ON m.id = p.meal_id WHERE m.tenant_id = @tenant AND m.date = @date`).n,
		// grouped, not correlated: ledger_postings has no index on meal_id
		mealsWithoutOneDebit: one(
			`SELECT count(*) AS n FROM meals m
			 LEFT JOIN (SELECT meal_id, count(*) AS k FROM ledger_postings WHERE meal_id IS NOT NULL GROUP BY meal_id) p ON p.meal_id = m.id
			 WHERE m.tenant_id = @tenant AND m.date = @date AND m.price_cents > 0 AND coalesce(p.k, 0) <> 1`
		).n,
		transactions: one(`SELECT count(*) AS n FROM ledger_transactions WHERE external_id = @externalId`).n
	};
}

function ledgerProblems() {
	const sqlite = new Database(dbPath);
	try {
		return checkLedger(drizzle(sqlite, { schema }) as Db);
	} finally {
		sqlite.close();
	}
}

it(
	`a close killed with SIGKILL at three points, then rerun twice, debits each present enrolment exactly once (${EXTRA} extra pupils)`,
	async () => {
		const report: string[] = [];
		for (const [i, date] of DATES.entries()) {
			const want = withDb((s) => expected(s, date));
			expect(want.meals).toBeGreaterThan(EXTRA / 2);
			expect(withDb((s) => actual(s, date).closes)).toBe(0);

			// 1. killed mid-way
			const [lo, hi] = WINDOWS[i];
			const delay = lo + Math.floor(Math.random() * (hi - lo + 1));
			const killed = await runCli(dayClose(date), delay);
			report.push(`${date}: write started ${killed.writeStartedAfter} ms after spawn, SIGKILL ${killed.killedAfterWriteStart} ms later (${delay} planned)`);
			expect(killed.writeStartedAfter, `${date}: the close never started writing\n${killed.output}`).not.toBeNull();
			expect(killed.signal, `${date}: the CLI was not killed but exited with ${killed.code} — the close takes less than ${delay} ms: raise CRASH_CONSUMERS\n${killed.output}`).toBe('SIGKILL');
			expect(killed.output).not.toMatch(/chiusa/);
			// the whole group is gone, and it left nothing of the day behind
			expect(await groupGone(killed.pid), `${date}: processes of the killed CLI still running`).toBe(true);
			const afterKill = withDb((s) => actual(s, date));
			expect(afterKill, `${date}: a killed close must leave the day wholly open`).toMatchObject({ closes: 0, meals: 0, debits: 0, transactions: 0 });
			expect(ledgerProblems()).toEqual([]);

			// 2. rerun to completion
			const t0 = Date.now();
			const complete = await runCli(dayClose(date));
			const took = Date.now() - t0;
			expect(complete.code, complete.output).toBe(0);
			expect(complete.output).toContain(`mazze ${date}: chiusa, ${want.meals} pasti, ${want.cents} centesimi`);
			report.push(`${date}: full run ${took} ms (write ${took - (complete.writeStartedAfter ?? 0)} ms), ${want.meals} meals, ${want.cents} cents`);

			// 3. and once more: nothing changes
			const again = await runCli(dayClose(date));
			expect(again.code, again.output).toBe(0);
			expect(again.output).toContain(`mazze ${date}: già chiusa`);

			const got = withDb((s) => actual(s, date));
			expect(got).toEqual({
				closes: 1,
				meals: want.meals,
				distinctEnrolments: want.meals,
				cents: want.cents,
				bianco: want.bianco,
				debits: want.debits,
				debitCents: want.cents,
				mealsWithoutOneDebit: 0,
				transactions: 1
			});
			expect(ledgerProblems()).toEqual([]);
			const check = await runCli(['npm', 'run', 'check-ledger']);
			expect(check.code, check.output).toBe(0);
			expect(check.output).toContain('Registro contabile coerente.');
		}
		// the kills landed at three different points
		console.log(report.join('\n'));
	},
	600_000
);
