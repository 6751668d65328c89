import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.js';
import { fixtureOf, seededDb } from '../meals/test-fixture.js';
import { prepaidAccount, systemAccount } from '../ledger/accounts.js';
import { postTransaction } from '../ledger/post.js';
import { exportStream } from './stream.js';
import { exportTable } from './tables.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
const at = new Date('2026-11-02T10:00:00Z');

async function chunksOf(file: string, pageSize?: number, scope = f.scope): Promise<string[]> {
	const reader = exportStream(db, scope, exportTable(file)!, pageSize).getReader();
	const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
	const out: string[] = [];
	for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(decoder.decode(r.value));
	return out;
}
const csv = async (file: string, pageSize?: number, scope = f.scope) => (await chunksOf(file, pageSize, scope)).join('');
const table = (text: string) => text.replace(/^\uFEFF/, '').trimEnd().split('\r\n').map((l) => l.split(';'));

/** A top-up of a pupil's Refezione account against the Comune's cash. */
function topUp(tenantId: number, consumerId: number, cents: number, externalId: string, description = 'Ricarica allo sportello') {
	const group = db.$client.prepare('SELECT id FROM service_groups WHERE tenant_id = ?').pluck().get(tenantId) as number;
	postTransaction(db, {
		tenantId,
		kind: 'topup_sportello',
		externalId,
		description,
		createdBy: null,
		at,
		postings: [
			{ accountId: prepaidAccount(db, tenantId, consumerId, group, at), amountCents: cents, valueDate: '2026-11-02', description },
			{ accountId: systemAccount(db, tenantId, 'cash', at), amountCents: -cents, valueDate: '2026-11-02', description }
		]
	});
}

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
});

describe('export of a Comune', () => {
	it('alunni.csv: BOM, header, one pupil per line, none of another Comune', async () => {
		const text = await csv('alunni.csv');
		expect(text.startsWith('\uFEFFalunno_id;codice_fiscale;cognome;nome;data_nascita;scuola;classe;anno_scolastico;dieta;creato_il\r\n')).toBe(true);
		const rows = table(text).slice(1);
		expect(rows.map((r) => [r[1], r[3], r[6], r[7], r[8]])).toEqual([
			['RSSLCU17E04E379I', 'Luca', '3ª B', '2026/27', ''],
			['RSSSFO21P60E379I', 'Sofia', 'Sezione A', '2026/27', 'senza glutine'],
			['FRRNNA18T45E379T', 'Anna', '1ª A', '2026/27', '']
		]);
		expect(rows[0][9]).toBe('2026-11-02T06:00:00.000Z');
		expect(text).not.toContain('BNCTMS19A01D612D');
	});

	it('iscrizioni.csv and saldi.csv: bands, applicants, balances in cents and in euros', async () => {
		topUp(f.mazze.id, f.luca.id, 123456, 'x:1');
		topUp(f.mazze.id, f.anna.id, -750, 'x:2');
		const enrolments = table(await csv('iscrizioni.csv')).slice(1);
		expect(enrolments[0]).toEqual([String(f.enrolmentOf(f.luca.id).id), String(f.luca.id), 'RSSLCU17E04E379I', 'Mensa', 'Refezione', '2026/27', 'Fascia B — ISEE da 8.000 a 20.000 €', 'RSSMRA85C52L219F', 'Maria Rossi', '', 'attiva', '2026-09-14', '', '2026-11-02T06:00:00.000Z']);
		const balances = table(await csv('saldi.csv')).slice(1);
		expect(balances.map((r) => [r[2], r[5], r[6], r[7]])).toEqual([
			['RSSLCU17E04E379I', 'Refezione', '123456', '1234,56'],
			['FRRNNA18T45E379T', 'Refezione', '-750', '-7,50']
		]);
	});

	it('movimenti.csv: every posting of the Comune, each transaction summing to zero, formulas defused', async () => {
		topUp(f.mazze.id, f.luca.id, 2000, 'x:1', '=HYPERLINK("http://x")');
		topUp(f.chiusi.id, f.tommaso.id, 999, 'x:2');
		const [header, ...rows] = table(await csv('movimenti.csv'));
		expect(header).toEqual(['movimento_id', 'transazione_id', 'tipo_transazione', 'riferimento', 'registrata_il', 'data_valuta', 'conto_id', 'tipo_conto', 'alunno_id', 'codice_fiscale', 'gruppo_servizi', 'importo_centesimi', 'importo_euro', 'descrizione', 'pasto_id']);
		expect(rows.map((r) => [r[2], r[7], r[9], r[11], r[12]])).toEqual([
			['topup_sportello', 'prepaid', 'RSSLCU17E04E379I', '2000', '20,00'],
			['topup_sportello', 'cash', '', '-2000', '-20,00']
		]);
		expect(rows[0][13]).toBe(`"'=HYPERLINK(""http://x"")"`);
	});

	it('pages: one chunk per page of rows, the same text whatever the page size', async () => {
		for (let i = 0; i < 2_500; i++) topUp(f.mazze.id, [f.luca.id, f.sofia.id, f.anna.id][i % 3], 100 + i, `bulk:${i}`);
		const whole = await csv('movimenti.csv');
		const chunks = await chunksOf('movimenti.csv', 1_000);
		expect(chunks.join('')).toBe(whole);
		expect(chunks.map((c) => c.split('\r\n').length - 1)).toEqual([1_001, 1_000, 1_000, 1_000, 1_000]);
		expect(table(whole).length).toBe(5_001);
		expect(table(whole).slice(1).reduce((sum, r) => sum + Number(r[11]), 0)).toBe(0);
	});
});
