/**
 * Receipts over HTTP (issue 5: ≥ 2,000 receipts/s through the receiver): the real test build as
 * its own process, N pending payments written into its SQLite file, then autocannon at 50
 * connections on POST /api/pagopa/receipts: first deliveries (each credits its payment: receipt
 * row, ledger transaction, two postings), then redeliveries of receipts already applied.
 *
 *   npx tsx bench/receipts.ts                  (builds build-d first when stale; BENCH_SKIP_BUILD=1 reuses it)
 *   BENCH_DURATION=5 BENCH_BUILD_DIR=build-x npx tsx bench/receipts.ts
 */
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../server/db/client.js';
import { checkLedger } from '../server/ledger/accounts.js';
import { noticeNumberFor } from '../server/payments/notice-number.js';
import { reportRun, type Figure } from './common.js';
import { cpuSeconds, ensureTestBuild, startBenchServer } from './server-process.js';
import { sealTenantSecret } from '../server/tenants/tenant-secrets.js';
import { serverSecrets } from '../tests/helpers/secrets.js';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const WARMUP_S = 3;
const TARGET_RECEIPTS_PER_S = 2_000;
const BUILD_DIR = process.env.BENCH_BUILD_DIR ?? 'build-d';
/** more than the receiver can take in warm-up + run at several times the target */
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 150_000);
const SEED_NOW = '2026-11-23T11:00:00Z';

export interface Pending {
	noticeNumber: string;
	amountCents: number;
}

/** Pending online top-ups of the demo's Mazzè children, as createCart leaves them, straight into SQLite. */
export function addPayments(dbPath: string, count: number, secret: string): { fiscalCode: string; payments: Pending[] } {
	const db = new Database(dbPath);
	db.pragma('busy_timeout = 5000');
	const tenant = db.prepare("SELECT id, slug, codice_fiscale_ente AS cf FROM tenants WHERE slug = 'mazze'").get() as { id: number; slug: string; cf: string };
	// Sealed under the server's key, as the admin's form stores it: each receipt opens it.
	const sealed = sealTenantSecret(serverSecrets(dbPath), tenant.slug, 'receiptSecret', secret);
	db.prepare("UPDATE tenants SET payment_settings = json_set(coalesce(nullif(payment_settings, ''), '{}'), '$.receiptSecret', ?) WHERE id = ?").run(sealed, tenant.id);
	const accounts = db
		.prepare('SELECT DISTINCT e.consumer_id AS consumerId, s.service_group_id AS groupId FROM enrolments e JOIN services s ON s.id = e.service_id WHERE e.tenant_id = ?')
		.all(tenant.id) as { consumerId: number; groupId: number }[];
	const insertPayment = db.prepare(
		`INSERT INTO payments (tenant_id, channel, status, notice_number, external_ref, amount_cents, description, due_date, payer_name, payer_fiscal_code, user_id, created_at, updated_at)
		 VALUES (@tenant, 'pagopa_online', 'pending', @notice, @notice, @amount, 'Ricarica Refezione', '2026-12-23', 'Genitore Bench', 'BNCGNT80A01L219X', NULL, @at, @at)`
	);
	const insertItem = db.prepare('INSERT INTO payment_items (tenant_id, payment_id, consumer_id, service_group_id, amount_cents) VALUES (?, ?, ?, ?, ?)');
	const payments: Pending[] = [];
	const at = new Date(SEED_NOW).getTime();
	db.transaction(() => {
		for (let i = 0; i < count; i++) {
			const { noticeNumber } = noticeNumberFor('01', 1_000_000 + i);
			const amountCents = 1000 + (i % 50) * 100;
			const id = Number(insertPayment.run({ tenant: tenant.id, notice: noticeNumber, amount: amountCents, at }).lastInsertRowid);
			const account = accounts[i % accounts.length];
			insertItem.run(tenant.id, id, account.consumerId, account.groupId, amountCents);
			payments.push({ noticeNumber, amountCents });
		}
	})();
	db.close();
	return { fiscalCode: tenant.cf, payments };
}

export const receiptOf = (p: Pending, fiscalCode: string) =>
	JSON.stringify({
		receiptId: `bench-${p.noticeNumber}`,
		noticeNumber: p.noticeNumber,
		fiscalCode,
		creditorReferenceId: p.noticeNumber.slice(1),
		paymentAmount: p.amountCents,
		outcome: 'OK',
		paymentDateTime: '2026-11-23T12:00:00',
		idPSP: 'BCITITMM',
		pspCompanyName: 'PSP di prova'
	});

interface Load {
	requests: number;
	ok: number;
	non2xx: number;
	errors: number;
	seconds: number;
	reqPerSecond: number;
	latency: { p50: number; p99: number; max: number };
	serverCpuMsPerRequest?: number;
}

async function load(url: string, secret: string, body: () => string, seconds: number): Promise<Load> {
	const r = await autocannon({
		url: `${url}/api/pagopa/receipts`,
		connections: CONNECTIONS,
		duration: seconds,
		requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: body(), headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` } }) }]
	});
	return {
		requests: r.requests.total,
		ok: r['2xx'],
		non2xx: r.non2xx,
		errors: r.errors,
		seconds: r.duration,
		reqPerSecond: r['2xx'] / r.duration,
		latency: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max }
	};
}

async function main() {
	ensureTestBuild(BUILD_DIR, (line) => console.log(`receipts: ${line}`));
	const dataDir = mkdtempSync(join(tmpdir(), 'mensa-bench-receipts-'));
	const dbPath = join(dataDir, 'mensa.db');
	const server = await startBenchServer(BUILD_DIR, dataDir, { MENSA_TEST_NOW: SEED_NOW, DAY_CLOSE: 'off' });
	try {
		const secret = randomBytes(32).toString('base64url');
		const { fiscalCode, payments } = addPayments(dbPath, PAYMENTS, secret);
		const probe = await fetch(`${server.url}/api/pagopa/receipts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: receiptOf(payments[0], fiscalCode) });
		if (probe.status !== 200) throw new Error(`probe receipt: ${probe.status} ${await probe.text()}`);
		console.log(`  server up on ${server.url}; ${PAYMENTS} pending payments; probe receipt OK`);

		let next = 1;
		let ranOut = 0;
		const first = () => {
			if (next >= payments.length) ranOut++;
			return receiptOf(payments[next++ % payments.length], fiscalCode);
		};
		await load(server.url, secret, first, WARMUP_S);
		const cpu0 = cpuSeconds(server.child.pid);
		const fresh = await load(server.url, secret, first, DURATION_S);
		fresh.serverCpuMsPerRequest = Number((((cpuSeconds(server.child.pid) - cpu0) * 1000) / Math.max(1, fresh.requests)).toFixed(2));
		console.log(`  first deliveries: ${fresh.requests} requests, ${fresh.ok} 2xx, p50 ${fresh.latency.p50} ms, p99 ${fresh.latency.p99} ms`);

		const applied = Math.min(next, payments.length);
		let k = 0;
		const again = () => receiptOf(payments[k++ % applied], fiscalCode);
		const cpu1 = cpuSeconds(server.child.pid);
		const dupes = await load(server.url, secret, again, DURATION_S);
		dupes.serverCpuMsPerRequest = Number((((cpuSeconds(server.child.pid) - cpu1) * 1000) / Math.max(1, dupes.requests)).toFixed(2));
		console.log(`  redeliveries: ${dupes.requests} requests, ${dupes.ok} 2xx, p50 ${dupes.latency.p50} ms, p99 ${dupes.latency.p99} ms`);
		// autocannon stops with requests in flight: let the server answer them before it stops.
		await new Promise((r) => setTimeout(r, 2_000));
		await server.stop();

		const db = openDb(dbPath);
		const count = (sql: string) => (db.$client.prepare(sql).get() as { n: number }).n;
		const recorded = count("SELECT count(*) AS n FROM receipts WHERE receipt_id LIKE 'bench-%'");
		const credited = count("SELECT count(*) AS n FROM receipts WHERE receipt_id LIKE 'bench-%' AND status = 'credited'");
		// Only the benchmark's payments: the demo seed has top-ups of its own.
		const transactions = count("SELECT count(*) AS n FROM ledger_transactions t JOIN payments p ON t.external_id = 'payment:' || p.id WHERE p.payer_name = 'Genitore Bench'");
		const paid = count("SELECT count(*) AS n FROM payments WHERE payer_name = 'Genitore Bench' AND status = 'paid' AND transaction_id IS NOT NULL");
		const ledgerProblems = checkLedger(db).length;
		db.$client.close();
		const httpErrors = fresh.non2xx + fresh.errors + dupes.non2xx + dupes.errors;
		// Requests in flight when a run's time is up are applied but not counted by autocannon: hence ≥.
		const checks = {
			receiptsRecorded: recorded,
			credited,
			creditTransactions: transactions,
			paymentsPaid: paid,
			firstDeliveriesAcknowledged: fresh.ok,
			ranOutOfPayments: ranOut,
			ledgerProblems,
			httpErrors,
			ok: false
		};
		checks.ok = credited === recorded && transactions === credited && paid === credited && recorded >= fresh.ok && ledgerProblems === 0 && httpErrors === 0 && ranOut === 0;

		const figures: Figure[] = [
			{ name: 'receipts/s, first deliveries (credit)', value: Math.round(fresh.reqPerSecond), unit: 'rcpt/s', target: TARGET_RECEIPTS_PER_S, better: 'higher' },
			{ name: 'p50 latency, first deliveries', value: fresh.latency.p50, unit: 'ms' },
			{ name: 'p99 latency, first deliveries', value: fresh.latency.p99, unit: 'ms' },
			{ name: 'server CPU per receipt, first deliveries', value: fresh.serverCpuMsPerRequest, unit: 'ms' },
			{ name: 'receipts/s, redeliveries (already applied)', value: Math.round(dupes.reqPerSecond), unit: 'rcpt/s' },
			{ name: 'p99 latency, redeliveries', value: dupes.latency.p99, unit: 'ms' },
			{ name: 'server CPU per receipt, redeliveries', value: dupes.serverCpuMsPerRequest, unit: 'ms' }
		];
		reportRun('receipts', {
			heading: `receipts: ${CONNECTIONS} connections, ${DURATION_S} s per run (after ${WARMUP_S} s warm-up)`,
			figures,
			checks,
			correctness: `${recorded} receipts recorded, ${credited} credited, ${transactions} credit transactions, ${paid} payments paid, ${ledgerProblems} ledger problems, ${httpErrors} HTTP errors, ran out of payments ${ranOut} times`,
			serverLog: server.log,
			data: {
				parameters: { connections: CONNECTIONS, durationSeconds: DURATION_S, warmupSeconds: WARMUP_S, payments: PAYMENTS, build: `${BUILD_DIR} (vite build --mode test)`, loadGenerator: 'autocannon (same process as this script), pipelining 1', server: 'one node process (adapter-node), SQLite WAL' },
				results: { fresh, dupes }
			}
		});
	} finally {
		await server.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}

// bench/soak.ts borrows the payments: run only when called as a script.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
