/**
 * The daily backup as the server takes it (issue 8.3 and the soak's stall): a database grown to
 * BENCH_MARK_EVENTS mark events, copied and checked on a worker thread, while the event loop's
 * pauses are measured. Beside it, the way it was: the same work on the server's own thread.
 *
 *   npx tsx bench/backup.ts          (npm run bench runs it; BENCH_MARK_EVENTS=2000000 for ~430 MB)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fixedClock } from '../server/clock.js';
import { openDb } from '../server/db/client.js';
import { seedDemo } from '../server/seed/demo.js';
import { backupAndCheck } from '../server/ops/backup.js';
import { backupOffThread } from '../server/ops/backup-worker.js';
import { elapsed, printFigure, writeResult, type Figure } from './common.js';

const EVENTS = Number(process.env.BENCH_MARK_EVENTS ?? 500_000);
/** The marks' p99 target: a backup must not add a pause longer than one slow answer. */
const TARGET_PAUSE_MS = 50;
const dir = mkdtempSync(join(tmpdir(), 'mensa-bench-backup-'));

const db = openDb(join(dir, 'mensa.db'));
await seedDemo(db, fixedClock('2026-11-23T08:00:00Z'));
db.$client.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${EVENTS})
	INSERT INTO mark_events (tenant_id, consumer_id, date, kind, value, mutation_id, actor_user_id, channel, received_at, outcome, receipt_id)
	SELECT 1, 1 + i % 2000, '2026-11-' || printf('%02d', 1 + i % 28), 'assenza', i % 2, lower(hex(randomblob(16))), 'bench-guardian-' || (i % 1000), 'app', 1790000000000 + i, 'applied', lower(hex(randomblob(8))) FROM n`);
db.$client.pragma('wal_checkpoint(TRUNCATE)');
const mb = statSync(join(dir, 'mensa.db')).size / 2 ** 20;

/**
 * Runs `work` and returns its seconds and the longest pause of the event loop meanwhile, in ms:
 * the longest gap between two runs of a 5 ms timer, less its 5 ms.
 */
async function watched(work: () => Promise<unknown>): Promise<{ seconds: number; pauseMs: number }> {
	let last = performance.now();
	let longest = 0;
	const timer = setInterval(() => {
		const now = performance.now();
		longest = Math.max(longest, now - last - 5);
		last = now;
	}, 5);
	const t0 = process.hrtime.bigint();
	await work();
	const seconds = elapsed(t0);
	// A pause shows when the timer next runs: let it run once more.
	await new Promise((resolve) => setTimeout(resolve, 20));
	clearInterval(timer);
	return { seconds, pauseMs: longest };
}

const check = (report: { problems: string[] }) => {
	if (report.problems.length) throw new Error(report.problems.join('; '));
};
const worker = await watched(async () => check(await backupOffThread(join(dir, 'mensa.db'), join(dir, 'daily.db'), resolve('drizzle'))));
const inline = await watched(async () => check(await backupAndCheck(join(dir, 'mensa.db'), join(dir, 'inline.db'), resolve('drizzle'))));

const figures: Figure[] = [
	{ name: 'database size', value: mb, unit: 'MB' },
	{ name: 'daily backup, copy + check', value: worker.seconds, unit: 's' },
	{ name: 'daily backup, longest event-loop pause', value: worker.pauseMs, unit: 'ms', target: TARGET_PAUSE_MS, better: 'lower' },
	{ name: 'same on the server thread, longest pause', value: inline.pauseMs, unit: 'ms' }
];
console.log(`Daily backup of a ${mb.toFixed(0)} MB database (${EVENTS.toLocaleString('en-US')} mark events)`);
figures.forEach(printFigure);
console.log(`  → ${writeResult('backup', { events: EVENTS, figures, checks: { ok: true } })}`);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
