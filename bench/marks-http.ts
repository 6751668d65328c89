/**
 * Marks over HTTP (issue 4, DESIGN.md §6: a strike-day burst of ≈ 4,000 marks/s): the real test
 * build as its own process, guardians with real sessions, autocannon at 50 connections on
 * POST /api/trpc/meals.mark, then the same load on a bare node:http JSON server for comparison.
 *
 *   npx tsx bench/marks-http.ts                 (builds build-d first; BENCH_SKIP_BUILD=1 reuses it)
 *   BENCH_DURATION=5 npx tsx bench/marks-http.ts
 */
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateToken, hashToken } from '../server/auth/tokens.js';
import { reportRun, type Figure } from './common.js';
import { cpuSeconds, ensureTestBuild, freePort, startBenchServer } from './server-process.js';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const WARMUP_S = 3;
const GUARDIANS = Number(process.env.BENCH_GUARDIANS ?? 1000);
/** Monday 23 November 2026 at noon in Rome for the seed (as the tests), then Wednesday 25 at 08:00. */
export const SEED_NOW = '2026-11-23T11:00:00Z';
const MORNING = '2026-11-25T07:00:00Z';
const STRIKE_DAY = '2026-11-25';
/** The service days a family marks in one 10-mark request: this week and the next. */
const WEEK = ['2026-11-25', '2026-11-26', '2026-11-27', '2026-11-30', '2026-12-01'];
export const TARGET_MARKS_PER_S = 4_000;
export const TARGET_P99_MS = 50;
const BUILD_DIR = 'build-d';

function waitFor(child: ChildProcess, text: string, what: string): Promise<() => string> {
	let log = '';
	return new Promise((resolveStart, reject) => {
		const onData = (chunk: Buffer) => {
			log += chunk.toString();
			if (log.includes(text)) resolveStart(() => log);
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${log}`)));
		setTimeout(() => reject(new Error(`${what} did not start in 30 s:\n${log}`)), 30_000).unref();
	});
}

async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((r) => child.once('exit', r));
	child.kill('SIGTERM');
	await exited;
}

export interface Family {
	token: string;
	children: [number, number];
}

/**
 * Guardians as the app makes them (user, guardian membership, two children enrolled in Mensa and
 * linked by activation code), written straight into the server's SQLite file, each with a session
 * whose row id is the SHA-256 of its cookie token: logging in 1,000 times would only measure argon2.
 */
export function addFamilies(dbPath: string, count: number, now: Date): Family[] {
	const db = new Database(dbPath);
	db.pragma('busy_timeout = 5000');
	const at = now.getTime();
	const tenant = db.prepare("SELECT id FROM tenants WHERE slug = 'mazze'").get() as { id: number };
	const ctx = db
		.prepare(
			`SELECT sc.id AS classId, sc.school_year_id AS yearId, sv.id AS serviceId, tb.id AS bandId, sy.first_day AS firstDay
			 FROM school_classes sc JOIN schools s ON s.id = sc.school_id JOIN school_years sy ON sy.id = sc.school_year_id
			 JOIN services sv ON sv.tenant_id = sc.tenant_id JOIN tariff_bands tb ON tb.school_year_id = sy.id AND tb.meal_price_cents > 0
			 WHERE sc.tenant_id = ? AND s.level = 'primaria' ORDER BY sc.id, tb.id LIMIT 1`
		)
		.get(tenant.id) as { classId: number; yearId: number; serviceId: number; bandId: number; firstDay: string };
	const ins = {
		user: db.prepare(`INSERT INTO users (id, tenant_id, email, email_verified_at, given_name, family_name, contact_email, privacy_accepted_at, created_at) VALUES (?, ?, ?, ?, 'Genitore', ?, ?, ?, ?)`),
		membership: db.prepare(`INSERT INTO memberships (tenant_id, user_id, role, school_id, created_at) VALUES (?, ?, 'guardian', NULL, ?)`),
		consumer: db.prepare(`INSERT INTO consumers (tenant_id, codice_fiscale, given_name, family_name, birth_date, school_class_id, diet_label, created_at) VALUES (?, ?, ?, ?, '2018-03-01', ?, NULL, ?)`),
		enrolment: db.prepare(
			`INSERT INTO enrolments (tenant_id, consumer_id, service_id, school_year_id, tariff_band_id, applicant_fiscal_code, applicant_name, activation_code_hash, status, from_date, to_date, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'attiva', ?, NULL, ?)`
		),
		link: db.prepare(`INSERT INTO guardian_links (tenant_id, user_id, consumer_id, enrolment_id, linked_by, created_at) VALUES (?, ?, ?, ?, 'activation_code', ?)`),
		session: db.prepare(`INSERT INTO sessions (id, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)`)
	};
	const families: Family[] = [];
	db.transaction(() => {
		for (let g = 0; g < count; g++) {
			const userId = `bench-guardian-${g}`;
			const family = `Bench${g}`;
			ins.user.run(userId, tenant.id, `genitore${g}@bench.example`, at, family, `genitore${g}@bench.example`, at, at);
			ins.membership.run(tenant.id, userId, at);
			const children: number[] = [];
			for (const k of [0, 1]) {
				const cf = `BNC${String(g).padStart(6, '0')}${k}`;
				const consumerId = Number(ins.consumer.run(tenant.id, cf, k ? 'Secondo' : 'Primo', family, ctx.classId, at).lastInsertRowid);
				const enrolmentId = Number(ins.enrolment.run(tenant.id, consumerId, ctx.serviceId, ctx.yearId, ctx.bandId, `GEN${g}`, `Genitore ${family}`, hashToken(`bench-${g}-${k}`), ctx.firstDay, at).lastInsertRowid);
				ins.link.run(tenant.id, userId, consumerId, enrolmentId, at);
				children.push(consumerId);
			}
			const token = generateToken();
			// 29 days left: well before the sliding renewal, so no request rewrites its session.
			ins.session.run(hashToken(token), userId, at + 29 * 86_400_000, at);
			families.push({ token, children: children as [number, number] });
		}
	})();
	db.close();
	return families;
}


function marksFor(family: Family, perRequest: number, n: number) {
	if (perRequest === 1) {
		// The strike day: each request cancels (or restores) one child's meal for today.
		return [{ mutationId: randomUUID(), consumerId: family.children[n % 2], date: STRIKE_DAY, kind: 'assenza', value: (n >> 1) % 2 === 0 }];
	}
	// A family plans ahead: both children, the coming service days.
	return Array.from({ length: perRequest }, (_, i) => ({
		mutationId: randomUUID(),
		consumerId: family.children[i % 2],
		date: WEEK[Math.floor(i / 2) % WEEK.length],
		kind: i >= 2 * WEEK.length ? 'pastoInBianco' : 'assenza',
		value: n % 2 === 0
	}));
}

interface Load {
	requests: number;
	ok: number;
	non2xx: number;
	errors: number;
	timeouts: number;
	seconds: number;
	reqPerSecond: number;
	latency: { p50: number; p90: number; p99: number; max: number; mean: number };
	rejectedMarks: number;
	serverCpuMsPerRequest?: number;
}

async function load(url: string, origin: string, body: (n: number) => { cookie?: string; body: string }, seconds: number, check?: (body: string) => number): Promise<Load> {
	let n = 0;
	let rejected = 0;
	const result = await autocannon({
		url,
		connections: CONNECTIONS,
		duration: seconds,
		pipelining: 1,
		requests: [
			{
				method: 'POST',
				setupRequest: (req) => {
					const r = body(n++);
					return { ...req, body: r.body, headers: { 'content-type': 'application/json', origin, ...(r.cookie ? { cookie: r.cookie } : {}) } };
				},
				...(check ? { onResponse: (_status: number, resBody: string) => void (rejected += check(resBody)) } : {})
			}
		]
	});
	return {
		requests: result.requests.total,
		ok: result['2xx'],
		non2xx: result.non2xx,
		errors: result.errors,
		timeouts: result.timeouts,
		seconds: result.duration,
		reqPerSecond: result['2xx'] / result.duration,
		latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
		rejectedMarks: rejected
	};
}

/** The floor: node:http parsing a JSON body and answering JSON, nothing else, in its own process. */
const BARE_SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		const out = JSON.stringify({ result: { data: { results: input.marks.map((m) => ({ mutationId: m.mutationId, status: 'applied' })) } } });
		res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
		res.end(out);
	});
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('Listening on ' + process.env.PORT));
`;

async function main() {
	ensureTestBuild(BUILD_DIR, (line) => console.log(`marks-http: ${line}`));
	const dataDir = mkdtempSync(join(tmpdir(), 'mensa-bench-http-'));
	const dbPath = join(dataDir, 'mensa.db');
	const children: ChildProcess[] = [];
	try {
		const bench = await startBenchServer(BUILD_DIR, dataDir, { MENSA_TEST_NOW: SEED_NOW, DAY_CLOSE: 'off' });
		const { url, child: server } = bench;
		children.push(server);
		const serverLog = bench.log;
		const post = (path: string, body: unknown, cookie?: string) =>
			fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url, ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });

		// Wednesday 08:00 in Rome: the morning of a strike, before every cutoff.
		const clockRes = await post('/api/test/clock', { now: MORNING });
		if (!clockRes.ok) throw new Error(`clock: ${clockRes.status} ${await clockRes.text()}`);
		const now = new Date(((await clockRes.json()) as { now: string }).now);

		// The demo guardian signs in for real once: the path the families take, and a check that the build works.
		const login = await post('/api/trpc/auth.login', { tenantSlug: 'mazze', email: 'maria.rossi@example.com', password: 'MensaAperta-2026' });
		const cookie = /ma_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
		if (!login.ok || !cookie) throw new Error(`demo login: ${login.status} ${await login.text()}`);

		const families = addFamilies(dbPath, GUARDIANS, now);
		const probe = await post('/api/trpc/meals.mark', { marks: marksFor(families[0], 1, 0) }, `ma_session=${families[0].token}`);
		const probeBody = await probe.text();
		if (!probe.ok || !probeBody.includes('"applied"')) throw new Error(`probe mark: ${probe.status} ${probeBody}`);
		console.log(`  server up on ${url}; clock ${now.toISOString()}; ${GUARDIANS} guardians with sessions (2 children each); demo login OK`);

		// Every mark the server acknowledged as applied must be in mark_events afterwards.
		const acknowledged = new Set<string>();
		const notApplied = (body: string) => {
			let n = 0;
			try {
				const results = (JSON.parse(body) as { result: { data: { results: { mutationId: string; status: string }[] } } }).result.data.results;
				for (const r of results) {
					if (r.status === 'applied') acknowledged.add(r.mutationId);
					else n++;
				}
			} catch {
				n++;
			}
			return n;
		};
		const scenarios = [1, 10].map((perRequest) => ({
			perRequest,
			body: (n: number) => {
				const family = families[n % families.length];
				return { cookie: `ma_session=${family.token}`, body: JSON.stringify({ marks: marksFor(family, perRequest, Math.floor(n / families.length)) }) };
			}
		}));

		const results: Record<string, { app: Load; bare: Load; marksPerSecond: number; ratio: number }> = {};
		const loads: Record<number, Load> = {};
		acknowledged.add(JSON.parse(probeBody).result.data.results[0].mutationId);
		for (const s of scenarios) {
			await load(`${url}/api/trpc/meals.mark`, url, s.body, WARMUP_S, notApplied);
			const cpu0 = cpuSeconds(server.pid);
			const app = await load(`${url}/api/trpc/meals.mark`, url, s.body, DURATION_S, notApplied);
			app.serverCpuMsPerRequest = Number((((cpuSeconds(server.pid) - cpu0) * 1000) / Math.max(1, app.requests)).toFixed(2));
			loads[s.perRequest] = app;
			console.log(`  app, ${s.perRequest} mark(s)/request: ${app.requests} requests, ${app.ok} 2xx, p50 ${app.latency.p50} ms, p99 ${app.latency.p99} ms`);
		}
		await stop(server);
		const recorded = (() => {
			const db = new Database(dbPath, { readonly: true });
			const rows = db.prepare("SELECT mutation_id AS id, outcome FROM mark_events WHERE actor_user_id LIKE 'bench-guardian-%'").all() as { id: string; outcome: string }[];
			db.close();
			return { rows: rows.length, applied: new Set(rows.filter((r) => r.outcome === 'applied').map((r) => r.id)) };
		})();
		const missing = [...acknowledged].filter((id) => !recorded.applied.has(id)).length;

		// The same load on the bare server.
		const barePort = await freePort();
		const bare = spawn(process.execPath, ['-e', BARE_SERVER], { env: { PATH: process.env.PATH, PORT: String(barePort) }, stdio: ['ignore', 'pipe', 'pipe'] });
		children.push(bare);
		await waitFor(bare, 'Listening on', 'bare server');
		const bareUrl = `http://127.0.0.1:${barePort}`;
		for (const s of scenarios) {
			await load(bareUrl, url, s.body, WARMUP_S);
			const cpu0 = cpuSeconds(bare.pid);
			const b = await load(bareUrl, url, s.body, DURATION_S);
			b.serverCpuMsPerRequest = Number((((cpuSeconds(bare.pid) - cpu0) * 1000) / Math.max(1, b.requests)).toFixed(3));
			const app = loads[s.perRequest];
			results[`${s.perRequest}`] = { app, bare: b, marksPerSecond: app.reqPerSecond * s.perRequest, ratio: app.reqPerSecond / b.reqPerSecond };
			console.log(`  bare, ${s.perRequest} mark(s)/request: ${b.requests} requests, p50 ${b.latency.p50} ms, p99 ${b.latency.p99} ms`);
		}
		await stop(bare);

		const figures: Figure[] = [];
		for (const s of scenarios) {
			const r = results[`${s.perRequest}`];
			const label = `${s.perRequest} mark${s.perRequest > 1 ? 's' : ''}/request`;
			figures.push(
				{ name: `marks/s, ${label}`, value: Math.round(r.marksPerSecond), unit: 'marks/s', target: TARGET_MARKS_PER_S, better: 'higher' },
				{ name: `requests/s, ${label}`, value: Math.round(r.app.reqPerSecond), unit: 'req/s' },
				{ name: `p50 latency, ${label}`, value: r.app.latency.p50, unit: 'ms' },
				{ name: `p99 latency, ${label}`, value: r.app.latency.p99, unit: 'ms', target: TARGET_P99_MS, better: 'lower' },
				{ name: `server CPU per request, ${label}`, value: r.app.serverCpuMsPerRequest ?? NaN, unit: 'ms' },
				{ name: `requests over 10 s (timeouts), ${label}`, value: r.app.timeouts, unit: '' },
				{ name: `bare node:http req/s, ${label}`, value: Math.round(r.bare.reqPerSecond), unit: 'req/s' },
				{ name: `bare node:http CPU per request, ${label}`, value: r.bare.serverCpuMsPerRequest ?? NaN, unit: 'ms' },
				{ name: `bare node:http p99, ${label}`, value: r.bare.latency.p99, unit: 'ms' },
				{ name: `ratio app / bare (req/s), ${label}`, value: Number(r.ratio.toFixed(3)), unit: '×' }
			);
		}
		// A timeout (no answer in 10 s) is a load symptom, reported above; a non-2xx or a socket error is a failure.
		const errors = Object.values(results).reduce((a, r) => a + r.app.non2xx + (r.app.errors - r.app.timeouts), 0);
		const rejected = Object.values(loads).reduce((a, l) => a + l.rejectedMarks, 0);
		// Requests still in flight when a run's time is up are applied by the server but not counted
		// by autocannon: hence "acknowledged ⊆ recorded", not equality.
		const checks = {
			marksAcknowledged: acknowledged.size,
			markEventsRows: recorded.rows,
			appliedRows: recorded.applied.size,
			acknowledgedButMissing: missing,
			allRecorded: missing === 0 && recorded.applied.size >= acknowledged.size,
			refusedInResponses: rejected,
			httpErrors: errors,
			ok: false
		};
		checks.ok = checks.allRecorded && rejected === 0 && errors === 0 && recorded.rows === recorded.applied.size;
		reportRun('marks-http', {
			heading: `marks-http: ${CONNECTIONS} connections, ${DURATION_S} s per run (after ${WARMUP_S} s warm-up), ${GUARDIANS} guardians`,
			figures,
			checks,
			correctness: `${acknowledged.size} marks acknowledged as applied, all ${missing === 0 ? '' : 'but ' + missing + ' '}found among ${recorded.rows} mark_events rows (${recorded.applied.size} applied); ${rejected} refused; ${errors} HTTP errors`,
			serverLog,
			data: {
				parameters: { connections: CONNECTIONS, durationSeconds: DURATION_S, warmupSeconds: WARMUP_S, guardians: GUARDIANS, clock: MORNING, strikeDay: STRIKE_DAY, build: `${BUILD_DIR} (vite build --mode test)`, loadGenerator: 'autocannon (same process as this script), pipelining 1', server: 'one node process (adapter-node), SQLite WAL' },
				results
			}
		});
	} finally {
		for (const c of children) await stop(c);
		rmSync(dataDir, { recursive: true, force: true });
	}
}

// bench/soak.ts borrows the families: run only when called as a script.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
