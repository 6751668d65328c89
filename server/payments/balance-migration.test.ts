import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { checkLedger } from '../ledger/accounts.js';
import { fixtureOf, NOV_2026, rows, seededDb } from '../meals/test-fixture.js';
import { applyMigration, planMigration } from './balance-migration.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
const clock = fixedClock(NOV_2026);
const actor = () => ({ userId: f.operator.id, name: 'Ufficio Scuola', ip: '10.0.0.9' });
const bytes = (text: string) => new TextEncoder().encode(text);
const balance = (consumerId: number) =>
	rows(db, "SELECT coalesce(sum(balance_cents), 0) AS b FROM ledger_accounts WHERE kind = 'prepaid' AND consumer_id = ?", consumerId)[0].b as number;

const CLEAN = '\uFEFFCodice fiscale;Gruppo di servizi;Saldo\nRSSLCU17E04E379I;Refezione;-12,50\nrsssfo21p60e379i;REFEZIONE;1.234,56\nFRRNNA18T45E379T;refezióne;30.5\n';
const MESSY = [
	'RSSLCU17E04E379I,Refezione,"-12,50"',
	'RSSSFO21P60E379I,Refezione,30.5',
	'BNCTMS19A01D612D,Refezione,10', // Tommaso is Chiusi's pupil: unknown in Mazzè
	'FRRNNA18T45E379T,Piscina,5',
	'RSSLCU17E04E379X,Refezione,5',
	'FRRNNA18T45E379T,Refezione,dieci',
	'RSSSFO21P60E379I,refezione,1',
	'RSSLCU17E04E379I,Refezione'
].join('\n');

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
});

describe('dry run', () => {
	it('reports matched, unmatched and invalid lines with their numbers and reasons, and the total', () => {
		const plan = planMigration(db, f.scope, 'saldi.csv', bytes(MESSY));
		if (plan.status !== 'planned') throw new Error(plan.message);
		const { report } = plan;
		expect(report.counts).toEqual({ matched: 2, unmatched: 2, invalid: 4 });
		expect(report.totalCents).toBe(-1250 + 3050);
		expect(report.lines.map((l) => [l.line, l.status, l.reason])).toEqual([
			[1, 'matched', null],
			[2, 'matched', null],
			[3, 'unmatched', 'consumatore non trovato in questo Comune'],
			[4, 'unmatched', 'gruppo di servizi «Piscina» non trovato'],
			[5, 'invalid', 'codice fiscale non valido'],
			[6, 'invalid', 'saldo non valido: «dieci» (es. 12,50 oppure -3,20)'],
			[7, 'invalid', 'riga duplicata: lo stesso conto è già alla riga 2'],
			[8, 'invalid', 'servono 3 colonne (codice fiscale, gruppo di servizi, saldo), trovate 2']
		]);
		expect(report.lines[0]).toMatchObject({ consumerName: 'Luca Rossi', amountCents: -1250 });
		expect(report.appliedAt).toBeNull();
		expect(rows(db, 'SELECT count(*) AS n FROM ledger_transactions')[0].n).toBe(0);
	});

	it('matches group names whatever the case and accents, and fiscal codes whatever the case', () => {
		const plan = planMigration(db, f.scope, 'saldi.csv', bytes(CLEAN));
		expect(plan).toMatchObject({ status: 'planned', report: { header: true, separator: ';', counts: { matched: 3, unmatched: 0, invalid: 0 }, totalCents: -1250 + 123456 + 3050 } });
	});

	it('in another Comune the same file matches nothing', () => {
		const plan = planMigration(db, f.chiusiScope, 'saldi.csv', bytes(CLEAN));
		expect(plan).toMatchObject({ status: 'planned', report: { counts: { matched: 0, unmatched: 3, invalid: 0 } } });
	});
});

describe('apply', () => {
	it('posts one transaction per line against migration equity, once: the same file again changes nothing', () => {
		const first = applyMigration(db, clock, f.scope, 'Europe/Rome', actor(), 'saldi.csv', bytes(CLEAN));
		expect(first).toMatchObject({ status: 'applied', transactions: 3 });
		expect([balance(f.luca.id), balance(f.sofia.id), balance(f.anna.id)]).toEqual([-1250, 123456, 3050]);
		const equity = rows(db, "SELECT balance_cents AS b FROM ledger_accounts WHERE kind = 'migration_equity'");
		expect(equity).toEqual([{ b: -(-1250 + 123456 + 3050) }]);
		const hash = (first as { report: { fileHash: string } }).report.fileHash;
		expect(rows(db, "SELECT external_id AS id, description FROM ledger_transactions WHERE kind = 'migration' ORDER BY id")).toEqual(
			[2, 3, 4].map((line) => ({ id: `migration:${f.mazze.id}:${hash}:${line}`, description: 'Saldo iniziale dal sistema precedente' }))
		);
		expect(rows(db, 'SELECT file_name, lines, total_cents, applied_by FROM balance_migrations')).toEqual([
			{ file_name: 'saldi.csv', lines: 3, total_cents: 125256, applied_by: f.operator.id }
		]);
		expect(rows(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'payments.balance_migration' AND ip = '10.0.0.9'")[0].n).toBe(1);

		clock.advance(3_600_000);
		const again = applyMigration(db, clock, f.scope, 'Europe/Rome', actor(), 'saldi-copia.csv', bytes(CLEAN));
		expect(again).toMatchObject({ status: 'already_applied', appliedAt: new Date(NOV_2026) });
		expect(planMigration(db, f.scope, 'x.csv', bytes(CLEAN))).toMatchObject({ report: { appliedAt: new Date(NOV_2026) } });
		expect([balance(f.luca.id), balance(f.sofia.id), balance(f.anna.id)]).toEqual([-1250, 123456, 3050]);
		expect(rows(db, 'SELECT count(*) AS n FROM ledger_transactions')[0].n).toBe(3);
		expect(checkLedger(db)).toEqual([]);
	});

	it('gives an account one opening balance: the same data saved again as another file is refused line by line', () => {
		expect(applyMigration(db, clock, f.scope, 'Europe/Rome', actor(), 'saldi.csv', bytes(CLEAN)).status).toBe('applied');
		const resaved = CLEAN.replace('\uFEFF', '').replaceAll('\n', '\r\n');
		const r = applyMigration(db, clock, f.scope, 'Europe/Rome', actor(), 'saldi-excel.csv', bytes(resaved));
		expect(r.status).toBe('not_clean');
		if (r.status !== 'not_clean') return;
		expect(r.report.counts).toEqual({ matched: 0, unmatched: 3, invalid: 0 });
		expect(r.report.lines[0].reason).toMatch(/già importato/);
		expect(balance(f.luca.id)).toBe(-1250);
		expect(checkLedger(db)).toEqual([]);
	});

	it('refuses an opening balance out of all proportion', () => {
		const plan = planMigration(db, f.scope, 'saldi.csv', bytes('RSSLCU17E04E379I;Refezione;99999999999999999999\n'));
		expect(plan.status === 'planned' && plan.report.lines[0]).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/fuori misura/) });
	});

	it('is all-or-nothing: one bad line and nothing at all is written', () => {
		const before = ['ledger_transactions', 'ledger_postings', 'ledger_accounts', 'balance_migrations', 'audit_log'].map((t) => rows(db, `SELECT count(*) AS n FROM ${t}`)[0].n);
		const r = applyMigration(db, clock, f.scope, 'Europe/Rome', actor(), 'saldi.csv', bytes(MESSY));
		expect(r).toMatchObject({ status: 'not_clean', report: { counts: { matched: 2, unmatched: 2, invalid: 4 } } });
		const after = ['ledger_transactions', 'ledger_postings', 'ledger_accounts', 'balance_migrations', 'audit_log'].map((t) => rows(db, `SELECT count(*) AS n FROM ${t}`)[0].n);
		expect(after).toEqual(before);
	});

	it('passes a file-level refusal through', () => {
		expect(applyMigration(db, clock, f.scope, 'Europe/Rome', actor(), 'vuoto.csv', bytes(''))).toEqual({ status: 'rejected', message: 'Il file è vuoto: non contiene nessuna riga.' });
	});
});
