/**
 * Estratto conto benchmark (issue 5): 2,000 prepaid accounts in one Comune, each with a meal debit
 * every day for 5 years and a top-up every month (~1,900 postings an account, ~3.8 million in
 * all), written day by day as the day close writes them, so one account's postings lie scattered
 * among the others' as in a real file. Then the real statementOf() of random accounts for a month,
 * a year, 5 years, and a month 5 years back (the opening balance's worst case).
 *
 *   npx tsx bench/statement.ts            (npm run bench runs it with the others)
 *   BENCH_ACCOUNTS=200 npx tsx bench/statement.ts    (a quicker, smaller run)
 *
 * Figure: p99 latency of statementOf (target ≤ 20 ms) per period; the data load is not timed.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../server/db/client.js';
import { tenantScope } from '../server/db/tenant-scope.js';
import { statementOf } from '../server/ledger/statement.js';
import { addDays } from '../server/calendar/dates.js';
import { elapsed, mulberry32, printFigure, writeResult, type Figure } from './common.js';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 2_000);
const FIRST_DAY = '2021-12-01';
const LAST_DAY = '2026-11-30';
const MEAL_CENTS = 420;
const TOP_UP_CENTS = 15_000;
const SEED = 20261130;
const TARGET_P99_MS = 20;

const PERIODS = [
	{ name: 'month', from: '2026-11-01', to: LAST_DAY, runs: 3_000 },
	{ name: 'year', from: '2025-12-01', to: LAST_DAY, runs: 1_000 },
	{ name: '5 years', from: FIRST_DAY, to: LAST_DAY, runs: 300 },
	{ name: 'month 5 years back', from: '2022-01-01', to: '2022-01-31', runs: 1_000 }
];

const dir = mkdtempSync(join(tmpdir(), 'mensa-bench-statement-'));
try {
	const db = openDb(join(dir, 'mensa.db'));
	const c = db.$client;

	// ——— The data (not timed) ———
	const t0 = process.hrtime.bigint();
	const at = Date.parse('2021-11-30T08:00:00Z');
	const tenantId = Number(
		c.prepare(`INSERT INTO tenants (slug, name, search_name, codice_fiscale_ente, created_at) VALUES ('bench', 'Comune Bench', 'comune bench', '80000000000', @at)`).run({ at }).lastInsertRowid
	);
	const groupId = Number(c.prepare(`INSERT INTO service_groups (tenant_id, name, created_at) VALUES (@tenantId, 'Refezione', @at)`).run({ tenantId, at }).lastInsertRowid);
	const revenue = Number(c.prepare(`INSERT INTO ledger_accounts (tenant_id, kind, created_at) VALUES (@tenantId, 'meal_revenue', @at)`).run({ tenantId, at }).lastInsertRowid);
	const clearing = Number(c.prepare(`INSERT INTO ledger_accounts (tenant_id, kind, created_at) VALUES (@tenantId, 'pagopa_clearing', @at)`).run({ tenantId, at }).lastInsertRowid);
	const accounts: number[] = [];
	c.transaction(() => {
		const consumer = c.prepare(`INSERT INTO consumers (tenant_id, codice_fiscale, given_name, family_name, created_at) VALUES (@tenantId, @cf, 'Alunno', @n, @at)`);
		const account = c.prepare(`INSERT INTO ledger_accounts (tenant_id, kind, consumer_id, service_group_id, created_at) VALUES (@tenantId, 'prepaid', @consumerId, @groupId, @at)`);
		for (let i = 0; i < ACCOUNTS; i++) {
			const consumerId = Number(consumer.run({ tenantId, cf: `BNCALN${String(i).padStart(10, '0')}`, n: String(i), at }).lastInsertRowid);
			accounts.push(Number(account.run({ tenantId, consumerId, groupId, at }).lastInsertRowid));
		}
	})();
	const transaction = c.prepare(`INSERT INTO ledger_transactions (tenant_id, kind, external_id, description, created_at) VALUES (@tenantId, @kind, @externalId, @description, @at)`);
	// One statement per day for all accounts, as the day close does it.
	const debits = c.prepare(`
		INSERT INTO ledger_postings (tenant_id, transaction_id, account_id, amount_cents, value_date, description)
		SELECT @tenantId, @tx, value, @amount, @date, @description FROM json_each(@accounts)`);
	const single = c.prepare(`INSERT INTO ledger_postings (tenant_id, transaction_id, account_id, amount_cents, value_date, description) VALUES (@tenantId, @tx, @account, @amount, @date, @description)`);
	const allAccounts = JSON.stringify(accounts);
	let days = 0;
	for (let date = FIRST_DAY; date <= LAST_DAY; date = addDays(date, 1), days++) {
		c.transaction(() => {
			const day = `${date.slice(8)}/${date.slice(5, 7)}`;
			if (date.endsWith('-01')) {
				const tx = transaction.run({ tenantId, kind: 'ricarica', externalId: `topup:${date}`, description: 'Ricariche', at }).lastInsertRowid;
				debits.run({ tenantId, tx, amount: TOP_UP_CENTS, date, description: `Ricarica pagoPA del ${day}`, accounts: allAccounts });
				single.run({ tenantId, tx, account: clearing, amount: -TOP_UP_CENTS * ACCOUNTS, date, description: 'Ricariche' });
			}
			const tx = transaction.run({ tenantId, kind: 'meal_debit', externalId: `day-close:${date}`, description: `Pasti del ${day}`, at }).lastInsertRowid;
			debits.run({ tenantId, tx, amount: -MEAL_CENTS, date, description: `Pasto ${day} — Mensa`, accounts: allAccounts });
			single.run({ tenantId, tx, account: revenue, amount: MEAL_CENTS * ACCOUNTS, date, description: `Pasti del ${day}` });
		})();
	}
	c.pragma('wal_checkpoint(TRUNCATE)');
	c.exec('ANALYZE');
	const postings = c.prepare('SELECT count(*) FROM ledger_postings').pluck().get() as number;
	const perAccount = c.prepare('SELECT count(*) FROM ledger_postings WHERE account_id = @id').pluck().get({ id: accounts[0] }) as number;
	const fileMiB = statSync(join(dir, 'mensa.db')).size / 2 ** 20;
	console.log(`Estratto conto: ${ACCOUNTS.toLocaleString('en-US')} accounts × ${days} days, ${postings.toLocaleString('en-US')} postings (${perAccount} an account), ${fileMiB.toFixed(0)} MiB, built in ${elapsed(t0).toFixed(1)} s`);

	// ——— The measure ———
	const scope = tenantScope(tenantId);
	const rand = mulberry32(SEED);
	const pick = () => accounts[Math.floor(rand() * accounts.length)];
	const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
	const figures: Figure[] = [];
	const latencies: Record<string, { p50: number; p99: number; max: number; rows: number }> = {};
	for (const period of PERIODS) {
		for (let i = 0; i < 50; i++) statementOf(db, scope, pick(), period); // warm-up
		const ms: number[] = [];
		let rows = 0;
		for (let i = 0; i < period.runs; i++) {
			const start = process.hrtime.bigint();
			rows = statementOf(db, scope, pick(), period).rows.length;
			ms.push(elapsed(start) * 1000);
		}
		ms.sort((a, b) => a - b);
		latencies[period.name] = { p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms.at(-1)!, rows };
		figures.push({ name: `statementOf, ${period.name} (${rows} rows): p50`, value: percentile(ms, 50), unit: 'ms' });
		figures.push({ name: `statementOf, ${period.name} (${rows} rows): p99`, value: percentile(ms, 99), unit: 'ms', target: TARGET_P99_MS, better: 'lower' });
	}

	// The road not taken: the opening balance summed from the account's first posting.
	const sumBefore = c.prepare('SELECT coalesce(sum(amount_cents), 0) FROM ledger_postings WHERE account_id = @account AND value_date < @from AND tenant_id = @tenant').pluck();
	const sumAfter = c.prepare('SELECT coalesce(sum(amount_cents), 0) FROM ledger_postings WHERE account_id = @account AND value_date > @to AND tenant_id = @tenant').pluck();
	for (const [name, stmt] of [['Σ before the month (summing history)', sumBefore], ['Σ after the month (cached balance − …)', sumAfter]] as const) {
		const ms: number[] = [];
		for (let i = 0; i < 1_000; i++) {
			const start = process.hrtime.bigint();
			stmt.get({ account: pick(), from: PERIODS[0].from, to: PERIODS[0].to, tenant: tenantId });
			ms.push(elapsed(start) * 1000);
		}
		ms.sort((a, b) => a - b);
		figures.push({ name: `opening of a month, ${name}: p50`, value: percentile(ms, 50), unit: 'ms' });
	}

	// Correctness: against sums written out here, on a sample of accounts and every period.
	let mismatches = 0;
	for (let i = 0; i < 50; i++) {
		const account = pick();
		for (const period of PERIODS) {
			const s = statementOf(db, scope, account, period);
			const before = sumBefore.get({ account, from: period.from, tenant: tenantId }) as number;
			const through = before + (c.prepare('SELECT coalesce(sum(amount_cents), 0) FROM ledger_postings WHERE account_id = @account AND value_date BETWEEN @from AND @to').pluck().get({ account, ...period }) as number);
			if (s.openingCents !== before || s.closingCents !== through || s.rows.at(-1)?.balanceCents !== through) mismatches++;
		}
	}
	const plan = (c.prepare(`EXPLAIN QUERY PLAN SELECT id, value_date, description, amount_cents FROM ledger_postings WHERE account_id = 1 AND value_date BETWEEN '2026-11-01' AND '2026-11-30' AND tenant_id = 1 ORDER BY value_date, id`).all() as { detail: string }[]).map((r) => r.detail);
	const checks = { statementsMatchSums: mismatches === 0, mismatches, usesAccountIndexWithoutSort: plan.some((d) => d.includes('COVERING INDEX ledger_postings_statement')) && !plan.some((d) => d.includes('TEMP B-TREE')), ok: false };
	checks.ok = checks.statementsMatchSums && checks.usesAccountIndexWithoutSort;

	for (const f of figures) printFigure(f);
	console.log(`  correctness: ${checks.ok ? 'OK' : 'FAILED'} (${50 * PERIODS.length} statements against written-out sums: ${mismatches} mismatches; plan: ${plan.join(' | ')})`);
	const path = writeResult('statement', { parameters: { accounts: ACCOUNTS, days, postings, postingsPerAccount: perAccount, fileMiB: Math.round(fileMiB) }, latencies, queryPlan: plan, checks, figures });
	console.log(`  written to ${path}`);
	if (!checks.ok) process.exitCode = 1;
	c.close();
} finally {
	rmSync(dir, { recursive: true, force: true });
}
