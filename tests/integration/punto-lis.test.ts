import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signedIn, testClient, type TestClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';
import { contentStreams, pdfPages } from '../helpers/pdf-text.js';

/*
 * Punto LIS against the real server: the guardian's QR page and PDF (and nobody else's), the
 * network's signed notification crediting once whatever is replayed, and every refusal storing
 * nothing. The notifications are signed here, by hand, as the LIS network would.
 */

const ANNA_CODE = 'MZZ7-K4PQ-2RTA';
const SECRET = '5e'.repeat(32);

let server: TestServer;
let db: Database.Database;
let maria: TestClient;
let giovanni: TestClient;
let luca: number;
let anna: number;
let group: number;
let code: string;
/** The server's test clock minus ours: signatures carry the server's time, as the network's would. */
let clockOffset = 0;
const serverNow = () => new Date(Date.now() + clockOffset);

const one = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as T;
const balance = () =>
	one<{ b: number } | undefined>(`SELECT balance_cents AS b FROM ledger_accounts WHERE kind = 'prepaid' AND consumer_id = ? AND service_group_id = ?`, luca, group)?.b ?? 0;
const stored = () => one<{ p: number; t: number }>(`SELECT (SELECT count(*) FROM payments) AS p, (SELECT count(*) FROM ledger_transactions) AS t`);

function sign(body: string, secret = SECRET, at = serverNow()) {
	const timestamp = String(Math.floor(at.getTime() / 1000));
	return { 'x-lis-timestamp': timestamp, 'x-lis-signature': `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}` };
}

async function notify(fields: Record<string, unknown> = {}, secret = SECRET, at = serverNow()) {
	const body = JSON.stringify({ transactionId: 'LIS-9001', code, amountCents: 2000, paidAt: serverNow().toISOString(), terminalId: 'T-17', ...fields });
	// Server to server: no Origin, no cookies.
	const response = await fetch(`${server.url}/api/lis/notifiche`, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(body, secret, at) }, body });
	return { status: response.status, body: (await response.json()) as Record<string, unknown>, replayed: response.headers.get('idempotent-replayed') };
}

const page = (client: TestClient, consumerId: number, suffix = '') => client.fetch(`${server.url}/consumatori/${consumerId}/punto-lis/${group}${suffix}`);

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	db = new Database(server.dbPath);
	db.pragma('busy_timeout = 5000');
	const { now } = (await (await fetch(`${server.url}/api/test/clock`)).json()) as { now: string };
	clockOffset = Date.parse(now) - Date.now();
	maria = await signedIn(server.url, 'maria.rossi@example.com');
	luca = (await maria.trpc.guardian.consumers.query()).find((c) => c.givenName === 'Luca')!.id;
	anna = one<{ id: number }>(`SELECT id FROM consumers WHERE given_name = 'Anna'`).id;
	group = one<{ id: number }>(`SELECT g.id FROM service_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'mazze'`).id;

	// Anna's father, another family: registered, verified, linked to Anna with her letter's code.
	const newcomer = testClient(server.url);
	const password = 'Refezione-Mazzè-42';
	const email = 'giovanni.ferrari@example.com';
	await newcomer.trpc.auth.register.mutate({ tenantSlug: 'mazze', givenName: 'Giovanni', familyName: 'Ferrari', codiceFiscale: 'FRRGNN82H15L219L', email, password, privacyAccepted: true });
	const mail = await server.smtp.waitFor(email, (m) => m.subject.includes('Conferma'));
	await newcomer.trpc.auth.verifyEmail.mutate({ token: linkIn(mail, '/verifica').searchParams.get('token')! });
	giovanni = await signedIn(server.url, email, { password });
	await giovanni.trpc.guardian.activate.mutate({ code: ANNA_CODE });

	// The key agreed with the LIS network, as an operator would have set it.
	db.prepare(`UPDATE tenants SET payment_settings = json_set(payment_settings, '$.lisSecret', ?) WHERE slug = 'mazze'`).run(SECRET);
});
afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('the guardian’s Punto LIS page and PDF', () => {
	it('shows Luca’s QR inline and his stable code, and downloads the card as a PDF', async () => {
		const response = await page(maria, luca);
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain('Punto LIS — Luca Rossi');
		expect(html).toMatch(/<svg[^>]*viewBox/);
		code = /id="codice-lis">([^<]+)</.exec(html)![1];
		expect(code).toMatch(/^MA-84001550015(-[0-9A-HJKMNP-TV-Z]{4}){5}$/);
		expect(one<{ code: string }>(`SELECT code FROM lis_codes WHERE consumer_id = ? AND service_group_id = ?`, luca, group).code).toBe(code);
		expect(/id="codice-lis">([^<]+)</.exec(await (await page(maria, luca)).text())![1]).toBe(code);

		const pdf = await page(maria, luca, '/scheda.pdf');
		expect(pdf.status).toBe(200);
		expect(pdf.headers.get('content-type')).toBe('application/pdf');
		expect(pdf.headers.get('cache-control')).toBe('no-store');
		expect(pdf.headers.get('content-disposition')).toBe('attachment; filename="punto-lis-luca-rossi-refezione.pdf"');
		const bytes = new Uint8Array(await pdf.arrayBuffer());
		const pages = pdfPages(bytes);
		expect(pages).toHaveLength(1);
		for (const text of ['Comune di Mazzè', 'Ricarica al Punto LIS', 'Luca Rossi', 'Refezione', code, 'comunicalo all’esercente', 'Conserva lo scontrino']) {
			expect(pages[0].replace(/\n/g, ' ')).toContain(text);
		}
		// The QR drawn as vector modules by the avviso's drawQr, 7 pt each (its decoding is tested there).
		expect(contentStreams(bytes).some((s) => /\n7 0 0 7 0 0 cm\n(\d+ \d+ \d+ 1 re\n)+/.test(s))).toBe(true);
	});

	it('is 404 for another family’s guardian, both ways, page and PDF; a missing group too', async () => {
		for (const [client, consumerId] of [[giovanni, luca], [maria, anna]] as const) {
			expect((await page(client, consumerId)).status).toBe(404);
			expect((await page(client, consumerId, '/scheda.pdf')).status).toBe(404);
		}
		expect((await page(giovanni, anna)).status).toBe(200);
		expect((await maria.fetch(`${server.url}/consumatori/${luca}/punto-lis/999999`)).status).toBe(404);
		// Signed out: to the login, never the card.
		const anonymous = await fetch(`${server.url}/consumatori/${luca}/punto-lis/${group}/scheda.pdf`, { redirect: 'manual' });
		expect(anonymous.status).toBe(303);
	});
});

describe('POST /api/lis/notifiche', () => {
	it('credits a signed notification once; 5 concurrent redeliveries answer the same and change nothing', async () => {
		const before = balance();
		const first = await notify();
		expect(first.status).toBe(200);
		expect(first.body).toEqual({
			status: 'credited',
			credit: { transactionId: 'LIS-9001', paymentId: expect.any(Number), amountCents: 2000, consumer: 'Luca Rossi', serviceGroup: 'Refezione', creditedAt: expect.any(String) }
		});
		expect(balance()).toBe(before + 2000);
		const after = stored();

		const replays = await Promise.all(Array.from({ length: 5 }, () => notify()));
		for (const r of replays) expect(r).toEqual({ status: 200, body: first.body, replayed: 'true' });
		expect(stored()).toEqual(after);
		expect(balance()).toBe(before + 2000);
		expect(one<{ n: number }>(`SELECT count(*) AS n FROM payments WHERE channel = 'lis' AND external_ref = 'LIS-9001'`).n).toBe(1);
	});

	it('five concurrent first deliveries of a new transaction credit once', async () => {
		const before = balance();
		const answers = await Promise.all(Array.from({ length: 5 }, () => notify({ transactionId: 'LIS-9002', amountCents: 1550 })));
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
		expect(answers.filter((a) => a.replayed === null)).toHaveLength(1);
		expect(balance()).toBe(before + 1550);
	});

	it('refuses and stores nothing: wrong key 401, unknown code 404, conflicting replay 409, malformed 400', async () => {
		const state = { ...stored(), balance: balance() };
		const error = (code: string) => expect.objectContaining({ error: expect.objectContaining({ code }) });
		expect(await notify({ transactionId: 'LIS-9100' }, 'ab'.repeat(32))).toMatchObject({ status: 401, body: error('UNAUTHORIZED') });
		expect(await notify({ transactionId: 'LIS-9101', code: code.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })).toMatchObject({ status: 404, body: error('UNKNOWN_CODE') });
		expect(await notify({ amountCents: 2500 })).toMatchObject({ status: 409, body: error('CONFLICT') });
		// A body captured and sent again later than 5 minutes: its timestamp is inside the signature.
		expect(await notify({ transactionId: 'LIS-9104' }, SECRET, new Date(serverNow().getTime() - 6 * 60_000))).toMatchObject({ status: 401, body: error('UNAUTHORIZED') });
		expect(await notify({ transactionId: 'LIS-9102', amountCents: -5 })).toMatchObject({ status: 400, body: error('BAD_REQUEST') });
		const raw = await fetch(`${server.url}/api/lis/notifiche`, { method: 'POST', headers: { 'content-type': 'application/json', ...sign('{no') }, body: '{no' });
		expect(raw.status).toBe(400);
		const unsigned = await fetch(`${server.url}/api/lis/notifiche`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transactionId: 'LIS-9103', code, amountCents: 100, paidAt: serverNow().toISOString() }) });
		expect(unsigned.status).toBe(401);
		expect({ ...stored(), balance: balance() }).toEqual(state);
		expect(one<{ n: number }>(`SELECT count(*) AS n FROM payments WHERE external_ref IN ('LIS-9100', 'LIS-9101', 'LIS-9102', 'LIS-9103', 'LIS-9104')`).n).toBe(0);
	});
});

describe('the LIS simulator page', () => {
	it('signs and sends a payment typed as the cashier would, and says whose account it credited', async () => {
		const before = balance();
		const response = await fetch(`${server.url}/simulatore-lis`, {
			method: 'POST',
			headers: { accept: 'text/html', origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ codice: code.toLowerCase().replace(/-/g, ' '), importo: '12,50' })
		});
		expect(response.status).toBe(200);
		expect(await response.text()).toContain('Ricarica di 12,50 € accreditata a Luca Rossi — Refezione');
		expect(balance()).toBe(before + 1250);
	});
});
