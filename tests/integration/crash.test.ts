/*
 * Issue 8.1, durability: a write the server acknowledged survives a kill -9 at any moment, and one
 * in doubt is wholly there or wholly absent. Guardians mark, pagoPA pays avvisi and the ufficio
 * takes money at the counter, all at once over HTTP, while the server is killed with SIGKILL at
 * seeded random moments and restarted on the same SQLite file. Then every write is looked up in the
 * file, the ones left unanswered are sent again with the same ids, and the ledger is checked by
 * `npm run check-ledger`. CRASH_SEED and CRASH_KILLS change the run; the seed is in the test name.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mulberry32 } from '../../bench/common.js';
import type { Db } from '../../server/db/client.js';
import * as schema from '../../server/db/schema.js';
import { checkLedger } from '../../server/ledger/accounts.js';
import { testClient } from '../helpers/client.js';
import { answered, emptyRun, runLoad, send, type CrashRun, type LoadSetup, type Mark, type Sent } from '../helpers/crash-load.js';
import { pagopaFixture } from '../helpers/pagopa.js';
import { authenticatorCode } from '../helpers/second-factor.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SEED = Number(process.env.CRASH_SEED ?? 20261123);
const KILLS = Number(process.env.CRASH_KILLS ?? 24);
/** ms of writes before each kill: from the first requests in flight to well into a burst */
const KILL_AFTER = [50, 1500] as const;
const FIRST_DATE = '2026-11-25';
const PASSWORD = 'MensaAperta-2026';
/** more than 24 rounds pay on the development machine (~750); the payers stop if they run out */
const AVVISI = 1_500;

let server: TestServer;
let setup: LoadSetup;
let mariaId: string;
const timings: string[] = [];

async function signIn(email: string) {
	const client = testClient(server.url);
	await client.trpc.auth.login.mutate({ tenantSlug: 'mazze', email, password: PASSWORD });
	if ((await client.trpc.auth.secondFactor.query()).status === 'code') await client.trpc.auth.proveSecondFactor.mutate({ code: await authenticatorCode(server.url, email) });
	return client;
}

function readDb<T>(fn: (sqlite: Database.Database) => T): T {
	const sqlite = new Database(server.dbPath, { readonly: true, fileMustExist: true });
	try {
		return fn(sqlite);
	} finally {
		sqlite.close();
	}
}

beforeAll(async () => {
	const t0 = Date.now();
	server = await startTestServer({ DAY_CLOSE: 'off' });
	timings.push(`first start ${Date.now() - t0} ms`);
	const maria = await signIn('maria.rossi@example.com');
	const ufficio = await signIn('ufficio@mazze.example.it');
	const { accounts } = await maria.trpc.payments.ricarica.query();
	// The carts through the app's createCart, straight into the file: the writes under test are their receipts.
	const fixture = pagopaFixture(server.dbPath);
	const receiptSecret = fixture.receiptSecret();
	const avvisi = Array.from({ length: AVVISI }, (_, i) => fixture.cart([fixture.line(accounts[i % accounts.length].consumerId, 1_000 + 100 * (i % 40))], 'pagopa_avviso').payment);
	mariaId = fixture.maria.id;
	fixture.close();
	// Weekdays from Wednesday on, before every cutoff; the ones without service are refused, and recorded.
	const dates = Array.from({ length: 21 }, (_, i) => new Date(Date.parse(`${FIRST_DATE}T12:00:00Z`) + i * 86_400_000))
		.filter((d) => d.getUTCDay() % 6 !== 0)
		.map((d) => d.toISOString().slice(0, 10));
	setup = {
		url: server.url,
		guardianCookie: maria.cookieHeader(),
		operatorCookie: ufficio.cookieHeader(),
		accounts: accounts.map((a) => ({ consumerId: a.consumerId, serviceGroupId: a.serviceGroupId })),
		dates,
		avvisi: avvisi.map((p) => ({ paymentId: p.id, noticeNumber: p.noticeNumber, amountCents: p.amountCents })),
		receiptSecret,
		enteFiscalCode: fixture.ente.codiceFiscale,
		rand: mulberry32(SEED)
	};
}, 60_000);
afterAll(() => server?.stop());

/** The marks' history in the file, by mutationId, and the day state it must have produced. */
function marksInFile(sqlite: Database.Database) {
	const events = sqlite.prepare('SELECT id, mutation_id AS mutationId, consumer_id AS consumerId, date, kind, value, outcome, receipt_id AS receiptId FROM mark_events WHERE actor_user_id = ? ORDER BY id').all(mariaId) as (Omit<Mark, 'value'> & { value: number; outcome: string; receiptId: string })[];
	const byMutation = new Map<string, typeof events>();
	for (const e of events) byMutation.set(e.mutationId, [...(byMutation.get(e.mutationId) ?? []), e]);
	return { events, byMutation };
}

type DayState = { assenza: boolean; pastoInBianco: boolean };
function dayMarks(sqlite: Database.Database): Map<string, DayState> {
	const rows = sqlite.prepare('SELECT consumer_id AS c, date, assenza, pasto_in_bianco AS bianco FROM day_marks WHERE date >= ? AND consumer_id IN (' + setup.accounts.map((a) => a.consumerId).join(',') + ')').all(FIRST_DATE) as { c: number; date: string; assenza: number; bianco: number }[];
	return new Map(rows.map((r) => [`${r.c}|${r.date}`, { assenza: r.assenza === 1, pastoInBianco: r.bianco === 1 }]));
}

/** 'whole' (paid, one ledger transaction netting zero and crediting the amount), 'none' (untouched), or what was found. */
function paymentEffect(sqlite: Database.Database, paymentId: number | undefined, untouched: string[]): string {
	if (paymentId === undefined) return 'none';
	const p = sqlite.prepare('SELECT status, amount_cents AS cents FROM payments WHERE id = ?').get(paymentId) as { status: string; cents: number };
	const txs = sqlite
		.prepare('SELECT count(lp.id) AS postings, sum(lp.amount_cents) AS net, max(lp.amount_cents) AS credit FROM ledger_transactions t LEFT JOIN ledger_postings lp ON lp.transaction_id = t.id WHERE t.external_id = ? GROUP BY t.id')
		.all(`payment:${paymentId}`) as { postings: number; net: number; credit: number }[];
	if (p.status === 'paid' && txs.length === 1 && txs[0].postings >= 2 && txs[0].net === 0 && txs[0].credit === p.cents) return 'whole';
	if (untouched.includes(p.status) && txs.length === 0) return 'none';
	return JSON.stringify({ paymentId, ...p, txs });
}

function receiptEffect(sqlite: Database.Database, receiptId: string, paymentId: number): string {
	const rows = sqlite.prepare('SELECT status FROM receipts WHERE receipt_id = ?').all(receiptId) as { status: string }[];
	const payment = paymentEffect(sqlite, paymentId, ['created', 'pending']);
	if (rows.length === 1 && rows[0].status === 'credited' && payment === 'whole') return 'whole';
	if (rows.length === 0 && payment === 'none') return 'none';
	return `receipt ${receiptId}: ${JSON.stringify(rows)} ${payment}`;
}

function topupEffect(sqlite: Database.Database, receiptNumber: string): string {
	const ids = sqlite.prepare("SELECT id FROM payments WHERE channel = 'sportello' AND external_ref = ?").pluck().all(receiptNumber) as number[];
	if (ids.length > 1) return `counter receipt ${receiptNumber} twice: ${ids}`;
	return paymentEffect(sqlite, ids[0], []);
}

/** Each write of the run as the file shows it: 'whole', 'none', or the half-write found. */
function effects(rec: CrashRun) {
	return readDb((sqlite) => {
		const { byMutation } = marksInFile(sqlite);
		const markEffect = (s: Sent<Mark[]>) => {
			const copies = s.input.map((m) => byMutation.get(m.mutationId)?.length ?? 0);
			if (copies.every((n) => n === 1)) return 'whole';
			return copies.every((n) => n === 0) ? 'none' : `batch with copies ${JSON.stringify(copies)}`;
		};
		return {
			marks: rec.marks.map((s) => ({ s, effect: markEffect(s) })),
			receipts: rec.receipts.map((s) => ({ s, effect: receiptEffect(sqlite, s.input.receiptId, s.paymentId) })),
			topups: rec.topups.map((s) => ({ s, effect: topupEffect(sqlite, s.input.receiptNumber) }))
		};
	});
}

type Effects = ReturnType<typeof effects>;
type MarkAnswer = { mutationId: string; status: string; receipt?: { id: string } };
const resultsOf = (body: unknown) => (body as { result: { data: { results: MarkAnswer[] } } }).result.data.results;
const all = (e: Effects) => [...e.marks, ...e.receipts, ...e.topups] as { s: Sent<unknown>; effect: string }[];

it(`keeps every acknowledged mark, receipt and counter top-up through ${KILLS} SIGKILLs, and nothing half-written (seed ${SEED})`, async () => {
	const rec = emptyRun();
	const before = readDb(dayMarks);
	const restarts: number[] = [];
	// The kill moments from a generator of their own: the same seed, the same schedule.
	const killAt = mulberry32(SEED + 1);
	for (let round = 0; round < KILLS; round++) {
		let running = true;
		const load = runLoad(setup, rec, () => running, round);
		await sleep(KILL_AFTER[0] + Math.floor(killAt() * (KILL_AFTER[1] - KILL_AFTER[0])));
		// No new request after this point: the ones in doubt were in flight when the kill came.
		running = false;
		await server.crash();
		await load;
		const t0 = Date.now();
		await server.restart();
		restarts.push(Date.now() - t0);
	}
	// The server is up again, idle: the file as the crashes left it.
	const afterCrashes = effects(rec);
	const inDoubt = all(afterCrashes).filter((e) => e.s.status === null);
	const acked = all(afterCrashes).filter((e) => e.s.status !== null);
	expect(acked.filter((e) => !answered(e.s)), 'answers other than 2xx').toEqual([]);
	expect(acked.filter((e) => e.effect !== 'whole').map((e) => e.effect), 'acknowledged writes missing').toEqual([]);
	expect(inDoubt.filter((e) => e.effect !== 'whole' && e.effect !== 'none').map((e) => e.effect), 'half-written').toEqual([]);
	// Each kind was acknowledged, and each was caught in flight at least once: the kills hit the writes.
	for (const kind of ['marks', 'receipts', 'topups'] as const) {
		expect(afterCrashes[kind].filter((e) => e.s.status !== null).length, kind).toBeGreaterThan(0);
		expect(afterCrashes[kind].filter((e) => e.s.status === null).length, kind).toBeGreaterThan(0);
	}
	// Every acknowledged mark is in the history with the receipt (or refusal) its answer gave.
	const history = readDb((sqlite) => marksInFile(sqlite).byMutation);
	for (const { s } of afterCrashes.marks.filter((e) => e.s.status !== null)) {
		for (const r of resultsOf(s.body)) {
			expect(history.get(r.mutationId)?.map((e) => [e.outcome, e.outcome === 'applied' ? e.receiptId : undefined])).toEqual([[r.status, r.receipt?.id]]);
		}
	}

	// The ones in doubt sent again, as the outbox, pagoPA and the ufficio would: one effect in all.
	const inDoubtOf = <K extends keyof Effects>(kind: K) => afterCrashes[kind].filter((e) => e.s.status === null) as Effects[K];
	for (const { s, effect } of inDoubtOf('marks')) {
		const again = await send(server.url, '/api/trpc/meals.mark', { marks: s.input }, { cookie: setup.guardianCookie });
		const duplicates = resultsOf(again.body).map((r) => r.status === 'duplicate');
		expect(duplicates).toEqual(duplicates.map(() => effect === 'whole'));
	}
	for (const { s } of inDoubtOf('receipts')) {
		const again = await send(server.url, '/api/pagopa/receipts', s.input, { authorization: `Bearer ${setup.receiptSecret}` });
		expect(again).toEqual({ status: 200, body: { outcome: 'OK' } });
	}
	for (const { s, effect } of inDoubtOf('topups')) {
		const again = await send(server.url, '/api/trpc/officePayments.counterTopup', s.input, { cookie: setup.operatorCookie });
		if (effect === 'whole') expect([again.status, JSON.stringify(again.body)]).toEqual([409, expect.stringContaining('Ricevuta già registrata')]);
		else expect(again.status, JSON.stringify(again.body)).toBe(200);
	}
	await server.halt();
	expect(all(effects(rec)).filter((e) => e.effect !== 'whole').map((e) => e.effect)).toEqual([]);

	// The day state is what the applied marks, in the order applied, make of the state before.
	const expected = new Map(before);
	for (const e of readDb(marksInFile).events.filter((e) => e.outcome === 'applied')) {
		const key = `${e.consumerId}|${e.date}`;
		const next = { ...(expected.get(key) ?? { assenza: false, pastoInBianco: false }), [e.kind]: e.value === 1 };
		if (next.assenza || next.pastoInBianco) expected.set(key, next);
		else expected.delete(key);
	}
	expect(readDb(dayMarks)).toEqual(expected);
	expect(readDb((sqlite) => checkLedger(drizzle(sqlite, { schema }) as Db))).toEqual([]);
	const cli = spawnSync('npm', ['run', 'check-ledger'], { env: { ...process.env, DATABASE_PATH: server.dbPath }, encoding: 'utf8', timeout: 60_000 });
	expect(cli.status, cli.stdout + cli.stderr).toBe(0);
	expect(cli.stdout).toContain('Registro contabile coerente.');

	const count = (kind: keyof Effects) => `${afterCrashes[kind].length} ${kind} (${afterCrashes[kind].filter((e) => e.s.status === null).length} in doubt)`;
	console.log(`${KILLS} kills; sent ${count('marks')}, ${count('receipts')}, ${count('topups')}; ${timings[0]}, restarts ${Math.min(...restarts)}–${Math.max(...restarts)} ms`);
}, 180_000);
