/**
 * Load held (issue 8.7): the morning burst of marks at twice its target (DESIGN.md §6: 4,000
 * marks/s) for SOAK_MINUTES, while pagoPA receipts arrive at a steady rate and the server's own
 * scheduler closes a school day every SOAK_DAY_SECONDS on the test clock; the server's RSS is read
 * from /proc every 5 s. Same server, families and payments as bench/marks-http.ts and bench/receipts.ts.
 * The load is offered open-loop (bench/open-loop.ts): at a fixed rate, latency from each request's due time.
 *
 *   npm run bench -- soak                                  (10 minutes; builds build-d first when stale)
 *   SOAK_MINUTES=2 BENCH_SKIP_BUILD=1 npx tsx bench/soak.ts
 * Also: SOAK_WARMUP_S (60), SOAK_MARKS_PER_S (8000), SOAK_RECEIPTS_PER_S (20), SOAK_DAY_SECONDS (30), SOAK_BACKUP (off).
 */
import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eachDay, type IsoDate } from '../server/calendar/dates.js';
import { loadCalendar } from '../server/calendar/service-days.js';
import { zonedInstant } from '../server/calendar/zoned-time.js';
import { openDb } from '../server/db/client.js';
import { tenantScope } from '../server/db/tenant-scope.js';
import { checkLedger } from '../server/ledger/accounts.js';
import { reportRun, type Figure } from './common.js';
import { addFamilies, SEED_NOW, TARGET_MARKS_PER_S, TARGET_P99_MS, type Family } from './marks-http.js';
import { errorKindsOf, openLoop } from './open-loop.js';
import { addPayments, receiptOf } from './receipts.js';
import { cpuSeconds, ensureTestBuild, startBenchServer } from './server-process.js';

const SECONDS = Math.round(Number(process.env.SOAK_MINUTES ?? 10) * 60);
const WARMUP_S = Math.min(Number(process.env.SOAK_WARMUP_S ?? 60), SECONDS / 2);
const MARKS_PER_S = Number(process.env.SOAK_MARKS_PER_S ?? 2 * TARGET_MARKS_PER_S);
const RECEIPTS_PER_S = Number(process.env.SOAK_RECEIPTS_PER_S ?? 20);
const DAY_S = Number(process.env.SOAK_DAY_SECONDS ?? 30);
const BACKUP_ON = process.env.SOAK_BACKUP === 'on';
const BUILD_DIR = process.env.BENCH_BUILD_DIR ?? 'build-d';
/** A family plans ahead, as in marks-http: both children, the next five service days. */
const MARKS_PER_REQUEST = 10;
const CONNECTIONS = 50;
const GUARDIANS = 1000;
const SAMPLE_MS = 5_000;
const TARGET_RSS_GROWTH_PCT = 10;
const FIRST_DAY = '2026-11-25';
const MB = 2 ** 20;
/** The bench families' children (the demo has a Bianchi, whose fiscal code starts with BNC too). */
const BENCH_CHILDREN = "(SELECT consumer_id FROM guardian_links WHERE user_id LIKE 'bench-guardian-%')";

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/** Waits until every Comune has closed each of these days (or the time is up: the check below then says so). */
async function closedBy(dbPath: string, dates: IsoDate[], ms: number): Promise<void> {
	const db = new Database(dbPath, { readonly: true });
	const tenants = (db.prepare('SELECT count(*) AS n FROM tenants').get() as { n: number }).n;
	const count = db.prepare(`SELECT count(*) AS n FROM day_closes WHERE date IN (SELECT value FROM json_each(?))`);
	for (const until = Date.now() + ms; Date.now() < until && (count.get(JSON.stringify(dates)) as { n: number }).n < dates.length * tenants; ) await new Promise((r) => setTimeout(r, 500));
	db.close();
}

async function main() {
	ensureTestBuild(BUILD_DIR, (line) => console.log(`soak: ${line}`));
	const dataDir = mkdtempSync(join(tmpdir(), 'mensa-bench-soak-'));
	const dbPath = join(dataDir, 'mensa.db');
	// What held the server up, read off its log as it runs: its day closes, backups and low-balance e-mails, its errors and its slowest answers.
	const closeLines: string[] = [];
	let mailsSaved = 0;
	const slowest: { time: string; route?: string; ms: number }[] = [];
	const errorLines: string[] = [];
	const onLine = (line: string) => {
		let l: { time: string; msg: string; ms?: number; route?: string; level?: string };
		try {
			l = JSON.parse(line);
		} catch {
			return;
		}
		if ((l.level === 'error' || l.level === 'fatal') && errorLines.length < 5) errorLines.push(line);
		if (/\[(chiusura|saldo basso|backup)\]/.test(l.msg)) closeLines.push(`${l.time} ${l.msg}`);
		else if (l.msg.startsWith('mail saved')) mailsSaved++;
		else if (l.msg === 'request' && (slowest.length < 5 || (l.ms ?? 0) > slowest[4].ms)) {
			slowest.push({ time: l.time, route: l.route, ms: l.ms ?? 0 });
			slowest.sort((a, b) => b.ms - a.ms).splice(5);
		}
	};
	// The server as it is deployed, day-close scheduler on. Its daily backup runs at BACKUP_HOUR (02:00), never
	// in a morning burst; here each clock move crosses 02:00, so it would copy and check the whole
	// file (1 GB by the tenth minute) every minute on the disk the marks' commits fsync to.
	// SOAK_BACKUP=on keeps it, as the harshest case; `npm run bench -- backup` measures it alone.
	const server = await startBenchServer(BUILD_DIR, dataDir, { MENSA_TEST_NOW: SEED_NOW, BACKUP: BACKUP_ON ? 'on' : 'off' }, onLine);
	const pid = server.child.pid!;
	try {
		const setClock = async (day: IsoDate) => {
			const res = await fetch(`${server.url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ now: zonedInstant(day, '08:00', 'Europe/Rome') }) });
			if (!res.ok) throw new Error(`clock: ${res.status} ${await res.text()}`);
		};
		await setClock(FIRST_DAY);
		const families: Family[] = addFamilies(dbPath, GUARDIANS, zonedInstant(FIRST_DAY, '08:00', 'Europe/Rome'));
		const secret = randomBytes(32).toString('base64url');
		const { fiscalCode, payments } = addPayments(dbPath, Math.ceil(RECEIPTS_PER_S * SECONDS * 1.2) + 100, secret);
		// The service days of the families' class, so that no mark is refused as a day without service.
		const db = openDb(dbPath);
		const { tenantId, classId } = db.$client.prepare(`SELECT tenant_id AS tenantId, school_class_id AS classId FROM consumers WHERE id IN ${BENCH_CHILDREN} LIMIT 1`).get() as { tenantId: number; classId: number };
		const calendar = loadCalendar(db, tenantScope(tenantId), FIRST_DAY, '2027-06-30');
		const days = [...eachDay(FIRST_DAY, '2027-06-30')].filter((d) => calendar.verdictForClass(classId, d).service);
		db.$client.close();

		// Marks aim at the days after the clock's: a clock move never catches one past its cutoff.
		let today = 0;
		let round = 0;
		let applied = 0;
		const refused = new Map<string, number>();
		const markRequest = () => {
			const family = families[round % GUARDIANS];
			const value = Math.floor(round++ / GUARDIANS) % 2 === 0;
			const marks = Array.from({ length: MARKS_PER_REQUEST }, (_, i) => ({ mutationId: randomUUID(), consumerId: family.children[i % 2], date: days[today + 1 + (i >> 1)], kind: 'assenza', value }));
			return { headers: { origin: server.url, cookie: `ma_session=${family.token}` }, body: JSON.stringify({ marks }) };
		};
		const onMarks = (body: string) => {
			try {
				for (const r of (JSON.parse(body) as { result: { data: { results: { status: string; code?: string }[] } } }).result.data.results) {
					if (r.status === 'applied') applied++;
					else refused.set(r.code ?? r.status, (refused.get(r.code ?? r.status) ?? 0) + 1);
				}
			} catch {
				refused.set('unreadable answer', (refused.get('unreadable answer') ?? 0) + 1);
			}
		};
		const marks = (seconds: number) => openLoop({ url: `${server.url}/api/trpc/meals.mark`, rate: MARKS_PER_S / MARKS_PER_REQUEST, connections: CONNECTIONS, seconds, request: markRequest, onBody: onMarks });
		let receiptNo = 0;
		const receipts = openLoop({ url: `${server.url}/api/pagopa/receipts`, rate: RECEIPTS_PER_S, connections: 4, seconds: SECONDS, request: () => ({ headers: { authorization: `Bearer ${secret}` }, body: receiptOf(payments[receiptNo++ % payments.length], fiscalCode) }) });

		const start = Date.now();
		const samples: { s: number; rssMB: number; load1: number; day: IsoDate }[] = [];
		const sample = () => samples.push({ s: Math.round((Date.now() - start) / 1000), rssMB: Number((rssOf(pid) / MB).toFixed(1)), load1: Number(loadavg()[0].toFixed(2)), day: days[today] });
		sample();
		const sampler = setInterval(sample, SAMPLE_MS);
		const dayTimer = setInterval(() => void setClock(days[today + 1]).then(() => today++).catch((e) => console.error(e)), DAY_S * 1000);
		console.log(`  server pid ${pid} on ${server.url}; ${GUARDIANS} guardians, ${payments.length} pending payments; ${SECONDS} s at ${MARKS_PER_S} marks/s offered (${MARKS_PER_REQUEST}/request) + ${RECEIPTS_PER_S} receipts/s, a school day every ${DAY_S} s`);
		const warm = await marks(WARMUP_S);
		console.log(`  warm-up (${WARMUP_S} s): ${warm.requests} mark requests, p99 ${warm.latency.p99} ms, RSS ${samples.at(-1)!.rssMB} MB`);
		const [cpu0, main0] = [cpuSeconds(pid), cpuSeconds(pid, { mainThread: true })];
		const held = await marks(SECONDS - WARMUP_S);
		const [cpuHeld, mainHeld] = [cpuSeconds(pid) - cpu0, cpuSeconds(pid, { mainThread: true }) - main0];
		const rcpt = await receipts;
		clearInterval(dayTimer);
		sample();
		clearInterval(sampler);
		// The scheduler ticks every 5 s, and a tick with a close behind a backlog takes longer: wait for the last day the clock left.
		const closedDays = days.slice(0, today);
		await closedBy(dbPath, closedDays, 60_000);
		await server.stop();

		const serverEvents = { closes: closeLines, mailsSaved, firstErrors: errorLines, slowestAnswers: slowest.map((l) => `${l.time} ${l.route} ${l.ms} ms`) };
		const check = openDb(dbPath);
		const one = (sql: string, ...args: unknown[]) => (check.$client.prepare(sql).get(...args) as { n: number }).n;
		const tenants = one('SELECT count(*) AS n FROM tenants');
		const closes = closedDays.length ? one(`SELECT count(*) AS n FROM day_closes WHERE date IN (${closedDays.map(() => '?').join(',')})`, ...closedDays) : 0;
		// Each closed day: every bench child either ate (a meal) or was marked absent, never both nor neither.
		const mealsOrAbsent = closedDays.map(
			(d) =>
				one(`SELECT count(*) AS n FROM meals WHERE consumer_id IN ${BENCH_CHILDREN} AND date = ? AND cancelled_at IS NULL`, d) + one(`SELECT count(*) AS n FROM day_marks WHERE consumer_id IN ${BENCH_CHILDREN} AND date = ? AND assenza = 1`, d)
		);
		const appliedRows = one("SELECT count(*) AS n FROM mark_events WHERE actor_user_id LIKE 'bench-guardian-%' AND outcome = 'applied'");
		const recorded = one("SELECT count(*) AS n FROM receipts WHERE receipt_id LIKE 'bench-%'");
		const credited = one("SELECT count(*) AS n FROM receipts WHERE receipt_id LIKE 'bench-%' AND status = 'credited'");
		const ledgerProblems = checkLedger(check).length;
		check.$client.close();

		// As in marks-http: a timeout (no answer in 10 s) is a load symptom, a figure; a non-2xx or a socket error a failure.
		const timeouts = warm.timeouts + held.timeouts + rcpt.timeouts;
		const errors = [warm, held, rcpt].reduce((a, r) => a + r.non2xx + r.errors, 0);
		const refusedMarks = [...refused.values()].reduce((a, b) => a + b, 0);
		const after = samples.filter((s) => s.s >= WARMUP_S);
		// A leak raises the floor; the daily backup's worker thread adds a spike of tens of MB for a
		// few seconds and gives it back. Growth is therefore the median of the last minute against
		// the first minute after warm-up; the peak is reported beside it.
		const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
		const minuteOf = (from: number) => median(after.filter((s) => s.s >= from && s.s < from + 60).map((s) => s.rssMB));
		const base = minuteOf(WARMUP_S);
		const growth = (mb: number) => Number((((mb - base) / base) * 100).toFixed(1));
		const lastMinute = minuteOf(Math.max(WARMUP_S, SECONDS - 60));
		const peakGrowth = Math.max(...after.map((s) => growth(s.rssMB)));
		const checks = {
			httpErrors: errors,
			timeouts,
			refusedMarks: Object.fromEntries(refused),
			marksAcknowledged: applied,
			markEventsApplied: appliedRows,
			daysClosedByScheduler: closedDays.length,
			dayClosesRows: closes,
			everyDayClosedForEveryComune: closes === closedDays.length * tenants,
			benchChildrenPerClosedDay: mealsOrAbsent,
			receiptsRecorded: recorded,
			receiptsCredited: credited,
			receiptsAcknowledged: rcpt.ok,
			ranOutOfPayments: receiptNo > payments.length,
			ledgerProblems,
			ok: false
		};
		checks.ok = errors === 0 && refusedMarks === 0 && appliedRows >= applied && closedDays.length > 0 && checks.everyDayClosedForEveryComune && mealsOrAbsent.every((n) => n === 2 * GUARDIANS) && credited === recorded && recorded >= rcpt.ok && !checks.ranOutOfPayments && ledgerProblems === 0;

		const heldSeconds = held.seconds || SECONDS - WARMUP_S;
		const perRequest = (cpu: number) => Number(((cpu * 1000) / Math.max(1, held.requests + (rcpt.requests * (SECONDS - WARMUP_S)) / SECONDS)).toFixed(2));
		const figures: Figure[] = [
			// Answers that came back while the load was offered, against the rate offered: the last few
			// milliseconds' requests are answered after the window closes, hence 99 % and not 100 %.
			{ name: `marks/s answered during the run (offered ${MARKS_PER_S} = ${MARKS_PER_S / TARGET_MARKS_PER_S}× the target)`, value: Math.round((held.answeredInWindow * MARKS_PER_REQUEST) / (SECONDS - WARMUP_S)), unit: 'marks/s', target: 0.99 * MARKS_PER_S, better: 'higher' },
			{ name: 'requests (marks + receipts)', value: warm.requests + held.requests + rcpt.requests, unit: '' },
			{ name: 'errors (non-2xx, socket errors)', value: errors, unit: '', target: 0, better: 'lower' },
			{ name: 'timeouts (no answer in 10 s)', value: timeouts, unit: '', target: 0, better: 'lower' },
			{ name: 'marks p50 latency after warm-up', value: held.latency.p50, unit: 'ms' },
			{ name: 'marks p99 latency after warm-up', value: held.latency.p99, unit: 'ms', target: TARGET_P99_MS, better: 'lower' },
			{ name: 'server CPU per request (marks, receipts) after warm-up', value: perRequest(cpuHeld), unit: 'ms' },
			{ name: '  of which on the main thread', value: perRequest(mainHeld), unit: 'ms' },
			{ name: 'server main thread busy after warm-up', value: Math.round((mainHeld / heldSeconds) * 100), unit: '%' },
			{ name: 'receipts/s (steady)', value: Number((rcpt.ok / rcpt.seconds).toFixed(1)), unit: 'rcpt/s' },
			{ name: 'receipts p99 latency', value: rcpt.latency.p99, unit: 'ms' },
			{ name: 'school days closed by the scheduler', value: closedDays.length, unit: 'days' },
			{ name: 'server RSS after warm-up (median of a minute)', value: base, unit: 'MB' },
			{ name: 'server RSS in the last minute (median)', value: lastMinute, unit: 'MB' },
			{ name: 'server RSS growth after warm-up', value: growth(lastMinute), unit: '%', target: TARGET_RSS_GROWTH_PCT, better: 'lower' },
			{ name: 'server RSS peak over the first minute', value: peakGrowth, unit: '%' }
		];
		reportRun('soak', {
			heading: `soak: ${SECONDS} s (${WARMUP_S} s warm-up), ${CONNECTIONS} connections for marks, machine load ${samples.map((s) => s.load1).join(' ')}`,
			figures,
			checks,
			correctness: `${errors} HTTP errors${errors ? ` (${errorKindsOf([warm, held, rcpt])})` : ''}, ${timeouts} timeouts, ${refusedMarks} marks refused, ${closedDays.length} days closed × ${tenants} Comuni = ${closes} closes, bench children per closed day ${mealsOrAbsent.join(' ')}, ${credited}/${recorded} receipts credited, ${ledgerProblems} ledger problems; server log: ${serverEvents.closes.length} close, low-balance and backup lines, ${serverEvents.firstErrors.length ? `errors: ${serverEvents.firstErrors.join(' | ')}` : 'no error'}, ${serverEvents.mailsSaved} e-mails saved; slowest answers ${serverEvents.slowestAnswers.join(', ')}`,
			serverLog: server.log,
			data: {
				parameters: { seconds: SECONDS, warmupSeconds: WARMUP_S, marksPerSecondOffered: MARKS_PER_S, marksPerRequest: MARKS_PER_REQUEST, connections: CONNECTIONS, guardians: GUARDIANS, receiptsPerSecond: RECEIPTS_PER_S, schoolDaySeconds: DAY_S, firstDay: FIRST_DAY, rssSampleSeconds: SAMPLE_MS / 1000, build: `${BUILD_DIR} (vite build --mode test)`, loadGenerator: 'bench/open-loop.ts (same process as this script): fixed rate, latency from each request\'s due time', server: `one node process (adapter-node), SQLite WAL, day-close scheduler on, daily backup ${BACKUP_ON ? 'on (every clock move)' : 'off (SOAK_BACKUP=on to keep it)'}` },
				results: { warmup: warm, held, receipts: rcpt },
				rssSamples: samples,
				serverEvents
			}
		});
	} finally {
		await server.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}

await main();
