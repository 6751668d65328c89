import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import * as schema from '../../server/db/schema.js';
import type { Db } from '../../server/db/client.js';
import { checkLedger } from '../../server/ledger/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedIn, testClient, type TestClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';
import { creditDirectly } from '../helpers/ledger.js';
import { pdfText } from '../helpers/pdf-text.js';

/*
 * Privacy through the real server: a guardian downloads what is held about her family (and only
 * hers), diet labels leave a trace when staff see them, and the office anonymises a family that
 * left the service long enough ago, with the ledger untouched.
 */

let server: TestServer;
let maria: TestClient;
let ufficio: TestClient;
let ids: { luca: number; sofia: number; anna: number; refezione: number };

const readDb = <T>(read: (sqlite: Database.Database) => T): T => {
	const sqlite = new Database(server.dbPath, { readonly: true });
	try {
		return read(sqlite);
	} finally {
		sqlite.close();
	}
};
const audit = (action: string) =>
	readDb((s) => s.prepare('SELECT a.entity, a.entity_id, a.details, u.email FROM audit_log a JOIN users u ON u.id = a.actor_user_id WHERE a.action = ? ORDER BY a.id').all(action)) as { entity: string; entity_id: string; details: string; email: string }[];

/** A guardian of `slug` with no children: registered, e-mail confirmed, signed in. */
async function newGuardian(slug: string, email: string, codiceFiscale: string) {
	const client = testClient(server.url);
	const password = 'Refezione-Mazzè-42';
	await client.trpc.auth.register.mutate({ tenantSlug: slug, givenName: 'Giovanni', familyName: 'Ferrari', codiceFiscale, email, password, privacyAccepted: true });
	const mail = await server.smtp.waitFor(email, (m) => m.subject.includes('Conferma'));
	await client.trpc.auth.verifyEmail.mutate({ token: linkIn(mail, '/verifica').searchParams.get('token')! });
	await client.trpc.auth.login.mutate({ tenantSlug: slug, email, password });
	return client;
}

const download = (client: TestClient, format: 'json' | 'pdf') => client.fetch(`${server.url}/profilo/dati.${format}`);

beforeAll(async () => {
	server = await startTestServer();
	maria = await signedIn(server.url, 'maria.rossi@example.com');
	ufficio = await signedIn(server.url, 'ufficio@mazze.example.it');
	const children = await maria.trpc.guardian.consumers.query();
	const id = (name: string) => children.find((c) => c.givenName === name)!.id;
	ids = {
		luca: id('Luca'),
		sofia: id('Sofia'),
		anna: readDb((s) => s.prepare("SELECT id FROM consumers WHERE given_name = 'Anna'").pluck().get() as number),
		refezione: (await maria.trpc.account.balances.query({ consumerId: id('Luca') }))[0].serviceGroupId
	};
});
afterAll(() => server?.stop());

describe('the guardian downloads her data', () => {
	it('as JSON: her profile and her two children, with diet, and no secret', async () => {
		const response = await download(maria, 'json');
		expect(response.status).toBe(200);
		expect(response.headers.get('content-disposition')).toBe('attachment; filename="mensa-aperta-dati-mazze.json"');
		expect(response.headers.get('cache-control')).toContain('no-store');
		const body = await response.text();
		const data = JSON.parse(body);
		expect(data.user).toMatchObject({ email: 'maria.rossi@example.com', givenName: 'Maria', codiceFiscale: 'RSSMRA85C52L219F' });
		expect(data.children.map((c: { givenName: string; dietLabel: string | null }) => [c.givenName, c.dietLabel])).toEqual([
			['Luca', null],
			['Sofia', 'senza glutine']
		]);
		expect(data.sessions.length).toBeGreaterThan(0);
		const hash = readDb((s) => s.prepare("SELECT hash FROM password_credentials WHERE user_id = (SELECT id FROM users WHERE email = 'maria.rossi@example.com')").pluck().get() as string);
		expect(body).not.toContain(hash);
		expect(body).not.toContain('Anna');
	});

	it('as PDF: the same, readable, and each download is in the audit log', async () => {
		const response = await download(maria, 'pdf');
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/pdf');
		const text = pdfText(new Uint8Array(await response.arrayBuffer()));
		for (const seen of ['I tuoi dati', 'Maria Rossi', 'RSSMRA85C52L219F', 'Luca Rossi', 'Sofia Rossi', 'senza glutine', 'Iscrizioni']) expect(text).toContain(seen);
		expect(audit('privacy.export').map((a) => [a.email, JSON.parse(a.details).format])).toEqual([
			['maria.rossi@example.com', 'json'],
			['maria.rossi@example.com', 'pdf']
		]);
	});

	it("gives another guardian, here or in another Comune, only their own: never Maria's family", async () => {
		for (const [slug, email, cf] of [
			['mazze', 'giovanni.ferrari@example.com', 'FRRGNN82H15L219L'],
			['chiusi-della-verna', 'giovanni.chiusi@example.com', 'FRRGNN82H15L219L']
		]) {
			const other = await newGuardian(slug, email, cf);
			for (const format of ['json', 'pdf'] as const) {
				const response = await download(other, format);
				expect(response.status).toBe(200);
				const text = format === 'json' ? await response.text() : pdfText(new Uint8Array(await response.arrayBuffer()));
				expect(text).toContain('Ferrari');
				expect(text).not.toMatch(/Rossi|Luca|Sofia|RSSMRA/);
			}
		}
	});

	it('is not for staff, nor for anyone signed out', async () => {
		expect((await download(ufficio, 'json')).status).toBe(403);
		const anonymous = await testClient(server.url).fetch(`${server.url}/profilo/dati.json`);
		expect(anonymous.status).toBe(303);
	});
});

describe('diet labels seen by staff', () => {
	it('leave one audit row per view that shows one, naming the children', async () => {
		const before = audit('diet.read').length;
		expect((await ufficio.fetch(`${server.url}/ufficio/consumatori/${ids.sofia}`)).status).toBe(200);
		expect((await ufficio.fetch(`${server.url}/ufficio/consumatori/${ids.luca}`)).status).toBe(200);
		const hits = await ufficio.trpc.office.searchConsumers.query({ q: 'Rossi' });
		expect(hits.map((h) => h.dietLabel)).toContain('senza glutine');
		const cucina = await signedIn(server.url, 'cucina@mazze.example.it');
		const report = await cucina.trpc.office.kitchenReport.query({ date: '2026-11-24' });
		expect(report.totals.diets).toEqual({ 'senza glutine': 1 });
		expect(audit('diet.read').slice(before).map((a) => [a.email, a.entity, a.entity_id, JSON.parse(a.details)])).toEqual([
			['ufficio@mazze.example.it', 'consumer', String(ids.sofia), { consumerIds: [ids.sofia] }],
			['ufficio@mazze.example.it', 'consumer', String(ids.sofia), { consumerIds: [ids.sofia] }],
			['cucina@mazze.example.it', 'kitchen_report', '2026-11-24', { diets: 1 }]
		]);
	});
});

describe('the office anonymises a family', () => {
	it('refuses a family still enrolled, in Italian, with nothing changed', async () => {
		const refused = await failure(ufficio.trpc.officePrivacy.anonymiseFamily.mutate({ consumerId: ids.anna }));
		expect(refused.message).toBe('La famiglia ha ancora un’iscrizione attiva o sospesa: si anonimizza solo dopo la cessazione di tutte le iscrizioni.');
		expect(readDb((s) => s.prepare('SELECT given_name FROM consumers WHERE id = ?').pluck().get(ids.anna))).toBe('Anna');
	});

	it('anonymises a family gone since 2024 with its balance paid back, and every ledger sum stays the same', async () => {
		// Each child's saldo brought to 25 € and paid back: a history that sums to zero.
		for (const consumerId of [ids.luca, ids.sofia]) {
			const [{ balanceCents }] = await maria.trpc.account.balances.query({ consumerId });
			creditDirectly(server.dbPath, { consumerId, serviceGroupId: ids.refezione, amountCents: 2500 - balanceCents, valueDate: '2026-11-20', description: 'Ricarica allo sportello', externalId: `test:privacy-${consumerId}` });
			const refund = await ufficio.trpc.officePayments.refund.mutate({ requestId: randomUUID(), consumerId, serviceGroupId: ids.refezione, amount: '25', reason: 'Fine del servizio' });
			expect(refund.status).toBe('posted');
		}
		const ledger = () =>
			readDb((s) => ({
				postings: s.prepare('SELECT * FROM ledger_postings ORDER BY id').all(),
				transactions: s.prepare('SELECT * FROM ledger_transactions ORDER BY id').all(),
				sums: s.prepare('SELECT account_id, sum(amount_cents) AS total FROM ledger_postings GROUP BY account_id ORDER BY account_id').all(),
				balances: s.prepare('SELECT id, balance_cents FROM ledger_accounts ORDER BY id').all()
			}));
		const before = ledger();
		expect(before.postings.length).toBeGreaterThan(0);
		// The past the server cannot make: the children left the service in June 2024.
		const sqlite = new Database(server.dbPath);
		sqlite.prepare("UPDATE enrolments SET status = 'cessata', to_date = '2024-06-10' WHERE consumer_id IN (?, ?)").run(ids.luca, ids.sofia);
		sqlite.close();

		expect(await ufficio.trpc.officePrivacy.anonymiseFamily.mutate({ consumerId: ids.luca })).toEqual({ status: 'anonymised', consumers: 2, guardians: 1 });
		expect(ledger()).toEqual(before);
		expect(readDb((s) => checkLedger(drizzle(s, { schema }) as Db))).toEqual([]);

		const page = await (await ufficio.fetch(`${server.url}/ufficio/consumatori/${ids.sofia}`)).text();
		expect(page).toContain(`Anonimo ${ids.sofia}`);
		expect(page).not.toMatch(/Sofia|RSSSFO|senza glutine/);
		expect((await failure(maria.trpc.guardian.consumers.query())).data?.code).toBe('UNAUTHORIZED');
		await expect(signedIn(server.url, 'maria.rossi@example.com')).rejects.toThrow();
		expect(audit('privacy.anonymise').map((a) => [a.email, a.entity_id])).toEqual([['ufficio@mazze.example.it', String(ids.luca)]]);
	});
});
