/**
 * Day-close benchmark (issue 4, DESIGN.md §6): 200 synthetic Comuni, 1,000,000 consumers and
 * active enrolments, one weekday closed for all of them with the real closeDay().
 *
 *   npx tsx bench/day-close.ts            (npm run bench runs it with bench/marks-http.ts)
 *   BENCH_CONSUMERS=100000 npx tsx bench/day-close.ts    (a quicker, smaller run)
 *
 * Figures: meals debited per second (target ≥ 50,000), peak RSS of the close (≤ 512 MB), and the
 * ratio to a bare better-sqlite3 insert of as many rows on the same machine (≥ 0.25).
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../server/clock.js';
import { openDb, type Db } from '../server/db/client.js';
import { closeDay, PRESENT_ENROLMENTS_SQL, type ClosableTenant } from '../server/meals/day-close.js';
import { checkLedger } from '../server/ledger/accounts.js';
import { elapsed, mulberry32, peakRssBytes, printFigure, resetPeakRss, writeResult, type Figure } from './common.js';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 200);
const CONSUMERS = Number(process.env.BENCH_CONSUMERS ?? 1_000_000);
const SCHOOLS_PER_TENANT = 5;
const CLASS_SIZE = 20;
const ABSENT_RATE = 0.05;
const BIANCO_RATE = 0.03;
const DIET_RATE = 0.04;
const SEED = 20261125;
/** Wednesday 25 November 2026; the clock stands at 13:00 in Rome, after every cutoff. */
const DATE = '2026-11-25';
const DAY_BEFORE = '2026-11-24';
const CLOCK = '2026-11-25T12:00:00Z';
const YEAR = { label: '2026/2027', firstDay: '2026-09-14', lastDay: '2027-06-10' };

const TARGET_MEALS_PER_S = 50_000;
const TARGET_RSS_MB = 512;
const TARGET_RATIO = 0.25;

const MB = 2 ** 20;

/** Comuni of very different sizes, as in Italy (Zipf-like, s = 0.8): the largest has ~7% of all pupils. */
function tenantSizes(rand: () => number): number[] {
	const weights = Array.from({ length: TENANTS }, (_, i) => (1 / (i + 1) ** 0.8) * (0.9 + 0.2 * rand()));
	const sum = weights.reduce((a, b) => a + b, 0);
	const sizes = weights.map((w) => Math.max(1, Math.floor((w / sum) * CONSUMERS)));
	sizes[TENANTS - 1] += CONSUMERS - sizes.reduce((a, b) => a + b, 0);
	return sizes;
}

const DIETS = ['senza glutine', 'senza lattosio', 'vegetariana', 'senza carne di maiale', 'allergia frutta a guscio'];
const GIVEN = ['Luca', 'Sofia', 'Giulia', 'Marco', 'Anna', 'Tommaso', 'Alice', 'Leonardo', 'Aurora', 'Francesco', 'Ginevra', 'Matteo'];
const FAMILY = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo'];
const HEX = '0123456789abcdef';

interface Generated {
	tenants: ClosableTenant[];
	enrolments: number;
	absent: number;
	bianco: number;
	diets: number;
	seconds: number;
}

function generate(db: Db): Generated {
	const start = process.hrtime.bigint();
	const rand = mulberry32(SEED);
	// Fiscal codes and activation hashes are random, as in life, so their indexes fill in random
	// order: a bigger page cache for the load only, then back to the app's default for the close.
	const defaultCache = db.$client.pragma('cache_size', { simple: true });
	db.$client.pragma('cache_size = -262144');
	const sizes = tenantSizes(rand);
	const c = db.$client;
	const now = new Date('2026-09-01T08:00:00Z').getTime();
	const ins = {
		tenant: c.prepare(`INSERT INTO tenants (slug, name, search_name, province, codice_fiscale_ente, cutoff_time, timezone, created_at) VALUES (?, ?, ?, 'XX', ?, ?, 'Europe/Rome', ?)`),
		year: c.prepare(`INSERT INTO school_years (tenant_id, label, first_day, last_day, created_at) VALUES (?, ?, ?, ?, ?)`),
		group: c.prepare(`INSERT INTO service_groups (tenant_id, name, created_at) VALUES (?, 'Refezione', ?)`),
		service: c.prepare(`INSERT INTO services (tenant_id, service_group_id, name, created_at) VALUES (?, ?, 'Mensa', ?)`),
		band: c.prepare(`INSERT INTO tariff_bands (tenant_id, school_year_id, name, meal_price_cents, created_at) VALUES (?, ?, ?, ?, ?)`),
		school: c.prepare(`INSERT INTO schools (tenant_id, name, level, managed_by, created_at) VALUES (?, ?, ?, 'comune', ?)`),
		calendar: c.prepare(`INSERT INTO school_calendars (tenant_id, school_id, school_year_id, weekdays, first_day, last_day, effective_from, created_at) VALUES (?, ?, ?, '1,2,3,4,5', ?, ?, ?, ?)`),
		klass: c.prepare(`INSERT INTO school_classes (tenant_id, school_id, school_year_id, name, created_at) VALUES (?, ?, ?, ?, ?)`),
		consumer: c.prepare(`INSERT INTO consumers (tenant_id, codice_fiscale, given_name, family_name, birth_date, school_class_id, diet_label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		enrolment: c.prepare(
			`INSERT INTO enrolments (tenant_id, consumer_id, service_id, school_year_id, tariff_band_id, applicant_fiscal_code, applicant_name, activation_code_hash, status, from_date, to_date, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'attiva', ?, NULL, ?)`
		),
		mark: c.prepare(`INSERT INTO day_marks (tenant_id, consumer_id, date, assenza, pasto_in_bianco, updated_at) VALUES (?, ?, ?, ?, ?, ?)`)
	};
	const tenants: ClosableTenant[] = [];
	let enrolments = 0;
	let absent = 0;
	let bianco = 0;
	let diets = 0;
	const hexTail = (n: number) => {
		let s = '';
		for (let i = 0; i < n; i++) s += HEX[(rand() * 16) | 0];
		return s;
	};
	// One transaction per ~10 Comuni: big enough to be fast, small enough to keep the WAL modest.
	const batch = c.transaction((from: number, to: number) => {
		for (let t = from; t < to; t++) {
			const cutoff = ['08:30', '09:00', '09:30'][t % 3];
			const tenantId = Number(ins.tenant.run(`comune-${t + 1}`, `Comune ${t + 1}`, `comune ${t + 1}`, String(80000000000 + t), cutoff, now).lastInsertRowid);
			tenants.push({ id: tenantId, createdAt: new Date(now), cutoffTime: cutoff, timezone: 'Europe/Rome' });
			const yearId = Number(ins.year.run(tenantId, YEAR.label, YEAR.firstDay, YEAR.lastDay, now).lastInsertRowid);
			const groupId = Number(ins.group.run(tenantId, now).lastInsertRowid);
			const serviceId = Number(ins.service.run(tenantId, groupId, now).lastInsertRowid);
			const bands = [
				['Fascia A', 250],
				['Fascia B', 420],
				['Fascia C', 520],
				['Esenzione', 0]
			].map(([name, price]) => Number(ins.band.run(tenantId, yearId, name, price, now).lastInsertRowid));
			const n = sizes[t];
			const classCount = Math.max(1, Math.ceil(n / CLASS_SIZE));
			const classes: number[] = [];
			for (let s = 0; s < SCHOOLS_PER_TENANT; s++) {
				const level = (['infanzia', 'primaria', 'primaria', 'secondaria', 'primaria'] as const)[s];
				const schoolId = Number(ins.school.run(tenantId, `Scuola ${level} ${s + 1}`, level, now).lastInsertRowid);
				ins.calendar.run(tenantId, schoolId, yearId, YEAR.firstDay, YEAR.lastDay, YEAR.firstDay, now);
				const perSchool = Math.ceil(classCount / SCHOOLS_PER_TENANT);
				for (let k = 0; k < perSchool && classes.length < classCount; k++) {
					classes.push(Number(ins.klass.run(tenantId, schoolId, yearId, `${(k % 5) + 1}ª ${String.fromCharCode(65 + Math.floor(k / 5) % 26)}`, now).lastInsertRowid));
				}
			}
			for (let i = 0; i < n; i++) {
				const seq = i.toString(36).toUpperCase().padStart(6, '0');
				const diet = rand() < DIET_RATE ? DIETS[(rand() * DIETS.length) | 0] : null;
				if (diet) diets++;
				const consumerId = Number(
					ins.consumer.run(tenantId, `${hexTail(10).toUpperCase()}${seq}`, GIVEN[(rand() * GIVEN.length) | 0], FAMILY[(rand() * FAMILY.length) | 0], `201${(rand() * 9) | 0}-0${1 + ((rand() * 9) | 0)}-1${(rand() * 9) | 0}`, classes[Math.floor((i / n) * classes.length)], diet, now).lastInsertRowid
				);
				const r = rand();
				const band = bands[r < 0.3 ? 0 : r < 0.7 ? 1 : r < 0.95 ? 2 : 3];
				ins.enrolment.run(tenantId, consumerId, serviceId, yearId, band, `${hexTail(10).toUpperCase()}${seq}`, `${GIVEN[(rand() * GIVEN.length) | 0]} ${FAMILY[(rand() * FAMILY.length) | 0]}`, hexTail(58) + seq, YEAR.firstDay, now);
				enrolments++;
				// The day closed: ~5% absent, ~3% (of the others) pasto in bianco.
				const m = rand();
				if (m < ABSENT_RATE) {
					ins.mark.run(tenantId, consumerId, DATE, 1, 0, now);
					absent++;
				} else if (m < ABSENT_RATE + BIANCO_RATE) {
					ins.mark.run(tenantId, consumerId, DATE, 0, 1, now);
					bianco++;
				}
				// The day before has marks of its own, which the close must ignore.
				if (rand() < ABSENT_RATE) ins.mark.run(tenantId, consumerId, DAY_BEFORE, 1, 0, now);
			}
		}
	});
	for (let t = 0; t < TENANTS; t += 10) batch(t, Math.min(TENANTS, t + 10));
	c.pragma('wal_checkpoint(TRUNCATE)');
	c.pragma(`cache_size = ${defaultCache}`);
	// No ANALYZE: the app never runs it, so the planner works here as it does in production.
	return { tenants, enrolments, absent, bianco, diets, seconds: elapsed(start) };
}

/** A bare better-sqlite3 insert of `rows` rows as wide as a meal, one transaction, the app's pragmas. */
function bareInsert(dir: string, rows: number, name: string): { seconds: number; rowsPerSecond: number } {
	const file = join(dir, `bare-${name}.db`);
	const sqlite = new Database(file);
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('foreign_keys = ON');
	sqlite.pragma('busy_timeout = 5000');
	sqlite.pragma('synchronous = NORMAL');
	sqlite.exec(`CREATE TABLE rows (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, tenant_id integer NOT NULL, date text NOT NULL, consumer_id integer NOT NULL,
		enrolment_id integer NOT NULL, service_id integer NOT NULL, school_id integer NOT NULL, school_class_id integer NOT NULL, kind text NOT NULL,
		diet_label text, price_cents integer NOT NULL, transaction_id integer)`);
	const insert = sqlite.prepare('INSERT INTO rows (tenant_id, date, consumer_id, enrolment_id, service_id, school_id, school_class_id, kind, diet_label, price_cents, transaction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
	const start = process.hrtime.bigint();
	sqlite.transaction(() => {
		for (let i = 0; i < rows; i++) insert.run(1 + (i % 200), DATE, i + 1, i + 1, 1 + (i % 200), 1 + (i % 1000), 1 + (i % 50000), i % 33 === 0 ? 'bianco' : 'normale', i % 25 === 0 ? 'senza glutine' : null, 420, 7);
	})();
	const seconds = elapsed(start);
	sqlite.close();
	for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
	return { seconds, rowsPerSecond: rows / seconds };
}

function queryPlans(db: Db, tenantId: number): Record<string, string[]> {
	const c = db.$client;
	const plan = (sql: string, params: Record<string, unknown>) => (c.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
	return {
		presentEnrolments: plan(PRESENT_ENROLMENTS_SQL, { tenant: tenantId, date: DATE, served: '[1]' })
	};
}

/**
 * BENCH_STATEMENT_PROFILE=1: time every statement the close runs, by SQL text (SQLite's own time
 * does not show in --cpu-prof, which sees one native call per statement).
 */
function profileStatements(db: Db): Map<string, { calls: number; seconds: number }> {
	const stats = new Map<string, { calls: number; seconds: number }>();
	const client = db.$client;
	const prepare = client.prepare.bind(client);
	(client as { prepare: unknown }).prepare = (sql: string) => {
		const stmt = prepare(sql);
		const key = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
		for (const method of ['run', 'get', 'all'] as const) {
			const original = (stmt as unknown as Record<string, (...a: unknown[]) => unknown>)[method].bind(stmt);
			(stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
				const t0 = process.hrtime.bigint();
				try {
					return original(...args);
				} finally {
					const s = stats.get(key) ?? { calls: 0, seconds: 0 };
					s.calls++;
					s.seconds += elapsed(t0);
					stats.set(key, s);
				}
			};
		}
		return stmt;
	};
	return stats;
}

function main() {
	const dir = mkdtempSync(join(tmpdir(), 'mensa-bench-close-'));
	try {
		console.log(`day-close: ${TENANTS} Comuni, ${CONSUMERS.toLocaleString('en-US')} consumers, closing ${DATE} (temp ${dir})`);
		// Generated in a child process, so that its memory does not count in the close's peak RSS.
		const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--generate', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
		if (child.status !== 0) throw new Error(`generation failed (${child.status ?? child.signal})`);
		const gen = JSON.parse(readFileSync(join(dir, 'generated.json'), 'utf8')) as Generated;
		gen.tenants = gen.tenants.map((t) => ({ ...t, createdAt: new Date(t.createdAt) }));
		// The close starts from a freshly opened database, as the scheduler's process would.
		const db = openDb(join(dir, 'mensa.db'));
		const dbBytes = statSync(join(dir, 'mensa.db')).size;
		console.log(`  generated in ${gen.seconds.toFixed(1)} s (${gen.enrolments} enrolments, ${gen.absent} absent, ${gen.bianco} in bianco, ${gen.diets} diets; ${(dbBytes / MB).toFixed(0)} MB file) — not part of the figure`);
		const plans = queryPlans(db, gen.tenants[0].id);
		const bareBefore = bareInsert(dir, CONSUMERS, 'before');

		// The close, timed: every Comune, one after another, as the scheduler does.
		global.gc?.();
		const rssBefore = process.memoryUsage().rss;
		const hwmReset = resetPeakRss();
		let sampledPeak = rssBefore;
		const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)), 50);
		const statementStats = process.env.BENCH_STATEMENT_PROFILE === '1' ? profileStatements(db) : null;
		const clock = fixedClock(CLOCK);
		let meals = 0;
		let totalCents = 0;
		let slowest = { tenant: 0, seconds: 0, meals: 0 };
		const start = process.hrtime.bigint();
		for (const tenant of gen.tenants) {
			const t0 = process.hrtime.bigint();
			const r = closeDay(db, clock, tenant, DATE);
			if (r.status !== 'closed') throw new Error(`Comune ${tenant.id}: ${r.status}`);
			meals += r.meals;
			totalCents += r.totalCents;
			const s = elapsed(t0);
			if (s > slowest.seconds) slowest = { tenant: tenant.id, seconds: s, meals: r.meals };
			sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
		}
		const closeSeconds = elapsed(start);
		clearInterval(sampler);
		if (statementStats) {
			console.log('  statements of the close, by total time:');
			for (const [sql, s] of [...statementStats].sort((a, b) => b[1].seconds - a[1].seconds).slice(0, 12)) console.log(`    ${s.seconds.toFixed(3).padStart(7)} s ${String(s.calls).padStart(5)}×  ${sql}`);
		}
		const hwm = hwmReset ? peakRssBytes() : null;
		const peakRss = Math.max(sampledPeak, hwm ?? 0);

		// Correctness: one meal per present enrolment, a balanced ledger, every day closed.
		const c = db.$client;
		const mealRows = (c.prepare('SELECT count(*) AS n FROM meals WHERE date = ?').get(DATE) as { n: number }).n;
		const closes = (c.prepare('SELECT count(*) AS n, sum(meals) AS meals FROM day_closes WHERE date = ?').get(DATE) as { n: number; meals: number });
		const debits = (c.prepare('SELECT count(*) AS n FROM ledger_postings WHERE meal_id IS NOT NULL').get() as { n: number }).n;
		const paidMeals = (c.prepare('SELECT count(*) AS n FROM meals WHERE date = ? AND price_cents > 0').get(DATE) as { n: number }).n;
		const biancoMeals = (c.prepare("SELECT count(*) AS n FROM meals WHERE date = ? AND kind = 'bianco'").get(DATE) as { n: number }).n;
		const unlinked = (c.prepare('SELECT count(*) AS n FROM meals WHERE date = ? AND transaction_id IS NULL').get(DATE) as { n: number }).n;
		const problems = checkLedger(db);
		const expected = gen.enrolments - gen.absent;
		const checks = {
			expectedMeals: expected,
			meals: mealRows,
			mealsMatch: mealRows === expected && meals === expected && closes.meals === expected,
			biancoMealsMatch: biancoMeals === gen.bianco,
			dayCloses: closes.n,
			allClosed: closes.n === gen.tenants.length,
			debitPostings: debits,
			everyPaidMealDebited: debits === paidMeals,
			mealsWithoutTransaction: unlinked,
			checkLedger: problems.slice(0, 10),
			ok: false
		};
		checks.ok = checks.mealsMatch && checks.biancoMealsMatch && checks.allClosed && checks.everyPaidMealDebited && unlinked === 0 && problems.length === 0;
		c.close();

		// The bare insert runs before and after the close and the two are averaged: on a shared
		// machine the load drifts, and the ratio should not depend on when the close ran.
		const bareRuns = [bareBefore, bareInsert(dir, CONSUMERS, 'after')];
		const bare = { seconds: (bareRuns[0].seconds + bareRuns[1].seconds) / 2, rowsPerSecond: (bareRuns[0].rowsPerSecond + bareRuns[1].rowsPerSecond) / 2 };
		const mealsPerSecond = meals / closeSeconds;
		const figures: Figure[] = [
			{ name: 'day close: meals debited per second', value: Math.round(mealsPerSecond), unit: 'meals/s', target: TARGET_MEALS_PER_S, better: 'higher' },
			{ name: 'day close: peak RSS', value: Math.round(peakRss / MB), unit: 'MB', target: TARGET_RSS_MB, better: 'lower' },
			{ name: 'bare better-sqlite3 insert, rows per second', value: Math.round(bare.rowsPerSecond), unit: 'rows/s' },
			{ name: 'ratio day close / bare insert', value: Number((mealsPerSecond / bare.rowsPerSecond).toFixed(3)), unit: '×', target: TARGET_RATIO, better: 'higher' },
			{ name: 'day close: wall time, all Comuni', value: Number(closeSeconds.toFixed(2)), unit: 's' },
			{ name: 'day close: slowest Comune', value: Number(slowest.seconds.toFixed(2)), unit: 's' }
		];
		console.log(`  closed ${meals.toLocaleString('en-US')} meals (${(totalCents / 100).toLocaleString('it-IT')} €) for ${gen.tenants.length} Comuni in ${closeSeconds.toFixed(2)} s; slowest Comune ${slowest.meals} meals in ${slowest.seconds.toFixed(2)} s`);
		console.log(`  bare insert of ${CONSUMERS.toLocaleString('en-US')} rows: ${bareRuns[0].seconds.toFixed(2)} s before the close, ${bareRuns[1].seconds.toFixed(2)} s after`);
		for (const f of figures) printFigure(f);
		console.log(`  correctness: ${checks.ok ? 'OK' : 'FAILED'} (meals ${mealRows} = enrolments ${gen.enrolments} − absent ${gen.absent}: ${checks.mealsMatch}; checkLedger: ${problems.length} problems)`);
		const path = writeResult('day-close', {
			parameters: { tenants: TENANTS, consumers: CONSUMERS, enrolments: gen.enrolments, absent: gen.absent, pastoInBianco: gen.bianco, dietLabels: gen.diets, date: DATE, clock: CLOCK, seed: SEED, schoolsPerTenant: SCHOOLS_PER_TENANT, classSize: CLASS_SIZE },
			generation: { seconds: Number(gen.seconds.toFixed(1)), databaseMB: Math.round(dbBytes / MB) },
			close: { seconds: Number(closeSeconds.toFixed(3)), meals, totalCents, slowestTenant: slowest, rssBeforeMB: Math.round(rssBefore / MB), peakRssSampledMB: Math.round(sampledPeak / MB), vmHwmMB: hwm === null ? null : Math.round(hwm / MB) },
			bare: { rows: CONSUMERS, secondsBefore: Number(bareRuns[0].seconds.toFixed(3)), secondsAfter: Number(bareRuns[1].seconds.toFixed(3)) },
			queryPlans: plans,
			checks,
			figures
		});
		console.log(`  → ${path}`);
		if (!checks.ok) process.exitCode = 1;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

if (process.argv[2] === '--generate') {
	const db = openDb(join(process.argv[3], 'mensa.db'));
	writeFileSync(join(process.argv[3], 'generated.json'), JSON.stringify(generate(db)));
	db.$client.close();
} else {
	main();
}
