import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedInCast, testClient } from '../helpers/client.js';
import { FASCIA_B, HEADER, PRIMARIA, pupilCf, pupilsFile } from '../../server/consumers/import/test-files.js';

/*
 * Importa iscrizioni and Esporta dati over HTTP: a Mazzè operator's dry run, import, the same file
 * again, a file with bad lines, 10,000 lines with their progress; Chiusi's operator, the other
 * roles and anonymous callers, who may neither see nor change any of it.
 */

const EXPORTS = ['alunni.csv', 'iscrizioni.csv', 'saldi.csv', 'movimenti.csv'];
const GOOD = [
	HEADER,
	`${pupilCf(900)};Verdi;Giulia;02/02/2019;${PRIMARIA};1ª A;Mensa;${FASCIA_B};FRRGNN82H15L219L;Giovanni Ferrari;;senza lattosio`,
	`RSSLCU17E04E379I;Rossi;Luca;04/05/2017;${PRIMARIA};3ª B;Mensa;Fascia A — ISEE fino a 8.000 €;RSSMRA85C52L219F;Maria Rossi;;`
].join('\n');
const BAD = [HEADER, `${pupilCf(901)};Bianchi;Ada;30/02/2019;${PRIMARIA};1ª A;Mensa;${FASCIA_B};FRRGNN82H15L219L;;;`, `${pupilCf(902)};Neri;Ugo;01/02/2019;Scuola che non c’è;1ª A;Mensa;${FASCIA_B};FRRGNN82H15L219L;;;`].join('\n');

let server: TestServer;
let sqlite: Database.Database;
type Client = ReturnType<typeof testClient>;
const clients: Record<string, Client> = {};

/** A form post as a browser without JavaScript makes it: the answer is the page, as text. */
async function upload(client: Client, action: 'verifica' | 'applica', name: string, content: string, jobId?: string) {
	const form = new FormData();
	form.set('file', new Blob([content], { type: 'text/csv' }), name);
	if (jobId) form.set('jobId', jobId);
	const response = await client.fetch(`${server.url}/ufficio/importa?/${action}`, { method: 'POST', body: form, headers: { accept: 'text/html' } });
	const text = (await response.text())
		.replace(/<script[\s\S]*?<\/script>/g, '')
		.replace(/<[^>]+>/g, ' ')
		.replace(/&nbsp;|\s+/g, ' ')
		.replace(/&#39;|&rsquo;/g, '’')
		.replace(/&quot;/g, '"');
	return { status: response.status, text };
}

const count = (sql: string, ...params: unknown[]) => (sqlite.prepare(sql).pluck().get(...params) as number) ?? 0;
const snapshot = () => ['consumers', 'enrolments', 'school_classes', 'audit_log'].map((t) => count(`SELECT count(*) FROM ${t}`));

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	Object.assign(clients, await signedInCast(server.url));
	clients.anonimo = testClient(server.url);
	sqlite = new Database(server.dbPath, { readonly: true, fileMustExist: true });
});
afterAll(async () => {
	sqlite?.close();
	await server?.stop();
});

describe('Importa iscrizioni, operator of Mazzè', () => {
	it('dry run shows the plan and writes nothing', async () => {
		const before = snapshot();
		const r = await upload(clients.ufficio, 'verifica', 'iscrizioni.csv', GOOD);
		expect(r.status).toBe(200);
		expect(r.text).toContain('Verifica di «iscrizioni.csv» (anno 2026/27)');
		expect(r.text).toContain('Alunni nuovi: 1 ; aggiornati: 0');
		expect(r.text).toContain('Iscrizioni nuove: 1 ; aggiornate: 1');
		expect(r.text).toContain('Il file è pronto: premi «Importa» per registrarlo.');
		expect(r.text).toContain('fascia: Fascia B — ISEE da 8.000 a 20.000 € → Fascia A — ISEE fino a 8.000 €');
		expect(snapshot()).toEqual(before);
	});

	it('imports once; the same file again changes nothing', async () => {
		const before = snapshot();
		const r = await upload(clients.ufficio, 'applica', 'iscrizioni.csv', GOOD);
		expect(r.status).toBe(200);
		expect(r.text).toContain('Importazione completata. Alunni nuovi: 1, aggiornati: 0; iscrizioni nuove: 1, aggiornate: 1.');
		expect(snapshot()).toEqual([before[0] + 1, before[1] + 1, before[2], before[3] + 1]);
		expect(count("SELECT count(*) FROM audit_log WHERE action = 'consumers.import'")).toBe(1);
		const again = await upload(clients.ufficio, 'applica', 'iscrizioni-copia.csv', GOOD);
		expect(again.status).toBe(200);
		expect(again.text).toContain('Nessuna modifica: il Comune ha già tutti i dati di «iscrizioni-copia.csv».');
		expect(snapshot()).toEqual([before[0] + 1, before[1] + 1, before[2], before[3] + 1]);
	});

	it('a file with bad lines: a report per line, and nothing written', async () => {
		const before = snapshot();
		const r = await upload(clients.ufficio, 'applica', 'sbagliato.csv', BAD);
		expect(r.status).toBe(400);
		expect(r.text).toContain('Nessuna modifica applicata: il file ha righe con errori. Correggile e verifica di nuovo.');
		expect(r.text).toContain(`2 ${pupilCf(901)} (Ada Bianchi) data di nascita Data di nascita non valida: «30/02/2019» (usa GG/MM/AAAA oppure AAAA-MM-GG)`);
		expect(r.text).toContain(`3 ${pupilCf(902)} (Ugo Neri) scuola scuola «Scuola che non c’è» non trovata in questo Comune`);
		expect(snapshot()).toEqual(before);
	});

	it('refuses a file it cannot read with a clear message, and no file at all', async () => {
		const before = snapshot();
		const noColumns = await upload(clients.ufficio, 'verifica', 'x.csv', 'nome;cognome\nLuca;Rossi\n');
		expect(noColumns.status).toBe(400);
		expect(noColumns.text).toContain('Mancano colonne obbligatorie: codice_fiscale_alunno,');
		const none = await clients.ufficio.fetch(`${server.url}/ufficio/importa?/applica`, { method: 'POST', body: new FormData(), headers: { accept: 'text/html' } });
		expect(none.status).toBe(400);
		expect(await none.text()).toContain('Scegli il file CSV delle iscrizioni.');
		expect(snapshot()).toEqual(before);
	});
});

describe('Esporta dati', () => {
	it('the operator downloads each table of Mazzè, with BOM and header, and the download is audited', async () => {
		for (const file of EXPORTS) {
			const r = await clients.ufficio.fetch(`${server.url}/ufficio/esporta/${file}`);
			expect(r.status, file).toBe(200);
			expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
			expect(r.headers.get('content-disposition')).toBe(`attachment; filename="mazze-${file}"`);
			const bytes = new Uint8Array(await r.arrayBuffer());
			expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
			const text = new TextDecoder().decode(bytes);
			if (file === 'alunni.csv') {
				expect(text).toContain(`${pupilCf(900)};Verdi;Giulia;2019-02-02;${PRIMARIA.replace(/"/g, '""').replace(/^|$/g, '"')};1ª A;2026/27;senza lattosio;`);
				expect(text).not.toContain('BNCTMS19A01D612D');
			}
		}
		expect(count("SELECT count(*) FROM audit_log WHERE action = 'data.export'")).toBe(4);
		expect((await clients.ufficio.fetch(`${server.url}/ufficio/esporta/utenti.csv`)).status).toBe(404);
	});
});

describe('who may not', () => {
	it('the operator of Chiusi sees none of Mazzè and changes none of it', async () => {
		const before = snapshot();
		const r = await upload(clients.chiusi, 'applica', 'iscrizioni.csv', GOOD);
		expect(r.status).toBe(400);
		expect(r.text).toContain(`scuola «${PRIMARIA}» non trovata in questo Comune`);
		expect(snapshot()).toEqual(before);
		const pupils = await (await clients.chiusi.fetch(`${server.url}/ufficio/esporta/alunni.csv`)).text();
		expect(pupils).toContain('BNCTMS19A01D612D');
		expect(pupils).not.toContain('RSSLCU17E04E379I');
		expect(pupils).not.toContain(pupilCf(900));
	});

	for (const who of ['genitore', 'cucina', 'scuola']) {
		it(`${who}: the page, the upload, the progress and every download are refused`, async () => {
			const before = snapshot();
			const c = clients[who];
			expect((await c.fetch(`${server.url}/ufficio/importa`)).status).toBe(403);
			expect((await c.fetch(`${server.url}/ufficio/esporta`)).status).toBe(403);
			for (const file of EXPORTS) expect((await c.fetch(`${server.url}/ufficio/esporta/${file}`)).status, file).toBe(403);
			expect((await upload(c, 'applica', 'iscrizioni.csv', GOOD)).status).toBe(403);
			expect((await failure(c.trpc.officeImport.progress.query({ jobId: randomUUID() }))).data?.httpStatus).toBe(403);
			expect(snapshot()).toEqual(before);
		});
	}

	it('anonymous: sent to log in, refused by tRPC', async () => {
		const c = clients.anonimo;
		for (const path of ['/ufficio/importa', '/ufficio/esporta', '/ufficio/esporta/movimenti.csv']) expect((await c.fetch(`${server.url}${path}`)).status, path).toBe(303);
		const before = snapshot();
		expect((await upload(c, 'applica', 'iscrizioni.csv', GOOD)).status).toBe(303);
		expect((await failure(c.trpc.officeImport.progress.query({ jobId: randomUUID() }))).data?.httpStatus).toBe(401);
		expect(snapshot()).toEqual(before);
	});
});

describe('10,000 lines', () => {
	it('upload under the body limit, progress for its owner only, applied in one go', async () => {
		const file = pupilsFile(10_000, 1_000);
		expect(new TextEncoder().encode(file).byteLength).toBeLessThan(2.5 * 1024 * 1024);
		const jobId = randomUUID();
		const before = snapshot();
		const r = await upload(clients.ufficio, 'applica', 'diecimila.csv', file, jobId);
		expect(r.status).toBe(200);
		expect(r.text).toContain('Importazione completata. Alunni nuovi: 10.000, aggiornati: 0; iscrizioni nuove: 10.000, aggiornate: 0.');
		expect(r.text).toContain('Altre 9.900 righe nuove o aggiornate non sono mostrate.');
		expect(snapshot()).toEqual([before[0] + 10_000, before[1] + 10_000, before[2] + 1, before[3] + 1]);
		expect(await clients.ufficio.trpc.officeImport.progress.query({ jobId })).toEqual({ phase: 'fatto', done: 0, total: 0 });
		expect(await clients.chiusi.trpc.officeImport.progress.query({ jobId })).toBeNull();
		const again = await upload(clients.ufficio, 'applica', 'diecimila.csv', file);
		expect(again.text).toContain('Nessuna modifica');
		expect(snapshot()).toEqual([before[0] + 10_000, before[1] + 10_000, before[2] + 1, before[3] + 1]);
	});
});
