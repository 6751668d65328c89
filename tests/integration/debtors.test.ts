import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedInCast, testClient } from '../helpers/client.js';
import { creditDirectly } from '../helpers/ledger.js';

/*
 * Morosi, solleciti, cruscotto and registro over HTTP: the list with its days in debt, a dry run
 * that writes nothing, solleciti received by the test SMTP server with the right amounts and
 * logged per guardian, the template, the CSV, and every role or Comune that must see none of it.
 * The server's clock is Monday 23 November 2026.
 */

const PAGES = ['/ufficio/morosi', '/ufficio/cruscotto', '/ufficio/registro', '/ufficio/morosi.csv'];

let server: TestServer;
let sqlite: Database.Database;
type Client = ReturnType<typeof testClient>;
let ufficio: Client;
let others: Record<string, Client>;
let ids: { luca: number; anna: number; tommaso: number; refezione: number; chiusiRefezione: number };

const count = (table: string) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const written = () => ({ reminders: count('reminders'), audit: count('audit_log'), template: sqlite.prepare('SELECT group_concat(reminder_template) AS t FROM tenants').pluck().get() });
const all = { page: 1, sort: 'debt' as const, dir: 'desc' as const, schoolId: null, minDebt: '' };
const everyone = { accountIds: null, schoolId: null, minDebt: '' };

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	sqlite = new Database(server.dbPath, { readonly: true, fileMustExist: true });
	const id = (sql: string) => (sqlite.prepare(sql).get() as { id: number }).id;
	ids = {
		luca: id("SELECT id FROM consumers WHERE given_name = 'Luca'"),
		anna: id("SELECT id FROM consumers WHERE given_name = 'Anna'"),
		tommaso: id("SELECT id FROM consumers WHERE given_name = 'Tommaso'"),
		refezione: id("SELECT g.id FROM service_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'mazze'"),
		chiusiRefezione: id("SELECT g.id FROM service_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'chiusi-della-verna'")
	};
	// Meals nobody paid for, written through the ledger: Luca from the 16th, Anna from the 2nd, Tommaso in Chiusi.
	const debit = (consumerId: number, serviceGroupId: number, cents: number, valueDate: string) =>
		creditDirectly(server.dbPath, { consumerId, serviceGroupId, amountCents: -cents, valueDate, description: 'Pasti non pagati', externalId: `debit-${consumerId}-${valueDate}` });
	debit(ids.luca, ids.refezione, 2100, '2026-11-16');
	debit(ids.anna, ids.refezione, 1250, '2026-11-02');
	debit(ids.tommaso, ids.chiusiRefezione, 520, '2026-11-20');
	({ ufficio, ...others } = await signedInCast(server.url));
	others.anonimo = testClient(server.url);
});
afterAll(async () => {
	sqlite?.close();
	await server?.stop();
});

describe('morosi', () => {
	it('lists the negative balances with amount, days in debt and school; filters by school and minimum', async () => {
		const list = await ufficio.trpc.officeDebtors.list.query(all);
		expect(list.rows.map((d) => [d.givenName, d.balanceCents, d.daysInDebt, d.since, d.className])).toEqual([
			['Luca', -2100, 7, '2026-11-16', '3ª B'],
			['Anna', -1250, 21, '2026-11-02', '1ª A']
		]);
		expect(list).toMatchObject({ total: 2, totalDebtCents: 3350 });
		const infanzia = list.schools.find((s) => /infanzia/i.test(s.name))!.id;
		expect((await ufficio.trpc.officeDebtors.list.query({ ...all, schoolId: infanzia })).total).toBe(0);
		expect((await ufficio.trpc.officeDebtors.list.query({ ...all, minDebt: '15,00' })).rows.map((d) => d.givenName)).toEqual(['Luca']);
		expect((await ufficio.trpc.officeDebtors.list.query({ ...all, sort: 'days' })).rows.map((d) => d.givenName)).toEqual(['Anna', 'Luca']);
	});

	it('previews the first e-mail and writes nothing', async () => {
		const before = written();
		const preview = await ufficio.trpc.officeDebtors.preview.query(everyone);
		expect(preview).toMatchObject({ emails: 1, skipped: 1, first: { to: 'maria.rossi@example.com' } });
		expect(preview.first!.text).toContain('è negativo dal 16/11/2026: mancano 21,00 €.');
		expect(preview.lines.find((l) => l.name === 'Anna Ferrari')!.skipped).toMatch(/^Nessun genitore con un account e nessuna e-mail nell’iscrizione/);
		expect(written()).toEqual(before);
	});

	it('sends the solleciti: the SMTP server receives them with the amounts, one row per guardian, one audit entry, once per request', async () => {
		const requestId = randomUUID();
		const sent = await ufficio.trpc.officeDebtors.send.mutate({ requestId, ...everyone });
		expect(sent).toMatchObject({ emails: 1, skipped: 1 });
		const mail = await server.smtp.waitFor('maria.rossi@example.com', (m) => m.subject.startsWith('Sollecito'));
		expect(mail.subject).toBe('Sollecito: saldo negativo di Luca Rossi (Refezione) — Comune di Mazzè');
		expect(mail.text).toContain('mancano 21,00 €');
		expect(mail.text).toContain(`${server.url}/ricarica?consumer=${ids.luca}`);
		expect(sqlite.prepare('SELECT consumer_id AS c, email, balance_cents AS b, days_in_debt AS d FROM reminders').all()).toEqual([{ c: ids.luca, email: 'maria.rossi@example.com', b: -2100, d: 7 }]);
		expect(sqlite.prepare("SELECT entity_id FROM audit_log WHERE action = 'debtors.remind'").pluck().all()).toEqual([requestId]);
		const before = written();
		const again = await failure(ufficio.trpc.officeDebtors.send.mutate({ requestId, ...everyone }));
		expect(again.data?.httpStatus).toBe(409);
		expect(written()).toEqual(before);
		const luca = (await ufficio.trpc.officeDebtors.list.query(all)).rows.find((d) => d.givenName === 'Luca')!;
		expect(luca.remindersSent).toBe(1);
		expect(luca.lastReminderAt).not.toBeNull();
	});

	it('refuses bad input with a clear error and writes nothing', async () => {
		const before = written();
		const empty = await failure(ufficio.trpc.officeDebtors.send.mutate({ requestId: randomUUID(), ...everyone, accountIds: [] }));
		expect(empty.data?.fieldErrors?.accountIds).toBe('Seleziona almeno un alunno');
		const amount = await failure(ufficio.trpc.officeDebtors.list.query({ ...all, minDebt: 'dieci' }));
		expect(amount.data?.fieldErrors?.minDebt).toBe('Importo minimo non valido (es. 10,00)');
		const placeholder = await failure(ufficio.trpc.officeDebtors.setTemplate.mutate({ template: 'Gentile genitore, il saldo è {saldo}.' }));
		expect(placeholder.data?.fieldErrors?.template).toMatch(/^Testo del sollecito: Segnaposto sconosciuto: \{saldo\}/);
		const annaOnly = (await ufficio.trpc.officeDebtors.list.query(all)).rows.find((d) => d.givenName === 'Anna')!.accountId;
		const nobody = await failure(ufficio.trpc.officeDebtors.send.mutate({ requestId: randomUUID(), ...everyone, accountIds: [annaOnly] }));
		expect(nobody.message).toMatch(/^Nessun sollecito inviato/);
		expect(written()).toEqual(before);
	});

	it('uses the Comune’s own template once saved, and audits the change', async () => {
		const saved = await ufficio.trpc.officeDebtors.setTemplate.mutate({ template: 'Saldo di {nome_figlio}: -{importo} da {giorni} giorni. {comune}' });
		expect(saved.isDefault).toBe(false);
		const preview = await ufficio.trpc.officeDebtors.preview.query(everyone);
		expect(preview.first!.text).toBe('Saldo di Luca Rossi: -21,00 € da 7 giorni. Mazzè');
		expect(sqlite.prepare("SELECT count(*) FROM audit_log WHERE action = 'debtors.reminder_template'").pluck().get()).toBe(1);
		await ufficio.trpc.officeDebtors.setTemplate.mutate({ template: '' });
		expect((await ufficio.trpc.officeDebtors.template.query()).isDefault).toBe(true);
	});

	it('exports the morosi as Italian Excel CSV for the collection procedure', async () => {
		const response = await ufficio.fetch(`${server.url}/ufficio/morosi.csv?ordina=name&verso=asc`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-disposition')).toBe('attachment; filename="morosi-mazze-2026-11-23.csv"');
		const bytes = new Uint8Array(await response.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const lines = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1).split('\r\n');
		expect(lines[0]).toBe('Codice fiscale alunno;Cognome alunno;Nome alunno;Scuola;Classe;Servizio;Codice fiscale richiedente;Richiedente;Importo dovuto (€);In debito dal;Giorni di debito;Solleciti inviati;Ultimo sollecito');
		expect(lines[1]).toMatch(/^FRRNNA18T45E379T;Ferrari;Anna;.+;1ª A;Refezione;FRRGNN82H15L219L;Giovanni Ferrari;12,50;02\/11\/2026;21;0;$/);
		expect(lines[2]).toMatch(/^RSSLCU17E04E379I;Rossi;Luca;.+;RSSMRA85C52L219F;Maria Rossi;21,00;16\/11\/2026;7;1;23\/11\/2026$/);
		expect(lines).toHaveLength(4);
		expect((await ufficio.fetch(`${server.url}/ufficio/morosi.csv?minimo=xyz`)).status).toBe(400);
	});
});

describe('cruscotto and registro', () => {
	it('the dashboard adds up the Comune’s balances and guardians; its page renders', async () => {
		const d = await ufficio.trpc.officeOverview.dashboard.query({ month: '2026-11' });
		expect(d.balances).toMatchObject({ negativeCents: -3350, negativeAccounts: 2 });
		expect(d.guardians.registered).toBe(1);
		expect(d.days).toHaveLength(30);
		const page = await ufficio.fetch(`${server.url}/ufficio/cruscotto?mese=2026-11`);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('Ricariche accreditate nel mese');
		// A month typed by hand where the browser has no month picker: the current one, with a word why.
		const typo = await ufficio.fetch(`${server.url}/ufficio/cruscotto?mese=9999-12`);
		expect(typo.status).toBe(200);
		expect(await typo.text()).toContain('Mese non valido: è mostrato il mese corrente.');
		expect((await failure(ufficio.trpc.officeOverview.dashboard.query({ month: '9999-12' }))).data?.code).toBe('BAD_REQUEST');
	});

	it('the registro finds the sollecito, newest first', async () => {
		const found = await ufficio.trpc.officeOverview.audit.query({ page: 1, action: 'debtors.remind', entity: '', actor: 'ufficio@mazze', from: '2026-11-23', to: '2026-11-23', q: 'Luca Rossi' });
		expect(found.rows.map((r) => [r.action, r.actorEmail])).toEqual([['debtors.remind', 'ufficio@mazze.example.it']]);
		expect(found.actions).toContain('debtors.reminder_template');
		const bad = await failure(ufficio.trpc.officeOverview.audit.query({ page: 1, action: '', entity: '', actor: '', from: '2026-11-30', to: '2026-11-01', q: '' }));
		expect(bad.data?.fieldErrors?.to).toBe('La data finale deve venire dopo quella iniziale');
	});
});

describe('authorisation', () => {
	const calls = (c: Client) => ({
		list: () => c.trpc.officeDebtors.list.query(all),
		template: () => c.trpc.officeDebtors.template.query(),
		setTemplate: () => c.trpc.officeDebtors.setTemplate.mutate({ template: 'Saldo {importo}' }),
		preview: () => c.trpc.officeDebtors.preview.query(everyone),
		send: () => c.trpc.officeDebtors.send.mutate({ requestId: randomUUID(), ...everyone }),
		dashboard: () => c.trpc.officeOverview.dashboard.query({ month: '2026-11' }),
		audit: () => c.trpc.officeOverview.audit.query({ page: 1, action: '', entity: '', actor: '', from: '', to: '', q: '' })
	});

	for (const who of ['genitore', 'cucina', 'scuola', 'anonimo']) {
		it(`${who}: every procedure and page is refused, nothing is written`, async () => {
			const before = written();
			for (const [name, call] of Object.entries(calls(others[who]))) {
				const e = await failure(call());
				expect(e.data?.httpStatus, `${who} ${name}`).toBe(who === 'anonimo' ? 401 : 403);
			}
			for (const path of PAGES) {
				const r = await others[who].fetch(`${server.url}${path}`);
				if (who === 'anonimo') expect([r.status, r.headers.get('location')], path).toEqual([303, '/']);
				else expect(r.status, `${who} ${path}`).toBe(403);
			}
			expect(written()).toEqual(before);
		});
	}

	it('the operator of Chiusi sees none of Mazzè’s debtors or registro, and cannot remind them', async () => {
		const c = calls(others.chiusi);
		expect((await c.list()).rows.map((d) => d.givenName)).toEqual(['Tommaso']);
		const audit = await c.audit();
		expect(audit.actions).not.toContain('debtors.remind');
		expect(audit.rows.every((r) => r.actorEmail !== 'ufficio@mazze.example.it')).toBe(true);
		expect((await c.dashboard()).balances).toMatchObject({ negativeCents: -520, negativeAccounts: 1 });
		const mazzeRows = (await ufficio.trpc.officeDebtors.list.query(all)).rows.map((d) => d.accountId);
		const before = written();
		const e = await failure(others.chiusi.trpc.officeDebtors.send.mutate({ requestId: randomUUID(), ...everyone, accountIds: mazzeRows }));
		expect(e.data?.httpStatus).toBe(400);
		const preview = await others.chiusi.trpc.officeDebtors.preview.query({ ...everyone, accountIds: mazzeRows });
		expect(preview.emails).toBe(0);
		expect(written()).toEqual(before);
		const csv = await (await others.chiusi.fetch(`${server.url}/ufficio/morosi.csv`)).text();
		expect(csv).toContain('BNCTMS19A01D612D');
		expect(csv).not.toContain('RSSLCU17E04E379I');
	});
});
