import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedIn, testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';
import { until } from '../helpers/wait.js';
import { creditDirectly } from '../helpers/ledger.js';
import { pdfPages, pdfText } from '../helpers/pdf-text.js';

/*
 * The estratto conto through the real server: a top-up, then three days closed by the server's own
 * scheduler (Luca absent on the middle one), read back as the tRPC answer, the CSV and the PDF.
 */

let server: TestServer;
let maria: ReturnType<typeof testClient>;
let lucaId: number;
let groupId: number;

const setClock = async (iso: string) => {
	const r = await fetch(`${server.url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ now: iso }) });
	expect(r.status).toBe(200);
};
const statementPath = (what: '' | '/csv' | '/pdf', from: string, to: string) => `/consumatori/${lucaId}/estratto-conto/${groupId}${what}?dal=${from}&al=${to}`;

async function newGuardian(email: string) {
	const client = testClient(server.url);
	const password = 'Refezione-Mazzè-42';
	await client.trpc.auth.register.mutate({ tenantSlug: 'mazze', givenName: 'Giovanni', familyName: 'Ferrari', codiceFiscale: 'FRRGNN82H15L219L', email, password, privacyAccepted: true });
	const mail = await server.smtp.waitFor(email, (m) => m.subject.includes('Conferma'));
	await client.trpc.auth.verifyEmail.mutate({ token: linkIn(mail, '/verifica').searchParams.get('token')! });
	await client.trpc.auth.login.mutate({ tenantSlug: 'mazze', email, password });
	return client;
}

beforeAll(async () => {
	server = await startTestServer();
	maria = await signedIn(server.url, 'maria.rossi@example.com');
	lucaId = (await maria.trpc.guardian.consumers.query()).find((c) => c.givenName === 'Luca')!.id;
	groupId = (await maria.trpc.account.balances.query({ consumerId: lucaId }))[0].serviceGroupId;

	creditDirectly(server.dbPath, { consumerId: lucaId, serviceGroupId: groupId, amountCents: 3000, valueDate: '2026-11-20', description: 'Ricarica pagoPA avviso 3010 0000 0000 0042 85', externalId: 'test:ricarica-luca' });
	await setClock('2026-11-24T07:00:00Z'); // Tuesday 08:00 in Rome
	const { results } = await maria.trpc.meals.mark.mutate({ marks: [{ mutationId: crypto.randomUUID(), consumerId: lucaId, date: '2026-11-25', kind: 'assenza', value: true }] });
	expect(results[0].status).toBe('applied');
	await setClock('2026-11-26T09:00:00Z'); // Thursday 10:00: the server closes 24, 25 and 26 by itself
	await until(
		() => maria.trpc.account.statement.query({ consumerId: lucaId, serviceGroupId: groupId, from: '2026-11-26', to: '2026-11-26' }),
		(s) => s.rows.length === 1
	);
});
afterAll(() => server?.stop());

describe('account.statement and account.balances', () => {
	it('lists the closed days of the period with the running balance; the absent day has no meal', async () => {
		const s = await maria.trpc.account.statement.query({ consumerId: lucaId, serviceGroupId: groupId, from: '2026-11-24', to: '2026-11-26' });
		expect(s.consumer).toEqual({ id: lucaId, givenName: 'Luca', familyName: 'Rossi' });
		expect(s.group).toEqual({ id: groupId, name: 'Refezione' });
		expect(s.rows.map((r) => [r.valueDate, r.description, r.amountCents, r.balanceCents])).toEqual([
			['2026-11-24', 'Pasto 24/11 — Mensa', -420, s.openingCents - 420],
			['2026-11-26', 'Pasto 26/11 — Mensa', -420, s.openingCents - 840]
		]);
		const november = await maria.trpc.account.statement.query({ consumerId: lucaId, serviceGroupId: groupId, from: '2026-11-01', to: '2026-11-30' });
		expect(november.rows.find((r) => r.description.startsWith('Ricarica pagoPA'))).toMatchObject({ valueDate: '2026-11-20', amountCents: 3000 });
		const [balance] = await maria.trpc.account.balances.query({ consumerId: lucaId });
		expect(balance).toMatchObject({ name: 'Refezione', balanceCents: november.closingCents });
		expect(balance.accountId).toBeGreaterThan(0);
	});

	it('answers NOT_FOUND for another family’s child and for a group the child has no account in', async () => {
		const giovanni = await newGuardian('giovanni.ferrari.ec@example.com');
		// One at a time: a refusal that came back while an earlier one was awaited would be an unhandled rejection.
		for (const call of [
			() => giovanni.trpc.account.balances.query({ consumerId: lucaId }),
			() => giovanni.trpc.account.statement.query({ consumerId: lucaId, serviceGroupId: groupId, from: '2026-11-01', to: '2026-11-30' }),
			() => maria.trpc.account.statement.query({ consumerId: lucaId, serviceGroupId: 999_999, from: '2026-11-01', to: '2026-11-30' })
		]) {
			expect((await failure(call())).data?.code).toBe('NOT_FOUND');
		}
	});
});

describe('the downloads', () => {
	it('CSV: UTF-8 with BOM, ";" and decimal comma, a header, the opening and closing balance around the rows', async () => {
		const response = await maria.fetch(`${server.url}${statementPath('/csv', '2026-11-24', '2026-11-26')}`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(response.headers.get('content-disposition')).toBe('attachment; filename="estratto-conto-luca-refezione-2026-11-24-2026-11-26.csv"');
		const bytes = new Uint8Array(await response.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1);
		expect(text.endsWith('\r\n')).toBe(true);
		const lines = text.trimEnd().split('\r\n').map((l) => l.split(';'));
		const s = await maria.trpc.account.statement.query({ consumerId: lucaId, serviceGroupId: groupId, from: '2026-11-24', to: '2026-11-26' });
		const euro = (cents: number) => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)},${String(Math.abs(cents) % 100).padStart(2, '0')}`;
		expect(lines).toEqual([
			['Data', 'Descrizione', 'Importo (€)', 'Saldo (€)'],
			['24/11/2026', 'Saldo iniziale', '', euro(s.openingCents)],
			['24/11/2026', 'Pasto 24/11 — Mensa', '-4,20', euro(s.openingCents - 420)],
			['26/11/2026', 'Pasto 26/11 — Mensa', '-4,20', euro(s.openingCents - 840)],
			['26/11/2026', 'Saldo finale', '', euro(s.closingCents)]
		]);
	});

	it('PDF: the Comune, the child, the service, the period, both balances and the rows, page numbered', async () => {
		const response = await maria.fetch(`${server.url}${statementPath('/pdf', '2026-11-01', '2026-11-30')}`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/pdf');
		expect(response.headers.get('cache-control')).toBe('no-store');
		const pdf = new Uint8Array(await response.arrayBuffer());
		expect(Buffer.from(pdf.slice(0, 5)).toString()).toBe('%PDF-');
		const text = pdfText(pdf);
		const s = await maria.trpc.account.statement.query({ consumerId: lucaId, serviceGroupId: groupId, from: '2026-11-01', to: '2026-11-30' });
		for (const expected of ['Comune di Mazzè', 'Estratto conto', 'Luca Rossi', 'Refezione', 'dal 01/11/2026 al 30/11/2026', 'Pagina 1 di 1']) expect(text).toContain(expected);
		expect(text).toMatch(/Saldo iniziale al 01\/11\/2026\n[^\n]*€/);
		const lines = text.split('\n');
		// Each row's four cells, one after the other, as the table prints them.
		for (const r of s.rows) {
			const date = r.valueDate.split('-').reverse().join('/');
			const i = lines.findIndex((l, k) => l === date && lines[k + 1] === r.description);
			expect(i, `row ${date} ${r.description}`).toBeGreaterThan(-1);
			expect(lines[i + 2]).toBe(`${r.amountCents > 0 ? '+' : ''}${(r.amountCents / 100).toFixed(2).replace('.', ',')} €`);
		}
		expect(pdfPages(pdf)).toHaveLength(1);
	});

	it('refuses another family’s guardian with 404, a bad period with 400, and sends a signed-out browser to log in', async () => {
		const giovanni = await newGuardian('giovanni.ferrari.dl@example.com');
		for (const what of ['', '/csv', '/pdf'] as const) {
			const r = await giovanni.fetch(`${server.url}${statementPath(what, '2026-11-01', '2026-11-30')}`);
			expect(r.status, `${what || 'page'}`).toBe(404);
			expect(await r.text()).not.toContain('Pasto');
		}
		const reversed = await maria.fetch(`${server.url}${statementPath('/csv', '2026-11-30', '2026-11-01')}`);
		expect(reversed.status).toBe(400);
		expect(await reversed.text()).toContain('La data iniziale deve precedere quella finale');
		// The page itself says what is wrong next to the form, in a page that still works.
		const page = await maria.fetch(`${server.url}${statementPath('', '2026-11-30', '2026-11-01')}`, { headers: { accept: 'text/html' } });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('La data iniziale deve precedere quella finale');
		const tooLong = await maria.fetch(`${server.url}${statementPath('/pdf', '2020-01-01', '2026-11-30')}`);
		expect(tooLong.status).toBe(400);
		const anonymous = await fetch(`${server.url}${statementPath('/csv', '2026-11-01', '2026-11-30')}`, { redirect: 'manual' });
		expect(anonymous.status).toBe(303);
	});
});

describe('balance alerts after the server’s own day closes', () => {
	it('tells Maria once per crossing below zero, not at every meal', async () => {
		// The server closed 23/11 on start (both children had nothing: below zero), then 24, 25 and
		// 26/11. Sofia, never topped up, went further down at each close: one e-mail. Luca's top-up
		// brought him back above the threshold silently, and he stayed there.
		const mail = await server.smtp.waitFor('maria.rossi@example.com', (m) => m.subject.startsWith('Saldo Refezione di Sofia è negativo'));
		expect(mail.text).toContain('-4,20 €');
		expect(mail.text).toMatch(/\/ricarica\?consumer=\d+/);
		await server.smtp.waitFor('maria.rossi@example.com', (m) => m.subject.startsWith('Saldo Refezione di Luca è negativo'));
		const alerts = server.smtp.received.filter((m) => m.subject.startsWith('Saldo Refezione')).map((m) => m.subject);
		expect(alerts.sort()).toEqual(['Saldo Refezione di Luca è negativo — Comune di Mazzè', 'Saldo Refezione di Sofia è negativo — Comune di Mazzè']);
	});
});
