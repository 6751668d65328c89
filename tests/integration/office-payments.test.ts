import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedInCast, testClient } from '../helpers/client.js';
import { checkLedger } from '../../server/ledger/accounts.js';
import type { Db } from '../../server/db/client.js';

/*
 * The ufficio's money over HTTP: Gestione saldi uploaded as a file (dry run, refusal of a file
 * with problems, apply twice → credited once), counter top-ups, refunds and transfers through
 * tRPC, and every role or Comune that must not touch any of it.
 */

const PAGES = ['/ufficio/pagamenti', '/ufficio/pagamenti/ricevute', '/ufficio/pagamenti/sportello', '/ufficio/pagamenti/rettifiche', '/ufficio/pagamenti/riconciliazione', '/ufficio/saldi', '/ufficio/impostazioni-pagamenti'];
const MESSY = ['Codice fiscale;Gruppo;Saldo', 'RSSLCU17E04E379I;Refezione;-12,50', 'BNCTMS19A01D612D;Refezione;10', 'RSSSFO21P60E379I;Piscina;5', 'RSSLCU17E04E379X;Refezione;5', 'FRRNNA18T45E379T;Refezione;dieci'].join('\n');
const CLEAN = '\uFEFFRSSLCU17E04E379I,Refezione,"-12,50"\nRSSSFO21P60E379I,refezione,30.5\nFRRNNA18T45E379T,REFEZIONE,"1.234,56"\n';

let server: TestServer;
let sqlite: Database.Database;
type Client = ReturnType<typeof testClient>;
let ufficio: Client;
let others: Record<string, Client>;
let ids: { luca: number; sofia: number; anna: number; refezione: number };

/** A form post as a browser without JavaScript makes it: the answer is the page, as text. */
async function upload(client: Client, action: 'verifica' | 'applica', name: string, content: string) {
	const form = new FormData();
	form.set('file', new Blob([content], { type: 'text/csv' }), name);
	const response = await client.fetch(`${server.url}/ufficio/saldi?/${action}`, { method: 'POST', body: form, headers: { accept: 'text/html' } });
	const html = await response.text();
	const text = html
		.replace(/<script[\s\S]*?<\/script>/g, '')
		.replace(/<[^>]+>/g, ' ')
		.replace(/&nbsp;|\s+/g, ' ')
		.replace(/&#39;|&rsquo;/g, '’');
	return { status: response.status, text };
}

const balances = async (consumerId: number) => (await ufficio.trpc.officePayments.consumerAccounts.query({ consumerId })).accounts.map((a) => a.balanceCents);

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	({ ufficio, ...others } = await signedInCast(server.url));
	sqlite = new Database(server.dbPath, { readonly: true, fileMustExist: true });
	const id = (sql: string) => (sqlite.prepare(sql).get() as { id: number }).id;
	ids = {
		luca: id("SELECT id FROM consumers WHERE given_name = 'Luca'"),
		sofia: id("SELECT id FROM consumers WHERE given_name = 'Sofia'"),
		anna: id("SELECT id FROM consumers WHERE given_name = 'Anna'"),
		refezione: id("SELECT g.id FROM service_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'mazze'")
	};
});
afterAll(async () => {
	sqlite?.close();
	await server?.stop();
});

describe('Gestione saldi over HTTP', () => {
	it('dry run: reports matched, unmatched and invalid lines with their reasons, and writes nothing', async () => {
		const { status, text } = await upload(ufficio, 'verifica', 'saldi-sporco.csv', MESSY);
		expect(status).toBe(200);
		expect(text).toContain('Verifica di «saldi-sporco.csv»');
		expect(text).toContain('Righe abbinate: 1 , totale -12,50 €');
		expect(text).toContain('Righe non abbinate (alunno o gruppo non trovato): 2');
		expect(text).toContain('Righe non valide: 2');
		expect(text).toMatch(/3 BNCTMS19A01D612D Refezione 10,00 € Non abbinata : consumatore non trovato in questo Comune/);
		expect(text).toMatch(/4 RSSSFO21P60E379I \(Sofia Rossi\) Piscina 5,00 € Non abbinata : gruppo di servizi «Piscina» non trovato/);
		expect(text).toMatch(/5 RSSLCU17E04E379X Refezione 5,00 € Non valida : codice fiscale non valido/);
		expect(text).toMatch(/6 FRRNNA18T45E379T Refezione dieci Non valida : saldo non valido/);
		expect(text).toContain('la prima riga è stata letta come intestazione');
		expect(sqlite.prepare('SELECT count(*) AS n FROM ledger_transactions').get()).toEqual({ n: 0 });
	});

	it('apply is all-or-nothing: the file with problems applies nothing', async () => {
		const { status, text } = await upload(ufficio, 'applica', 'saldi-sporco.csv', MESSY);
		expect(status).toBe(400);
		expect(text).toContain('Nessun saldo applicato: il file ha righe non abbinate o non valide.');
		expect(sqlite.prepare('SELECT count(*) AS n FROM balance_migrations').get()).toEqual({ n: 0 });
		expect(await balances(ids.luca)).toEqual([0]);
	});

	it('applies a clean file once; the same file again says when it was applied and changes nothing', async () => {
		const dry = await upload(ufficio, 'verifica', 'saldi.csv', CLEAN);
		expect(dry.text).toContain('Il file è pronto');
		const first = await upload(ufficio, 'applica', 'saldi.csv', CLEAN);
		expect(first.status).toBe(200);
		expect(first.text).toContain('Saldi applicati: 3 righe, totale 1.252,56 €.');
		expect([await balances(ids.luca), await balances(ids.sofia), await balances(ids.anna)]).toEqual([[-1250], [3050], [123456]]);

		const second = await upload(ufficio, 'applica', 'saldi-di-nuovo.csv', CLEAN);
		expect(second.status).toBe(409);
		expect(second.text).toMatch(/Il file «saldi-di-nuovo\.csv» è già stato applicato il 23\/11\/2026 alle \d{2}:\d{2}: nessun saldo è cambiato\./);
		expect([await balances(ids.luca), await balances(ids.sofia), await balances(ids.anna)]).toEqual([[-1250], [3050], [123456]]);
		expect(sqlite.prepare("SELECT count(*) AS n FROM ledger_transactions WHERE kind = 'migration'").get()).toEqual({ n: 3 });
		expect(sqlite.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'payments.balance_migration'").get()).toEqual({ n: 1 });
		expect(checkLedger({ $client: sqlite } as unknown as Db)).toEqual([]);
	});

	it('refuses an empty or oversized upload with a clear message', async () => {
		expect((await upload(ufficio, 'verifica', 'vuoto.csv', '\n')).text).toContain('Il file è vuoto');
		const big = 'RSSLCU17E04E379I;Refezione;1\n'.repeat(80_000);
		const r = await upload(ufficio, 'verifica', 'enorme.csv', big);
		expect(r.status).toBe(400);
		expect(r.text).toContain('Il file è troppo grande: al massimo 2 MB e 20.000 righe.');
	});
});

describe('counter, refunds and transfers through the API', () => {
	it('a counter top-up is credited once; the same receipt number is refused as already registered', async () => {
		const input = { consumerId: ids.sofia, serviceGroupId: ids.refezione, amount: '20,00', method: 'pos' as const, receiptNumber: 'S-2026-001' };
		const r = await ufficio.trpc.officePayments.counterTopup.mutate(input);
		expect(r).toMatchObject({ status: 'credited', amountCents: 2000, balanceCents: 5050 });
		const again = await failure(ufficio.trpc.officePayments.counterTopup.mutate({ ...input, amount: '50' }));
		expect(again.data).toMatchObject({ httpStatus: 409, reason: 'DUPLICATE_RECEIPT' });
		expect(again.message).toMatch(/^Ricevuta già registrata/);
		expect(await balances(ids.sofia)).toEqual([5050]);
		const list = await ufficio.trpc.officePayments.payments.query({ page: 1, sort: 'date', dir: 'desc', status: null, channel: 'sportello', q: 'sofia' });
		expect(list.rows.map((p) => [p.reference, p.amountCents, p.status])).toEqual([['Ricevuta S-2026-001', 2000, 'paid']]);

		const csv = await ufficio.fetch(`${server.url}/ufficio/pagamenti/riconciliazione.csv?data=2026-11-23`);
		expect(csv.status).toBe(200);
		expect(csv.headers.get('content-disposition')).toBe('attachment; filename="riconciliazione-mazze-2026-11-23.csv"');
		expect(await csv.text()).toContain('\r\n23/11/2026;Sportello;1;20,00;1;20,00;0,00\r\n');
	});

	it('a refund above the credit is refused; a transfer to a sibling posts once per request id', async () => {
		const refund = await failure(ufficio.trpc.officePayments.refund.mutate({ requestId: randomUUID(), consumerId: ids.luca, serviceGroupId: ids.refezione, amount: '1', reason: 'Prova' }));
		expect(refund.message).toBe('Il saldo è -12,50 €: non c’è credito da rimborsare.');
		expect(refund.data?.fieldErrors).toEqual({ amount: refund.message });
		const requestId = randomUUID();
		const input = { requestId, fromConsumerId: ids.sofia, toConsumerId: ids.luca, serviceGroupId: ids.refezione, amount: '12,50', reason: 'Saldo negativo del fratello' };
		expect(await ufficio.trpc.officePayments.transfer.mutate(input)).toMatchObject({ status: 'posted', description: 'Giroconto a Luca: Saldo negativo del fratello' });
		expect(await ufficio.trpc.officePayments.transfer.mutate(input)).toMatchObject({ status: 'duplicate' });
		expect([await balances(ids.sofia), await balances(ids.luca)]).toEqual([[3800], [0]]);
		const notSibling = await failure(ufficio.trpc.officePayments.transfer.mutate({ ...input, requestId: randomUUID(), toConsumerId: ids.anna }));
		expect(notSibling.message).toMatch(/non sono fratelli/);
		expect(checkLedger({ $client: sqlite } as unknown as Db)).toEqual([]);
	});
});

describe('authorisation', () => {
	const calls = (c: Client) => ({
		payments: () => c.trpc.officePayments.payments.query({ page: 1, sort: 'date', dir: 'desc', status: null, channel: null, q: '' }),
		receiptsToCheck: () => c.trpc.officePayments.receiptsToCheck.query({ page: 1 }),
		consumerAccounts: () => c.trpc.officePayments.consumerAccounts.query({ consumerId: ids.luca }),
		counterTopup: () => c.trpc.officePayments.counterTopup.mutate({ consumerId: ids.luca, serviceGroupId: ids.refezione, amount: '5', method: 'contanti', receiptNumber: 'X-1' }),
		refund: () => c.trpc.officePayments.refund.mutate({ requestId: randomUUID(), consumerId: ids.sofia, serviceGroupId: ids.refezione, amount: '1', reason: 'x' }),
		transfer: () => c.trpc.officePayments.transfer.mutate({ requestId: randomUUID(), fromConsumerId: ids.sofia, toConsumerId: ids.luca, serviceGroupId: ids.refezione, amount: '1', reason: 'x' }),
		reconciliation: () => c.trpc.officePayments.reconciliation.query({ date: '2026-11-23' }),
		pause: () => c.trpc.officePayments.pause.query(),
		setPause: () => c.trpc.officePayments.setPause.mutate({ from: '2026-12-22', resumeOn: '2027-01-10', message: 'x' }),
		clearPause: () => c.trpc.officePayments.clearPause.mutate()
	});
	const snapshot = () =>
		['payments', 'ledger_transactions', 'balance_migrations', 'audit_log'].map((t) => (sqlite.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n).concat([
			(sqlite.prepare("SELECT payment_settings AS s FROM tenants WHERE slug = 'mazze'").get() as { s: string }).s as unknown as number
		]);

	for (const who of ['genitore', 'cucina', 'scuola']) {
		it(`${who}: every procedure is forbidden, every page is a 403, the upload too`, async () => {
			const before = snapshot();
			for (const [name, call] of Object.entries(calls(others[who]))) {
				const e = await failure(call());
				expect(e.data?.httpStatus, `${who} ${name}`).toBe(403);
			}
			for (const path of [...PAGES, '/ufficio/pagamenti/riconciliazione.csv?data=2026-11-23']) {
				const r = await others[who].fetch(`${server.url}${path}`);
				expect(r.status, `${who} ${path}`).toBe(403);
			}
			expect((await upload(others[who], 'applica', 'saldi.csv', CLEAN)).status).toBe(403);
			expect(snapshot()).toEqual(before);
		});
	}

	it('the operator of Chiusi sees none of Mazzè and cannot move its money', async () => {
		const c = calls(others.chiusi);
		const before = snapshot();
		expect((await c.payments()).total).toBe(0);
		expect((await c.receiptsToCheck()).total).toBe(0);
		expect((await c.reconciliation()).lines.every((l) => l.received.count === 0 && l.credited.count === 0)).toBe(true);
		for (const name of ['consumerAccounts', 'counterTopup', 'refund', 'transfer'] as const) {
			const e = await failure(c[name]());
			expect(e.data?.httpStatus, name).toBe(404);
		}
		const migration = await upload(others.chiusi, 'applica', 'saldi.csv', CLEAN);
		expect(migration.status).toBe(400);
		expect(migration.text).toContain('Righe non abbinate (alunno o gruppo non trovato): 3');
		for (const path of PAGES) expect((await others.chiusi.fetch(`${server.url}${path}`)).status, path).toBe(200);
		// Chiusi's own pause is Chiusi's only.
		await c.setPause();
		expect((await ufficio.trpc.officePayments.pause.query()).pause).toBeNull();
		await c.clearPause();
		expect(snapshot().slice(0, 3)).toEqual(before.slice(0, 3));
		expect(snapshot()[4]).toEqual(before[4]);
	});
});
